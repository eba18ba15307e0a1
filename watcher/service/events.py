"""What the observer tells the service, and the service's timing options.

`EventQueue` runs on the observer's thread and only turns file events into queued `Change`
values; all work happens in the worker (`watcher.service.watch.Service`).
"""

from __future__ import annotations

import os
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from watchdog import events as fs
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

# Only Linux's inotify tells that a writer closed a file. Windows' and macOS's observers (and
# polling) never do: there a written file settles on the quiet period alone, or it would wait
# `unclosed_seconds` for a close event that never comes. A rename into place is reported
# everywhere, and settles at once everywhere (`Change`).
NATIVE_CLOSE_EVENTS: Final = Observer.__name__ == "InotifyObserver"


# What `EventQueue` acts on, as the native observer's filter: its inotify mask then leaves out
# every open and every close after reading (the service's own reads of each file, a person's or
# a share's folder listings), which came by the thousand in a burst and were dropped here only
# after watchdog's thread had paired and queued each one.
HANDLED_EVENTS: Final = [fs.FileCreatedEvent, fs.FileModifiedEvent, fs.FileMovedEvent,
                         fs.FileDeletedEvent, fs.FileClosedEvent, fs.DirCreatedEvent,
                         fs.DirMovedEvent]  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ServiceOptions:
    polling: float | None = None  # seconds between polls; None = native events
    quiet_seconds: float = 0.5  # a file must stay unchanged this long (no close event)
    # A complete file (renamed into place, closed after writing) waits only this long: a sync
    # tool replacing one name again and again is still handed over once, after its last save.
    settle_seconds: float = 0.02
    rescan_seconds: float = 30.0  # periodic full scan, the net under lost events
    retry_seconds: float = 10.0  # first retry after a permission error or a full disk ...
    retry_max_seconds: float = 600.0  # ... doubling each time up to this
    unclosed_seconds: float = 60.0  # native: a written file waits this long for its close event
    close_events: bool = NATIVE_CLOSE_EVENTS  # wait for close-after-write (native mode only)
    sweep_minutes: float = 5.0  # warnings, lateness and the dispositions' catch-up
    office_jobs: bool = True  # issue dispositions and sweep deadlines (off in routing tests)
    # Samba full_audit log: who renamed a file (watcher/share/audit.py)
    audit_log: Path | None = None


DEFAULT_OPTIONS: Final = ServiceOptions()


@dataclass(frozen=True)
class Change:
    """One thing the observer saw, for the worker.

    kind: "scan" (a folder appeared: look inside), "gone" (deleted or moved away), "moved"
    (renamed from `source` to `path`: complete, as the writer finished before renaming),
    "written" and "closed" (native close events: bytes written, then the writer closed it),
    "touch" (anything else: settles on the quiet period); "wake" (not from the observer: the
    service is asked to stop, so its sleeping loop looks at once).
    """

    kind: str
    path: Path
    source: Path | None = None  # "moved" only


class EventQueue(FileSystemEventHandler):
    """Runs on the observer thread: turns events into queued `Change` values, nothing more."""

    def __init__(self, items: queue.Queue[Change], *, use_close: bool) -> None:
        self.items, self.use_close = items, use_close

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        source = Path(os.fsdecode(event.src_path))
        if event.is_directory:
            if kind in ("created", "moved"):
                folder = Path(os.fsdecode(event.dest_path)) if kind == "moved" else source
                self.items.put(Change("scan", folder))
            return
        if kind == "moved":
            self.items.put(Change("moved", Path(os.fsdecode(event.dest_path)), source))
        elif kind == "deleted":
            self.items.put(Change("gone", source))
        elif kind == "closed" and self.use_close:
            self.items.put(Change("closed", source))
        elif kind == "modified" and self.use_close:
            self.items.put(Change("written", source))  # bytes (attributes come as "attrib")
        elif kind in ("created", "modified", "closed"):
            self.items.put(Change("touch", source))
