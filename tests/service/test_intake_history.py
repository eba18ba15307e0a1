"""A file whose history the log lost is never moved past a person (the pipeline's docstring).

The archive is written and synced before the event, so a log that lost its last rows (a lost
SQLite WAL) leaves files whose bytes the archive holds and the log does not know. In 4_laporan
that is material the service delivered for the Kasubag: it must wait for the Kasubag, not go on
to the Kabid as if the Kasubag had saved it. A file untouched since its bytes were archived was
never moved (the service stopped between archiving and recording): it is handled normally.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import running_service, wait_for
from support.sop010 import Folder
from test_watcher_robust import CODE, NAME, REPORT_TEXT, save, sha, workbook

from watcher.masterdata.load import load_master
from watcher.record.archive import archive_bytes
from watcher.record.store import Outcome, Store
from watcher.service.pipeline import Handled, Pipeline
from watcher.service.tree import Tree

CLOCK = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    tree, _ = issued_office(tmp_path / "kantor")
    return tree


def pipeline(tree: Tree, store: Store) -> Pipeline:
    master = load_master(tree.master_path)
    return Pipeline(tree, store, lambda: master, lambda: CLOCK)


@pytest.mark.parametrize(
    "folder", [Folder.REPORT, Folder.REVIEW], ids=["4_laporan", "5_pemeriksaan"]
)
def test_a_delivered_file_the_log_forgot_waits_for_its_person(
    office: Tree, tmp_path: Path, folder: Folder
) -> None:
    desk = tmp_path / "meja"
    data = (
        workbook(office, desk, **REPORT_TEXT) if folder is Folder.REVIEW else workbook(office, desk)
    )
    source = Folder.REPORT if folder is Folder.REVIEW else Folder.MATERIAL
    parked = office.folder(CODE, folder) / NAME
    with running_service(office):
        save(office.folder(CODE, source) / NAME, data)
        wait_for(parked.exists, what=f"the file delivered into {folder.value}")
    with Store(tmp_path / "log_tanpa_riwayat.sqlite3") as lost:
        assert pipeline(office, lost).handle(parked) is Handled.PARKED
        assert pipeline(office, lost).handle(parked) is Handled.PARKED  # a rescan: no new event
        [event] = lost.events()
    assert parked.read_bytes() == data  # not moved on
    assert [p.name for p in office.folder(CODE, Folder.REVIEW).iterdir() if p.is_file()] == (
        [NAME] if folder is Folder.REVIEW else []
    )
    assert event.outcome is Outcome.RECEIVED and event.file_hash == sha(data)
    assert event.to_path == parked.relative_to(office.root).as_posix()
    assert "Riwayat berkas tidak lengkap" in event.message
    assert ("Kasubag" if folder is Folder.REPORT else "Kabid") in event.message


def test_a_file_untouched_since_it_was_archived_is_handled_normally(
    office: Tree, tmp_path: Path
) -> None:
    """The service stopped between archiving and recording: the Kasubag's report goes on."""
    report = workbook(office, tmp_path / "meja", **REPORT_TEXT)
    saved = save(office.folder(CODE, Folder.REPORT) / NAME, report)
    archive_bytes(report, office.archive_files, suffix=".xlsx")  # after the save, as the pipeline
    with Store(office.store_path) as store:
        assert pipeline(office, store).handle(saved) is Handled.ROUTED
        [event] = store.events()
    assert event.outcome is Outcome.VALID
    assert (office.folder(CODE, Folder.REVIEW) / NAME).read_bytes() == report


def test_the_kasubags_own_new_report_still_goes_to_the_kabid(office: Tree, tmp_path: Path) -> None:
    """Bytes the archive does not hold are new: the rule never stops a real submission."""
    report = workbook(office, tmp_path / "meja", **REPORT_TEXT)
    saved = save(office.folder(CODE, Folder.REPORT) / NAME, report)
    with Store(tmp_path / "log_tanpa_riwayat.sqlite3") as lost:
        assert pipeline(office, lost).handle(saved) is Handled.ROUTED
    assert (office.folder(CODE, Folder.REVIEW) / NAME).exists()


def test_material_saved_again_after_the_log_was_lost_still_reaches_the_kasubag(
    office: Tree, tmp_path: Path
) -> None:
    """3_bahan is only ever written by people: handling it normally skips nobody."""
    data = workbook(office, tmp_path / "meja")
    archive_bytes(data, office.archive_files, suffix=".xlsx")
    saved = save(office.folder(CODE, Folder.MATERIAL) / NAME, data)
    with Store(tmp_path / "log_tanpa_riwayat.sqlite3") as lost:
        assert pipeline(office, lost).handle(saved) is Handled.ROUTED
    assert (office.folder(CODE, Folder.REPORT) / NAME).read_bytes() == data
