"""One report per division and period, in versions, as the office saves and moves it.

Real service, real workbooks, real SQLite; the Kabid moves files with `shutil.move` as Explorer
does. Each test tells one story from the issue: a save while the workbook is still open, a
correction saved where the feedback is, an old copy approved by mistake, an approved report
returned on purpose, an identical re-save, warnings, and notices in office time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from support.cli_run import run_kinerja
from support.office import issued_office
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder
from test_watcher import REPORT_TEXT, events, issued

from watcher.masterdata.source import MasterSource
from watcher.record.documents import project
from watcher.record.store import Outcome, Store, utc_now
from watcher.reports.gather import current_approvals
from watcher.reports.status import StatusPage
from watcher.service.notices import DUPLICATE_SUFFIX, STALE_SUFFIX
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.workflow import SUPERSEDED_FOLDER

CODE = "DAFDUK"
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
FEEDBACK = "Rencana_Aksi_DAFDUK_2026_TW3 - HASIL VALIDASI.xlsx"


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    return issued_office(tmp_path / "kantor")[0]


def folder(tree: Tree, where: Folder | str) -> Path:
    return tree.folder(CODE, where)


def names(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def document(tree: Tree):  # type: ignore[no-untyped-def]
    with Store(tree.store_path) as store:
        return project(store.events(division=CODE))[(CODE, 2026, 3)]


def approvals(tree: Tree) -> dict[tuple[str, int], object]:
    with Store(tree.store_path) as store:
        return current_approvals(store.events(year=2026))


def review_report(tree: Tree, **filled: object) -> Path:
    """The Kasubag's report, saved in 4_laporan and delivered to the Kabid."""
    report = fill(issued(tree), folder(tree, Folder.REPORT) / NAME, **REPORT_TEXT, **filled)
    wait_for(lambda: not report.exists(), what="the report taken to the Kabid")
    at_review = folder(tree, Folder.REVIEW) / NAME
    wait_for(at_review.exists, what="the report waiting for the Kabid")
    return at_review


def test_a_workbook_still_open_is_checked_at_once_and_moved_when_closed(office: Tree) -> None:
    saved = folder(office, Folder.MATERIAL) / NAME
    lock = saved.with_name(f".~lock.{NAME}#")  # LibreOffice has it open
    with running_service(office):
        lock.write_text("Analis Data,pc-01,02.12.2026 10:00,/home/analis;", encoding="utf-8")
        fill(issued(office), saved, realisations=[99.1, "sembilan puluh", 1100, 1.2])
        wait_for(lambda: (saved.parent / FEEDBACK).exists(), what="feedback beside the open file")
        assert saved.exists(), "an open workbook is not moved"
        assert [e.outcome for e in events(office, division=CODE)][-2:] == [
            Outcome.OPEN, Outcome.NOTICE,
        ]  # fmt: skip
        assert document(office).is_open
        lock.unlink()  # the clerk closes it
        wait_for(lambda: not saved.exists(), what="moved once closed")
        wait_for(lambda: (folder(office, Folder.MATERIAL_FIX) / NAME).exists(), what="in fix")
    assert (folder(office, Folder.MATERIAL_FIX) / FEEDBACK).exists()
    assert not (folder(office, Folder.MATERIAL) / FEEDBACK).exists(), "the early feedback left"
    assert [e.outcome for e in events(office, outcome=Outcome.INVALID)] == [Outcome.INVALID]


def test_a_correction_saved_in_the_fix_folder_is_resubmitted_and_the_old_feedback_settled(
    office: Tree, tmp_path: Path
) -> None:
    fix = folder(office, Folder.MATERIAL_FIX)
    with running_service(office):
        fill(issued(office), folder(office, Folder.MATERIAL) / NAME,
             realisations=[99.1, "sembilan puluh", 1100, 1.2])  # fmt: skip
        wait_for(lambda: (fix / FEEDBACK).exists(), what="the feedback copy")
        # The clerk opens the feedback copy, corrects the cell and saves it where it is.
        fill(fix / FEEDBACK, fix / FEEDBACK, realisations=[99.1, 90, 1100, 1.2])
        wait_for(lambda: (folder(office, Folder.REPORT) / FEEDBACK).exists(),
                 what="the correction sent on to the Kasubag")  # fmt: skip
        wait_for(lambda: not (fix / NAME).exists(), what="the old copy settled")
    assert names(fix) == []
    old = names(folder(office, SUPERSEDED_FOLDER))
    assert old == [NAME.replace(".xlsx", " - DIGANTI.txt"), NAME], old
    trail = [e.outcome for e in events(office, division=CODE)
             if e.outcome in (Outcome.INVALID, Outcome.VALID, Outcome.SUPERSEDED)]  # fmt: skip
    assert trail == [Outcome.INVALID, Outcome.SUPERSEDED, Outcome.VALID]


