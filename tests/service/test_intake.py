"""What an attacker or a careless office puts into the step folders, and the service survives.

Links out of the tree, FIFOs, sockets, devices, hard links, a 4 GiB sparse file, names at the
file-name limit, folders where workbooks belong, files in unknown folders, an unreadable file,
the master workbook gone, a file swapped while it is checked, an unforeseen error, odd names.
Real service, real files; every outcome awaited with `wait_for`. Each test ends by saving a good
workbook and seeing it delivered: the service is still alive and still working.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import running_service, wait_for
from support.sop010 import Folder
from test_watcher_robust import CODE, NAME, PATIENT, count, events, files, save, sha, workbook

import watcher.service.archive_ahead
import watcher.service.intake
import watcher.service.pipeline
from watcher.errors import RecordLostError
from watcher.record.store import Outcome
from watcher.service.health import health_path
from watcher.service.notices import STRAY_SUFFIX
from watcher.service.quarantine import quarantine_dir
from watcher.service.tree import Tree
from watcher.sop.workflow import SUPERSEDED_FOLDER

OTHER = "CAPIL"
GOOD = "Rencana_Aksi_CAPIL_2026_TW3 berikutnya.xlsx"


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    return issued_office(tmp_path / "kantor")[0]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A clerk's own folder outside the watched tree (as in test_watcher_robust)."""
    (tmp_path / "meja_kerja").mkdir()
    return tmp_path / "meja_kerja"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the office tree that nobody in the office may read through the share."""
    path = tmp_path / "rahasia" / "gaji.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 rahasia")
    return path


def material(tree: Tree) -> Path:
    return tree.folder(CODE, Folder.MATERIAL)


def fix(tree: Tree) -> Path:
    return tree.folder(CODE, Folder.MATERIAL_FIX)


def still_works(tree: Tree, desk: Path) -> None:
    """The next good workbook is delivered: the worker is alive and not stuck. It is another
    division's, so it replaces no version of the file under test."""
    data = workbook(tree, desk / "lagi", code=OTHER)
    save(tree.folder(OTHER, Folder.MATERIAL) / GOOD, data)
    wait_for((tree.folder(OTHER, Folder.REPORT) / GOOD).exists, what="the next good workbook")


def about(tree: Tree, relative: str) -> list[str]:
    """Outcomes of the events whose from_path is `relative` (below the root)."""
    return [e.outcome.value for e in events(tree) if e.from_path == relative]


def rel(tree: Tree, path: Path) -> str:
    return path.relative_to(tree.root).as_posix()


def archived_sizes(tree: Tree) -> list[int]:
    return [p.stat().st_size for p in tree.archive_files.rglob("*") if p.is_file()]


# --- only regular files are opened ------------------------------------------------------------


def _link_out(path: Path, secret: Path) -> None:
    path.symlink_to(secret)


def _dangling(path: Path, secret: Path) -> None:
    path.symlink_to(secret.parent / "sudah_tidak_ada.xlsx")


def _to_dev_zero(path: Path, secret: Path) -> None:
    path.symlink_to("/dev/zero")


def _fifo(path: Path, secret: Path) -> None:
    os.mkfifo(path)


def _hard_link(path: Path, secret: Path) -> None:
    os.link(secret, path)


def _socket(path: Path, secret: Path) -> None:
    short = Path(tempfile.mkdtemp()) / "s"  # a socket's address has a length limit (108)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(short))
    server.close()
    short.rename(path)
    short.parent.rmdir()


ENTRIES = [
    pytest.param(_link_out, "pintasan (symbolic link)", id="symlink-out-of-the-tree"),
    pytest.param(_dangling, "tujuannya tidak ada", id="dangling-symlink"),
    pytest.param(_to_dev_zero, "pintasan (symbolic link)", id="symlink-to-dev-zero"),
    pytest.param(_fifo, "pipa/FIFO", id="fifo"),
    pytest.param(_hard_link, "hard link", id="hard-link-to-a-file-outside"),
    pytest.param(_socket, "soket", id="unix-socket"),
]


