"""The service listener that compiles the SOP's compile step (SOP 010: step 6) by itself.

After each batch of events it looks at the years whose approvals changed (an APPROVED or a
RETURNED event) and, for the SOP's period (quarters for SOP 010, months for a monthly SOP):
- builds a period's report once every division of the master data is approved for it;
- rebuilds a period's report that exists when its sources change (a later approval, a return,
  an earlier period's approval that changes the figures to date, new master data);
- builds the LKjIP once the year's last period is approved by every division, and rebuilds it
  when the year's sources change.
"Changed" is judged by the fingerprint of the approved versions and the master data that each
build logs ("sidik sumber ..."), so a repeated event never builds the same report twice. Every
file written is logged as REPORT_BUILT (the compile step); a failure is logged as ERROR with its
Indonesian message and never stops the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from watcher.errors import KinerjaError, RecordLostError
from watcher.masterdata.model import MasterData
from watcher.record.store import Event, Outcome, Store, utc_now
from watcher.reports.annual import build_annual
from watcher.reports.gather import Approval, approvals_for
from watcher.reports.period import approvals_through, build_period, fingerprint
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
        if not years or not self.sop.builds_reports:
            return
        master = self.master()
        for year in years:
            found = approvals_for(store, year)
            built = _last_builds(store, year)
            for index in self.sop.period.indices:
                self._period(store, master, (year, index), found, built.get(index))
            self._annual(store, master, year, found, built.get(None))

    def _period(
        self,
        store: Store,
        master: MasterData,
        when: tuple[int, int],
        found: dict[tuple[str, int], Approval],
        last: Event | None,
    ) -> None:
        year, index = when
        approvals = approvals_through(found, index)
        if not _due(master, approvals, index, last):
            return
        self._run(
            store,
            f"Laporan {self.sop.period.label(index)} {year}",
            year,
            index,
            lambda: build_period(
                self.tree,
                store,
                master,
                self.sop,
                year=year,
                index=index,
                now=self.now,
                pdf=self.pdf,
            ),
        )

    def _annual(
        self,
        store: Store,
        master: MasterData,
        year: int,
        found: dict[tuple[str, int], Approval],
        last: Event | None,
    ) -> None:
        if not _due(master, list(found.values()), self.sop.period.count, last):
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
        self, store: Store, what: str, year: int, index: int | None, build: Callable[[], object]
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
                    quarter=index,
                    message=f"{what} gagal disusun: {exc.message}",
                )
            )


def _due(master: MasterData, approvals: list[Approval], index: int, last: Event | None) -> bool:
    """Whether a report built from `approvals` is due: the first build once every division is
    approved for period `index`, or a rebuild once its sources differ from the last build's."""
    if last is not None:
        return fingerprint(approvals, master) not in last.message
    approved = {a.division for a in approvals if a.quarter == index}
    return all(d.code in approved for d in master.divisions)


def _last_builds(store: Store, year: int) -> dict[int | None, Event]:
    """Period -> the newest REPORT_BUILT event of its report (None: the year's LKjIP)."""
    found: dict[int | None, Event] = {}
    for event in store.events(outcome=Outcome.REPORT_BUILT, year=year):
        found[event.quarter] = event  # oldest first: the newest stays
    return found
