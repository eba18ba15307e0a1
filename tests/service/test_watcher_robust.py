"""The watcher service when the office is messy: slow copies, Excel's saves, people moving files
mid-check, broken folders, bursts, a second service, signals, duplicates and rescans.

Real observer, real files, real SQLite. The only pauses are a writer's own pace inside a
scenario (`writer_pause`); every outcome is awaited with `wait_for` and a timeout.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder

from watcher.record.archive import archived_path
from watcher.record.store import Event, Outcome, Store
from watcher.service.notices import DUPLICATE_SUFFIX
from watcher.service.pipeline import Handled, Pipeline
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.service.watch import MasterSource, ServiceOptions

CODE = "DAFDUK"
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
CODES = ("CAPIL", "DAFDUK", "PDIP", "PIAK", "SEKRETARIAT")
REPORT_TEXT = {"kendala": "Server SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}
# A quiet period long enough that a burst of quick touches in a test always falls inside it.
PATIENT = ServiceOptions(quiet_seconds=1.0, rescan_seconds=30, office_jobs=False)


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    tree, _ = issued_office(tmp_path / "kantor")
    return tree


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A clerk's own folder outside the watched tree (same disk, so a move there is a rename)."""
    path = tmp_path / "meja_kerja"
    path.mkdir()
    return path


def workbook(tree: Tree, desk: Path, code: str = CODE, **filled: object) -> bytes:
    """The bytes of the division's issued workbook, filled in on the clerk's desk."""
    name = f"Rencana_Aksi_{code}_2026_TW3.xlsx"
    source = tree.folder(code, Folder.DISPOSITION) / name
    return fill(source, desk / code / name, **filled).read_bytes()  # type: ignore[arg-type]


def save(path: Path, data: bytes) -> Path:
    """Save in place, as a clerk's Excel does over the share: create, write, close."""
    path.write_bytes(data)
    return path


def writer_pause(seconds: float) -> None:
    """The writer's own pace, part of the scenario (never a wait for an outcome)."""
    time.sleep(seconds)


def events(tree: Tree, **filters: object) -> list[Event]:
    with Store(tree.store_path) as store:
        return store.events(**filters)  # type: ignore[arg-type]


def outcomes(tree: Tree) -> list[str]:
    lifecycle = (Outcome.STARTED, Outcome.STOPPED, Outcome.SOP_SET, Outcome.NOTICE)
    return [e.outcome.value for e in events(tree) if e.outcome not in lifecycle]


def count(tree: Tree, outcome: Outcome) -> int:
    return len(events(tree, outcome=outcome))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


# --- settling: act only on a completely written file, once ---------------------------------


def copy_slowly(target: Path, data: bytes, *, pause: float, long_pause: float) -> None:
    """A slow network copy: 1 KiB chunks with `pause` after each and `long_pause` once halfway,
    the file open throughout."""
    chunks = [data[start : start + 1024] for start in range(0, len(data), 1024)]
    with target.open("wb") as stream:
        for number, chunk in enumerate(chunks):
            stream.write(chunk)
            stream.flush()
            writer_pause(long_pause if number == len(chunks) // 2 else pause)
            assert target.exists(), f"taken half-written, after {number + 1} of {len(chunks)}"


@pytest.mark.parametrize(
    ("options", "pause", "long_pause"),
    [
        # Native (Linux): a file written to and not yet closed is never taken, however long
        # the writer pauses; the close event hands it over.
        (ServiceOptions(quiet_seconds=0.3, rescan_seconds=30, office_jobs=False), 0.06, 1.2),
        # Polling (network shares, no close events): the quiet period alone decides, so it
        # covers pauses shorter than itself.
        (
            ServiceOptions(polling=0.1, quiet_seconds=0.6, rescan_seconds=30, office_jobs=False),
            0.1,
            0.3,
        ),
    ],
    ids=["native-long-pause-while-open", "polling-pauses-shorter-than-quiet"],
)
def test_a_slow_chunked_copy_is_routed_once_and_complete(
    office: Tree, desk: Path, options: ServiceOptions, pause: float, long_pause: float
) -> None:
    data = workbook(office, desk)
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office, options):
        copy_slowly(office.folder(CODE, Folder.MATERIAL) / NAME, data, pause=pause,
                    long_pause=long_pause)  # fmt: skip
        wait_for(delivered.exists, what="the complete workbook in 4_laporan")
    assert delivered.read_bytes() == data
    assert outcomes(office) == ["valid"]
    [valid] = events(office, outcome=Outcome.VALID)
    assert valid.file_hash == sha(data)
    assert archived_path(office.archive_files, sha(data)).read_bytes() == data
    assert files(office.folder(CODE, Folder.MATERIAL)) == []


