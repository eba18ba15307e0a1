"""The step-3 material the service passes on to the Kasubag never counts as the Kasubag's work.

Found by the model-based test (test_model_service.py): a clerk renaming the delivered material
in 4_laporan, or the Kabid dragging it on, used to send the Analis Data's bytes to the Kabid as
if the Kasubag had compiled them. And a third identical save made a second copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import running_service, wait_for
from support.sop010 import Folder
from test_watcher_robust import CODE, NAME, REPORT_TEXT, events, save, sha, workbook

from watcher.record.store import Outcome
from watcher.service.tree import Tree


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    tree, _ = issued_office(tmp_path / "kantor")
    return tree


def _xlsx(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.xlsx"))


def _deliver(office: Tree, data: bytes) -> Path:
    save(office.folder(CODE, Folder.MATERIAL) / NAME, data)
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    wait_for(delivered.exists, what="the material delivered to the Kasubag")
    return delivered


def test_material_renamed_in_4_laporan_still_waits_for_the_kasubag(
    office: Tree, tmp_path: Path
) -> None:
    # Filled on target, with kendala: it would pass the step-4 rules as it is.
    data = workbook(office, tmp_path / "meja", **REPORT_TEXT)
    with running_service(office):
        delivered = _deliver(office, data)
        renamed = delivered.with_name("Rencana_Aksi_DAFDUK_2026_TW3 final.xlsx")
        delivered.rename(renamed)
        relative = renamed.relative_to(office.root).as_posix()
        wait_for(lambda: any(e.to_path == relative for e in events(office, file_hash=sha(data))),
                 what="the renamed material recorded where it lies")  # fmt: skip
    assert renamed.read_bytes() == data
    assert _xlsx(office.folder(CODE, Folder.REVIEW)) == []
    [waiting] = [e for e in events(office, file_hash=sha(data)) if e.to_path == relative]
    assert waiting.outcome is Outcome.RECEIVED and "menunggu Kasubag" in waiting.message


@pytest.mark.parametrize("folder", [Folder.REVIEW, Folder.APPROVED],
                         ids=["5_pemeriksaan", "disetujui"])  # fmt: skip
def test_material_dragged_past_the_kasubag_goes_back_to_the_kasubag(
    office: Tree, tmp_path: Path, folder: Folder
) -> None:
    data = workbook(office, tmp_path / "meja", **REPORT_TEXT)
    fix = office.folder(CODE, Folder.REPORT_FIX)
    with running_service(office):
        delivered = _deliver(office, data)
        delivered.rename(office.folder(CODE, folder) / NAME)
        wait_for(lambda: (fix / NAME).exists(), what="the material back with the Kasubag")
    assert (fix / NAME).read_bytes() == data
    notice = (fix / NAME.replace(".xlsx", " - DITOLAK.txt")).read_text(encoding="utf-8")
    assert "belum diolah Kasubag" in notice
    assert _xlsx(office.folder(CODE, folder)) == []
    assert events(office, outcome=Outcome.APPROVED) == []
    assert [e.outcome for e in events(office, file_hash=sha(data))] == [
        Outcome.VALID, Outcome.REFUSED
    ]  # fmt: skip


def test_the_same_bytes_saved_three_times_leave_one_copy(office: Tree, tmp_path: Path) -> None:
    data = workbook(office, tmp_path / "meja")
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    with running_service(office):
        _deliver(office, data)
        for _ in range(2):
            save(material, data)
            wait_for(lambda: not material.exists(), what="the identical copy removed")
    assert _xlsx(office.folder(CODE, Folder.REPORT)) == [NAME]
    outcomes = [e.outcome for e in events(office, file_hash=sha(data))]
    assert outcomes == [Outcome.VALID, Outcome.DUPLICATE, Outcome.DUPLICATE]
