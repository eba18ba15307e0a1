"""When has a file finished being written? And which files are never ours to handle?

`FileStabilityTracker` is pure bookkeeping: no threads, no sleeping; the clock and `stat` are
parameters. The service feeds it file events and asks it, now and then, which files are ready.
`is_ignored` names the temporary, lock and system files that editors, copy tools and file
managers leave in a shared folder; every other file is handled (refused with a message if it
is not a workbook), never skipped silently.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

# Shell-style patterns matched against each file or folder name, case-insensitively.
IGNORED_PATTERNS: Final[tuple[str, ...]] = (
    "~$*",  # Excel/Word owner file, present while someone has the workbook open
    ".~lock.*#",  # LibreOffice lock file
    ".*",  # hidden files and folders (Unix convention; also rsync's and Office's temp names)
    "Thumbs.db",  # thumbnail cache Windows Explorer writes into folders with pictures
    "desktop.ini",  # folder settings Windows Explorer writes
    ".DS_Store",  # folder settings macOS Finder writes (already hidden; listed for clarity)
    "[0-9a-f]" * 8,  # Excel saves into a temp file with 8 hex digits and no extension
    "*.tmp",  # temp files: Office's "~WRL0001.tmp" and LibreOffice's "lu*.tmp" during a save
    "*.crdownload",  # download still running in Chrome or Edge
    "*.part",  # download still running in Firefox; partial files of some copy tools
    "*.partial",  # download still running in older Edge / Internet Explorer
    "$RECYCLE.BIN",  # Windows recycle bin folder on shared drives
    "#recycle",  # recycle bin folder on Synology network drives
    "@eaDir",  # thumbnail folders a Synology network drive makes
)
_IGNORED_RE: Final = re.compile(
    "|".join(fnmatch.translate(pattern) for pattern in IGNORED_PATTERNS), re.IGNORECASE
)


def is_ignored(path: Path, root: Path | None = None) -> bool:
    """True for temp, lock and system files (see `IGNORED_PATTERNS`) that are never handled.

    Only the file name is checked, unless `root` is given: then every folder between `root`
    and the file counts too (a file inside `$RECYCLE.BIN` or `.stversions` is ignored), while
    the folders above `root` never do (a root inside a hidden folder still works).
    """
    names = [path.name]
    if root is not None and path.is_relative_to(root):
        names = list(path.relative_to(root).parts)
    return any(_IGNORED_RE.match(name) for name in names)


# What a file's stat must keep for it to count as unchanged: size, mtime and file identity
# (the inode changes when a save replaces the file through a rename, even if the copy tool
# preserved size and mtime).
Signature = tuple[int, int, int]


@dataclass
class _Pending:
    signature: Signature | None  # None: the file did not exist at the last look
    since: float  # monotonic time of the last event or change of signature
    complete: bool  # closed after writing or renamed into place, and nothing changed since


class FileStabilityTracker:
    """Decides when a file has finished being written.

    A file is ready when its size, mtime and identity have stayed the same for `quiet_seconds`
    with no new event for it, or, once it is known complete (`mark_complete`: a close-after-write
    event from Linux inotify, or a rename into place on any platform), once it stayed unchanged
    for `settle_seconds` (0: at the next stat). `ready()` returns such files once and stops
    tracking them. Covered cases:

    - chunked network copies: every chunk changes the size, so the quiet window restarts; a
      writer that pauses longer than `quiet_seconds` without closing would slip through here,
      so in native mode the service also waits for the writer's close-after-write event;
    - Excel's and Explorer's save (temp file, delete the original, rename temp -> original):
      the temp file is ignored, the original's deletion drops it as vanished, and the rename
      hands over a complete file: ready without the quiet period; a sync tool that replaces the
      same name again within `settle_seconds` restarts that short window, so the last one is
      handed over once;
    - a file deleted or moved away while pending: dropped, and listed by `vanished()`;
    - a file touched repeatedly (autosave, a sync tool): each event restarts the window, so it
      is handed over once, after the last change;
    - lost events (overflow, polling): `ready()` compares stats itself, so a change without
      an event still restarts the window.

    A writer that closes and reopens the file mid-copy can make the close fast path fire early;
    the service should not mark a close as complete for network shares (polling mode). A file
    renamed while a writer still holds it open is the caller's to hold back (the service waits
    for that writer's close event where it gets one).
    """

    def __init__(
        self,
        *,
        quiet_seconds: float = 0.5,
        settle_seconds: float = 0.0,
        stat: Callable[[Path], os.stat_result] = os.stat,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet_seconds, self.settle_seconds = quiet_seconds, settle_seconds
        self._stat = stat
        self._monotonic = monotonic
        self._pending: dict[Path, _Pending] = {}
        self._vanished: list[Path] = []

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, path: object) -> bool:
        return path in self._pending

    def touch(self, path: Path) -> None:
        """A file event arrived for `path`: (re)start its quiet window."""
        self._pending[path] = _Pending(self._look(path), self._monotonic(), complete=False)

    def mark_complete(self, path: Path) -> None:
        """`path` is written completely (closed after writing, renamed into place): ready once
        unchanged for `settle_seconds` instead of the quiet period."""
        self._pending[path] = _Pending(self._look(path), self._monotonic(), complete=True)

    def forget(self, path: Path) -> None:
        """Stop tracking `path` (for example: the service handled it another way)."""
        self._pending.pop(path, None)

    def ready(self) -> list[Path]:
        """Files written completely, in the order first seen; no longer tracked afterwards.

        Files that no longer exist are dropped and kept for `vanished()`. A file whose stat
        fails otherwise (a share that blinks out: EIO, ESTALE) stays pending and restarts its
        window: it is not gone, and not known to be complete either.
        """
        now = self._monotonic()
        settled: list[Path] = []
        for path, pending in list(self._pending.items()):
            try:
                signature = self._signature(path)
            except OSError as exc:
                log.warning("%s tidak dapat diperiksa (stat), dilihat lagi nanti: %s", path, exc)
                self._pending[path] = _Pending(pending.signature, now, complete=False)
                continue
            if signature is None:
                del self._pending[path]
                self._vanished.append(path)
            elif signature != pending.signature:
                self._pending[path] = _Pending(signature, now, complete=False)
            elif now - pending.since >= self._wait(pending):
                del self._pending[path]
                settled.append(path)
        return settled

    def vanished(self) -> list[Path]:
        """Files that disappeared while pending, since the last call (each reported once).

        A name that is pending again (Excel's save deletes the file, then renames a new one
        into its place) is not reported.
        """
        gone = [path for path in dict.fromkeys(self._vanished) if path not in self._pending]
        self._vanished = []
        return gone

    def next_check_in(self) -> float | None:
        """Seconds until the earliest pending file may be ready (0 = now); None if none pending.

        The service can wait on its event queue this long instead of polling.
        """
        if not self._pending:
            return None
        now = self._monotonic()
        waits = (pending.since + self._wait(pending) - now for pending in self._pending.values())
        return max(0.0, min(waits))

    def _wait(self, pending: _Pending) -> float:
        return self.settle_seconds if pending.complete else self.quiet_seconds

    def _signature(self, path: Path) -> Signature | None:
        """None if `path` does not exist; any other stat failure raises OSError."""
        try:
            info = self._stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return (info.st_size, info.st_mtime_ns, info.st_ino)

    def _look(self, path: Path) -> Signature | None:
        """The signature at an event; unknown (None) if stat fails, so `ready` looks again."""
        try:
            return self._signature(path)
        except OSError as exc:
            log.warning("%s tidak dapat diperiksa (stat), dilihat lagi nanti: %s", path, exc)
            return None