@pytest.mark.parametrize(("make", "phrase"), ENTRIES)
def test_a_name_that_is_not_a_regular_file_is_refused_unread_and_moved_aside(
    office: Tree, desk: Path, secret: Path, make: Callable[[Path, Path], None], phrase: str
) -> None:
    entry = material(office) / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    before = secret.read_bytes()
    with running_service(office):
        make(entry, secret)
        refused = fix(office) / entry.name
        wait_for(lambda: os.path.lexists(refused), what="the entry in perlu_perbaikan")
        still_works(office, desk)
    assert not os.path.lexists(entry)
    note = (fix(office) / "Rencana_Aksi_DAFDUK_2026_TW3 - DITOLAK.txt").read_text("utf-8")
    assert phrase in note and "BERKAS DITOLAK" in note
    assert about(office, rel(office, entry)) == ["refused"]
    [refusal] = events(office, outcome=Outcome.REFUSED)
    assert refusal.file_hash is None and refusal.to_path == rel(office, refused)
    assert secret.read_bytes() == before  # never read, never moved
    assert sha(before) not in {e.file_hash for e in events(office)}
    assert all(size < 1_000_000 for size in archived_sizes(office))


@pytest.mark.parametrize("link", ["step-folder", "division-folder"])
def test_a_folder_link_out_of_the_tree_is_never_entered(
    office: Tree, desk: Path, tmp_path: Path, link: str
) -> None:
    outside = tmp_path / "di_luar"
    outside.mkdir()
    (outside / "3_bahan").mkdir()
    planted = workbook(office, desk / "luar")
    for folder in (outside, outside / "3_bahan"):
        (folder / NAME).write_bytes(planted)
    if link == "step-folder":
        linked = office.folder("PIAK", Folder.MATERIAL)
        shutil.rmtree(linked)
        linked.symlink_to(outside)
    else:
        linked = office.division_dir("PIAK")
        shutil.rmtree(linked)
        linked.symlink_to(outside)
    with running_service(office) as service:
        wait_for(lambda: count(office, Outcome.REFUSED) == 1, what="the folder link noted")
        scans = service.scans
        wait_for(lambda: service.scans >= scans + 2, what="two more rescans")
        still_works(office, desk)
    assert (outside / NAME).read_bytes() == planted
    assert (outside / "3_bahan" / NAME).read_bytes() == planted
    assert sorted(p.name for p in outside.iterdir()) == ["3_bahan", NAME]
    [noted] = events(office, outcome=Outcome.REFUSED)
    assert noted.from_path == rel(office, linked)
    notice = linked.with_name(f"{linked.name}{STRAY_SUFFIX}")
    assert "pintasan (symbolic link)" in notice.read_text("utf-8")
    assert sha(planted) not in {e.file_hash for e in events(office)}


def test_a_4_gib_sparse_file_is_hashed_as_a_stream_and_moved_aside_unarchived(
    office: Tree, desk: Path
) -> None:
    big = material(office) / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    with big.open("wb") as stream:
        stream.write(b"PK\x03\x04")
    os.truncate(big, 4 * 1024**3)  # sparse: costs no disk
    with running_service(office):
        refused = fix(office) / big.name
        wait_for(refused.exists, timeout=120, what="the big file in perlu_perbaikan")
        still_works(office, desk)
    assert refused.stat().st_size == 4 * 1024**3
    [refusal] = events(office, outcome=Outcome.REFUSED)
    assert f"{4 * 1024**3} bita" in refusal.message and "SHA-256 " in refusal.message
    assert refusal.file_hash is None  # the archive does not hold it (verify would miss it)
    assert all(size < 1_000_000 for size in archived_sizes(office))
    note = (fix(office) / "Rencana_Aksi_DAFDUK_2026_TW3 - DITOLAK.txt").read_text("utf-8")
    assert "Berkas terlalu besar (4096,0 MB; batas 20,0 MB)" in note


