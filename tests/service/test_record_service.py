"""The record defends itself under the real service (`kinerja watch` as a subprocess).

Deleting `arsip/` while the service runs stops it loudly; the next start sees, from the chain
head the status page printed, that a history existed, records the loss once and keeps the
material waiting for the Kasubag where it lies. A log rolled back while the service was down
(a lost WAL) is told the same way, and the Kasubag is not skipped either.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_office import ServiceProcess
from support.office import issued_office
from support.service_run import fill, wait_for
from support.sop010 import Folder

from watcher.record.guard import LOST_PREFIX
from watcher.service.health import health_path, read_health
from watcher.service.tree import Tree

CODE = "DAFDUK"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Tree, list[ServiceProcess]]]:
    tree, _ = issued_office(tmp_path / "kantor")
    started: list[ServiceProcess] = []
    yield tree, started
    for service in started:
        service.kill()


def _start(tree: Tree, started: list[ServiceProcess]) -> ServiceProcess:
    service = ServiceProcess(tree, tree.root.parent / f"service-{len(started) + 1}")
    started.append(service)
    return service


def _events(tree: Tree) -> list[tuple[str, str | None, str | None, str]]:
    """(outcome, from, to, message) of every event, read without touching the live files."""
    copy = tree.root.parent / "baca.sqlite3"
    for suffix in ("", "-wal"):
        source = Path(f"{tree.store_path}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{copy}{suffix}")
    db = sqlite3.connect(copy)
    try:
        return db.execute("SELECT outcome, from_path, to_path, message FROM events").fetchall()
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


def _material_waits_for_the_kasubag(tree: Tree) -> Path:
    """The Analis Data's valid material, moved by the service into 4_laporan/."""
    issued = tree.folder(CODE, Folder.DISPOSITION) / f"Rencana_Aksi_{CODE}_2026_TW3.xlsx"
    fill(issued, tree.folder(CODE, Folder.MATERIAL) / "bahan.xlsx")
    delivered = tree.folder(CODE, Folder.REPORT) / "bahan.xlsx"
    wait_for(delivered.exists, timeout=60, what="the material in 4_laporan")
    return delivered


def _kinerja(tree: Tree, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watcher", *args, "--root", str(tree.root)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)  # fmt: skip


def _recorded_waiting(tree: Tree, delivered: Path) -> bool:
    relative = delivered.relative_to(tree.root).as_posix()
    return any(to == relative and "riwayat" in message.lower()
               for _, _, to, message in _events(tree))  # fmt: skip


def test_deleting_the_archive_stops_the_service_and_the_next_start_knows(office) -> None:
    tree, started = office
    first = _start(tree, started)
    delivered = _material_waits_for_the_kasubag(tree)
    # The status page prints the chain head after each event: the copy outside arsip/.
    wait_for(lambda: "Kepala rantai log: #" in tree.status_page.read_text(encoding="utf-8"),
             timeout=30, what="the head on the status page")  # fmt: skip
    shutil.rmtree(tree.archive)
    assert first.process.wait(timeout=30) == 2
    said = first.err.read_text(encoding="utf-8") + first.out.read_text(encoding="utf-8")
    assert "DIHAPUS" in said and "Traceback" not in said
    assert not tree.store_path.exists()  # nothing written into, or as, a ghost log

    second = _start(tree, started)
    wait_for(lambda: tree.store_path.exists() and _recorded_waiting(tree, delivered),
             timeout=60, what="the material recorded as waiting")  # fmt: skip
    losses = [message for outcome, _, _, message in _events(tree) if outcome == "error"]
    assert len(losses) == 1 and losses[0].startswith(LOST_PREFIX) and "status.html" in losses[0]
    assert delivered.exists()  # still waiting for the Kasubag, not moved on to the Kabid
    assert list(tree.folder(CODE, Folder.REVIEW).glob("*.xlsx")) == []
    health = read_health(health_path(tree))
    assert health["riwayat_hilang"] == losses
    assert "PERINGATAN" in _kinerja(tree, "health").stdout
    wait_for(lambda: "Perlu perhatian" in tree.status_page.read_text(encoding="utf-8"),
             timeout=30, what="the loss on the status page")  # fmt: skip
    assert LOST_PREFIX in tree.status_page.read_text(encoding="utf-8")

    # The Kasubag's own report then travels on as always.
    fill(delivered, tree.folder(CODE, Folder.REPORT) / "laporan.xlsx", kendala="Data terlambat",
         follow_up="Koordinasi")  # fmt: skip
    wait_for((tree.folder(CODE, Folder.REVIEW) / "laporan.xlsx").exists, timeout=60,
             what="the Kasubag's report with the Kabid")  # fmt: skip
    second.terminate()
    assert _kinerja(tree, "verify").returncode == 1  # the loss stays on the record


def test_a_log_rolled_back_while_the_service_was_down_never_skips_the_kasubag(office) -> None:
    tree, started = office
    _start(tree, started).terminate()
    saved = tree.root.parent / "lama.sqlite3"
    shutil.copyfile(tree.store_path, saved)  # the log as it was: a backup, or a lost WAL
    second = _start(tree, started)
    delivered = _material_waits_for_the_kasubag(tree)
    second.terminate()
    for suffix in ("-wal", "-shm"):
        Path(f"{tree.store_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(saved, tree.store_path)

    verdict = _kinerja(tree, "verify")
    assert verdict.returncode == 1 and LOST_PREFIX in verdict.stdout, verdict.stdout
    third = _start(tree, started)
    wait_for(lambda: _recorded_waiting(tree, delivered), timeout=60,
             what="the material recorded as waiting")  # fmt: skip
    assert delivered.exists()
    assert list(tree.folder(CODE, Folder.REVIEW).glob("*.xlsx")) == []
    losses = [message for outcome, _, _, message in _events(tree) if outcome == "error"]
    assert len(losses) == 1 and "tidak ada lagi" in losses[0]
    third.terminate()
