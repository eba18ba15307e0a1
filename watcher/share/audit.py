"""Who put a file where it is, from Samba's `full_audit` log.

A rename keeps a file's owner, so when the Kabid moves a clerk's report into `disetujui` the file
still belongs to the clerk. Samba's `vfs_full_audit` module logs every rename made through the
share with the user who made it; `watcher.share.samba` configures it to write lines like


kinerja-audit|kabid.dafduk|10.0.0.21|renameat|ok|/srv/kinerja/inbox/.../x.xlsx|/srv/.../disetujui/x.xlsx

into one file (`log level = 0 full_audit:1@FILE`, a Samba debug-class log, or through syslog:
only the text from the marker on is read, so either form works). `ShareActors` follows that
file and answers, for a file the service is about to record, the user of the newest successful
rename *into* that path; with none (a plain save or copy) the file's owner, as Samba wrote it.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

MARKER = "kinerja-audit"
PREFIX = f"{MARKER}|%u|%I"  # full_audit:prefix: the Unix user and the client's address
RENAMES = frozenset({"renameat", "rename"})  # Samba >= 4.14 logs renameat, older rename
MAX_REMEMBERED = 10_000  # paths kept in memory; the oldest are forgotten first
_V = TypeVar("_V")
_Identity = tuple[int, int, int]  # inode, mtime (ns), size: "the same file is still there"


@dataclass(frozen=True)
class AuditEntry:
    """One audited operation: who, from where, what, whether it succeeded, on which paths."""

    user: str
    address: str
    operation: str
    ok: bool
    paths: tuple[str, ...]


def parse_line(line: str) -> AuditEntry | None:
    """The entry in one line of the log, or None for any other line (headers, noise)."""
    start = line.find(MARKER + "|")
    if start < 0:
        return None
    fields = line[start:].rstrip("\r\n").split("|")
    if len(fields) < 6:
        return None
    _, user, address, operation, result, *paths = fields
    return AuditEntry(user, address, operation, result == "ok", tuple(paths))


class AuditLog:
    """Reads the lines appended to the audit log since the last call; survives rotation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file being read
        self._offset = 0
        self._partial = b""

    def new_entries(self) -> list[AuditEntry]:
        try:
            with self.path.open("rb") as stream:
                info = os.fstat(stream.fileno())
                identity = (info.st_dev, info.st_ino)
                if identity != self._identity or info.st_size < self._offset:
                    # A new file (rotated, or truncated by Samba's max log size): from the top.
                    self._identity, self._offset, self._partial = identity, 0, b""
                stream.seek(self._offset)
                data = self._partial + stream.read()
                self._offset = stream.tell()
        except FileNotFoundError:
            return []  # Samba has not logged anything yet
        complete, _, self._partial = data.rpartition(b"\n")
        lines = complete.decode("utf-8", errors="replace").splitlines()
        return [entry for entry in map(parse_line, lines) if entry is not None]


class ShareActors:
    """An actor resolver for the pipeline: the user who put a file at its path.

    Each rename into a path is kept with the identity (inode, mtime, size) of the file found
    there when the log is read, which is soon after the rename: the service reads the log when
    it handles the file. The renamer is the answer while that same file is at the path; for
    any other file there (saved or copied later, changed in place) the answer is its owner.
    The log is read from its beginning when the service starts, so a Kabid's decision made
    while the service was stopped is still his.
    """

    def __init__(self, audit_log: Path, *, owner: Callable[[Path], str | None]) -> None:
        self.log = AuditLog(audit_log)
        self.owner = owner
        self._moved_in: OrderedDict[str, tuple[str, _Identity | None]] = OrderedDict()
        self.problem: str | None = None  # why the log cannot be read, while it cannot

    def __call__(self, path: Path) -> str | None:
        self.follow()
        found = self._moved_in.get(os.path.realpath(path))
        if found is not None and found[1] == _identity(path):
            return found[0]
        return self.owner(path)

    def follow(self) -> None:
        """Take in the renames the log gained; `problem` says why while it cannot be read.

        The service calls this at start and at every rescan as well, so health and status
        warn about an unreadable log before the first approval is recorded under a clerk.
        """
        try:
            entries = self.log.new_entries()
        except OSError as exc:
            if self.problem is None:  # loudly, once per spell, not for every file
                log.error("%s", unreadable_message(self.log.path, exc))
            self.problem = unreadable_message(self.log.path, exc)
            return
        if self.problem is not None:
            log.warning("Log audit Samba %s dapat dibaca lagi.", self.log.path)
        self.problem = None
        renamed: dict[str, str] = {}  # target -> user, the newest rename into it
        for entry in entries:
            if entry.ok and entry.operation in RENAMES and len(entry.paths) >= 2:
                source, target = (os.path.realpath(p) for p in entry.paths[:2])
                renamed.pop(source, None)  # whatever was moved there has left
                self._moved_in.pop(source, None)
                renamed[target] = entry.user
        for target, user in renamed.items():
            _remember(self._moved_in, target, (user, _identity(Path(target))))


def unreadable_message(path: Path, exc: OSError) -> str:
    """What health and status say while the service cannot read the audit log."""
    return (
        f"Log audit Samba {path} tidak dapat dibaca ({exc.strerror or exc}): persetujuan dan "
        "pengembalian oleh pemeriksa tercatat atas nama pemilik berkas, bukan pemeriksa. Beri "
        "akun layanan izin baca log itu (deploy/README.md, langkah 5)."
    )


def _identity(path: Path) -> _Identity | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _remember(table: OrderedDict[str, _V], key: str, value: _V) -> None:
    table.pop(key, None)
    table[key] = value
    while len(table) > MAX_REMEMBERED:
        table.popitem(last=False)


def share_actors(audit_log: Path | None, *, owner: Callable[[Path], str | None]
                 ) -> ShareActors | None:  # fmt: skip
    """The pipeline's actor resolver for a Samba audit log; None (the owner) without one."""
    return None if audit_log is None else ShareActors(audit_log, owner=owner)
