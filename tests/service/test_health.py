"""The health file the service keeps, `kinerja health` that judges it, and the rotating log."""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import FAST, fill, running_service, wait_for
from support.sop010 import Folder

from watcher.cli import main
from watcher.masterdata.source import MasterSource
from watcher.record.store import Store, utc_now
from watcher.reports.status import StatusPage
from watcher.service.health import (
    HealthError,
    Heartbeat,
    health_path,
    health_report,
    judge,
    read_health,
    waiting_report,
)
from watcher.service.logfile import log_to_file
from watcher.sop.load import load_sop

START = datetime(2026, 10, 12, 0, 30, tzinfo=UTC)


class Clocks:
    """A wall clock and a monotonic clock that the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds


def _heartbeat(path: Path, clocks: Clocks) -> Heartbeat:
    return Heartbeat(path, polling=None, rescan_seconds=30, interval=5,
                     now=clocks.now, monotonic=clocks.monotonic)  # fmt: skip


def test_the_heartbeat_writes_at_a_bounded_rate(tmp_path: Path) -> None:
    clocks, path = Clocks(), tmp_path / "arsip" / "kesehatan.json"
    beat = _heartbeat(path, clocks)
    assert beat.due_in() == 0  # nothing written yet: the sleeping loop wakes to write it
    beat.beat(scans=1, last_event_id=0)  # the first tick writes at once
    first = read_health(path)
    assert first["hidup"] and first["pid"] == os.getpid() and first["mode"] == "native"
    assert first["pindai_terakhir_utc"] == first["denyut_utc"] == START.isoformat()
    clocks.seconds = 4.0
    assert beat.due_in() == 1.0  # the loop may sleep until the next write is due
    beat.beat(scans=1, last_event_id=7)
    assert read_health(path) == first  # within the interval: nothing written
    clocks.seconds = 5.0
    beat.beat(scans=2, last_event_id=7)
    later = read_health(path)
    assert later["kejadian_terakhir"] == 7 and later["jumlah_pindai"] == 2
    assert later["pindai_terakhir_utc"] == (START + timedelta(seconds=5)).isoformat()
    beat.stopped()
    assert read_health(path)["hidup"] is False


def _fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "hidup": True, "pid": 4242, "host": socket.gethostname(), "mode": "native",
        "mulai_utc": START.isoformat(), "denyut_utc": START.isoformat(),
        "pindai_terakhir_utc": START.isoformat(), "kejadian_terakhir": 57,
    }  # fmt: skip
    return {**fields, **changes}


@pytest.mark.parametrize(
    ("fields", "seconds_later", "exists", "alive", "words"),
    [
        (_fields(), 30, True, True, "HIDUP (PID 4242"),
        (_fields(), 121, True, False, "TIDAK MERESPONS"),
        (_fields(), 5, False, False, "MATI: proses PID 4242 tidak ada lagi"),
        (_fields(host="server-lain"), 5, False, True, "HIDUP"),  # another machine's PID: unknown
        (_fields(hidup=False, berhenti_utc=START.isoformat()), 5, True, False, "BERHENTI"),
    ],
    ids=["fresh", "stale", "crashed", "other-host", "stopped"],
)
def test_the_verdict(fields: dict[str, object], seconds_later: float, exists: bool, alive: bool,
                     words: str) -> None:  # fmt: skip
    verdict = judge(fields, now=START + timedelta(seconds=seconds_later), max_age=120,
                    process_exists=lambda pid: exists)  # fmt: skip
    assert verdict.alive is alive and words in verdict.text
    assert verdict.exit_code == (0 if alive else 1)


def test_a_missing_or_broken_health_file_means_not_alive(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    verdict = health_report(tree)
    assert not verdict.alive and "belum pernah berjalan" in verdict.text
    health_path(tree).write_text("{rusak", encoding="utf-8")
    with pytest.raises(HealthError, match="tidak dapat dibaca"):
        read_health(health_path(tree))
    assert health_report(tree).exit_code == 1


def test_the_running_service_reports_itself_alive_and_then_stopped(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    name = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    with running_service(tree) as service:
        wait_for(health_path(tree).exists, what="health file")
        verdict = health_report(tree)
        assert verdict.alive, verdict.text
        assert verdict.fields is not None and verdict.fields["pid"] == os.getpid()
        fill(tree.folder("DAFDUK", Folder.DISPOSITION) / name,
             tree.folder("DAFDUK", Folder.MATERIAL) / name)  # fmt: skip
        wait_for((tree.folder("DAFDUK", Folder.REPORT) / name).exists, what="material passed on")
        with Store(tree.store_path, keep_anchor=False) as store:
            handled = store.head()
        assert handled is not None
        wait_for(lambda: service.last_event_id >= handled[0], what="the service saw its event")
    stopped = json.loads(health_path(tree).read_text(encoding="utf-8"))
    assert stopped["hidup"] is False and stopped["kejadian_terakhir"] == service.last_event_id
    verdict = health_report(tree)
    assert not verdict.alive and "BERHENTI" in verdict.text
    assert verdict.json()["hidup"] is False and verdict.json()["berkas"] == stopped


def test_an_unreadable_audit_log_is_warned_about_in_health_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On Debian /var/log/samba is readable only by the adm group: a service account outside
    it would record the Kabid's approvals under the clerk's name. The tests run as root, who
    reads every file, so a folder in the log's place stands in for a log it may not read."""
    tree, _ = issued_office(tmp_path / "kantor")
    audit_log = tmp_path / "kinerja-audit.log"
    audit_log.mkdir()
    page = StatusPage(tree.status_page, MasterSource(tree.master_path), load_sop(), utc_now,
                      attention=lambda: waiting_report(tree))  # fmt: skip
    name = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    with running_service(tree, replace(FAST, audit_log=audit_log), listeners=[page]):
        wait_for(health_path(tree).exists, what="health file")
        verdict = health_report(tree)
        assert verdict.alive and f"PERINGATAN       : Log audit Samba {audit_log}" in verdict.text
        assert "atas nama pemilik berkas, bukan pemeriksa" in verdict.text
        fill(tree.folder("DAFDUK", Folder.DISPOSITION) / name,
             tree.folder("DAFDUK", Folder.MATERIAL) / name)  # fmt: skip
        wait_for(tree.status_page.exists, what="status page")
        assert f"Log audit Samba {audit_log} tidak dapat dibaca" in tree.status_page.read_text(
            encoding="utf-8"
        )
        assert main(["status", "--root", str(tree.root)]) == 0
        assert f"Log audit Samba {audit_log} tidak dapat dibaca" in capsys.readouterr().out

        audit_log.rmdir()
        audit_log.write_text("", encoding="utf-8")  # readable now: the warning goes away
        wait_for(lambda: "Log audit" not in health_report(tree).text, timeout=20,
                 what="warning cleared")  # fmt: skip


def test_the_log_file_rotates(tmp_path: Path) -> None:
    path = tmp_path / "log" / "kinerja.log"
    handler = log_to_file(path, max_bytes=2_000, backups=2, logger="watcher.uji")
    try:
        log = logging.getLogger("watcher.uji.layanan")
        for number in range(200):
            log.info("Berkas %03d dipindahkan ke 4_laporan", number)
    finally:
        logging.getLogger("watcher.uji").removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["kinerja.log", "kinerja.log.1", "kinerja.log.2"]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "Berkas 199 dipindahkan" in path.read_text(encoding="utf-8")
