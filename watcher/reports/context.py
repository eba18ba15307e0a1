"""Everything one report shows, as plain values: what the workbook and the PDF render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from watcher.masterdata.model import MasterData, signing_place
from watcher.record.anchor import HEAD_LABEL, head_line
from watcher.reports.figures import PeriodFigures
from watcher.reports.figures_year import YearFigures
from watcher.reports.status import STATE_LABELS, duration_text
from watcher.reports.words import Words
from watcher.sop.model import Sop
from watcher.sop.period import Period
from watcher.sop.sla import Progress, StepState, StepTiming

LATE_STATES = (StepState.LATE, StepState.DONE_LATE)


@dataclass(frozen=True)
class RowWording:
    """What a division's rows in a period report say besides its figures: the master data, the
    period and how the division is shown while not approved (`not_approved_text`)."""

    master: MasterData
    period: Period
    index: int
    not_approved: str


def not_approved_text(words: Words, reopened: Mapping[str, str], code: str) -> str:
    """How a division without an approval in force is shown: reopened, or not approved."""
    return reopened.get(code) or words.not_approved


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
class OfficeReport:
    """What every report knows of its office: the master data and the SOP (its period, its
    words, where it is signed)."""

    master: MasterData
    sop: Sop

    @property
    def period(self) -> Period:
        return self.sop.period

    @cached_property
    def words(self) -> Words:
        return Words.of(self.sop)

    @property
    def place(self) -> str:
        return signing_place(self.master.settings)


@dataclass(frozen=True)
class PeriodReport(OfficeReport):
    """One period's report (SOP 010: a quarter's)."""

    figures: PeriodFigures
    progress: dict[str, Progress]  # every step but the compile step, per division code
    report_step: StepTiming  # the compile step of this period
    provenance: Provenance
    # division code -> "dibuka kembali (dikembalikan ...)" while its approval is withdrawn
    reopened: Mapping[str, str] = field(default_factory=dict)

    def not_approved(self, code: str) -> str:
        return not_approved_text(self.words, self.reopened, code)

    def row_wording(self, code: str) -> RowWording:
        return RowWording(self.master, self.period, self.index, self.not_approved(code))

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def index(self) -> int:
        return self.figures.index

    @property
    def label(self) -> str:
        """ "Triwulan III", "Bulan Maret"."""
        return self.period.label(self.index)

    @property
    def short_label(self) -> str:
        """ "TW III", "Maret": how a column names this period."""
        return self.period.short_label(self.index)

    @property
    def title(self) -> str:
        return f"Laporan Kinerja {self.label} Tahun {self.year}"

    @property
    def span(self) -> str:
        """The months covered: "Juli - September 2026", "Maret 2026"."""
        return f"{self.period.months_text(self.index)} {self.year}"

    def issues(self) -> list[tuple[str, str, str]]:
        """(code, name, what is wrong) for each division not approved or late at some step."""
        words = self.words
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
                state = (
                    self.reopened.get(block.division.code) or f"belum disetujui {words.approver}"
                )
                parts.append(f"{state}{where}")
            for step in steps:
                if step.state in LATE_STATES and step.worked and step.allowed:
                    over = duration_text(step.worked - step.allowed)
                    parts.append(
                        f"langkah {step.step} {STATE_LABELS[step.state]} ({over} jam kerja "
                        f"melewati mutu baku {step.standard})"
                    )
            if progress and progress.returns:
                parts.append(f"dikembalikan {words.checkers} {progress.returns} kali")
            if parts:
                found.append((block.division.code, block.division.name, "; ".join(parts)))
        return found


@dataclass(frozen=True)
class YearReport(OfficeReport):
    """The LKjIP of one year."""

    figures: YearFigures
    provenance: Provenance
    approvals: tuple[tuple[str, int, str, datetime, str], ...]  # division, period, path, at, hash
    # (division, period) -> "dibuka kembali (...)": an approval withdrawn by a deliberate return
    reopened: Mapping[tuple[str, int], str] = field(default_factory=dict)

    def not_approved(self, division: str, index: int) -> str:
        """How a missing period of a division is shown: reopened, or not approved."""
        return self.reopened.get((division, index)) or "belum disetujui"

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def title(self) -> str:
        return f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {self.year}"
