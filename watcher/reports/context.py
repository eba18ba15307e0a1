"""Everything one report shows, as plain values: what the workbook and the PDF render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watcher.masterdata.model import MasterData, quarter_name, signing_place
from watcher.record.anchor import HEAD_LABEL, head_line
from watcher.reports.figures import QuarterFigures
from watcher.reports.figures_year import YearFigures
from watcher.reports.status import STATE_LABELS, duration_text
from watcher.sop.indonesian import quarter_months
from watcher.sop.model import Sop
from watcher.sop.sla import Progress, StepState, StepTiming

LATE_STATES = (StepState.LATE, StepState.DONE_LATE)


@dataclass(frozen=True)
class Provenance:
    """Where a report's numbers come from: the log's head and a fingerprint of its sources."""

    built_at: datetime  # in the office's zone
    chain_head: tuple[int, str] | None  # (event id, row hash) of the log when built
    fingerprint: str  # 12 hex digits over the approved versions used and the master data

    @property
    def chain_text(self) -> str:
        """The short form for a running footer: "Kepala rantai log: #123 3f2a9c01d4e5b6a7…"."""
        if self.chain_head is None:
            return head_line(None)
        return f"{HEAD_LABEL}: #{self.chain_head[0]} {self.chain_head[1][:16]}…"

    @property
    def chain_line(self) -> str:
        """The full head, for a note cell and the document's properties (read back by verify)."""
        return head_line(self.chain_head)


@dataclass(frozen=True)
class QuarterReport:
    master: MasterData
    sop: Sop
    figures: QuarterFigures
    progress: dict[str, Progress]  # steps 1-5 per division code
    report_step: StepTiming  # step 6 of this quarter
    provenance: Provenance

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def quarter(self) -> int:
        return self.figures.quarter

    @property
    def title(self) -> str:
        return f"Laporan Kinerja Triwulan {quarter_name(self.quarter)} Tahun {self.year}"

    @property
    def period(self) -> str:
        return f"{quarter_months(self.quarter)} {self.year}"

    @property
    def place(self) -> str:
        return signing_place(self.master.settings)

    def issues(self) -> list[tuple[str, str, str]]:
        """(code, name, what is wrong) for each division not approved or late at some step."""
        found = []
        for block in self.figures.blocks:
            progress = self.progress.get(block.division.code)
            steps = progress.steps if progress else ()
            parts = []
            if block.submission is None:
                current = progress.current if progress else None
                where = (
                    f"; sekarang di langkah {current.step} ({STATE_LABELS[current.state]})"
                    if current is not None
                    else ""
                )
                parts.append(f"belum disetujui Kabid{where}")
            for step in steps:
                if step.state in LATE_STATES and step.worked and step.allowed:
                    over = duration_text(step.worked - step.allowed)
                    parts.append(
                        f"langkah {step.step} {STATE_LABELS[step.state]} ({over} jam kerja "
                        f"melewati mutu baku {step.standard})"
                    )
            if progress and progress.returns:
                parts.append(f"dikembalikan Kabid {progress.returns} kali")
            if parts:
                found.append((block.division.code, block.division.name, "; ".join(parts)))
        return found


@dataclass(frozen=True)
class YearReport:
    master: MasterData
    figures: YearFigures
    provenance: Provenance
    approvals: tuple[tuple[str, int, str, datetime, str], ...]  # division, quarter, path, at, hash

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def title(self) -> str:
        return f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {self.year}"

    @property
    def place(self) -> str:
        return signing_place(self.master.settings)