def test_an_old_copy_moved_into_disetujui_changes_nothing(office: Tree) -> None:
    with running_service(office):
        first = review_report(office)
        first_hash = sha(first)
        second = review_report(office, realisations=[99.3, 98.9, 1250, 1.4])
        old_copy = folder(office, SUPERSEDED_FOLDER) / NAME
        wait_for(old_copy.exists, what="the first version replaced")
        assert sha(old_copy) == first_hash and sha(second) != first_hash
        # The Kabid tidies: the old copy goes into disetujui by mistake.
        shutil.move(old_copy, folder(office, Folder.APPROVED) / NAME)
        wait_for(lambda: events(office, outcome=Outcome.STALE), what="the stale move answered")
        wait_for(lambda: not (folder(office, Folder.APPROVED) / NAME).exists(), what="moved aside")
    notice = folder(office, Folder.APPROVED) / NAME.replace(".xlsx", STALE_SUFFIX)
    text = notice.read_text("utf-8")
    assert "Bukan versi terkini" in text and "versi 2" in text and "WITA" in text
    assert events(office, outcome=Outcome.APPROVED) == []
    assert approvals(office) == {}
    assert second.exists(), "the current version still waits for the Kabid"


def test_returning_the_approved_version_reopens_it_until_approved_again(office: Tree) -> None:
    approved = folder(office, Folder.APPROVED) / NAME
    with running_service(office):
        shutil.move(review_report(office), approved)
        wait_for(lambda: approvals(office), what="the approval")
        shutil.move(approved, folder(office, Folder.RETURNED) / NAME)
        wait_for(lambda: events(office, outcome=Outcome.RETURNED), what="the return")
        assert approvals(office) == {}
        assert document(office).reopened is not None
        back = folder(office, Folder.REPORT) / NAME
        wait_for(back.exists, what="back with the Kasubag")
        fill(back, back, realisations=[99.3, 98.9, 1250, 1.4], **REPORT_TEXT)
        at_review = folder(office, Folder.REVIEW) / NAME
        wait_for(at_review.exists, what="the correction with the Kabid")
        shutil.move(at_review, approved)
        wait_for(lambda: approvals(office), what="approved again")
    again = document(office)
    assert again.reopened is None and again.approval is not None
    assert again.approval.file_hash == sha(approved)
    assert again.version(again.approval.file_hash).number == 2


def test_an_identical_resave_is_answered_with_a_notice(office: Tree, tmp_path: Path) -> None:
    data = fill(issued(office), tmp_path / NAME).read_bytes()
    material = folder(office, Folder.MATERIAL)
    with running_service(office):
        (material / NAME).write_bytes(data)
        wait_for((folder(office, Folder.REPORT) / NAME).exists, what="delivered")
        (material / "salinan.xlsx").write_bytes(data)  # the same bytes under another name
        notice = material / f"salinan{DUPLICATE_SUFFIX}"
        wait_for(notice.exists, what="the duplicate notice")
    assert names(material) == [notice.name]
    text = notice.read_text("utf-8")
    assert "sama persis" in text and "4_laporan" in text and "WITA" in text
    [duplicate] = events(office, outcome=Outcome.DUPLICATE)
    assert duplicate.to_path == f"inbox/{CODE}/4_laporan/{NAME}"


