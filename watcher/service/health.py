"""The service's health file `arsip/kesehatan.json`, and `kinerja health` that reads it.

A watcher that dies silently is the worst failure of a folder service: files pile up and nobody
knows. While it runs, the service rewrites the health file from its main loop (at most every
`interval` seconds, atomically): alive, PID, host, mode, when it started, when it last scanned
the inbox, the last event it handled and the files it holds back (`menunggu`: file, reason,
since when: unreadable files, files waiting for the master data, a failing disk), and why the
Samba audit log cannot be read while it cannot (`log_audit_tidak_terbaca`). On a clean
stop it writes `"hidup": false`. A crash (power cut, kill -9) leaves the file as it was, and
its heartbeat then grows old: `kinerja health` calls a service dead when the heartbeat is
older than `max_age`, or at once when the recorded process no longer exists on this machine.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from watcher.errors import EXIT_DATA, KinerjaError
from watcher.record.durable import write_text_atomic
from watcher.record.store import format_utc, parse_utc, utc_now
from watcher.service.tree import Tree

log = logging.getLogger(__name__)

HEALTH_NAME = "kesehatan.json"
INTERVAL_SECONDS = 5.0  # at most one write per interval: a busy loop must not hammer the disk
MAX_AGE_SECONDS = 120.0  # a heartbeat older than this means the service is stuck or dead


def health_path(tree: Tree) -> Path:
    return tree.archive / HEALTH_NAME


class Heartbeat:
    """Writes the health file for a running service; `beat` is cheap to call every loop tick."""

    def __init__(self, path: Path, *, polling: float | None, rescan_seconds: float,
                 interval: float = INTERVAL_SECONDS, now: Callable[[], datetime] = utc_now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        # The wall clock, not the service's office clock: liveness is judged in real time.
        self.path, self.interval, self.now, self.monotonic = path, interval, now, monotonic
        mode = f"polling tiap {polling:g} detik" if polling else "native"
        self.fields: dict[str, Any] = {
            "hidup": True, "pid": os.getpid(), "host": socket.gethostname(), "mode": mode,
            "mulai_utc": format_utc(now()), "denyut_utc": None, "pindai_terakhir_utc": None,
            "jumlah_pindai": 0, "kejadian_terakhir": 0, "interval_detik": interval,
            "pindai_ulang_detik": rescan_seconds, "berhenti_utc": None, "menunggu": [],
            "log_audit_tidak_terbaca": None,
        }  # fmt: skip
        self._written_at: float | None = None
        self._failing = False

    def beat(self, *, scans: int, last_event_id: int) -> None:
        """Note the loop's progress; write the file when `interval` has passed since the last."""
        if scans != self.fields["jumlah_pindai"]:
            self.fields["jumlah_pindai"] = scans
            self.fields["pindai_terakhir_utc"] = format_utc(self.now())
        self.fields["kejadian_terakhir"] = last_event_id
        due = self._written_at is None or self.monotonic() - self._written_at >= self.interval
        if due:
            self._write()

    def due_in(self) -> float:
        """Seconds until the next `beat` writes the file (0: at once)."""
        if self._written_at is None:
            return 0.0
        return max(0.0, self._written_at + self.interval - self.monotonic())

    def stopped(self) -> None:
        """The service stops cleanly: say so, so that nobody mistakes it for a crash."""
        self.fields["hidup"] = False
        self.fields["berhenti_utc"] = format_utc(self.now())
        self._write()

    def _write(self) -> None:
        self.fields["denyut_utc"] = format_utc(self.now())
        self._written_at = self.monotonic()
        try:
            write_text_atomic(self.path, json.dumps(self.fields, indent=2, ensure_ascii=False))
        except OSError as exc:  # the health file must never stop the routing of files
            if not self._failing:
                log.warning("Berkas kesehatan %s tidak dapat ditulis: %s", self.path, exc)
            self._failing = True
            return
        self._failing = False


@dataclass(frozen=True)
class Verdict:
    alive: bool
    text: str  # Indonesian, for the person who asked
    fields: dict[str, Any] | None = None  # the health file as read, when there is one

    def json(self) -> dict[str, Any]:
        """For `kinerja health --json`: the verdict, the message and the file's fields."""
        return {"hidup": self.alive, "pesan": self.text, "berkas": self.fields}

    @property
    def exit_code(self) -> int:
        return 0 if self.alive else EXIT_DATA


