"""Where every division stands in a period of the SOP: `kinerja status` and `outbox/status.html`.

Derived from the event log each time (nothing stored twice), in working time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, select_autoescape

from watcher.masterdata.model import MasterData
from watcher.record.anchor import head_line
from watcher.record.documents import Document, waiting_for
from watcher.record.durable import write_text_atomic
from watcher.record.store import Event, Outcome, Store
from watcher.reports.gather import period_documents, reopened_text
from watcher.service.tree import Tree, period_folder, period_name
from watcher.sop.calendar import cuti_bersama_notice
from watcher.sop.indonesian import long_datetime
from watcher.sop.model import Sop
from watcher.sop.sla import (
    Progress,
    StepState,
    StepTiming,
    office_calendar,
    report_timing,
)
from watcher.sop.timeline import open_periods, quarter_timelines

STATE_LABELS = {
    StepState.NOT_STARTED: "belum mulai",
    StepState.IN_TIME: "berjalan, tepat waktu",
    StepState.WARNING: "peringatan",
    StepState.LATE: "terlambat",
    StepState.DONE: "selesai tepat waktu",
    StepState.DONE_LATE: "selesai, terlambat",
}


@dataclass(frozen=True)
class DivisionStatus:
    code: str
    name: str
    progress: Progress
    document: Document | None = None  # the period's document, as the reports see it
    waiting: str = ""  # whom the current version waits for ("" once approved)
    reopened: str = ""  # "dibuka kembali (dikembalikan kabid ...)" while the approval is withdrawn

    @property
    def current(self) -> StepTiming | None:
        """The step in progress; None when the projection holds an approval in force."""
        return None if self.approved else self.progress.current

    @property
    def approved(self) -> bool:
        """Approved as the reports count it: the document's approval in force (the step
        timings alone when no document is known, as for a period not yet issued)."""
        if self.document is None:
            return self.progress.current is None
        return self.document.approval is not None

    @property
    def late_steps(self) -> tuple[StepTiming, ...]:
        return tuple(s for s in self.progress.steps if s.state in LATE_STEP_STATES)


LATE_STEP_STATES = (StepState.LATE, StepState.DONE_LATE)


@dataclass(frozen=True)
class Snapshot:
    office: str
    year: int
    quarter: int
    generated_at: datetime
    divisions: tuple[DivisionStatus, ...]
    report: StepTiming | None  # the compile step, for this period's report (None: no such step)
    warning: str  # the SOP's own warning line
    steps: tuple[tuple[int, str, str], ...]  # (number, actor, standard) for the headers
    sop_title: str = "SOP 010"
    period_label: str = ""  # "Triwulan III"
    approver: str = "Kabid"  # who approves last (the SOP's final check)
    report_title: str = ""  # "Langkah 6: Laporan Triwulan (Kasubag Perencanaan, 1 Hari)"
    calendar_notice: str = ""  # years in use without known cuti bersama, or ""


class LoggedEvents:
    """A log already read, oldest first (the centre's copy of an office's events), answering the
    queries of `Store.events` that the status asks: `snapshot` runs over it as over the office's
    own store, so the centre times each division exactly as the office does."""

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = tuple(events)

    def events(
        self,
        *,
        division: str | None = None,
        year: int | None = None,
        quarter: int | None = None,
        outcome: Outcome | None = None,
    ) -> list[Event]:
        """Events matching every filter given, oldest first (as `Store.events`)."""
        wanted = {"division": division, "year": year, "quarter": quarter,
                  "outcome": Outcome(outcome) if outcome is not None else None}  # fmt: skip
        checks = [(name, value) for name, value in wanted.items() if value is not None]
        return [e for e in self._events if all(getattr(e, n) == v for n, v in checks)]


EventLog = Store | LoggedEvents  # what `snapshot` reads: the office's store or events read


def current_period(store: EventLog, master: MasterData, sop: Sop, now: datetime) -> tuple[int, int]:
    """The period to show: the oldest one still open, else the last issued, else by the clock."""
    opened = open_periods(store, master)
    if opened:
        return opened[0]
    issued = store.events(outcome=Outcome.ISSUED)
    if issued and issued[-1].year and issued[-1].quarter:
        return issued[-1].year, issued[-1].quarter
    return sop.period.collected_on(now.astimezone(ZoneInfo(master.settings.timezone)).date())


def snapshot(
    store: EventLog,
    master: MasterData,
    sop: Sop,
    now: datetime,
    period: tuple[int, int] | None = None,
) -> Snapshot:
    year, quarter = period or current_period(store, master, sop, now)
    calendar = office_calendar(master.settings, range(year, year + 2))
    documents = period_documents(store, year, quarter, sop)
    divisions = []
    for timeline in quarter_timelines(store, master, sop, year, quarter, now):
        code = timeline.division.code
        document = documents.get((code, year, quarter))
        divisions.append(DivisionStatus(
            code, timeline.division.name, timeline.progress, document,
            waiting_for(sop, document) if document else "",
            reopened_text(document, calendar.tz) if document else "",
        ))  # fmt: skip
    report = report_timing(
        store.events(year=year),
        divisions=[d.code for d in master.divisions],
        year=year,
        quarter=quarter,
        sop=sop,
        cal=calendar,
        settings=master.settings,
        now=now,
    )
    headers = tuple(
        (s.number, s.actor, ", ".join(map(str, s.standards.values()))) for s in sop.per_division
    )
    return Snapshot(
        master.settings.office_name,
        year,
        quarter,
        now.astimezone(calendar.tz),
        tuple(divisions),
        report,
        sop.warning,
        headers,
        sop_title=f"SOP {sop.number}",
        period_label=sop.period.label(quarter),
        approver=sop.final_check.actor,
        report_title=_report_title(sop, report),
        calendar_notice=cuti_bersama_notice(range(year, year + 2), master.settings.day_overrides),
    )


def _report_title(sop: Sop, report: StepTiming | None) -> str:
    step = sop.compile_step
    if step is None or report is None:
        return ""
    return (f"Langkah {step.number}: Laporan {sop.period.kind.value.capitalize()} "
            f"({step.actor}, {report.standard})")  # fmt: skip


def duration_text(value: timedelta | None) -> str:
    """Working time as "1 j 05 m" (hours of office time, not calendar days)."""
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} j {minutes % 60:02d} m"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def timing_json(step: StepTiming) -> dict[str, Any]:
    return {
        "langkah": step.step,
        "mutu_baku": str(step.standard),
        "status": step.state.value,
        "mulai_utc": _iso(step.start),
        "selesai_utc": _iso(step.end),
        "batas_waktu_utc": _iso(step.deadline),
        "menit_kerja_terpakai": _minutes(step.worked),
        "menit_kerja_diizinkan": _minutes(step.allowed),
        "putaran": step.round,
    }


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


def snapshot_json(view: Snapshot) -> dict[str, Any]:
    """The `kinerja status --json` document (fields documented in README.md)."""
    rows = []
    for division in view.divisions:
        current = division.current
        left = (
            (current.allowed - current.worked)
            if current and current.allowed is not None and current.worked is not None
            else None
        )
        rows.append(
            {
                "kode": division.code,
                "nama": division.name,
                "langkah_sekarang": current.step if current else None,
                "status": _status_value(division),
                "sejak_utc": _iso(current.start) if current else None,
                "batas_waktu_utc": _iso(current.deadline) if current else None,
                "sisa_menit_kerja": _minutes(left)
                if left is not None and left >= timedelta(0)
                else None,
                "terlambat_menit_kerja": _minutes(-left)
                if left is not None and left < timedelta(0)
                else None,
                "jumlah_dikembalikan": division.progress.returns,
                "langkah": [timing_json(step) for step in division.progress.steps],
                **document_json(division, view.generated_at.tzinfo),
            }
        )
    return {
        "instansi": view.office,
        "tahun": view.year,
        "triwulan": view.quarter,
        "periode": view.period_label,
        "dibuat_utc": _iso(view.generated_at),
        "bidang": rows,
        "laporan_triwulan": timing_json(view.report) if view.report else None,
    }


def _status_value(division: DivisionStatus) -> str:
    current = division.current
    if current is not None:
        return current.state.value
    return "disetujui" if division.approved else "dibuka_kembali"


def document_json(division: DivisionStatus, zone: tzinfo | None) -> dict[str, Any]:
    """The document's keys of a division's row (`watcher.record.documents`)."""
    document = division.document
    if document is None:
        return {"versi_terkini": None, "menunggu": None, "masih_dibuka": False,
                "disetujui_versi": None, "disetujui_pada": None, "dibuka_kembali": None,
                "versi_baru_menunggu": False}  # fmt: skip
    version, approval = document.current, document.approval
    approved = document.version(approval.file_hash) if approval else None
    return {
        "versi_terkini": {
            "nomor": version.number,
            "nama_berkas": version.name,
            "path": version.path,
        },
        "menunggu": division.waiting or None,
        "masih_dibuka": document.is_open,
        "disetujui_versi": approved.number if approved else None,
        "disetujui_pada": approval.at_utc.astimezone(zone).isoformat() if approval else None,
        "dibuka_kembali": division.reopened or None,
        "versi_baru_menunggu": document.pending,
    }


def document_text(division: DivisionStatus, zone: tzinfo | None) -> str:
    """ "versi 2 (Rencana_Aksi_....xlsx) menunggu Kabid; masih dibuka; disetujui versi 1 ..."."""
    document = division.document
    if document is None:
        return ""
    version, approval = document.current, document.approval
    parts = [f"versi {version.number} ({version.name or '-'})"
             + (f" menunggu {division.waiting}" if division.waiting else "")]  # fmt: skip
    if document.is_open:
        parts.append("masih dibuka")
    approved = document.version(approval.file_hash) if approval else None
    if approval is not None and approved is not None:
        at = approval.at_utc.astimezone(zone)
        parts.append(f"disetujui versi {approved.number} {long_datetime(at)}")
    if division.reopened:
        parts.append(division.reopened)
    if document.pending:
        parts.append("versi baru menunggu")
    return "; ".join(parts)


def snapshot_text(view: Snapshot) -> str:
    lines = [
        f"{view.office} - {view.period_label} {view.year} (per {long_datetime(view.generated_at)})"
    ]
    for division in view.divisions:
        current = division.current
        late = "".join(f"; langkah {s.step} {STATE_LABELS[s.state]}"
                       for s in division.late_steps if s is not current)  # fmt: skip
        if current is None:
            returns = division.progress.returns
            state = f"disetujui {view.approver}" if division.approved else "dibuka kembali"
            lines.append(f"  {division.code:<12} {state} "
                         f"(dikembalikan {returns} kali{late})")  # fmt: skip
            lines.extend(_document_line(view, division))
            continue
        since = long_datetime(current.start) if current.start else "-"
        due = long_datetime(current.deadline) if current.deadline else "-"
        used = f"{duration_text(current.worked)} dari {duration_text(current.allowed)}"
        lines.append(
            f"  {division.code:<12} langkah {current.step} ({STATE_LABELS[current.state]}), "
            f"sejak {since}, batas {due}, terpakai {used}, "
            f"dikembalikan {division.progress.returns} kali{late}"
        )
        lines.extend(_document_line(view, division))
    if view.report is not None:
        lines.append(f"  {view.report_title}: {STATE_LABELS[view.report.state]}")
    if view.calendar_notice:
        lines.append(f"  Peringatan: {view.calendar_notice}")
    return "\n".join(lines)


def _document_line(view: Snapshot, division: DivisionStatus) -> list[str]:
    text = document_text(division, view.generated_at.tzinfo)
    if not text:
        return []
    return [f"  {'':<12} {text}"]


Link = tuple[str, str]  # (text, href relative to the page)


def division_links(tree: Tree, page_dir: Path, view: Snapshot, store: Store,
                   sop: Sop) -> dict[str, list[Link]]:  # fmt: skip
    """Per division: its current version's file, its latest feedback workbook (the last notice
    whose file is still there) and the period's reports, each only if it exists."""
    notices = store.events(outcome=Outcome.NOTICE, year=view.year, quarter=view.quarter)
    folder = period_folder(tree, sop.period, view.year, view.quarter)
    name = period_name(sop.period, view.year, view.quarter)
    reports = [(f"Laporan {suffix}", folder / f"{name}.{suffix}") for suffix in ("xlsx", "pdf")]
    found: dict[str, list[Link]] = {}
    for division in view.divisions:
        document = division.document
        wanted: list[tuple[str, Path]] = []
        if document is not None and document.current.path:
            wanted.append((f"Versi {document.current.number}", tree.root / document.current.path))
        feedback = [tree.root / e.to_path for e in notices
                    if e.division == division.code and e.to_path]  # fmt: skip
        latest = next((p for p in reversed(feedback) if p.is_file()), None)
        if latest is not None:
            wanted.append(("Umpan balik", latest))
        wanted.extend(reports)
        found[division.code] = [(text, _href(target, page_dir)) for text, target in wanted
                                if target.is_file()]  # fmt: skip
    return found