def test_a_name_at_the_file_name_limit_is_versioned_and_noticed_within_it(
    office: Tree, desk: Path
) -> None:
    name = "Laporan " + "é" * 121 + ".xlsx"  # 8 + 242 + 5 = 255 bytes: the whole limit
    assert len(name.encode()) == 255
    good = workbook(office, desk)
    other = workbook(office, desk / "dua", kendala="versi kedua")
    third = workbook(office, desk / "tiga", kendala="versi ketiga")
    bad = workbook(office, desk / "salah", realisations=["dua"])
    report = office.folder(CODE, Folder.REPORT)
    old = office.folder(CODE, SUPERSEDED_FOLDER)
    with running_service(office):
        save(material(office) / name, good)
        wait_for((report / name).exists, what="the first version delivered under its own name")
        save(material(office) / name, other)
        wait_for(lambda: (report / name).exists() and (report / name).read_bytes() == other,
                 what="the second version in place")  # fmt: skip
        save(material(office) / name, third)
        wait_for(lambda: len([n for n in files(old) if n.endswith(".xlsx")]) == 2
                 and (report / name).exists() and (report / name).read_bytes() == third,
                 what="both older versions in versi_lama, the third in place")  # fmt: skip
        save(material(office) / name, bad)
        wait_for(lambda: len(files(fix(office))) == 2, what="the bad one with its feedback")
        still_works(office, desk)
    names = files(report) + files(fix(office)) + files(old)
    assert all(len(n.encode()) <= 255 for n in names), names
    assert files(report) == [name] and (report / name).read_bytes() == third
    assert any(n.endswith(" (2).xlsx") for n in files(old)), files(old)
    assert sum(n.endswith(" - DIGANTI.txt") or n.endswith(" - DIGANTI (2).txt")
               for n in files(old)) == 2, files(old)  # fmt: skip
    assert any(n.endswith(" - HASIL VALIDASI.xlsx") for n in files(fix(office)))
    assert count(office, Outcome.ERROR) == 0
    trail = sorted(e.outcome.value for e in events(office) if e.from_path and name[:20] in
                   e.from_path)  # fmt: skip
    assert trail == ["invalid", "superseded", "superseded", "valid", "valid", "valid"]


# --- nothing is skipped silently --------------------------------------------------------------


def test_files_outside_the_step_folders_get_one_notice_and_one_event_each(
    office: Tree, desk: Path
) -> None:
    data = workbook(office, desk)
    strays = [
        office.division_dir("PIAK") / "lain" / "x.xlsx",
        office.inbox / "TIDAK_ADA" / "3_bahan" / "x.xlsx",
        office.inbox / "x.xlsx",
        office.division_dir("PIAK") / "laporan.xlsx",
    ]
    folder_named_like_a_file = material(office) / "Rencana.xlsx"
    with running_service(office) as service:
        for path in strays:
            path.parent.mkdir(parents=True, exist_ok=True)
            save(path, data)
        folder_named_like_a_file.mkdir()
        wait_for(lambda: count(office, Outcome.REFUSED) == 5, what="five notices")
        scans = service.scans
        wait_for(lambda: service.scans >= scans + 2, what="two more rescans")
        still_works(office, desk)
    assert count(office, Outcome.REFUSED) == 5  # not again at every rescan
    for path in strays:
        assert path.read_bytes() == data  # left where it is
        assert about(office, rel(office, path)) == ["refused"]
        notice = path.with_name(
            f"x{STRAY_SUFFIX}" if path.stem == "x" else f"laporan{STRAY_SUFFIX}"
        )
        text = notice.read_text("utf-8")
        assert "BERKAS TIDAK DIPROSES" in text and "3_bahan" in text
    assert "TIDAK_ADA" in events(office, from_path=rel(office, strays[1]))[0].message
    assert folder_named_like_a_file.is_dir()
    assert about(office, rel(office, folder_named_like_a_file)) == ["refused"]
    notice = material(office) / f"Rencana{STRAY_SUFFIX}"
    assert "ini sebuah folder, bukan berkas" in notice.read_text("utf-8")


def test_a_restart_does_not_notice_a_stray_file_again(office: Tree, desk: Path) -> None:
    stray = office.inbox / "x.xlsx"
    save(stray, workbook(office, desk))
    for _ in range(2):
        with running_service(office):
            wait_for(lambda: count(office, Outcome.REFUSED) == 1, what="the stray noted")
            still_works(office, desk)
        (office.folder(OTHER, Folder.REPORT) / GOOD).unlink()
    assert count(office, Outcome.REFUSED) == 1


def health(tree: Tree) -> dict[str, object]:
    return json.loads(health_path(tree).read_text("utf-8"))


def waiting(tree: Tree) -> list[dict[str, str]]:
    return health(tree).get("menunggu") or []  # type: ignore[return-value]


