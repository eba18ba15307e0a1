"""The service's log lines: on the console of `kinerja watch`, and in a file that rotates.

Every line starts with its time and the zone it is in ("2026-10-12 08:30:05 +0800"): a log
read on another machine, or after the clocks' zone changed, still tells when things happened.

`kinerja watch --log-file FILE`: under systemd the log goes to the journal (which rotates it);
on Windows, where the Task Scheduler keeps no output, the service writes its own file: when it
reaches `max_bytes` it is renamed `FILE.1` (the older ones `.2` ... up to `backups`) and a new
one is started, so the disk never fills with logs.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONSOLE_FORMAT = "%(asctime)s %(message)s"


class ZonedFormatter(logging.Formatter):
    """`%(asctime)s` in this machine's local time with its UTC offset."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def stamp_console() -> None:
    """Give the console's log lines (the root logger's handler on stderr) their time and zone."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
            handler.setFormatter(ZonedFormatter(CONSOLE_FORMAT))


def log_to_file(path: Path, *, level: int = logging.INFO, max_bytes: int = MAX_BYTES,
                backups: int = BACKUPS, logger: str = "watcher") -> logging.Handler:  # fmt: skip
    """Also send `logger`'s records at `level` and above to `path`, rotated; return the handler.

    The caller removes the handler (and closes it) when the service stops.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(ZonedFormatter(FORMAT))
    handler.setLevel(level)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    if target.getEffectiveLevel() > level:
        target.setLevel(level)
    return handler
