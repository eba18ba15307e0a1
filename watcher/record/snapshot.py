"""Read the event log without touching it: for `kinerja verify` and the service's start check.

Opening the live file with SQLite, even `file:...?mode=ro`, is not read-only enough: SQLite
3.40 creates a missing `-shm` file for a WAL database in read-only mode (and, running as root,
does so in a read-only folder too), and every reader writes its read mark into `-shm`. A checker
that changes the evidence it checks is no checker, so this module copies the database and its
`-wal` (never `-shm`) into a private temporary folder and lets SQLite rebuild the WAL index
there. The originals are only ever opened for reading bytes. A copy taken while the service
writes is retried until the files did not change during the copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
_COPY_ATTEMPTS = 5
_WAL_HEADER = 32


class LogState(StrEnum):
    OK = "ok"
    MISSING = "missing"  # no file at the path
    EMPTY = "empty"  # a file of 0 bytes, or a database without the events table
    NOT_A_DB = "not_a_db"  # the bytes are not an SQLite database
    DAMAGED = "damaged"  # SQLite reads it as damaged (truncated, overwritten pages)
    UNREADABLE = "unreadable"  # the file cannot be read (permission, I/O error)


@dataclass(frozen=True)
class LogSnapshot:
    """The rows of the log as they are on disk, or why there are none."""

    path: Path
    state: LogState
    records: list[dict] = field(default_factory=list)  # every column, oldest first
    seq: int = 0  # SQLite's AUTOINCREMENT counter for events
    wal_present: bool = False
    detail: str = ""  # SQLite's or the OS's words, for the finding

    @property
    def last_id(self) -> int:
        return max((record["id"] for record in self.records), default=0)

    def hash_of(self, ident: int) -> str | None:
        return next((r["row_hash"] for r in self.records if r["id"] == ident), None)


def read_log(path: Path) -> LogSnapshot:
    """The log at `path` as it is now; never creates, changes or locks a file beside it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return LogSnapshot(path, LogState.MISSING)
    except OSError as exc:
        return LogSnapshot(path, LogState.UNREADABLE, detail=exc.strerror or str(exc))
    if size == 0:
        return LogSnapshot(path, LogState.EMPTY, detail="0 bita")
    with tempfile.TemporaryDirectory(prefix="kinerja-verify-") as private:
        copy = Path(private) / "log.sqlite3"
        try:
            wal_present = _copy_stable(path, copy)
            with copy.open("rb") as stream:
                header = stream.read(100)
        except OSError as exc:
            return LogSnapshot(path, LogState.UNREADABLE, detail=exc.strerror or str(exc))
        if not header.startswith(SQLITE_MAGIC):
            return LogSnapshot(path, LogState.NOT_A_DB, wal_present=wal_present)
        short = _cut_short(header, copy.stat().st_size)
        if short and not wal_present:  # with a -wal, a crash mid-checkpoint looks the same
            return LogSnapshot(path, LogState.DAMAGED, wal_present=wal_present, detail=short)
        snapshot = _query(path, copy)
        return LogSnapshot(
            path, snapshot.state, snapshot.records, snapshot.seq, wal_present, snapshot.detail
        )


def _copy_stable(path: Path, copy: Path) -> bool:
    """Copy the database and its `-wal` (if any); True if there was a `-wal`.

    The `-wal` is copied first, so frames SQLite appends meanwhile are simply not in the copy
    (a frame cut short fails its checksum and is ignored). What does spoil a copy is a
    checkpoint writing the database file, or the `-wal` restarted from its beginning, during
    the copy: then it is taken again.
    """
    wal, wal_copy = path.with_name(path.name + "-wal"), copy.with_name(copy.name + "-wal")
    for _ in range(_COPY_ATTEMPTS):
        before = _stamps(path, wal)
        wal_copy.unlink(missing_ok=True)
        if before[1] is not None:
            with contextlib.suppress(FileNotFoundError):  # checkpointed and removed meanwhile
                shutil.copyfile(wal, wal_copy)
        shutil.copyfile(path, copy)
        if _stamps(path, wal) == before:
            break
    return wal_copy.exists()


def _stamps(path: Path, wal: Path) -> tuple[tuple[int, int], bytes | None]:
    """The database's (size, mtime) and the `-wal` header (its salts change at a restart)."""
    info = os.stat(path)
    try:
        with wal.open("rb") as stream:
            header = stream.read(_WAL_HEADER)
    except FileNotFoundError:
        header = None
    return (info.st_size, info.st_mtime_ns), header


def _cut_short(header: bytes, size: int) -> str:
    """Why the file is shorter than its header says (truncated), or "" if it is not."""
    if len(header) < 100 or header[24:28] != header[92:96]:
        return ""  # the header's page count is only valid when these two counters agree
    page_size = int.from_bytes(header[16:18], "big")
    expected = (65536 if page_size == 1 else page_size) * int.from_bytes(header[28:32], "big")
    if size >= expected:
        return ""
    return f"berkas terpotong: {size} bita, seharusnya {expected} bita"


def _query(path: Path, copy: Path) -> LogSnapshot:
    db = sqlite3.connect(copy)
    try:
        known = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone()
        if not known:
            return LogSnapshot(path, LogState.EMPTY, detail="tabel kejadian tidak ada")
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            return LogSnapshot(path, LogState.DAMAGED, detail="; ".join(problems[:3]))
        cursor = db.execute("SELECT * FROM events ORDER BY id")
        columns = [column[0] for column in cursor.description]
        records = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    except sqlite3.DatabaseError as exc:
        return LogSnapshot(path, LogState.DAMAGED, detail=str(exc))
    finally:
        db.close()
    return LogSnapshot(path, LogState.OK, records, seq[0] if seq else 0)
