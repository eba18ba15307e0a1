"""The watcher service as the office lives it: real observer, real files, real SQLite."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import FAST, fill, running_service, wait_for
from support.sop010 import Folder

from watcher.record.archive import archived_path
from watcher.record.store import Outcome, Store
from watcher.service.tree import Tree
from watcher.service.watch import ServiceOptions
from watcher.sop.workflow import SUPERSEDED_FOLDER

NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
REPORT_TEXT = {"kendala": "Server SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    tree, _ = issued_office(tmp_path / "kantor")
    return tree


def issued(tree: Tree, code: str = "DAFDUK") -> Path:
    return tree.folder(code, Folder.DISPOSITION) / f"Rencana_Aksi_{code}_2026_TW3.xlsx"


def events(tree: Tree, **filters: object) -> list:
    with Store(tree.store_path) as store:
        return store.events(**filters)


def outcomes(tree: Tree) -> list[str]:
    return [
        e.outcome.value
        for e in events(tree)
        if e.outcome not in (Outcome.STARTED, Outcome.STOPPED, Outcome.SOP_SET, Outcome.NOTICE)
    ]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_quarter_travels_through_the_sop_steps(office: Tree) -> None:
    with running_service(office):
        # Step 3: the Analis Data saves the material.
        material = fill(issued(office), office.folder("DAFDUK", Folder.MATERIAL) / NAME)
        digest = sha(material)
        at_report = office.folder("DAFDUK", Folder.REPORT) / NAME
        wait_for(at_report.exists, what="material moved on to 4_laporan")
        assert not material.exists()
        assert archived_path(office.archive_files, digest).read_bytes() == at_report.read_bytes()

        # Step 4: the Kasubag completes the report in place; it goes to the Kabid.
        fill(at_report, at_report, **REPORT_TEXT)
        at_review = office.folder("DAFDUK", Folder.REVIEW) / NAME
        wait_for(at_review.exists, what="report moved on to 5_pemeriksaan")

        # Step 5: the Kabid returns it with a note, then approves the corrected one.
        returned = office.folder("DAFDUK", Folder.RETURNED) / NAME
        fill(at_review, at_review, note="Realisasi DAF-03 belum sesuai data SIAK", **REPORT_TEXT)
        wait_for(lambda: len(events(office, outcome=Outcome.VALID)) == 3, what="kabid note seen")
        shutil.move(at_review, returned)
        notice = (
            office.folder("DAFDUK", Folder.REPORT)
            / "Rencana_Aksi_DAFDUK_2026_TW3 - DIKEMBALIKAN KABID.txt"
        )
        wait_for(notice.exists, what="return notice")
        assert "Realisasi DAF-03 belum sesuai data SIAK" in notice.read_text(encoding="utf-8")
        back = office.folder("DAFDUK", Folder.REPORT) / NAME
        wait_for(back.exists, what="the returned report back in 4_laporan")  # after its notice
        assert not returned.exists()

        fill(back, back, realisations=[99.3, 98.9, 1250, 1.4], **REPORT_TEXT)
        wait_for(at_review.exists, what="corrected report in review")
        approved = office.folder("DAFDUK", Folder.APPROVED) / NAME
        shutil.move(at_review, approved)
        wait_for(
            lambda: any(e.outcome is Outcome.APPROVED for e in events(office)), what="approval"
        )

    trail = outcomes(office)
    assert trail == ["valid", "valid", "valid", "returned", "valid", "approved"]
    approval = events(office, outcome=Outcome.APPROVED)[0]
    assert approval.to_path == "inbox/DAFDUK/5_pemeriksaan/disetujui/" + NAME
    assert (approval.division, approval.year, approval.quarter, approval.step) == (
        "DAFDUK",
        2026,
        3,
        5,
    )
    assert (
        archived_path(office.archive_files, approval.file_hash).read_bytes()
        == approved.read_bytes()
    )
    assert approved.exists()


def test_bad_material_comes_back_with_its_feedback(office: Tree) -> None:
    with running_service(office):
        material = fill(issued(office), office.folder("DAFDUK", Folder.MATERIAL) / NAME,
                        realisations=[99.1, "sembilan puluh", 1100, 1.2])  # fmt: skip
        fixed = office.folder("DAFDUK", Folder.MATERIAL_FIX)
        wait_for(lambda: (fixed / NAME).exists(), what="material returned for fixing")
        feedback = fixed / "Rencana_Aksi_DAFDUK_2026_TW3 - HASIL VALIDASI.xlsx"
        wait_for(feedback.exists, what="feedback copy")
    assert not material.exists()
    [event] = events(office, outcome=Outcome.INVALID)
    assert event.from_path.endswith("3_bahan/" + NAME) and "perlu_perbaikan" in event.to_path
    assert "perlu perbaikan" in event.message


def test_a_file_that_is_not_a_workbook_is_refused_with_a_note(office: Tree) -> None:
    with running_service(office):
        csv = office.folder("PIAK", Folder.REPORT) / "laporan.xlsx"
        csv.write_text("Kode;Realisasi\nPIAK-01;26,5\n", encoding="utf-8")
        fixed = office.folder("PIAK", Folder.REPORT_FIX)
        wait_for(lambda: (fixed / "laporan - DITOLAK.txt").exists(), what="refusal note")
    assert (fixed / "laporan.xlsx").read_text(encoding="utf-8").startswith("Kode;")
    assert "CSV" in (fixed / "laporan - DITOLAK.txt").read_text(encoding="utf-8")
    assert [e.outcome for e in events(office, division="PIAK")] == [Outcome.REFUSED]


def test_lock_and_temp_files_are_left_alone(office: Tree) -> None:
    folder = office.folder("CAPIL", Folder.MATERIAL)
    # Locks of another workbook: the one saved is not open anywhere.
    names = ["~$Rencana_Lain.xlsx", ".~lock.Rencana_Lain.xlsx#",
             "Thumbs.db", "desktop.ini", "A1B2C3D4", "~WRL0001.tmp"]  # fmt: skip
    with running_service(office):
        for name in names:
            (folder / name).write_bytes(b"owner")
        real = fill(issued(office, "CAPIL"), folder / "Rencana_Aksi_CAPIL_2026_TW3.xlsx")
        wait_for(lambda: not real.exists(), what="the real workbook handled")
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(names)


def test_files_saved_while_the_service_was_stopped_are_handled_at_start(office: Tree) -> None:
    waiting = [
        fill(issued(office, code), office.folder(code, Folder.MATERIAL) / issued(office, code).name)
        for code in ("DAFDUK", "PIAK", "PDIP")
    ]
    with running_service(office):
        wait_for(lambda: not any(p.exists() for p in waiting), what="startup scan")
    assert outcomes(office) == ["valid"] * 3


def test_a_resubmission_replaces_the_waiting_version_and_never_overwrites_it(office: Tree) -> None:
    """One version waits at a step: the newer save takes its place under the standard name; the
    older copy goes to versi_lama with a notice naming its successor, its bytes archived."""
    report = office.folder("DAFDUK", Folder.REPORT)
    old = office.folder("DAFDUK", SUPERSEDED_FOLDER)
    with running_service(office):
        first = fill(issued(office), office.folder("DAFDUK", Folder.MATERIAL) / NAME)
        first_hash = sha(first)
        wait_for((report / NAME).exists, what="first version delivered")
        fill(
            issued(office),
            office.folder("DAFDUK", Folder.MATERIAL) / NAME,
            realisations=[1, 2, 3, 4],
        )
        wait_for(lambda: (old / NAME).exists() and (report / NAME).exists(),
                 what="the first version replaced")  # fmt: skip
    assert sha(old / NAME) == first_hash and sha(report / NAME) != first_hash
    assert [p.name for p in report.iterdir() if p.is_file()] == [NAME]
    notice = (old / NAME.replace(".xlsx", " - DIGANTI.txt")).read_text("utf-8")
    assert "Versi 1 diganti versi 2" in notice and "WITA" in notice
    hashes = {e.file_hash for e in events(office, outcome=Outcome.VALID)}
    assert len(hashes) == 2
    assert all(archived_path(office.archive_files, h).exists() for h in hashes)
    [superseded] = events(office, outcome=Outcome.SUPERSEDED)
    assert superseded.file_hash == first_hash


def test_polling_mode_for_network_shares(office: Tree) -> None:
    options = ServiceOptions(
        polling=0.3, quiet_seconds=0.2, rescan_seconds=5, retry_seconds=0.5, office_jobs=False
    )
    with running_service(office, options):
        fill(issued(office), office.folder("DAFDUK", Folder.MATERIAL) / NAME)
        wait_for((office.folder("DAFDUK", Folder.REPORT) / NAME).exists, what="polling delivery")
    assert FAST.polling is None


def test_where_no_close_event_comes_a_copy_settles_on_the_quiet_period(
    office: Tree, tmp_path: Path
) -> None:
    """Windows' and macOS's observers send no close-after-write event: a workbook copied into
    a step folder is taken once its size and mtime stayed the same for the quiet period (half a
    second), not after waiting `unclosed_seconds` (a minute) for a close that never comes."""
    options = replace(FAST, close_events=False, quiet_seconds=0.5, unclosed_seconds=60.0)
    data = fill(issued(office), tmp_path / NAME).read_bytes()
    target = office.folder("DAFDUK", Folder.MATERIAL) / NAME
    with running_service(office, options) as service:
        with target.open("wb") as stream:  # a copy in two chunks, as Explorer writes one
            stream.write(data[: len(data) // 2])
            stream.flush()
            time.sleep(0.2)  # the copy tool pauses between chunks, shorter than the quiet period
            stream.write(data[len(data) // 2 :])
        closed = time.monotonic()
        wait_for(lambda: outcomes(office), what="the copy settled")
        settled = time.monotonic() - closed
        wait_for((office.folder("DAFDUK", Folder.REPORT) / NAME).exists, what="moved on")
        assert not service.writing  # nothing waited for a close event
    # Half a second of quiet, then the handling itself (about 0.6 s in all on an idle machine;
    # the margin is for a loaded CI), instead of the minute it waited for a close event.
    assert settled < 2.0, f"settled after {settled:.2f} s"
    assert outcomes(office)[0] == "valid"  # the half-written copy was not taken
    [started] = events(office, outcome=Outcome.STARTED)
    assert started.message.endswith("(native, berkas diproses setelah tenang 0.5 detik).")


def test_a_slow_listener_still_hears_a_later_save_within_seconds(office: Tree) -> None:
    """A listener that took long (a report with its PDF on a loaded machine) is held back only
    while a burst is routed, not when one more file arrives later."""
    heard: list[int] = []

    def slow(_store: Store, new: list) -> None:
        heard.extend(e.id for e in new)
        time.sleep(1.5)  # ten times this is a 15 s wait during a burst

    with running_service(office, listeners=[slow]):
        first = fill(issued(office), office.folder("DAFDUK", Folder.MATERIAL) / NAME)
        wait_for(lambda: not first.exists(), what="the first file moved on")
        wait_for(lambda: len(heard) >= 1, what="the listener's first run")
        wait_for(lambda: events(office)[-1].id in heard, timeout=10, what="the first events heard")
        later = fill(issued(office, "CAPIL"), office.folder("CAPIL", Folder.MATERIAL)
                     / "Rencana_Aksi_CAPIL_2026_TW3.xlsx")  # fmt: skip
        wait_for(lambda: not later.exists(), what="the later file moved on")
        last = events(office, division="CAPIL")[-1]
        wait_for(lambda: last.id in heard, timeout=10, what="the later file's events heard")
