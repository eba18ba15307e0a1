"""What the observer tells the service, and the service's timing options.

`EventQueue` runs on the observer's thread and only turns file events into queued (kind, path)
pairs; all work happens in the worker (`watcher.service.watch.Service`).
"""

from __future__ import annotations

import os
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

# Only Linux's inotify tells that a writer closed a file. Windows' and macOS's observers (and
# polling) never do: there a file settles on the quiet period alone, or it would wait
# `unclosed_seconds` for a close event that never comes.
NATIVE_CLOSE_EVENTS: Final = Observer.__name__ == "InotifyObserver"


@dataclass(frozen=True, kw_only=True)
class ServiceOptions:
    polling: float | None = None  # seconds between polls; None = native events
    quiet_seconds: float = 0.5  # a file must stay unchanged this long (no close event)
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


class EventQueue(FileSystemEventHandler):
    """Runs on the observer thread: turns events into queued (kind, path) pairs, nothing more."""

    def __init__(self, items: queue.Queue[tuple[str, Path]], *, use_close: bool) -> None:
        self.items, self.use_close = items, use_close

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        source = Path(os.fsdecode(event.src_path))
        if event.is_directory:
            if kind in ("created", "moved"):
                self.items.put(
                    ("scan", Path(os.fsdecode(event.dest_path)) if kind == "moved" else source)
                )
            return
        if kind == "moved":
            self.items.put(("gone", source))
            self.items.put(("touch", Path(os.fsdecode(event.dest_path))))
        elif kind == "deleted":
            self.items.put(("gone", source))
        elif kind == "closed" and self.use_close:
            self.items.put(("closed", source))
        elif kind == "modified" and self.use_close:
            self.items.put(("written", source))  # bytes written (attributes come as "attrib")
        elif kind in ("created", "modified", "closed"):
            self.items.put(("touch", source))
