"""The master data as the running service sees it: reloaded when a new version is saved."""

from __future__ import annotations

import logging
from pathlib import Path

from watcher.errors import KinerjaError
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData

log = logging.getLogger(__name__)


class MasterUnavailable(KinerjaError):
    """The master workbook is missing or cannot be read: files wait until it is back."""


class MasterSource:
    """The master data, reloaded when the planning section saves a new version.

    A broken new version is reported in the log and the last good one stays in use. A missing
    or unreadable workbook raises MasterUnavailable: nobody can tell which divisions exist, so
    files wait (visibly, in the health file and `kinerja status`) until it is back.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._master: MasterData | None = None

    def __call__(self) -> MasterData:
        try:
            info = self.path.stat()
        except OSError as exc:
            if self._master is None:
                raise
            reason = "tidak ada" if isinstance(exc, FileNotFoundError) else "tidak dapat dibaca"
            raise MasterUnavailable(
                f"data induk {self.path.name} {reason}; berkas menunggu sampai data induk "
                "tersedia lagi"
            ) from exc
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            try:
                self._master = load_master(self.path)
            except KinerjaError as exc:
                if self._master is None:
                    raise
                log.warning("Data induk baru bermasalah; data lama tetap dipakai.\n%s", exc.message)
            self._stamp = stamp
        assert self._master is not None
        return self._master
