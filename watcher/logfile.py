"""`kinerja watch --log-file FILE`: the service's log in a file that rotates by itself.

Under systemd the log goes to the journal (which rotates it); on Windows, where the Task
Scheduler keeps no output, the service writes its own file: when it reaches `max_bytes` it is
renamed `FILE.1` (the older ones `.2` ... up to `backups`) and a new one is started, so the disk
never fills with logs.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file(path: Path, *, level: int = logging.INFO, max_bytes: int = MAX_BYTES,
                backups: int = BACKUPS, logger: str = "watcher") -> logging.Handler:  # fmt: skip
    """Also send `logger`'s records at `level` and above to `path`, rotated; return the handler.

    The caller removes the handler (and closes it) when the service stops.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    if target.getEffectiveLevel() > level:
        target.setLevel(level)
    return handler