def _delete_then_rename(original: Path, temp: Path) -> None:
    original.unlink()
    temp.rename(original)


def _rename_aside_then_rename_then_delete(original: Path, temp: Path) -> None:
    aside = original.with_name("B2C3D4E5")  # Excel on a share keeps the old one until done
    original.rename(aside)
    temp.rename(original)
    aside.unlink()


@pytest.mark.parametrize(
    "swap",
    [_delete_then_rename, _rename_aside_then_rename_then_delete],
    ids=["delete-original-then-rename-temp", "rename-original-aside-then-rename-temp"],
)
def test_excel_saving_over_a_parked_report_sends_the_new_version_on_once(
    office: Tree, desk: Path, swap: Callable[[Path, Path], None]
) -> None:
    material = workbook(office, desk)
    report = workbook(office, desk / "kasubag", **REPORT_TEXT)
    parked = office.folder(CODE, Folder.REPORT) / NAME
    reviewed = office.folder(CODE, Folder.REVIEW) / NAME
    with running_service(office):
        save(office.folder(CODE, Folder.MATERIAL) / NAME, material)
        wait_for(parked.exists, what="material parked in 4_laporan for the Kasubag")

        # Excel's save, replayed: the new content goes into an extensionless hex-named temp
        # file in small writes, then the temp takes the workbook's name.
        temp = parked.with_name("A1B2C3D4")
        with temp.open("wb") as stream:
            for start in range(0, len(report), 512):
                stream.write(report[start : start + 512])
                stream.flush()
        swap(parked, temp)
        wait_for(reviewed.exists, what="the saved report in 5_pemeriksaan")
    assert reviewed.read_bytes() == report
    assert files(office.folder(CODE, Folder.REPORT)) == []
    assert outcomes(office) == ["valid", "valid"]
    mentioned = [f"{e.from_path} {e.to_path} {e.message}" for e in events(office)]
    assert not [text for text in mentioned if "A1B2C3D4" in text or "B2C3D4E5" in text]


def _touch_mtime(path: Path, data: bytes) -> None:
    for second in range(20):
        os.utime(path, (1_790_000_000 + second, 1_790_000_000 + second))


def _resave_identical_bytes(path: Path, data: bytes) -> None:
    for _ in range(20):
        temp = path.with_name("0A1B2C3D")
        temp.write_bytes(data)
        temp.replace(path)


def _autosave_through_one_handle(path: Path, data: bytes) -> None:
    with path.open("r+b") as stream:
        for _ in range(20):
            stream.seek(0)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())


@pytest.mark.parametrize(
    "touches",
    [_touch_mtime, _resave_identical_bytes, _autosave_through_one_handle],
    ids=["mtime-touched-20-times", "resaved-20-times-same-bytes", "autosaved-20-times-in-place"],
)
def test_a_file_touched_again_and_again_is_handled_once(
    office: Tree, desk: Path, touches: Callable[[Path, bytes], None]
) -> None:
    data = workbook(office, desk)
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office, PATIENT):
        material = office.folder(CODE, Folder.MATERIAL) / NAME
        temp = material.with_name("0A1B2C3D")
        temp.write_bytes(data)
        temp.replace(material)  # no close event under the real name: the quiet period decides
        touches(material, data)
        wait_for(delivered.exists, what="the workbook in 4_laporan")
    assert outcomes(office) == ["valid"]
    assert delivered.read_bytes() == data
    assert files(office.folder(CODE, Folder.REPORT)) == [NAME]
    assert files(office.folder(CODE, Folder.MATERIAL)) == []


# --- people and failures in the middle of handling ------------------------------------------


def test_the_kabid_moving_a_report_while_it_is_checked_is_logged_and_nothing_breaks(
    office: Tree, desk: Path
) -> None:
    report = workbook(office, desk, **REPORT_TEXT)
    saved = save(office.folder(CODE, Folder.REPORT) / NAME, report)
    approved = office.folder(CODE, Folder.APPROVED) / NAME
    calls: list[datetime] = []

    def kabid_moves_it_meanwhile() -> datetime:
        if not calls:
            shutil.move(saved, approved)  # the Kabid's drag in Explorer, mid-check
        calls.append(datetime(2026, 10, 12, 1, 0, tzinfo=UTC))
        return calls[-1]

    with Store(office.store_path) as store:
        pipeline = Pipeline(
            office, store, MasterSource(office.master_path), kabid_moves_it_meanwhile
        )
        handled = pipeline.handle(saved)
        trail = store.events()
    assert handled is Handled.VANISHED
    assert [e.outcome for e in trail] == [Outcome.VALID, Outcome.MISSING]
    missing = trail[-1]
    assert (missing.from_path, missing.file_hash) == (f"inbox/{CODE}/4_laporan/{NAME}", sha(report))
    assert approved.read_bytes() == report
    assert files(office.folder(CODE, Folder.REVIEW)) == []

    with running_service(office):
        wait_for(lambda: count(office, Outcome.APPROVED) == 1, what="the approval recorded")
    [approval] = events(office, outcome=Outcome.APPROVED)
    assert approval.to_path == f"inbox/{CODE}/5_pemeriksaan/disetujui/{NAME}"
    assert approved.read_bytes() == report


