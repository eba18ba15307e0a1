"""The office's own words in report texts, from its SOP: who approves, who returns, what the
note cell and the period are called (SOP 010: "disetujui Kabid", "Catatan Kabid", "Triwulan III";
a monthly SOP approved by a Kepala Dinas: "disetujui Kepala Dinas", "Bulan Maret")."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.sop.model import Sop, StepKind
from watcher.sop.period import Period
from watcher.workbook.layout import rencana_aksi_layout


@dataclass(frozen=True)
class Words:
    period: Period
    approver: str  # the final check's actor: "Kabid"
    note: str  # the workbook's note cell: "Catatan Kabid"
    checkers: str  # everyone who may return a file: "Kabid", "Sekretaris atau Kepala Dinas"
    head: str  # the division's head, who issues the period's work: "Kabid"

    @classmethod
    def of(cls, sop: Sop) -> Words:
        checks = dict.fromkeys(step.actor for step in sop.of_kind(StepKind.CHECK))
        issue = sop.of_kind(StepKind.ISSUE)
        return cls(
            sop.period,
            sop.final_check.actor,
            rencana_aksi_layout().note_title(sop),
            " atau ".join(checks),
            issue[0].actor if issue else sop.final_check.actor,
        )

    @property
    def not_approved(self) -> str:
        """ "Belum disetujui Kabid"."""
        return f"Belum disetujui {self.approver}"

    @property
    def reports(self) -> str:
        """The period's reports in running text: "laporan triwulan", "laporan bulanan"."""
        return f"laporan {self.period.kind.value}"
