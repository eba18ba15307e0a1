"""Files that failed and wait: one record per file and cause, retried with exponential back-off.

A permission error, a full disk or a file still locked is not the file's fault and usually
passes. The service notes each failure here: the first failure of a file, or a new cause,
returns True (record it once); the same cause again does not. The next try waits
`first_seconds`, doubling each time up to `cap_seconds`. A file whose stat changes (someone
fixed the permissions, saved it again) is tried again at once, and so are the files waiting
for one cause that is known to be gone (`release`, e.g. the master data is back).
`waiting()` lists them with their reasons for the health file and `kinerja status`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from watcher.record.store import format_utc, utc_now
from watcher.service.names import printable

Signature = tuple[int, ...]


@dataclass
class Failure:
    cause: str  # Indonesian, as recorded
    kind: str  # "master" for the master data, "file" otherwise
    since: datetime
    attempts: int
    due: float  # monotonic
    signature: Signature | None
    queued: bool = False  # handed back for a try, not yet tried


class Backoff:
    def __init__(self, *, first_seconds: float, cap_seconds: float,
                 monotonic: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = utc_now) -> None:  # fmt: skip
        self.first, self.cap, self.monotonic, self.now = first_seconds, cap_seconds, monotonic, now
        self._failures: dict[Path, Failure] = {}

    def __contains__(self, path: object) -> bool:
        return path in self._failures

    def failed(self, path: Path, cause: str, *, kind: str = "file",
               signature: Signature | None = None) -> bool:  # fmt: skip
        """Note a failure; True if it is new for this file (or its cause changed)."""
        known = self._failures.get(path)
        attempts = known.attempts + 1 if known and known.cause == cause else 1
        delay = min(self.cap, self.first * 2 ** (attempts - 1))
        since = known.since if known and known.cause == cause else self.now()
        self._failures[path] = Failure(cause, kind, since, attempts, self.monotonic() + delay,
                                       signature)  # fmt: skip
        return attempts == 1

    def succeeded(self, path: Path) -> Failure | None:
        """The file was handled: forget it; its failure, if it had one (record the recovery)."""
        return self._failures.pop(path, None)

    def forget(self, path: Path) -> None:
        self._failures.pop(path, None)

    def holding(self, path: Path, signature: Signature | None) -> bool:
        """True while `path` waits for its next try and has not changed since it failed."""
        failure = self._failures.get(path)
        if failure is None:
            return False
        if failure.queued or signature != failure.signature:
            return False
        return failure.due > self.monotonic()

    def release(self, kind: str) -> None:
        """The cause of every failure of `kind` is gone: try those files now."""
        for failure in self._failures.values():
            if failure.kind == kind:
                failure.due = self.monotonic()

    def waits_for(self, kind: str) -> bool:
        return any(failure.kind == kind for failure in self._failures.values())

    def due(self) -> list[Path]:
        """Files whose next try is due (they stay noted until they succeed or vanish)."""
        now = self.monotonic()
        found = [p for p, f in self._failures.items() if f.due <= now and not f.queued]
        for path in found:
            self._failures[path].queued = True
        return found

    def next_due_in(self) -> float | None:
        dues = [f.due for f in self._failures.values() if not f.queued]
        return max(0.0, min(dues) - self.monotonic()) if dues else None

    def waiting(self) -> list[dict[str, object]]:
        """For the health file: every waiting file with its reason, oldest first."""
        rows = sorted(self._failures.items(), key=lambda item: item[1].since)
        return [
            {
                "berkas": printable(str(path)),
                "alasan": failure.cause,
                "sejak_utc": format_utc(failure.since),
                "percobaan": failure.attempts,
            }
            for path, failure in rows
        ]