def read_health(path: Path) -> dict[str, Any]:
    """The fields of the health file; KinerjaError when it is missing or unreadable."""
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        parse_utc(fields["denyut_utc"])
    except FileNotFoundError as exc:
        raise HealthError(
            f"Berkas kesehatan {path} tidak ada: layanan kinerja belum pernah berjalan untuk "
            "folder ini (atau --root salah)."
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HealthError(f"Berkas kesehatan {path} tidak dapat dibaca: {exc}") from exc
    return fields


class HealthError(KinerjaError):
    exit_code = EXIT_DATA


def judge(fields: dict[str, Any], *, now: datetime, max_age: float = MAX_AGE_SECONDS,
          process_exists: Callable[[int], bool] | None = None) -> Verdict:  # fmt: skip
    """Is the service that wrote `fields` alive at `now`?"""
    beat = parse_utc(fields["denyut_utc"])
    age = (now - beat).total_seconds()
    seen = f"tanda hidup terakhir {_when(beat, now)}"
    if not fields.get("hidup"):
        stopped = _when(parse_utc(fields.get("berhenti_utc") or fields["denyut_utc"]), now)
        return Verdict(False, f"Layanan kinerja BERHENTI: dihentikan dengan rapi {stopped}.")
    exists = process_exists or _process_exists
    if fields.get("host") == socket.gethostname() and not exists(int(fields["pid"])):
        return Verdict(False, f"Layanan kinerja MATI: proses PID {fields['pid']} tidak ada lagi "
                              f"(tidak berhenti dengan rapi; {seen}).")  # fmt: skip
    if age > max_age:
        return Verdict(False, f"Layanan kinerja TIDAK MERESPONS: {seen}, lebih dari batas "
                              f"{max_age:g} detik. Mungkin macet atau mati.")  # fmt: skip
    return Verdict(True, _alive_text(fields, now, seen))


def _alive_text(fields: dict[str, Any], now: datetime, seen: str) -> str:
    scan = fields.get("pindai_terakhir_utc")
    lines = [
        f"Layanan kinerja HIDUP (PID {fields['pid']} di {fields.get('host', '?')}, "
        f"mode {fields.get('mode', '?')}).",
        f"  Mulai            : {_when(parse_utc(fields['mulai_utc']), now)}",
        f"  Tanda hidup      : {_when(parse_utc(fields['denyut_utc']), now)}",
        f"  Pindai terakhir  : {_when(parse_utc(scan), now) if scan else 'belum ada'}",
        f"  Kejadian terakhir: #{fields.get('kejadian_terakhir', 0)}",
    ]
    return "\n".join(lines + attention_lines(fields, now))


def attention_lines(fields: dict[str, Any], now: datetime) -> list[str]:
    """What needs a person: history the log lost (found at start), a Samba audit log the
    service cannot read, and the files it holds back, each with its reason (empty when all is
    well)."""
    warnings = [*(fields.get("riwayat_hilang") or []), fields.get("log_audit_tidak_terbaca")]
    lines = [f"  PERINGATAN       : {text}" for text in warnings if text]
    waiting = fields.get("menunggu") or []
    if not waiting:
        return lines
    lines.append(f"  Berkas menunggu  : {len(waiting)} (dicoba lagi otomatis)")
    for row in waiting:
        since = _when(parse_utc(row["sejak_utc"]), now)
        lines.append(f"    - {row['berkas']}: {row['alasan']} (sejak {since})")
    return lines


def waiting_report(tree: Tree, *, now: Callable[[], datetime] = utc_now) -> list[str]:
    """For `kinerja status`: what the running service holds back, from its health file."""
    try:
        fields = read_health(health_path(tree))
    except HealthError:
        return []
    if not fields.get("hidup"):
        return []
    return attention_lines(fields, now())


def _when(moment: datetime, now: datetime) -> str:
    seconds = max(0, round((now - moment).total_seconds()))
    local = moment.astimezone()
    if seconds < 120:
        ago = f"{seconds} detik lalu"
    elif seconds < 7200:
        ago = f"{seconds // 60} menit lalu"
    else:
        ago = f"{seconds // 3600} jam lalu"
    return f"{local:%Y-%m-%d %H:%M:%S} waktu server ({ago})"


def _process_exists(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate the process on Windows: trust the age
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user (the service account)
    return True


def health_report(tree: Tree, *, max_age: float = MAX_AGE_SECONDS,
                  now: Callable[[], datetime] = utc_now) -> Verdict:  # fmt: skip
    """`kinerja health`: the verdict on the service of `tree` (exit code 0 alive, 1 not)."""
    path = health_path(tree)
    try:
        fields = read_health(path)
    except HealthError as exc:
        return Verdict(False, exc.message)
    verdict = judge(fields, now=now(), max_age=max_age)
    return Verdict(verdict.alive, verdict.text, fields)
