"""While `kinerja watch` runs, the office's record goes to the centre in the background.

A thread of its own pushes (`watcher.central.push`) every `[pusat] kirim_tiap` minutes, and
soon after the log grows (the service wakes it), but never more often than every
`MIN_GAP_SECONDS`. The routing of files never waits for the network: a push that fails is
logged once, written to `arsip/pusat.json`, and tried again later; the office goes on working
offline, and the next push starts from the centre's own high-water mark, so nothing is lost or
doubled however often a connection breaks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from watcher.central.centre import Centre, CentreError
from watcher.central.credentials import Credentials
from watcher.central.push import push, remember_failure
from watcher.errors import KinerjaError
from watcher.masterdata.model import MasterData
from watcher.record.store import Event, Store
from watcher.service.tree import Tree
from watcher.sop.model import Sop

log = logging.getLogger(__name__)

MIN_GAP_SECONDS = 10.0


class CentralSender:
    def __init__(
        self,
        tree: Tree,
        sop: Sop,
        master: Callable[[], MasterData],
        credentials: Credentials,
        *,
        every_seconds: float,
        now: Callable[[], datetime],
        min_gap_seconds: float = MIN_GAP_SECONDS,
    ) -> None:
        self.tree, self.sop, self.master, self.credentials = tree, sop, master, credentials
        self.every, self.min_gap, self.now = every_seconds, min_gap_seconds, now
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="kinerja-kirim", daemon=True)
        self.pushes = 0  # successful pushes (tests wait on it)
        self.last_problem = ""

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def __call__(self, _store: Store, events: list[Event]) -> None:
        """A service listener: new events wake the sender."""
        if events:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.push_once()
            self._wake.wait(self.every)
            if self._stop.wait(self.min_gap):  # several wakes in a burst: one push
                return
            self._wake.clear()

    def push_once(self) -> bool:
        """One push; True if it succeeded. Never raises: the service must go on."""
        try:
            with Store(self.tree.store_path, keep_anchor=False) as store, \
                    Centre(self.credentials.url) as centre:  # fmt: skip
                result = push(self.tree, store, centre, self.credentials.office_id,
                              sop=self.sop, master=self.master(), now=self.now)  # fmt: skip
        except KinerjaError as exc:
            self._failed(exc.message, transient=isinstance(exc, CentreError) and exc.transient)
            return False
        except Exception as exc:  # the sender must never take the service down
            log.exception("pengiriman ke pusat gagal")
            self._failed(f"Pengiriman ke pusat gagal: {exc}", transient=False)
            return False
        self.pushes += 1
        if self.last_problem:
            log.info("Pengiriman ke pusat pulih: %s", result.text())
        elif result.stored or result.submissions:
            log.info("%s", result.text())
        self.last_problem = ""
        return True

    def _failed(self, message: str, *, transient: bool) -> None:
        if message != self.last_problem:  # said once, not every few minutes
            log.warning("%s", message if transient else f"{message} Diulang nanti.")
        remember_failure(self.tree, self.credentials.office_id, message, self.now())
        self.last_problem = message  # after the file: whoever sees it set finds pusat.json too
