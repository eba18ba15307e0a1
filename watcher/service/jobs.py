"""The jobs the SOP's calendar asks for: issue dispositions on the 10th, warn before deadlines.

Both are idempotent functions of an injected `now` and the event log, so the service can run
them at start, daily and every few minutes (with `schedule`) and a test can run them at any
instant: a missed 10th is caught up exactly once, each warning is raised once per step round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from watcher.errors import KinerjaError, RecordLostError
from watcher.masterdata.model import MasterData
from watcher.record.durable import write_text_atomic
from watcher.record.store import Event, Outcome, Store
from watcher.service.issuing import IssuedFile, issue_quarter
from watcher.service.tree import Tree
from watcher.sop.calendar import deadline
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop, StepKind
from watcher.sop.period import Period
from watcher.sop.sla import StepState, StepTiming, office_calendar, scheduled_moment
from watcher.sop.timeline import open_periods, quarter_timelines

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    outcome: Outcome  # WARNING or LATE
    division: str
    year: int
    quarter: int
    timing: StepTiming
    message: str


def ensure_dispositions(
    tree: Tree, store: Store, master: MasterData, sop: Sop, now: Callable[[], datetime]
) -> list[IssuedFile]:
    """Issue the collected period's dispositions if their day has come and they are missing.

    Runs at start and daily: `schedule` forgets runs missed while the process was down, so this
    catches up, once (divisions already recorded as issued are skipped), and says it was late.
    """
    settings = master.settings
    calendar = office_calendar(settings, range(now().year - 1, now().year + 2))
    local = now().astimezone(calendar.tz)
    year, quarter = sop.period.collected_on(local.date())
    moment = scheduled_moment(calendar, settings, sop.period, year, quarter)
    if local < moment:
        return []
    note, due = "", moment
    for step in sop.of_kind(StepKind.ISSUE):  # the issue steps' standards, one after another
        due = deadline(calendar, due, step.standard)
    if local > due:
        note = f"Terlambat: seharusnya diterbitkan {long_datetime(moment)}."
    return issue_quarter(
        tree, master, sop, year=year, quarter=quarter, now=now, store=store, note=note
    )


def sweep(
    tree: Tree, store: Store, master: MasterData, sop: Sop, now: Callable[[], datetime]
) -> list[Alert]:
    """Raise each new warning (share of the standard reached) and lateness once per step round:
    an event in the log and a notice file in the division's folder."""
    moment = now()
    alerts: list[Alert] = []
    for year, quarter in open_periods(store, master):
        for timeline in quarter_timelines(store, master, sop, year, quarter, moment):
            for step in timeline.progress.steps:
                code = timeline.division.code
                alert = _new_alert(timeline.events, code, year, quarter, step, sop.period)
                if alert is None:
                    continue
                try:
                    _raise(tree, store, alert, sop)
                except OSError as exc:
                    # Not recorded, so the next sweep tries again; other divisions go on.
                    log.warning("Pemberitahuan tidak dapat ditulis (%s): %s", exc, alert.message)
                    continue
                alerts.append(alert)
    return alerts


def _new_alert(
    events: list[Event], division: str, year: int, quarter: int, step: StepTiming, period: Period
) -> Alert | None:
    if step.state is StepState.WARNING:
        outcome, word = Outcome.WARNING, "PERINGATAN"
    elif step.state is StepState.LATE:
        outcome, word = Outcome.LATE, "TERLAMBAT"
    else:
        return None
    # Once per round: an alert raised since this round started. Counting alerts against the
    # round number repeated a round-2 alert on every sweep when round 1 had raised none.
    raised = any(
        e.outcome is outcome
        and e.step == step.step
        and e.at_utc is not None
        and step.start is not None
        and e.at_utc >= step.start
        for e in events
    )
    if raised:
        return None
    when = long_datetime(step.deadline) if step.deadline else "-"
    message = (
        f"{word}: langkah {step.step} bidang {division} {period.label(quarter)} {year} "
        f"({step.standard}) batas waktunya {when}."
    )
    return Alert(outcome, division, year, quarter, step, message)


def _raise(tree: Tree, store: Store, alert: Alert, sop: Sop) -> None:
    """Write the notice, then record the alert: an alert recorded without its notice would
    never be written again (the next sweep sees it raised)."""
    word = "TERLAMBAT" if alert.outcome is Outcome.LATE else "PERINGATAN"
    name = (
        f"{word} - Langkah {alert.timing.step} - {sop.period.code(alert.quarter)} {alert.year}.txt"
    )
    body = "\r\n".join([alert.message, "", f"Peringatan SOP: {sop.warning}", ""])
    write_text_atomic(tree.division_dir(alert.division) / name, body)
    store.append(
        Event(
            outcome=alert.outcome,
            division=alert.division,
            year=alert.year,
            quarter=alert.quarter,
            step=alert.timing.step,
            message=alert.message,
        )
    )


class OfficeJobs:
    """The service's timed work, run by `schedule` in the worker thread.

    `daily` issues the quarter's dispositions (at opening time; at start too, as the catch-up);
    `periodic` sweeps for warnings and lateness, sends them by e-mail when configured, and does
    the catch-up again so a missed daily run costs minutes, not a day.
    """

    def __init__(
        self,
        tree: Tree,
        store: Store,
        master: Callable[[], MasterData],
        sop: Sop,
        now: Callable[[], datetime],
        mail: Callable[[str, str], object] | None = None,
    ) -> None:
        self.tree, self.store, self.master, self.sop, self.now = tree, store, master, sop, now
        self.mail = mail

    def daily(self) -> None:
        self._guard("penerbitan disposisi", self._issue)

    def periodic(self) -> None:
        self.daily()
        self._guard("pemeriksaan batas waktu", self._sweep)

    def _issue(self) -> None:
        issued = ensure_dispositions(self.tree, self.store, self.master(), self.sop, self.now)
        for item in issued:
            log.info("Diterbitkan: %s", item.path)

    def _sweep(self) -> None:
        for alert in sweep(self.tree, self.store, self.master(), self.sop, self.now):
            log.warning("%s", alert.message)
            if self.mail is not None:
                self.mail(f"[kinerja] {alert.message[:120]}", alert.message)

    def _guard(self, what: str, job: Callable[[], None]) -> None:
        """A failing job is logged (and recorded) and retried at its next run."""
        try:
            job()
        except RecordLostError:
            raise  # the service stops: nothing is recorded into a ghost log
        except (KinerjaError, OSError) as exc:  # OSError: a share gone, a full disk
            message = exc.message if isinstance(exc, KinerjaError) else str(exc)
            log.warning("Tugas %s gagal: %s", what, message)
            text = f"Tugas {what} gagal: {message}"
            try:
                # Recorded once per new failure, not at every sweep while it lasts.
                errors = self.store.events(outcome=Outcome.ERROR)
                if not errors or errors[-1].message != text:
                    self.store.append(Event(outcome=Outcome.ERROR, message=text))
            except KinerjaError:  # the log itself fails: the service must keep running
                log.warning("Log kejadian juga gagal ditulis.")
