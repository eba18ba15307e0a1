"""The pieces `kinerja demo` plays the office with: a clock it moves, people who fill in and
save workbooks, and the real service running in a thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from watcher.errors import KinerjaError
from watcher.masterdata.model import Indicator, Polarity, Settings, period_target
from watcher.record.durable import save_workbook_atomic
from watcher.record.store import utc_now
from watcher.service.watch import Service
from watcher.sop.calendar import opening_time
from watcher.sop.period import Period
from watcher.workbook.layout import rencana_aksi_layout

SHORTFALL = 0.97  # the one indicator per division that misses its target, to show kendala


class DemoError(KinerjaError):
    """The tour could not go on (a step did not happen in time)."""


class DemoClock:
    """The office's clock in the demo: starts on the disposition day, moved by the tour."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._offset = start - utc_now()

    def now(self) -> datetime:
        return utc_now() + self._offset

    def advance(self, **delta: float) -> None:
        self._offset += timedelta(**delta)  # "minutes=20": the next person comes a bit later

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (never backwards: the event log is in time order)."""
        self._offset += max(moment - self.now(), timedelta(0))


def disposition_moment(day: date, settings: Settings) -> datetime:
    """Opening time on the period's issue day (a weekend moves to Monday)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = opening_time(settings.week, day.weekday())
    return datetime.combine(day, opening, tzinfo=ZoneInfo(settings.timezone))


def realisations(indicators: tuple[Indicator, ...], period: Period, index: int) -> list[float]:
    """Each target met, except the first indicator, which falls a little short."""
    values = []
    for position, indicator in enumerate(indicators):
        target = period_target(indicator, period, index)
        value = target
        if position == 0:
            worse = SHORTFALL if indicator.polarity is Polarity.HIGHER_IS_BETTER else 2 - SHORTFALL
            value = target * worse
        whole = not indicator.is_percentage and float(target).is_integer()
        values.append(round(value) if whole else round(value, 2))
    return values


Kendala = dict[int, tuple[str, str]]  # row position -> (kendala, tindak lanjut)


def fill_workbook(source: Path, target: Path, *, values: list[object] | None = None,
                  kendala: Kendala | None = None, note: str = "") -> Path:  # fmt: skip
    """Open `source` as a clerk would, type into it, and save it (complete at once) at `target`.

    `values`: realisations in indicator order (None leaves them); `kendala`: row position ->
    (kendala, tindak lanjut); `note`: the checker's note.
    """
    layout = rencana_aksi_layout()
    workbook = load_workbook(source)
    sheet = workbook[layout.main_sheet]
    first = layout.rows["first_data"]
    count = sum(1 for row in range(first, first + 500) if sheet[f"B{row}"].value)
    for position, value in enumerate(values or []):
        sheet[f"{layout.column('realisation').letter}{first + position}"] = value
    for position, (problem, follow_up) in (kendala or {}).items():
        sheet[f"{layout.column('kendala').letter}{first + position}"] = problem
        sheet[f"{layout.column('follow_up').letter}{first + position}"] = follow_up
    if note:
        sheet[f"{layout.note_column}{layout.note_row(count)}"] = note
    save_workbook_atomic(workbook, target)
    return target


def wait_until(condition: Callable[[], object], what: str, *, timeout: float) -> None:
    """Wait for something the service does; DemoError (in Indonesian) if it does not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise DemoError(f"Demo berhenti: {what} tidak terjadi dalam {timeout:g} detik.")
        time.sleep(0.05)


@contextlib.contextmanager
def service_thread(service: Service, *, timeout: float) -> Iterator[Service]:
    """Run `service` in a thread until the block ends; its failure is raised here."""
    stop, failure = threading.Event(), []

    def run() -> None:
        try:
            service.run(stop)
        except BaseException as exc:  # handed to the tour below
            failure.append(exc)

    thread = threading.Thread(target=run, name="kinerja-demo-service", daemon=True)
    thread.start()
    wait_until(lambda: service.ready.is_set() or failure, "layanan mulai", timeout=timeout)
    try:
        if failure:
            raise failure[0]
        yield service
    finally:
        stop.set()
        thread.join(timeout=timeout)
    if thread.is_alive():
        raise DemoError(f"Demo berhenti: layanan tidak berhenti dalam {timeout:g} detik.")
    if failure:
        raise failure[0]