def _saved_read_only(path: Path, data: bytes, desk: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _moved_in_read_only(path: Path, data: bytes, desk: Path) -> None:
    staged = desk / "salinan_baca_saja.xlsx"
    staged.write_bytes(data)
    staged.chmod(0o444)
    staged.rename(path)


@pytest.mark.parametrize(
    "arrives",
    [_saved_read_only, _moved_in_read_only],
    ids=["saved-read-only", "moved-in-read-only"],
)
def test_a_read_only_workbook_is_routed_and_stays_byte_identical(
    office: Tree, desk: Path, arrives: Callable[[Path, bytes, Path], None]
) -> None:
    data = workbook(office, desk)
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office):
        arrives(office.folder(CODE, Folder.MATERIAL) / NAME, data, desk)
        wait_for(delivered.exists, what="the read-only workbook in 4_laporan")
    assert delivered.read_bytes() == data
    assert stat.S_IMODE(delivered.stat().st_mode) == 0o444
    assert outcomes(office) == ["valid"]
    assert archived_path(office.archive_files, sha(data)).read_bytes() == data


@pytest.mark.parametrize(
    ("broken", "valid_before_repair"),
    [
        (lambda tree, data: tree.folder(CODE, Folder.REPORT), 1),  # the move fails
        # archiving fails, before anything is recorded (the archive's own folder stays: its
        # replacement would be a lost record, which stops the service)
        (lambda tree, data: tree.archive_files / sha(data)[:2], 0),
    ],
    ids=["report-folder-unusable", "archive-unusable"],
)
def test_a_failing_step_is_logged_and_retried_and_the_file_is_never_lost(
    office: Tree, desk: Path, broken: Callable[[Tree, bytes], Path], valid_before_repair: int
) -> None:
    # As root, chmod stops nobody: a regular file where a folder should be makes every write
    # into it fail with an OSError, like a permission error or a full disk would.
    data = workbook(office, desk)
    folder = broken(office, data)
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"")
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office):
        save(material, data)
        wait_for(lambda: count(office, Outcome.ERROR) >= 1, what="the failure logged")
        assert material.read_bytes() == data
        assert count(office, Outcome.VALID) == valid_before_repair
        error = events(office, outcome=Outcome.ERROR)[0]
        assert error.message.startswith(NAME)

        folder.unlink()  # the administrator repairs the share: `kinerja init` restores folders
        folder.mkdir(exist_ok=True)
        init_tree(office)
        wait_for(delivered.exists, what="the retry delivering the material")
    assert delivered.read_bytes() == data
    assert not material.exists()
    assert count(office, Outcome.VALID) == 1
    # Recorded once however often it was retried, and its recovery once.
    assert sorted(outcomes(office)) == ["error", "received", "valid"]
    [recovery] = events(office, outcome=Outcome.RECEIVED)
    assert recovery.message.startswith(f"{NAME}: dapat diproses lagi")
    assert archived_path(office.archive_files, sha(data)).read_bytes() == data


def test_a_burst_of_500_copies_is_one_version_each_and_every_copy_is_answered(
    office: Tree, desk: Path
) -> None:
    """100 identical copies per division saved at once: the first of each reaches the Kasubag,
    every other copy is logged as a duplicate, removed, and answered with a notice where it was
    saved (nothing vanishes without a word)."""
    per_division = {code: workbook(office, desk, code) for code in CODES}
    started = time.monotonic()
    with running_service(office):
        for number in range(100):
            for code, data in per_division.items():
                name = f"Rencana_Aksi_{code}_2026_TW3 kiriman {number:03d}.xlsx"
                save(office.folder(code, Folder.MATERIAL) / name, data)

        def answered() -> int:
            return sum(len(files(office.folder(code, Folder.MATERIAL))) for code in CODES)

        wait_for(lambda: answered() == 495 and count(office, Outcome.DUPLICATE) == 495,
                 timeout=120, what="495 copies answered")  # fmt: skip
    elapsed = time.monotonic() - started
    assert elapsed < 120
    for code, data in per_division.items():
        [delivered] = files(office.folder(code, Folder.REPORT))
        assert (office.folder(code, Folder.REPORT) / delivered).read_bytes() == data
        notices = files(office.folder(code, Folder.MATERIAL))
        assert len(notices) == 99 and all(n.endswith(DUPLICATE_SUFFIX) for n in notices)
        assert archived_path(office.archive_files, sha(data)).read_bytes() == data
    valid = events(office, outcome=Outcome.VALID)
    assert len(valid) == 5 and {e.file_hash for e in valid} == {
        sha(d) for d in per_division.values()
    }
    assert len({e.from_path for e in events(office) if e.from_path}) == 500