def _href(target: Path, page_dir: Path) -> str:
    # Percent-encoded for the URL (names hold spaces); jinja2 then escapes it for HTML.
    return quote(Path(os.path.relpath(target, page_dir)).as_posix())


def render_html(view: Snapshot, *, head: tuple[int, str] | None = None,
                attention: Sequence[str] = (),
                links: Mapping[str, Sequence[Link]] | None = None) -> str:  # fmt: skip
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    zone = view.generated_at.tzinfo  # every moment in the office's zone
    environment.filters["waktu"] = lambda m: long_datetime(m.astimezone(zone)) if m else "-"
    environment.filters["durasi"] = duration_text
    source = resources.files("watcher") / "data" / "status.html.j2"
    template = environment.from_string(source.read_text(encoding="utf-8"))
    return template.render(view=view, labels=STATE_LABELS,
                           head=head_line(head), links=links or {},
                           attention=[line.strip() for line in attention])  # fmt: skip


def write_status_page(
    path: Path,
    store: Store,
    master: MasterData,
    sop: Sop,
    now: Callable[[], datetime],
    *,
    attention: Sequence[str] = (),
) -> Path:
    """Render and atomically replace the status page (it prints the log's chain head, which
    `kinerja verify` and the service's start check read back if arsip/ is lost)."""
    view = snapshot(store, master, sop, now())
    links = division_links(Tree(path.parent.parent), path.parent, view, store, sop)
    page = render_html(view, head=store.head(), attention=attention, links=links)
    write_text_atomic(path, page)
    return path


class StatusPage:
    """A service listener: re-render `outbox/status.html` after events (and on each sweep)."""

    def __init__(self, path: Path, master: Callable[[], MasterData], sop: Sop,
                 now: Callable[[], datetime], *,
                 attention: Callable[[], list[str]] = list) -> None:  # fmt: skip
        # `attention`: what the running service holds back or lost (`health.waiting_report`).
        self.path, self.master, self.sop, self.now = path, master, sop, now
        self.attention = attention

    def __call__(self, store: Store, events: list[Event]) -> None:
        write_status_page(self.path, store, self.master(), self.sop, self.now,
                          attention=self.attention())  # fmt: skip
