"""Offices of one kabupaten for the central-database tests: real office trees (copies of one
approved office), each with its own SQLite log and its own PostgreSQL role, and the checks that
what the centre holds is exactly each office's log.

`assert_centre_holds` is the after-every-scenario check: the centre's rows of the office are its
local log row for row (seq, prev_hash, row_hash, raw bytes), the chain recomputed in Python from
the PostgreSQL rows verifies, the columns read from the bytes agree, and the high-water mark is
the local head.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from support.pg_cluster import PgCluster
from watcher.central.centre import Centre, CentreError, Receipt
from watcher.central.push import PushResult, push
from watcher.central.schema import GENESIS_HASH
from watcher.central.signing import new_private_key, public_key_of
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.record.store import Event, Outcome, RawEvent, Store, raw_hash
from watcher.service.tree import Tree
from watcher.sop.model import Sop
from watcher.sop.tree_sop import resolve_sop

KABUPATEN = "7304"
START = datetime(2026, 10, 10, 0, 15, tzinfo=UTC)


@dataclass
class Office:
    """One office: its tree, its open log and its login role at the centre."""

    office_id: str
    tree: Tree
    store: Store
    role: str
    password: str
    sop: Sop
    master: MasterData
    appended: int = 0  # events this test appended (for distinct file hashes and times)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, pg: PgCluster, database: str) -> str:
        return pg.url(database, user=self.role, password=self.password)

    def head(self) -> int:
        head = self.store.head()
        return head[0] if head else 0

    def append(self, count: int, *, tag: str = "") -> None:
        """`count` more events of a division's working day (received, valid, moved, ...)."""
        with self.lock:
            first, self.appended = self.appended, self.appended + count
        for number in range(first, first + count):
            self.store.append(work_event(f"{self.office_id}{tag}", number))

    def push(self, centre: Centre, *, batch_size: int) -> PushResult:
        return push(self.tree, self.store, centre, self.office_id, sop=self.sop,
                    master=self.master, now=lambda: START, batch_size=batch_size)  # fmt: skip

    def close(self) -> None:
        self.store.close()

    def back_up(self, backup: Path) -> int:
        """Copy the log to `backup` (SQLite's online backup); the head it holds."""
        with (
            closing(sqlite3.connect(self.tree.store_path)) as source,
            closing(sqlite3.connect(backup)) as target,
        ):
            source.backup(target)
        return self.head()

    def restore(self, backup: Path) -> None:
        """Put the log back as it was in `backup` (the newer log's -wal and -shm gone)."""
        self.store.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.tree.store_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, self.tree.store_path)
        self.store = Store(self.tree.store_path)


OUTCOMES = (Outcome.RECEIVED, Outcome.VALID, Outcome.MOVED)
DIVISIONS = ("SEKRETARIAT", "PIAK", "DAFDUK", "CAPIL", "PDIP")


