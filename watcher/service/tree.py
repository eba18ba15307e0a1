"""The office's working tree: where every folder and file lives under a root.

One folder per division under `inbox/`, one folder per SOP step inside it, named by the SOP
file (`watcher.sop.workflow`); under the default SOP 010:

    inbox/<KODE>/1_disposisi/                  workbooks and dispositions the service issues
    inbox/<KODE>/3_bahan/                      Analis Data saves the material here
    inbox/<KODE>/3_bahan/perlu_perbaikan/      material returned with validation feedback
    inbox/<KODE>/4_laporan/                    the Kasubag saves the compiled report here
    inbox/<KODE>/4_laporan/perlu_perbaikan/    reports returned with validation feedback
    inbox/<KODE>/5_pemeriksaan/                waiting for the Kabid
    inbox/<KODE>/5_pemeriksaan/disetujui/      the Kabid moves approved reports here
    inbox/<KODE>/5_pemeriksaan/dikembalikan/   the Kabid moves returned reports here
    outbox/triwulan/, outbox/tahunan/          generated reports (outbox/<periode SOP>/)
    arsip/                                     original bytes of every version, and the log
    karantina/<KODE>/                          files the service could not handle (an unforeseen
                                               error), each with "<nama> - KARANTINA.txt"
    data_induk/data_induk_kinerja.xlsx         the master workbook
    data_induk/sop_aktif.toml                  the SOP the tree runs (its hash is in the log)

A link, FIFO, device, hard link or oversized file saved into a step folder is refused unread and
moved to that step's `perlu_perbaikan/` with "<nama> - DITOLAK.txt". A file outside the step
folders (an unknown division or folder), a folder link and a folder where a workbook belongs
stay where they are, with "<nama> - TIDAK DIPROSES.txt" beside them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from watcher.sop.period import QUARTERLY, Period

ROOT_ENV = "KINERJA_ROOT"
_ISSUED_NAME = re.compile(r"^(?:Rencana_Aksi|Disposisi)_(.+)_(\d{4})_([A-Z]+\d*)\.xlsx$")


def default_root() -> Path:
    """`$KINERJA_ROOT` if set, else the current directory."""
    return Path(os.environ.get(ROOT_ENV) or Path.cwd())


@dataclass(frozen=True)
class Tree:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def period_reports(self, period: Period) -> Path:
        """Where the reports of one period go: outbox/<jenis periode>/ ("triwulan", "bulanan")."""
        return self.outbox / period.kind.value

    @property
    def quarterly_reports(self) -> Path:
        return self.period_reports(QUARTERLY)

    @property
    def annual_reports(self) -> Path:
        return self.outbox / "tahunan"

    @property
    def status_page(self) -> Path:
        return self.outbox / "status.html"

    @property
    def archive(self) -> Path:
        return self.root / "arsip"

    @property
    def archive_files(self) -> Path:
        """Original bytes of every version, content-addressed by SHA-256."""
        return self.archive / "berkas"

    @property
    def store_path(self) -> Path:
        return self.archive / "log_kinerja.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.archive / "layanan.lock"

    @property
    def master_path(self) -> Path:
        return self.root / "data_induk" / "data_induk_kinerja.xlsx"

    def division_dir(self, code: str) -> Path:
        return self.inbox / code

    @property
    def sop_path(self) -> Path:
        """The copy of the SOP the tree runs (`watcher.sop.tree_sop`), beside the master data: every
        desk reads it (the add-in sends to the SOP's folders); its hash is in the log."""
        return self.master_path.parent / "sop_aktif.toml"

    def folder(self, code: str, folder: str) -> Path:
        """A division's step folder, `folder` relative to the division folder."""
        return self.division_dir(code) / folder

    def all_dirs(
        self, codes: list[str], folders: list[str], period: Period = QUARTERLY
    ) -> list[Path]:
        """Every folder of the tree for these divisions, parents before children."""
        fixed = [self.inbox, self.outbox, self.period_reports(period), self.annual_reports]
        fixed += [self.archive, self.master_path.parent]
        return fixed + [self.folder(code, folder) for code in codes for folder in folders]


def period_folder(tree: Tree, period: Period, year: int, index: int) -> Path:
    """Where one period's reports go: outbox/triwulan/2026_TW3/."""
    return tree.period_reports(period) / f"{year}_{period.code(index)}"


def period_name(period: Period, year: int, index: int) -> str:
    """A period report's file name without suffix: Laporan_Kinerja_TW3_2026, _B03_2026."""
    return f"Laporan_Kinerja_{period.code(index)}_{year}"


def workbook_file_name(code: str, year: int, index: int, period: Period = QUARTERLY) -> str:
    """Standard file name of a division's rencana aksi workbook for a period ("..._TW3")."""
    return f"Rencana_Aksi_{code}_{year}_{period.code(index)}.xlsx"


def parse_issued_name(name: str, period: Period = QUARTERLY) -> tuple[str, int, int] | None:
    """(division, year, period index) of an issued workbook's or disposition's standard name."""
    match = _ISSUED_NAME.match(name)
    if not match:
        return None
    code, year, tag = match.groups()
    index = next((i for i in range(1, period.count + 1) if period.code(i) == tag), None)
    return (code, int(year), index) if index else None


def disposition_file_name(code: str, year: int, index: int, period: Period = QUARTERLY) -> str:
    return f"Disposisi_{code}_{year}_{period.code(index)}.xlsx"
