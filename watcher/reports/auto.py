"""The service listener that compiles step 6 by itself.

After each batch of events it looks at the periods whose approvals changed (an APPROVED or a
RETURNED event) and:
- builds a quarter's report once every division of the master data is approved for it;
- rebuilds a quarter's report that exists when its sources change (a later approval, a return,
  an earlier quarter's approval that changes the figures to date, new master data);
- builds the LKjIP once the fourth quarter is approved by every division, and rebuilds it when
  the year's sources change.
"Changed" is judged by the fingerprint of the approved versions and the master data that each
build logs ("sidik sumber ..."), so a repeated event never builds the same report twice. Every
file written is logged as REPORT_BUILT (step 6); a failure is logged as ERROR with its
Indonesian message and never stops the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from watcher.errors import KinerjaError, RecordLostError
from watcher.masterdata.model import MasterData, quarter_name
from watcher.record.store import Event, Outcome, Store, utc_now
from watcher.reports.annual import build_annual
from watcher.reports.gather import approvals_for
from watcher.reports.quarterly import build_quarterly, fingerprint, quarter_approvals
from watcher.service.tree import Tree
from watcher.sop.model import Sop

log = logging.getLogger(__name__)
TRIGGERS = (Outcome.APPROVED, Outcome.RETURNED)


class ReportListener:
    """`Listener` for `watcher.service.watch.Service(..., listeners=[ReportListener(...)])`."""

    def __init__(
        self,
        tree: Tree,
        master: Callable[[], MasterData],
        sop: Sop,
        *,
        now: Callable[[], datetime] = utc_now,
        pdf: bool = True,
    ) -> None:
        self.tree, self.master, self.sop, self.now, self.pdf = tree, master, sop, now, pdf

    def __call__(self, store: Store, events: list[Event]) -> None:
        years = sorted({e.year for e in events if e.outcome in TRIGGERS and e.year})
        if not years:
            return
        if not self.sop.builds_reports:
            return
        master = self.master()
        for year in years:
            for quarter in range(1, self.sop.period.count + 1):
                self._quarter(store, master, year, quarter)
            self._annual(store, master, year)

    def _quarter(self, store: Store, master: MasterData, year: int, quarter: int) -> None:
        approvals = quarter_approvals(store, year, quarter)
        approved = {a.division for a in approvals if a.quarter == quarter}
        complete = all(d.code in approved for d in master.divisions)
        wanted = fingerprint(approvals, master)
        last = _last_build(store, year, quarter)
        if (last is None and not complete) or (last is not None and wanted in last.message):
            return
        what = f"Laporan Triwulan {quarter_name(quarter)} {year}"
        self._run(
            store,
            what,
            year,
            quarter,
            lambda: build_quarterly(
                self.tree,
                store,
                master,
                self.sop,
                year=year,
                quarter=quarter,
                now=self.now,
                pdf=self.pdf,
            ),
        )

    def _annual(self, store: Store, master: MasterData, year: int) -> None:
        approvals = list(approvals_for(store, year).values())
        fourth = {a.division for a in approvals if a.quarter == 4}
        complete = all(d.code in fourth for d in master.divisions)
        wanted = fingerprint(approvals, master)
        last = _last_build(store, year, None)
        if (last is None and not complete) or (last is not None and wanted in last.message):
            return
        self._run(
            store,
            f"LKjIP {year}",
            year,
            None,
            lambda: build_annual(
                self.tree,
                store,
                master,
                self.sop,
                year=year,
                now=self.now,
                pdf=self.pdf,
            ),
        )

    def _run(
        self, store: Store, what: str, year: int, quarter: int | None, build: Callable[[], object]
    ) -> None:
        try:
            build()
        except RecordLostError:
            raise  # not a report's failure: the record is gone, the service must stop
        except KinerjaError as exc:
            log.warning("%s gagal disusun: %s", what, exc.message)
            store.append(
                Event(
                    outcome=Outcome.ERROR,
                    step=self.sop.compile_number,
                    year=year,
                    quarter=quarter,
                    message=f"{what} gagal disusun: {exc.message}",
                )
            )


def _last_build(store: Store, year: int, quarter: int | None) -> Event | None:
    """The newest REPORT_BUILT event of a quarter (or of the year's LKjIP when None)."""
    built = [
        e for e in store.events(outcome=Outcome.REPORT_BUILT, year=year) if e.quarter == quarter
    ]
    return built[-1] if built else None