class Unreadable:
    """Make one path unreadable (EACCES on open) until lifted: chmod 000 stops nobody as root."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.name, self.active = name, True
        real = watcher.service.intake._open_file

        def refusing(entry: Path, folder: int | None, path: Path) -> int:
            if self.active and path.name == self.name:
                raise PermissionError(13, "Permission denied", str(path))
            return real(entry, folder, path)

        monkeypatch.setattr(watcher.service.intake, "_open_file", refusing)


def test_an_unreadable_file_waits_visibly_and_is_handled_once_readable(
    office: Tree, desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = Unreadable(monkeypatch, NAME)
    data = workbook(office, desk)
    saved = material(office) / NAME
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office) as service:
        save(saved, data)
        wait_for(lambda: count(office, Outcome.ERROR) == 1, what="the failure recorded")
        wait_for(lambda: service.backoff._failures[saved].attempts >= 3, what="three tries")
        wait_for(lambda: waiting(office), timeout=20, what="the file listed in the health file")
        [row] = waiting(office)
        assert row["berkas"].endswith(NAME) and "tidak ada izin" in row["alasan"]
        status = kinerja(office, "status")
        assert "Berkas menunggu" in status.stdout and "tidak ada izin" in status.stdout
        lock.active = False  # the administrator fixes the share's permissions
        saved.chmod(0o644)
        wait_for(delivered.exists, what="the file handled once readable")
        still_works(office, desk)
    assert count(office, Outcome.ERROR) == 1  # once, not at every try
    [error] = events(office, outcome=Outcome.ERROR)
    assert error.message == f"{NAME}: tidak ada izin membaca atau memindahkan berkas"
    assert about(office, rel(office, saved)) == ["error", "valid", "received"]


AS_ROOT = os.name == "posix" and os.geteuid() == 0


@pytest.mark.skipif(AS_ROOT, reason="as root chmod 000 stops no reading (see the test above)")
def test_a_chmod_000_file_waits_and_is_handled_once_readable(office: Tree, desk: Path) -> None:
    saved = material(office) / NAME
    with running_service(office):
        save(saved, workbook(office, desk))
        saved.chmod(0)
        wait_for(lambda: count(office, Outcome.ERROR) == 1, what="the failure recorded")
        saved.chmod(0o644)
        wait_for((office.folder(CODE, Folder.REPORT) / NAME).exists, what="handled when readable")
    assert count(office, Outcome.ERROR) == 1


def test_a_file_saved_while_the_master_workbook_is_missing_waits_for_it(
    office: Tree, desk: Path
) -> None:
    data = workbook(office, desk)
    aside = office.master_path.with_name("disimpan_sementara.xlsx")
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office):
        office.master_path.rename(aside)  # the planning section replaces it by hand
        save(material(office) / NAME, data)
        wait_for(lambda: count(office, Outcome.ERROR) == 1, what="the wait recorded")
        wait_for(lambda: waiting(office), timeout=20, what="the wait in the health file")
        assert "data induk" in waiting(office)[0]["alasan"]
        told = kinerja(office, "health")
        assert "Berkas menunggu" in told.stdout and "data induk" in told.stdout
        aside.rename(office.master_path)
        wait_for(delivered.exists, what="handled as soon as the master is back")
        still_works(office, desk)
    [error] = events(office, outcome=Outcome.ERROR)
    assert "data induk data_induk_kinerja.xlsx tidak ada" in error.message
    assert delivered.read_bytes() == data


def kinerja(tree: Tree, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "watcher", *args, "--root", str(tree.root)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


# --- one file's failure never stops the service -----------------------------------------------


def test_an_unforeseen_error_quarantines_that_file_and_the_service_goes_on(
    office: Tree, desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = watcher.service.pipeline.validate_bytes

    def broken(data: bytes, *args: object, name: str = "", **kwargs: object) -> object:
        if name == NAME:
            raise TypeError("a bug nobody foresaw")
        return real(data, *args, name=name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watcher.service.pipeline, "validate_bytes", broken)
    data = workbook(office, desk)
    quarantined = quarantine_dir(office, CODE) / NAME
    with running_service(office):
        save(material(office) / NAME, data)
        wait_for(quarantined.exists, what="the file in karantina")
        still_works(office, desk)
    assert quarantined.read_bytes() == data
    notice = quarantined.with_name("Rencana_Aksi_DAFDUK_2026_TW3 - KARANTINA.txt")
    text = notice.read_text("utf-8")
    assert "BERKAS DIKARANTINA" in text and "TypeError" in text and "Traceback" not in text
    [error] = events(office, outcome=Outcome.ERROR)
    assert error.to_path == rel(office, quarantined) and "karantina" in error.message


def test_a_file_swapped_while_it_is_checked_is_not_moved_and_handled_as_new(
    office: Tree, desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = workbook(office, desk)
    second = workbook(office, desk / "baru", kendala="versi baru")
    saved = material(office) / NAME
    real = watcher.service.pipeline.write_planned
    swapped: list[bool] = []

    def swap_meanwhile(*args: object, **kwargs: object) -> object:
        if not swapped:  # the clerk saves again while the first version is being checked
            swapped.append(True)
            temp = saved.with_name("0A1B2C3D")
            temp.write_bytes(second)
            temp.replace(saved)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watcher.service.pipeline, "write_planned", swap_meanwhile)
    with running_service(office):
        save(saved, first)
        wait_for(lambda: not saved.exists(), what="the new version handled")
    delivered = office.folder(CODE, Folder.REPORT)
    assert [p.read_bytes() for p in sorted(delivered.iterdir()) if p.is_file()] == [second]
    trail = [(e.outcome.value, e.file_hash) for e in events(office) if e.file_hash]
    assert trail == [("valid", sha(first)), ("missing", sha(first)), ("valid", sha(second))]
    [missing] = events(office, outcome=Outcome.MISSING)
    assert "diganti dengan berkas lain" in missing.message


# --- odd names and vanishing folders ----------------------------------------------------------


ODD_NAMES = [
    pytest.param(os.fsdecode(b"Rencana \xff\xfe lama.xlsx"), id="undecodable-bytes"),
    pytest.param("Rencana\nbaris baru.xlsx", id="newline"),
    pytest.param("Rencana  \u202e xslx.xlsx", id="right-to-left-override"),
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_an_odd_name_is_routed_and_recorded(office: Tree, desk: Path, name: str) -> None:
    data = workbook(office, desk)
    delivered = office.folder(CODE, Folder.REPORT) / name
    with running_service(office):
        save(material(office) / name, data)
        wait_for(delivered.exists, what="the odd name delivered")
        still_works(office, desk)
    assert delivered.read_bytes() == data
    [valid, _] = events(office, outcome=Outcome.VALID)
    assert valid.file_hash == sha(data) and valid.to_path and "4_laporan" in valid.to_path


def test_a_very_deep_stray_path_is_noted_and_nothing_breaks(office: Tree, desk: Path) -> None:
    deep = office.division_dir("PIAK") / "lain"
    for level in range(70):
        deep = deep / f"tingkat_{level:02d}_folder_arsip_lama"
    deep.mkdir(parents=True)  # before the start: watchdog's inotify races a fast mkdir -p
    with running_service(office):
        save(deep / "x.xlsx", b"isi")
        wait_for(lambda: count(office, Outcome.REFUSED) == 1, what="the deep stray noted")
        still_works(office, desk)
    assert len(str(deep)) > 2000
    assert (deep / f"x{STRAY_SUFFIX}").exists()


def test_a_division_folder_deleted_while_its_files_are_queued(office: Tree, desk: Path) -> None:
    data = workbook(office, desk)
    with running_service(office, PATIENT):
        for number in range(5):
            save(office.folder("PIAK", Folder.MATERIAL) / f"x{number}.xlsx", data)
        shutil.rmtree(office.division_dir("PIAK"))
        still_works(office, desk)
    assert count(office, Outcome.ERROR) == 0


# --- kinerja validate opens files the same way ------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipa.xlsx"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("target", ["fifo", "dev-zero"])
def test_kinerja_validate_answers_a_fifo_or_a_device_with_exit_2(
    office: Tree, fifo: Path, target: str
) -> None:
    path = fifo if target == "fifo" else Path("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "validate", "--root", str(office.root), str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "bukan berkas biasa" in result.stdout
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_lost_record_is_never_handled_per_file_it_stops_the_service(
    office: Tree, desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def record_gone(*args: object, **kwargs: object) -> object:
        raise RecordLostError("Arsip hilang saat layanan berjalan.")

    monkeypatch.setattr(watcher.service.archive_ahead, "archive_bytes", record_gone)
    saved = material(office) / NAME
    with pytest.raises(RecordLostError), running_service(office):
        save(saved, workbook(office, desk))
        wait_for(lambda: health(office)["hidup"] is False, what="the service stopping on its own")
    assert saved.exists() and not quarantine_dir(office, CODE).exists()
    assert count(office, Outcome.ERROR) == 0
