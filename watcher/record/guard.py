"""The record defends itself: against vanishing under a running service, and rolling back.

While the service runs, `RecordGuard.check()` (a handful of `os.stat` calls, cheap enough for
every loop tick) tells that the archive folder, the archived originals' folder, the event log or
its `-wal`, or the lock file were deleted or replaced, and raises `RecordLostError`: SQLite would
otherwise go on writing into an unlinked file and a second service could take a new lock.

Before the service opens the log, `check_at_start(tree)` compares the head kept in
`arsip/kepala_log.json` (`watcher.record.anchor`) with the database on disk:
- a fresh tree has neither: nothing to say;
- a normal restart finds the anchor's row in the log with the same hash: nothing to say;
- an old tree (before the anchor existed) has a log and no anchor: normal, the first append
  writes it;
- a log restored from an older copy, a lost `-wal`, or newest rows deleted together with the
  AUTOINCREMENT counter leave the anchor ahead of the log; a deleted or damaged log leaves an
  anchor with no log: each is described ("Riwayat log hilang: ...") for one ERROR event and the
  health file. A whole `arsip/` restored from a backup carries its own anchor and looks like a
  normal restart; `kinerja verify` still sees the loss in the heads printed in `outbox/` reports.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from watcher.record.anchor import AnchorUnreadable, Head, anchor_path, read_anchor, report_heads
from watcher.record.identity import Watched, raise_if_lost
from watcher.record.snapshot import LogSnapshot, LogState, read_log
from watcher.record.store import Event, Outcome, Store
from watcher.service.lock import ServiceLock
from watcher.service.tree import Tree

LOST_PREFIX = "Riwayat log hilang"
ROLLBACK_CAUSE = (
    "Log dikembalikan ke keadaan lama: berkas -wal hilang, salinan lama dipulihkan, atau baris "
    "terbaru dihapus bersama penghitungnya."
)
STATE_TEXT = {
    LogState.MISSING: "tidak ada",
    LogState.EMPTY: "kosong",
    LogState.NOT_A_DB: "bukan basis data SQLite",
    LogState.DAMAGED: "rusak atau terpotong",
    LogState.UNREADABLE: "tidak dapat dibaca",
}


class RecordGuard:
    """Identities of the record's parts as the service opened them; `check()` every tick.

    Open it after the lock and the store. It keeps `arsip/` and `arsip/berkas/` open so their
    inodes cannot be reused by a folder created in their place.
    """

    def __init__(self, tree: Tree, *, store: Store, lock: ServiceLock | None = None) -> None:
        tree.archive_files.mkdir(parents=True, exist_ok=True)
        self.store, self.lock = store, lock
        self._folders = [
            Watched.now(tree.archive, "folder arsip", hold=True),
            Watched.now(tree.archive_files, "folder salinan berkas asli", hold=True),
        ]

    def problems(self) -> list[str]:
        """Indonesian sentences, one per part deleted or replaced since the guard opened."""
        found = [problem for folder in self._folders if (problem := folder.problem())]
        found += self.store.file_problems()
        lock_problem = self.lock.problem() if self.lock else None
        return found + ([lock_problem] if lock_problem else [])

    def check(self) -> None:
        """Raise `RecordLostError` naming everything that vanished; cheap (a few `os.stat`)."""
        raise_if_lost(self.problems())

    def close(self) -> None:
        for folder in self._folders:
            folder.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self.close()


def check_at_start(tree: Tree) -> list[str]:
    """What the log lost since the anchor was written (Indonesian), or [] when nothing.

    Reads only; call it before opening the store (which would create a missing log).
    """
    path = anchor_path(tree.archive)
    try:
        head = read_anchor(path)
    except AnchorUnreadable as exc:
        return [f"Kepala rantai log {path} rusak ({exc}); kejadian yang hilang tidak dapat "
                "diketahui. Jalankan kinerja verify."]  # fmt: skip
    if head is not None:
        found = lost_history(read_log(tree.store_path), head, f"kepala rantai {path.name}")
        return [found] if found else []
    # No anchor: a fresh or an old tree, or a whole arsip/ deleted. The heads printed in the
    # reports tell the last apart: a new log must not start over a history that existed.
    printed = max(report_heads(tree.outbox), key=lambda item: item[1][0], default=None)
    if printed is None:
        return []
    report, (ident, digest) = printed
    source = f"laporan {report.relative_to(tree.root).as_posix()}"
    found = lost_history(read_log(tree.store_path), Head(ident, digest, 0), source, count=False)
    return [found] if found else []


def lost_event(description: str) -> Event:
    """The ERROR event the service records for one `check_at_start` description."""
    return Event(outcome=Outcome.ERROR, message=description)


def lost_history(log: LogSnapshot, head: Head, source: str, *, count: bool = True) -> str | None:
    """Describe how `log` falls short of `head` as written in `source`, or None if it does not.

    `head.events` may be 0 when the source (a report) knows only the id and the hash. With
    `count`, fewer events up to the head than it counted (rows deleted in the middle) is a loss
    too; `kinerja verify` leaves that to its chain check, which names the rows.
    """
    where = f"{source} mencatat #{head.id} {head.row_hash[:12]}…"
    if log.state is not LogState.OK:
        detail = f" ({log.detail})" if log.detail else ""
        return (
            f"{LOST_PREFIX}: log kejadian {log.path} {STATE_TEXT[log.state]}{detail}, padahal "
            f"{where} ({max(head.events, head.id)} kejadian). Pulihkan log dari cadangan."
        )
    found = log.hash_of(head.id)
    last = log.last_id
    if found is None and head.id > last:
        lost = f"#{last + 1}" if head.id == last + 1 else f"#{last + 1}–#{head.id}"
        return (
            f"{LOST_PREFIX}: kejadian {lost} tidak ada lagi ({where}; log kini berakhir di "
            f"#{last}). {ROLLBACK_CAUSE}"
        )
    if found is None:
        return f"{LOST_PREFIX}: kejadian #{head.id} tidak ada lagi ({where}); baris telah dihapus."
    if found != head.row_hash:
        return (
            f"Log kejadian DIGANTI atau ditulis ulang: baris #{head.id} memiliki hash lain "
            f"(kini {found[:12]}…, sedangkan {where})."
        )
    kept = sum(1 for record in log.records if record["id"] <= head.id)
    if count and head.events > kept:
        return (
            f"{LOST_PREFIX}: {head.events - kept} kejadian sampai #{head.id} tidak ada lagi "
            f"({source} mencatat {head.events} kejadian, log kini {kept})."
        )
    return None
