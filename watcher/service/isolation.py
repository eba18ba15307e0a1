"""One file's handling, isolated: whatever happens to one file, the worker goes on.

- A lost record (`RecordLostError`: the archive or the log deleted or replaced under the
  service) is never handled per file: it propagates and the service stops loudly.
- A failure that is not the file's fault (permission denied, disk full, a file still locked,
  the master data missing) is recorded once per file and cause, not at every try, and retried
  with exponential back-off (`watcher.service.backoff`); its recovery is recorded once (RECEIVED).
- Anything unforeseen moves that one file to `karantina/` with a notice
(`watcher.service.quarantine`)
  and records it (ERROR, with the quarantine as `to_path`).
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from watcher.errors import KinerjaError, RecordLostError
from watcher.masterdata.source import MasterUnavailable
from watcher.record.store import Event, Outcome
from watcher.service.backoff import Backoff
from watcher.service.names import printable
from watcher.service.pipeline import Handled, Pipeline
from watcher.service.quarantine import quarantine
from watcher.service.tree import Tree

log = logging.getLogger(__name__)


class Isolation:
    def __init__(self, tree: Tree, backoff: Backoff, now: Callable[[], datetime]) -> None:
        self.tree, self.backoff, self.now = tree, backoff, now

    def handle(self, pipeline: Pipeline, path: Path) -> tuple[Handled, os.stat_result] | None:
        """`pipeline.handle(path)` and the name's lstat; None when it failed or was held back."""
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            self.backoff.forget(path)
            return None
        except OSError as exc:
            self._failed(pipeline, path, exc.strerror or str(exc), None)
            return None
        if self.backoff.holding(path, signature(info)):
            return None
        try:
            handled = pipeline.handle(path)
        except RecordLostError:
            raise  # the record is gone: stop loudly, never write into a ghost record
        except FileNotFoundError:
            self.backoff.forget(path)
            return None
        except MasterUnavailable as exc:
            self._failed(pipeline, path, exc.message, signature(info), kind="master")
            return None
        except (OSError, KinerjaError) as exc:
            message = getattr(exc, "message", None) or _os_reason(exc)
            self._failed(pipeline, path, message, signature(info))
            return None
        except Exception as exc:  # unforeseen: this one file is quarantined, never the service
            self._quarantine(pipeline, path, exc)
            return None
        self._recovered(pipeline, path)
        return handled, info

    def _failed(self, pipeline: Pipeline, path: Path, message: str,
                signature: tuple[int, ...] | None, *, kind: str = "file") -> None:  # fmt: skip
        """Record a failure once per file and cause; the back-off decides the next try."""
        if self.backoff.failed(path, message, kind=kind, signature=signature):
            log.warning("Gagal memproses %s, dicoba lagi nanti: %s", printable(str(path)), message)
            self._record(pipeline, Event(outcome=Outcome.ERROR, from_path=_relative(pipeline, path),
                                         message=f"{printable(path.name)}: {message}"))  # fmt: skip

    def _recovered(self, pipeline: Pipeline, path: Path) -> None:
        failure = self.backoff.succeeded(path)
        if failure is None:
            return
        name = printable(path.name)
        log.info("%s dapat diproses lagi setelah gagal: %s", name, failure.cause)
        self._record(pipeline, Event(
            outcome=Outcome.RECEIVED, from_path=_relative(pipeline, path),
            message=f"{name}: dapat diproses lagi (sebelumnya gagal {failure.attempts} kali: "
            f"{failure.cause}).",
        ))  # fmt: skip

    def _quarantine(self, pipeline: Pipeline, path: Path, exc: Exception) -> None:
        """An unforeseen error: move this one file to `karantina/` with a notice, and go on."""
        log.exception("Kesalahan tak terduga pada %s; berkas dikarantina", printable(str(path)))
        reason = f"kesalahan program yang tidak terduga ({type(exc).__name__})"
        relative = _relative(pipeline, path)
        parts = path.relative_to(self.tree.inbox).parts
        division = parts[0] if len(parts) > 1 else None
        try:
            if not os.path.lexists(path):
                return
            moved = quarantine(self.tree, path, division=division, shown_from=relative,
                               reason=reason, moment=self.now())  # fmt: skip
        except RecordLostError:
            raise
        except Exception as failure:  # it stays where it is, waits, and is recorded once
            self._failed(pipeline, path, f"{reason}; karantina gagal: {failure}", None)
            return
        self._record(pipeline, Event(
            outcome=Outcome.ERROR, division=_known_division(pipeline, path),
            from_path=relative, to_path=_relative(pipeline, moved),
            message=f"{printable(path.name)}: {reason}; berkas dipindahkan ke karantina.",
        ))  # fmt: skip

    def _record(self, pipeline: Pipeline, event: Event) -> None:
        try:
            pipeline.store.append(event)
        except RecordLostError:
            raise
        except KinerjaError:
            log.warning("Log kejadian juga gagal ditulis.")


def signature(info: os.stat_result) -> tuple[int, ...]:
    """What must change for a waiting file to be tried at once (mode: permissions fixed)."""
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode)


def _relative(pipeline: Pipeline, path: Path) -> str | None:
    try:
        return pipeline.relative(path)
    except ValueError:
        return None


_OS_REASONS = {  # the system's strerror is English; the office reads these
    errno.EACCES: "tidak ada izin membaca atau memindahkan berkas",
    errno.EPERM: "tidak ada izin membaca atau memindahkan berkas",
    errno.ENOSPC: "disk penuh",
    getattr(errno, "EDQUOT", errno.ENOSPC): "disk penuh",
    errno.EROFS: "disk hanya dapat dibaca",
    errno.ENAMETOOLONG: "nama atau jalur berkas terlalu panjang",
    errno.EBUSY: "berkas sedang dipakai program lain",
    errno.ETXTBSY: "berkas sedang dipakai program lain",
    errno.EIO: "kesalahan baca/tulis disk",
    errno.ENOTDIR: "ada berkas di tempat yang seharusnya folder",
    errno.EISDIR: "ada folder di tempat yang seharusnya berkas",
    errno.EEXIST: "sudah ada berkas atau folder dengan nama itu di tempat tujuan",
}


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"kesalahan sistem berkas ({errno.errorcode.get(exc.errno, exc.errno)})"
    return str(exc)


def _known_division(pipeline: Pipeline, path: Path) -> str | None:
    """The division of `path` if the master data knows it (for the event), else None."""
    try:
        return pipeline.place(path, pipeline.master()).division
    except Exception:  # the master itself may be what failed
        return None