# --- the service as a process ---------------------------------------------------------------


def kinerja_watch(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "watcher", "watch", "--root", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_second_service_on_the_same_root_says_so_and_exits_2(office: Tree) -> None:
    with running_service(office), kinerja_watch(office.root) as second:
        stdout, stderr = second.communicate(timeout=60)
        assert second.returncode == 2
    assert "sudah berjalan" in stderr and f"PID {os.getpid()}" in stderr
    assert office.lock_path.read_text(encoding="utf-8") == str(os.getpid())
    assert "Traceback" not in stdout + stderr
    assert [e.outcome for e in events(office) if e.outcome is not Outcome.SOP_SET] == [
        Outcome.STARTED,
        Outcome.STOPPED,
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_service_stops_cleanly_on_a_signal(office: Tree, signum: signal.Signals) -> None:
    lines: list[str] = []
    with kinerja_watch(office.root) as service:
        reader = threading.Thread(target=lambda: lines.extend(service.stdout or ()), daemon=True)
        reader.start()
        try:
            wait_for(
                lambda: any(line.startswith("Mengawasi") for line in lines)
                or service.poll() is not None,
                timeout=30, what="the Mengawasi line",
            )  # fmt: skip
            wait_for(lambda: count(office, Outcome.STARTED) == 1, timeout=30, what="the start")
            service.send_signal(signum)
            returncode = service.wait(timeout=10)
        finally:
            if service.poll() is None:
                service.kill()
        reader.join(timeout=5)
        stderr = service.stderr.read() if service.stderr else ""
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    assert lines[-1].strip() == "Layanan berhenti."
    service_events = [
        e.outcome for e in events(office) if e.outcome not in (Outcome.ISSUED, Outcome.SOP_SET)
    ]
    assert service_events == [Outcome.STARTED, Outcome.STOPPED]


# --- the nets under the events never handle a file twice ------------------------------------


def test_the_same_bytes_saved_again_are_a_harmless_duplicate(office: Tree, desk: Path) -> None:
    data = workbook(office, desk)
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office):
        save(material, data)
        wait_for(delivered.exists, what="the first copy delivered")
        save(material, data)  # the clerk saves the very same workbook once more
        wait_for(lambda: count(office, Outcome.DUPLICATE) == 1, what="the duplicate logged")
        wait_for(lambda: not material.exists(), what="the extra copy removed")
    assert outcomes(office) == ["valid", "duplicate"]
    assert files(office.folder(CODE, Folder.REPORT)) == [NAME]
    assert delivered.read_bytes() == data
    duplicate = events(office, outcome=Outcome.DUPLICATE)[0]
    assert duplicate.to_path == f"inbox/{CODE}/4_laporan/{NAME}"


def test_rescans_and_restarts_never_handle_parked_files_again(office: Tree, desk: Path) -> None:
    options = ServiceOptions(
        quiet_seconds=0.2, rescan_seconds=0.3, retry_seconds=0.5, office_jobs=False
    )
    good = workbook(office, desk)
    bad = workbook(office, desk / "salah", "PIAK", realisations=[1, "dua", 3, 4])
    report = workbook(office, desk / "kasubag", "CAPIL", **REPORT_TEXT)
    capil = "Rencana_Aksi_CAPIL_2026_TW3.xlsx"
    with running_service(office, options) as service:
        save(office.folder(CODE, Folder.MATERIAL) / NAME, good)
        save(office.folder("PIAK", Folder.MATERIAL) / "Rencana_Aksi_PIAK_2026_TW3.xlsx", bad)
        save(office.folder("CAPIL", Folder.REPORT) / capil, report)
        wait_for(lambda: len(outcomes(office)) == 3, what="the three files handled")
        settled = events(office)
        scans = service.scans
        wait_for(lambda: service.scans >= scans + 3, what="three rescans")
        assert events(office) == settled
    with running_service(office, options) as service:  # a restart scans everything again
        wait_for(lambda: service.scans >= 3 and not len(service.tracker), what="two rescans")
    assert sorted(outcomes(office)) == ["invalid", "valid", "valid"]
    assert files(office.folder(CODE, Folder.REPORT)) == [NAME]
    assert NAME.replace(CODE, "PIAK") in files(office.folder("PIAK", Folder.MATERIAL_FIX))
    assert files(office.folder("CAPIL", Folder.REVIEW)) == [capil]
