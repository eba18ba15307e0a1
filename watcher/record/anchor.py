"""The chain head kept outside the database: `arsip/kepala_log.json`, and its printed form.

After every event the store writes the newest row's id and hash, the number of events and the
time into this small file. Deleting or rolling back the database alone (a lost `-wal` file, an
old copy restored, the newest rows deleted together with the AUTOINCREMENT counter) then leaves
a head that the database can no longer show, which `kinerja verify` and the service's start
check report. The same head is printed in every report ("Kepala rantai log: #123 3f2a…") and
stored in full in the workbook's properties, so a report in `outbox/` pins the log as it was
when the report was built.

Why two slots written in place, not a temp file renamed over the old one: a new file's fsync
and the rename each commit the file system's journal, which made an append four times slower
(`bench/record_bench.py`); overwriting blocks of an existing file and `fdatasync` does not.
The file is one comment line and two fixed-size JSON lines; head n goes into slot n % 2 with a
checksum, so a write torn by a power cut spoils at most the slot being written and the other
still holds the previous head. The reader takes the valid slot with the higher id.

The file is written after the commit, never before: it may lag behind the log (a crash between
the two), never run ahead of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from watcher.record.identity import Identity, identity

log = logging.getLogger(__name__)

ANCHOR_NAME = "kepala_log.json"
HEAD_LABEL = "Kepala rantai log"
_HEAD_RE = re.compile(r"Kepala rantai log: #(\d+) ([0-9a-f]{64})")
_PROPERTIES = "docProps/core.xml"
_MAX_PROPERTIES = 64 * 1024  # a report's core properties are a few hundred bytes
STATUS_PAGE = "status.html"  # Tree.status_page, below the outbox
_MAX_STATUS_PAGE = 4 * 1024 * 1024  # a status page of many divisions is ~100 KB
_COMMENT = (
    b"# Kepala rantai log kejadian kinerja (baris kejadian_terakhir terbesar yang berlaku). "
    b"Jangan dihapus atau diubah: kinerja verify memakainya untuk menemukan kejadian yang hilang."
)
_HEADER = len(_COMMENT) + 1
_SLOT = 256  # bytes per head, newline included
_sync = getattr(os, "fdatasync", os.fsync)  # no fdatasync on Windows


class AnchorUnreadable(Exception):
    """The anchor file exists but holds no valid head (damaged or edited by hand)."""


@dataclass(frozen=True)
class Head:
    """The newest row of the log: its id and hash, how many events there were, and when."""

    id: int
    row_hash: str
    events: int
    at_utc: str = ""


def anchor_path(archive_dir: Path) -> Path:
    """Where the head of the log in `archive_dir` is kept (beside the health file)."""
    return archive_dir / ANCHOR_NAME


def _slot_bytes(head: Head) -> bytes:
    fields = {
        "kejadian_terakhir": head.id,
        "hash_baris": head.row_hash,
        "jumlah_kejadian": head.events,
        "waktu_utc": head.at_utc,
    }
    fields["cek"] = _checksum(fields)
    line = json.dumps(fields, separators=(",", ":")).encode()
    if len(line) >= _SLOT:
        raise ValueError(f"head too long for an anchor slot: {line!r}")
    return line.ljust(_SLOT - 1) + b"\n"


def _checksum(fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class AnchorWriter:
    """Writes each new head into its slot of the anchor file, synced.

    The file stays open between writes (reopening it for each tripled the cost); before each
    write one `os.stat` makes sure the path still names it, and an anchor a person deleted or
    replaced is laid out again. The first write into a file, whether this writer's first or a
    new file's, fills both slots (one after the other): a head left from before a rollback must
    not outlive the head that follows it.

    A head's sync runs in a thread of its own while the caller goes on (the service moves the
    file the event is about meanwhile); the next write, and `close`, wait for it first, so only
    one slot is ever unsynced and a power cut can tear at most that one. A crash before the sync
    leaves the anchor one head behind the log, as a crash between the commit and the write does.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._opened: Identity | None = None
        self._syncer = ThreadPoolExecutor(1, thread_name_prefix="kinerja-kepala")
        self._syncing: Future[None] | None = None
        self._lock = threading.Lock()  # appends from several threads: one write at a time

    def write(self, head: Head) -> None:
        """Write `head`, synced before the next write (OSError when the disk refuses this one or
        refused the last one's sync: the caller decides)."""
        with self._lock:
            self._settle()
            fd = self._fd
            if fd is None or identity(self.path) != self._opened:
                self._close_file()
                fd = self._open()
                _write_slot(fd, (head.id + 1) % 2, head)
                _sync(fd)
            _write_slot(fd, head.id % 2, head)
            self._syncing = self._syncer.submit(_sync, fd)

    def _settle(self) -> None:
        """Wait for the last head's sync; its OSError, if any, is raised here."""
        syncing, self._syncing = self._syncing, None
        if syncing is not None:
            syncing.result()

    def _open(self) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        try:
            if os.fstat(fd).st_size < _HEADER + 2 * _SLOT:  # new (or cut short): lay it out
                _write_at(fd, 0, _COMMENT + b"\n" + (b" " * (_SLOT - 1) + b"\n") * 2)
            self._opened = Identity.of(os.fstat(fd))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return fd

    def close(self) -> None:
        """Sync what was written and close the file; closing twice is harmless."""
        with self._lock:
            with contextlib.suppress(OSError):
                self._settle()
            self._close_file()
        self._syncer.shutdown()

    def _close_file(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = self._opened = None


def _write_slot(fd: int, slot: int, head: Head) -> None:
    _write_at(fd, _HEADER + slot * _SLOT, _slot_bytes(head))


def _write_at(fd: int, offset: int, data: bytes) -> None:
    if hasattr(os, "pwrite"):
        written = os.pwrite(fd, data, offset)
    else:  # Windows
        os.lseek(fd, offset, os.SEEK_SET)
        written = os.write(fd, data)
    if written != len(data):
        raise OSError(f"short write to the anchor file: {written} of {len(data)} bytes")


def read_anchor(path: Path) -> Head | None:
    """The head kept in `path`; None when there is no file; AnchorUnreadable when damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorUnreadable(exc.strerror or str(exc)) from exc
    heads = [head for line in data.splitlines() if (head := _parse_slot(line))]
    if not heads:
        raise AnchorUnreadable(f"tidak ada kepala rantai yang sah ({len(data)} bita)")
    return max(heads, key=lambda head: head.id)


def _parse_slot(line: bytes) -> Head | None:
    try:
        fields = json.loads(line)
        check = fields.pop("cek")
        if check != _checksum(fields):
            return None
        head = Head(
            id=int(fields["kejadian_terakhir"]),
            row_hash=str(fields["hash_baris"]),
            events=int(fields["jumlah_kejadian"]),
            at_utc=str(fields["waktu_utc"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    valid = head.id >= 1 and re.fullmatch(r"[0-9a-f]{64}", head.row_hash)
    return head if valid else None


def head_line(head: tuple[int, str] | None) -> str:
    """The line printed in reports; the full hash, so that `parse_head_line` can read it back."""
    if head is None:
        return f"{HEAD_LABEL}: log kosong"
    return f"{HEAD_LABEL}: #{head[0]} {head[1]}"


def parse_head_line(text: str) -> tuple[int, str] | None:
    """The (id, hash) in a text that contains a `head_line`, or None."""
    found = _HEAD_RE.search(text)
    return (int(found.group(1)), found.group(2)) if found else None


def report_heads(outbox: Path) -> list[tuple[Path, tuple[int, str]]]:
    """(report, head) for every `.xlsx` under `outbox` whose properties carry a `head_line`,
    and for the status page that prints one."""
    found = []
    for report in sorted(outbox.rglob("*.xlsx")) if outbox.is_dir() else []:
        try:
            with zipfile.ZipFile(report) as book:
                info = book.getinfo(_PROPERTIES)
                if info.file_size > _MAX_PROPERTIES:
                    continue
                text = book.read(info).decode("utf-8", "replace")
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            log.debug("no head in %s: %s", report, exc)
            continue
        head = parse_head_line(text)
        if head is not None:
            found.append((report, head))
    page = outbox / STATUS_PAGE
    try:  # the status page is rewritten after every event: the freshest head outside arsip/
        with page.open("rb") as stream:
            head = parse_head_line(stream.read(_MAX_STATUS_PAGE).decode("utf-8", "replace"))
    except OSError:
        head = None
    if head is not None:
        found.append((page, head))
    return found
