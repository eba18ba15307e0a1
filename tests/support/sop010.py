"""The folders, notice names and period of the default SOP 010, as its users see them.

Tests of SOP 010 behaviour name its folders; the product derives them from the SOP file
(`watcher.sop.workflow`), and `test_sop010_folders_are_the_model_s` keeps the two the same.
"""

from __future__ import annotations

from enum import StrEnum

from watcher.service.notices import return_suffix


class Folder(StrEnum):
    DISPOSITION = "1_disposisi"
    MATERIAL = "3_bahan"
    MATERIAL_FIX = "3_bahan/perlu_perbaikan"
    REPORT = "4_laporan"
    REPORT_FIX = "4_laporan/perlu_perbaikan"
    REVIEW = "5_pemeriksaan"
    APPROVED = "5_pemeriksaan/disetujui"
    RETURNED = "5_pemeriksaan/dikembalikan"


RETURN_SUFFIX = return_suffix("Kabid")