def work_event(seed: str, number: int) -> Event:
    """The `number`th event of a working day: each file received, found valid, moved on."""
    division = DIVISIONS[number // 3 % len(DIVISIONS)]
    file_hash = hashlib.sha256(f"{seed}/{number // 3}".encode()).hexdigest()
    name = f"inbox/{division}/3_bahan/Bahan_{division}_2026_TW3_{number // 3}.xlsx"
    outcome = OUTCOMES[number % 3]
    return Event(
        outcome=outcome, division=division, year=2026, quarter=3, step=3, file_hash=file_hash,
        from_path=name, to_path=name.replace("3_bahan", "4_") if outcome == "moved" else None,
        actor="analis", at_utc=START + timedelta(minutes=number), message=f"{seed} #{number}",
    )  # fmt: skip


def register(admin_url: str, office_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Register the kabupaten (once) and the offices; {office_id: (role, password)}."""
    with Centre(admin_url) as centre:
        if not centre.execute("SELECT 1 FROM kinerja.regions WHERE region_id = %s", (KABUPATEN,)):
            centre.add_region(KABUPATEN, "Kabupaten Jeneponto", kind="kabupaten")
        return {
            office_id: centre.add_office(office_id, f"Dinas {office_id}", region=KABUPATEN,
                                         public_key=public_key_of(new_private_key()))
            for office_id in office_ids
        }  # fmt: skip


def migrated_database(pg: PgCluster) -> str:
    """A new central database, migrated. Its commits are synchronous (PostgreSQL's default; the
    throwaway cluster turns it off for speed): a receipt an office saw survives a crash."""
    database = pg.create_database()
    with Centre(pg.url(database)) as centre:
        centre.migrate()
    with psycopg.connect(pg.url(), autocommit=True) as postgres:
        postgres.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = on')
    return database


def open_offices(pg: PgCluster, database: str, template: Tree, folder: Path,
                 office_ids: Sequence[str]) -> list[Office]:  # fmt: skip
    """Each office a copy of the approved `template` tree, registered with its own role, and
    one event of its own so that no two offices' logs are the same."""
    roles = register(pg.url(database), office_ids)
    sop, master = resolve_sop(template), load_master(template.master_path)
    offices = []
    for office_id in office_ids:
        tree = Tree(shutil.copytree(template.root, folder / office_id, symlinks=True))
        office = Office(office_id, tree, Store(tree.store_path), *roles[office_id], sop, master)
        office.store.append(Event(outcome=Outcome.STARTED, message=f"kantor {office_id}"))
        offices.append(office)
    return offices


def centre_rows(admin: Centre, table: str, office_id: str) -> list[tuple]:
    """The office's rows of `events` or `quarantine`, in sequence order, read as the owner."""
    if table == "events":
        return admin.execute(
            "SELECT seq, prev_hash, row_hash, raw, outcome, division, year, period, step,"
            " file_hash FROM kinerja.events WHERE office_id = %s ORDER BY seq", (office_id,)
        )  # fmt: skip
    return admin.execute(
        f"SELECT seq, row_hash, raw, held_hash FROM kinerja.{table} WHERE office_id = %s"
        " ORDER BY seq", (office_id,)
    )  # fmt: skip


def local_log(store: Store) -> list[RawEvent]:
    return store.raw_events(since_id=0, limit=10**9)


def assert_chain(rows: Sequence[tuple]) -> None:
    """The centre's rows of one office verify as a chain, recomputed here from their bytes."""
    previous = GENESIS_HASH
    for number, (seq, prev_hash, row_hash, raw, *columns) in enumerate(rows, start=1):
        assert seq == number, f"celah di #{number}"
        assert prev_hash == previous, f"#{seq} tidak menyambung"
        assert hashlib.sha256(prev_hash.encode("ascii") + bytes(raw)).hexdigest() == row_hash
        fields = json.loads(bytes(raw))
        read = [fields.get(name) for name in ("outcome", "division", "year", "quarter", "step",
                                              "file_hash")]  # fmt: skip
        assert list(columns) == read, f"kolom #{seq} tidak dibaca dari isinya"
        previous = row_hash


def assert_centre_holds(admin: Centre, office_id: str, log: Sequence[RawEvent]) -> None:
    """The centre holds exactly `log` for the office: nothing lost, nothing doubled."""
    rows = centre_rows(admin, "events", office_id)
    assert_chain(rows)
    held = [RawEvent(seq, prev, row_hash, bytes(raw)) for seq, prev, row_hash, raw, *_ in rows]
    assert held == list(log)
    assert admin.high_water(office_id) == (log[-1].seq if log else 0)


def assert_office_pushed(admin: Centre, office: Office) -> None:
    """After a push: the events equal the office's log, the approved readings are each held
    once, the profile once, and nothing was quarantined."""
    assert_centre_holds(admin, office.office_id, local_log(office.store))
    approved = {e.file_hash for e in office.store.events(outcome=Outcome.APPROVED)}
    held = admin.execute("SELECT file_hash FROM kinerja.submissions WHERE office_id = %s",
                         (office.office_id,))  # fmt: skip
    profiles = admin.execute("SELECT count(*) FROM kinerja.profiles WHERE office_id = %s",
                             (office.office_id,))  # fmt: skip
    assert sorted(row[0] for row in held) == sorted(approved)
    assert profiles == [(1,)]
    assert centre_rows(admin, "quarantine", office.office_id) == []


class RecordingCentre(Centre):
    """A Centre that remembers the last batch it sent and the highest receipt it read."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.last_batch: list[RawEvent] = []
        self.acknowledged = 0

    def receive(self, office_id: str, batch: Sequence[RawEvent]) -> Receipt:
        self.last_batch = list(batch)
        receipt = super().receive(office_id, batch)
        self.acknowledged = max(self.acknowledged, receipt.high_water)
        return receipt


@dataclass
class Pusher:
    """An office's push loop: push, and on a transient failure connect again and push on, until
    the centre holds the office's head and `until` is set."""

    office: Office
    url: str
    batch_size: int
    until: threading.Event
    failures: list[CentreError] = field(default_factory=list)
    acknowledged: int = 0  # the highest high-water mark a receipt told this office
    appends: int = 0  # events to append between pushes, one per round
    gate: threading.Event = field(default_factory=threading.Event)  # cleared: wait to connect
    unacknowledged: list[list[RawEvent]] = field(default_factory=list)  # batches of failures
    waiting: bool = False  # at the gate

    def __post_init__(self) -> None:
        self.gate.set()

    def run(self) -> None:
        pause = threading.Event()
        centre: RecordingCentre | None = None
        try:
            for _ in range(10_000):
                if self.appends:
                    self.office.append(1)
                    self.appends -= 1
                self.waiting = True
                self.gate.wait()
                self.waiting = False
                try:
                    centre = centre or RecordingCentre(self.url)
                    result = self.office.push(centre, batch_size=self.batch_size)
                    self.acknowledged = max(self.acknowledged, centre.acknowledged)
                    done = self.until.is_set() and not self.appends
                    if done and result.high_water == self.office.head():
                        return
                except CentreError as exc:
                    if not exc.transient:
                        raise
                    self.failures.append(exc)
                    if centre is not None:  # the connection is gone: the next round makes one
                        self.acknowledged = max(self.acknowledged, centre.acknowledged)
                        self.unacknowledged.append(centre.last_batch)
                        centre.close()
                        centre = None
                    pause.wait(0.02)  # a retry, as the service's next round would
        finally:
            if centre is not None:
                centre.close()
        raise AssertionError(f"kantor {self.office.office_id} tidak pernah selesai mengirim")


class ErrorThread(threading.Thread):
    """A thread that keeps its exception for `join_all` to raise in the test."""

    error: BaseException | None = None

    def run(self) -> None:
        try:
            super().run()
        except BaseException as exc:
            self.error = exc


def start_all(pushers: Sequence[Pusher]) -> list[ErrorThread]:
    threads = [ErrorThread(target=p.run, name=p.office.office_id) for p in pushers]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads: Sequence[ErrorThread], timeout: float = 90) -> None:
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), f"{thread.name} masih berjalan"
        if thread.error is not None:
            raise thread.error


def raw_chain(fields: Sequence[dict[str, object]], *, first: int = 1,
              prev_hash: str = GENESIS_HASH) -> list[RawEvent]:  # fmt: skip
    """Events as another office version wrote them: these fields, hashed over their bytes."""
    chain = []
    for seq, values in enumerate(fields, start=first):
        raw = json.dumps({"id": seq, **values}, sort_keys=True).encode()
        chain.append(RawEvent(seq, prev_hash, raw_hash(prev_hash, raw), raw))
        prev_hash = chain[-1].row_hash
    return chain