def test_warnings_reach_the_clerk_in_a_feedback_file_where_it_was_saved(office: Tree) -> None:
    material = folder(office, Folder.MATERIAL)
    with running_service(office):
        # a number typed as text: read as meant, with a warning
        fill(issued(office), material / NAME, realisations=["99,1", 90, 1100, 1.2])
        wait_for((folder(office, Folder.REPORT) / NAME).exists, what="delivered")
        wait_for((material / FEEDBACK).exists, what="the warnings beside where it was saved")
    [notice] = events(office, outcome=Outcome.NOTICE)
    assert notice.to_path == f"inbox/{CODE}/3_bahan/{FEEDBACK}"


def test_a_refusal_note_says_the_time_in_the_office_zone(office: Tree) -> None:
    with running_service(office):
        (folder(office, Folder.MATERIAL) / "laporan.xlsx").write_text("bukan buku kerja")
        note = folder(office, Folder.MATERIAL_FIX) / "laporan - DITOLAK.txt"
        wait_for(note.exists, what="the refusal note")
    assert "WITA" in note.read_text("utf-8") and "UTC" not in note.read_text("utf-8")


def status_json(tree: Tree) -> dict:  # type: ignore[type-arg]
    told = run_kinerja("status", "--root", str(tree.root), "--json", "--year", "2026",
                       "--quarter", "3")  # fmt: skip
    assert told.returncode == 0, told.stderr
    return json.loads(told.stdout)


def row_of(view: dict, code: str = CODE) -> dict:  # type: ignore[type-arg]
    return next(row for row in view["bidang"] if row["kode"] == code)


def test_status_tells_the_same_story_as_the_documents(office: Tree) -> None:
    """Open, waiting, approved, a newer version pending, reopened: `kinerja status --json`, the
    status page and the reports' approved set say what the projection says, at every turn."""
    approved = folder(office, Folder.APPROVED) / NAME
    page = office.status_page
    master = MasterSource(office.master_path)
    with running_service(office, listeners=[StatusPage(page, master, load_sop(), utc_now)]):
        saved = folder(office, Folder.REPORT) / NAME
        lock = saved.with_name(f"~${NAME}")  # Excel has it open
        lock.write_bytes(b"owner")
        fill(issued(office), saved, **REPORT_TEXT)
        wait_for(lambda: events(office, outcome=Outcome.OPEN), what="checked while open")
        row = row_of(status_json(office))
        assert row["masih_dibuka"] is True and row["versi_terkini"]["nomor"] == 1
        lock.unlink()
        at_review = folder(office, Folder.REVIEW) / NAME
        wait_for(at_review.exists, what="with the Kabid")
        row = row_of(status_json(office))
        assert (row["masih_dibuka"], row["menunggu"], row["disetujui_versi"]) == (False, "Kabid",
                                                                                 None)  # fmt: skip
        shutil.move(at_review, approved)
        wait_for(lambda: approvals(office), what="approved")
        row = row_of(status_json(office))
        assert row["disetujui_versi"] == 1 and row["status"] == "disetujui"
        second = review_report(office, realisations=[99.3, 98.9, 1250, 1.4])  # a correction
        row = row_of(status_json(office))
        assert row["versi_baru_menunggu"] is True and row["disetujui_versi"] == 1
        assert row["versi_terkini"]["nomor"] == 2
        assert approvals(office)[(CODE, 3)].file_hash == sha(approved)  # version 1 still counts
        approved_again = folder(office, Folder.APPROVED) / "Rencana_Aksi_DAFDUK_2026_TW3 v2.xlsx"
        shutil.move(second, approved_again)
        v2 = sha(approved_again)
        wait_for(lambda: approvals(office)[(CODE, 3)].file_hash == v2, what="version 2 approved")
        assert not approved.exists(), "version 1 left disetujui for versi_lama"
        assert row_of(status_json(office))["disetujui_versi"] == 2
        shutil.move(approved_again, folder(office, Folder.RETURNED) / NAME)  # returned on purpose
        wait_for(lambda: not approvals(office), what="the approval withdrawn")
        row = row_of(status_json(office))
        assert row["disetujui_versi"] is None, row
        assert row["dibuka_kembali"].startswith("dibuka kembali (dikembalikan "), row
        assert "WITA" in row["dibuka_kembali"], row
        wait_for(lambda: page.exists() and "Versi" in page.read_text("utf-8"), what="the page")
    html = page.read_text("utf-8")
    assert 'href="../inbox/DAFDUK/' in html, "the page links the division's current version"
