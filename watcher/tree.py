"""The office's working tree: where every folder and file lives under a root.

One folder per division under `inbox/`, one folder per SOP step inside it, with Indonesian names
a clerk recognises in Windows Explorer:

    inbox/<KODE>/1_disposisi/                  workbooks and dispositions the service issues
    inbox/<KODE>/3_bahan/                      Analis Data saves the material here
    inbox/<KODE>/3_bahan/perlu_perbaikan/      material returned with validation feedback
    inbox/<KODE>/4_laporan/                    the Kasubag saves the compiled report here
    inbox/<KODE>/4_laporan/perlu_perbaikan/    reports returned with validation feedback
    inbox/<KODE>/5_pemeriksaan/                waiting for the Kabid
    inbox/<KODE>/5_pemeriksaan/disetujui/      the Kabid moves approved reports here
    inbox/<KODE>/5_pemeriksaan/dikembalikan/   the Kabid moves returned reports here
    outbox/triwulan/, outbox/tahunan/          generated reports
    arsip/                                     original bytes of every version, and the log
    karantina/<KODE>/                          files the service could not handle (an unforeseen
                                               error), each with "<nama> - KARANTINA.txt"
    data_induk/data_induk_kinerja.xlsx         the master workbook

A link, FIFO, device, hard link or oversized file saved into a step folder is refused unread and
moved to that step's `perlu_perbaikan/` with "<nama> - DITOLAK.txt". A file outside the step
folders (an unknown division or folder), a folder link and a folder where a workbook belongs
stay where they are, with "<nama> - TIDAK DIPROSES.txt" beside them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ROOT_ENV = "KINERJA_ROOT"


class Folder(StrEnum):
    """A division's step folders, relative to the division folder."""

    DISPOSITION = "1_disposisi"
    MATERIAL = "3_bahan"
    MATERIAL_FIX = "3_bahan/perlu_perbaikan"
    REPORT = "4_laporan"
    REPORT_FIX = "4_laporan/perlu_perbaikan"
    REVIEW = "5_pemeriksaan"
    APPROVED = "5_pemeriksaan/disetujui"
    RETURNED = "5_pemeriksaan/dikembalikan"


FOLDER_PURPOSE: dict[Folder, str] = {
    Folder.DISPOSITION: "Langkah 1-2: buku kerja rencana aksi dan lembar disposisi dari sistem",
    Folder.MATERIAL: "Langkah 3: Analis Data menyimpan bahan laporan (buku kerja terisi) di sini",
    Folder.MATERIAL_FIX: "Bahan yang perlu diperbaiki, beserta hasil validasinya",
    Folder.REPORT: "Langkah 4: Kasubag menyimpan laporan data kinerja di sini",
    Folder.REPORT_FIX: "Laporan yang perlu diperbaiki, beserta hasil validasinya",
    Folder.REVIEW: "Langkah 5: laporan menunggu pemeriksaan Kabid",
    Folder.APPROVED: "Kabid memindahkan laporan yang disetujui ke sini",
    Folder.RETURNED: "Kabid memindahkan laporan yang dikembalikan ke sini (isi Catatan Kabid)",
}


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

    @property
    def quarterly_reports(self) -> Path:
        return self.outbox / "triwulan"

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

    def folder(self, code: str, folder: Folder) -> Path:
        return self.division_dir(code) / folder.value

    def all_dirs(self, codes: list[str]) -> list[Path]:
        """Every folder of the tree for these divisions, parents before children."""
        fixed = [self.inbox, self.outbox, self.quarterly_reports, self.annual_reports]
        fixed += [self.archive, self.master_path.parent]
        return fixed + [self.folder(code, folder) for code in codes for folder in Folder]


# The issued files' names, built and recognised here only: "Rencana_Aksi_DAFDUK_2026_TW3.xlsx".
_WORKBOOK, _DISPOSITION = "Rencana_Aksi", "Disposisi"
_ISSUED_NAME = re.compile(
    rf"^(?:{_WORKBOOK}|{_DISPOSITION})_(?P<code>.+)_(?P<year>\d{{4}})_TW(?P<quarter>[1-4])\.xlsx$"
)


def workbook_file_name(code: str, year: int, quarter: int) -> str:
    """Standard file name of a division's rencana aksi workbook for a quarter."""
    return f"{_WORKBOOK}_{code}_{year}_TW{quarter}.xlsx"


def disposition_file_name(code: str, year: int, quarter: int) -> str:
    return f"{_DISPOSITION}_{code}_{year}_TW{quarter}.xlsx"


def issued_period(name: str) -> tuple[str, int, int] | None:
    """(division, year, quarter) of an issued workbook's or disposition's name, else None."""
    match = _ISSUED_NAME.match(name)
    if match is None:
        return None
    return match["code"], int(match["year"]), int(match["quarter"])
