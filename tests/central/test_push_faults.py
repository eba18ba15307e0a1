"""Push under faults, on a real PostgreSQL: at least once delivered, stored exactly once.

Forty offices (copies of one approved office, each with its own SQLite log and its own role)
push at once while their connections are killed mid-batch, while every acknowledgement is cut
right after the centre's COMMIT, and while the centre is stopped immediately; batches are
delivered twice, also concurrently; an office restored from an old backup diverges; an office's
role tries another office's rows; an older office version pushes after a central migration.
After each: every office's events at the centre are its log exactly (`assert_office_pushed`).
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from support.central_offices import (
    ErrorThread,
    Office,
    Pusher,
    assert_centre_holds,
    assert_office_pushed,
    centre_rows,
    join_all,
    local_log,
    migrated_database,
    open_offices,
    raw_chain,
    register,
    start_all,
    work_event,
)
from support.pg_cluster import PgCluster
from support.reports_office import approved_office

from watcher.central import centre as centre_module
from watcher.central.centre import Centre, CentreError, ChainRefused
from watcher.central.schema import MIGRATIONS, CentralMigration
from watcher.record.store import HASHED_FIELDS, Store, chain_bytes
from watcher.record.store import MIGRATIONS as STORE_MIGRATIONS
from watcher.service.tree import Tree

OFFICES = 40  # a kabupaten pushing at once, with connections killed mid-batch
FEWER = 12  # the rounds that cut every receipt or stop the centre: as many races, less waiting
WAIT_S = 60


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """An approved office with a working day more in its log, copied for every office."""
    tree = approved_office(tmp_path_factory.mktemp("template") / "kantor")
    with Store(tree.store_path) as store:
        for number in range(30):
            store.append(work_event("template", number))
    return tree


@pytest.fixture
def admin(pg: PgCluster, database: str) -> Iterator[Centre]:
    """The centre's owner, to check what it holds (a fresh connection: a test may restart)."""
    with Centre(pg.url(database)) as owner:
        yield owner


@pytest.fixture
def database(pg: PgCluster) -> str:
    return migrated_database(pg)


@pytest.fixture
def offices(pg: PgCluster, database: str, template: Tree, tmp_path: Path
            ) -> Iterator[Callable[..., list[Office]]]:  # fmt: skip
    opened: list[Office] = []

    def make(count: int, prefix: str = "opd") -> list[Office]:
        ids = [f"{prefix}{number:02d}" for number in range(len(opened), len(opened) + count)]
        opened.extend(open_offices(pg, database, template, tmp_path, ids))
        return opened[-count:]

    yield make
    for office in opened:
        office.close()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    pause = threading.Event()
    for _ in range(WAIT_S * 100):
        if condition():
            return
        pause.wait(0.01)
    raise AssertionError(f"tidak terjadi dalam {WAIT_S} detik: {what}")


def assert_redelivered_as_duplicates(pg: PgCluster, database: str, pushers: list[Pusher]) -> None:
    """Every batch whose acknowledgement an office never read, sent again: all duplicates; and
    then every office's log is at the centre exactly."""
    with Centre(pg.url(database)) as admin:
        for pusher in pushers:
            with Centre(pusher.office.url(pg, database)) as centre:
                for batch in pusher.unacknowledged:
                    receipt = centre.receive(pusher.office.office_id, batch)
                    assert (receipt.stored, receipt.duplicates) == (0, len(batch))
            assert_office_pushed(admin, pusher.office)


# --- connections killed, acknowledgements lost, the centre crashed --------------------------


def test_forty_offices_push_while_their_connections_are_killed_mid_batch(
    pg: PgCluster, database: str, offices: Callable[..., list[Office]]
) -> None:
    kantor = offices(OFFICES)
    for office in kantor:
        office.append(10)
    until = threading.Event()
    pushers = [Pusher(o, o.url(pg, database), 3, until, appends=3) for o in kantor]
    threads = start_all(pushers)
    kills, pause = 0, threading.Event()
    try:  # kill every connection that is inside a transaction, until enough kills have landed
        while any(thread.is_alive() for thread in threads):
            kills += pg.terminate(database, busy=True)
            if kills >= 10:
                until.set()
            pause.wait(0.02)
    finally:
        until.set()
        join_all(threads)

    assert kills >= 10
    failures = [exc for p in pushers for exc in p.failures]
    assert failures and all(exc.transient for exc in failures)
    assert_redelivered_as_duplicates(pg, database, pushers)


class CommitCutter:
    """A TCP proxy in front of the centre that cuts a connection right after PostgreSQL has
    completed the COMMIT of a transaction that called `kinerja.receive_events`, before the
    office reads it: the batch is committed, the office never learns so."""

    def __init__(self, port: int) -> None:
        self._target = ("127.0.0.1", port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.cuts = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str, office: Office) -> str:
        return (f"postgresql://{office.role}:{office.password}@127.0.0.1:{self.port}/{database}"
                "?sslmode=disable&gssencmode=disable")  # fmt: skip

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            hang_up(*self._sockets)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._target)
            with self._lock:
                self._sockets += [client, server]
            armed = threading.Event()
            threading.Thread(target=self._up, args=(client, server, armed), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, armed), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket, armed: threading.Event) -> None:
        tail = b""
        try:
            while chunk := client.recv(65536):
                if b"receive_events" in tail + chunk:
                    armed.set()
                tail = chunk[-32:]
                server.sendall(chunk)
        except OSError:
            pass
        finally:
            hang_up(server)

    def _down(self, server: socket.socket, client: socket.socket, armed: threading.Event) -> None:
        buffer = b""
        try:
            while chunk := server.recv(65536):
                buffer += chunk
                out = bytearray()
                while len(buffer) >= 5 and len(buffer) >= 1 + int.from_bytes(buffer[1:5], "big"):
                    end = 1 + int.from_bytes(buffer[1:5], "big")
                    message, buffer = buffer[:end], buffer[end:]
                    if armed.is_set() and message[:1] == b"C" and message[5:] == b"COMMIT\0":
                        client.sendall(out)
                        with self._lock:
                            self.cuts += 1
                        return
                    out += message
                client.sendall(out)
        except OSError:
            pass
        finally:
            hang_up(client, server)


def hang_up(*sockets: socket.socket) -> None:
    """Shut down first: a plain close leaves the other thread's recv() blocked, unanswered."""
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def test_every_acknowledgement_lost_after_the_commit_still_stores_each_event_once(
    pg: PgCluster, database: str, offices: Callable[..., list[Office]]
) -> None:
    kantor = offices(FEWER)
    for office in kantor:
        office.append(10)
    cutter = CommitCutter(pg.port)
    until = threading.Event()
    until.set()
    # Through the cutter every push loses the receipt of its first batch: one batch a push.
    pushers = [Pusher(o, cutter.url(database, o), 30, until, appends=2) for o in kantor]
    try:
        join_all(start_all(pushers))
    finally:
        cutter.close()

    failures = [exc for p in pushers for exc in p.failures]
    assert cutter.cuts == len(failures) > FEWER
    assert all(exc.transient for exc in failures)
    assert_redelivered_as_duplicates(pg, database, pushers)


def test_the_centre_stopped_immediately_mid_push_loses_nothing_acknowledged(
    pg: PgCluster, database: str, offices: Callable[..., list[Office]]
) -> None:
    kantor = offices(FEWER)
    for office in kantor:
        office.append(10)
    until, gate = threading.Event(), threading.Event()
    pushers = [Pusher(o, o.url(pg, database), 5, until, appends=2, gate=gate) for o in kantor]
    threads = start_all(pushers)
    try:
        gate.set()
        wait_for(lambda: sum(p.acknowledged > 0 for p in pushers) >= 5, "kiriman pertama")
        gate.clear()
        pg.stop("immediate")
        wait_for(lambda: all(p.waiting for p in pushers), "semua kantor menunggu")
        acknowledged = {p.office.office_id: p.acknowledged for p in pushers}
    finally:
        pg.start()
    try:
        with Centre(pg.url(database)) as admin:
            held = {o: admin.high_water(o) for o in acknowledged}
        # Every receipt an office read survived the crash (commits are synchronous).
        assert all(held[o] >= acknowledged[o] for o in acknowledged)
    finally:
        until.set()
        gate.set()
        join_all(threads)
    # The stop cut the pushes in flight, and the connections the others held open between
    # pushes (each fails once at its next push and is made again): never a silent success.
    # Counted after the run: whether a push was mid-way at the stop is a matter of timing.
    connected = sum(count > 0 for count in acknowledged.values())  # at the stop
    assert sum(len(p.failures) for p in pushers) >= connected >= 5
    with Centre(pg.url(database)) as admin:
        for pusher in pushers:
            assert_office_pushed(admin, pusher.office)


# --- duplicates and divergence ---------------------------------------------------------------


def test_the_same_batch_twice_and_concurrently_is_stored_once(
    pg: PgCluster, database: str, admin: Centre, offices: Callable[..., list[Office]]
) -> None:
    (office,) = offices(1)
    office.append(60)
    log = local_log(office.store)
    url = office.url(pg, database)
    with Centre(url) as centre:
        first, again = (
            centre.receive(office.office_id, log[:20]),
            centre.receive(office.office_id, log[:20]),
        )
    assert (first.stored, first.duplicates, first.high_water) == (20, 0, 20)
    assert (again.stored, again.duplicates, again.high_water) == (0, 20, 20)

    barrier = threading.Barrier(8)
    receipts = []

    def deliver() -> None:
        with Centre(url) as centre:
            barrier.wait()
            receipts.append(centre.receive(office.office_id, log[20:40]))

    join_all(start_all_targets([deliver] * 8))
    assert sum(r.stored for r in receipts) == 20
    assert sum(r.duplicates for r in receipts) == 7 * 20

    # Two pushes of the same office at once (the service and a clerk's `kinerja kirim`).
    until = threading.Event()
    until.set()
    join_all(start_all([Pusher(office, url, 4, until), Pusher(office, url, 4, until)]))
    assert_office_pushed(admin, office)


def start_all_targets(targets: list[Callable[[], None]]) -> list[ErrorThread]:
    threads = [ErrorThread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.parametrize(
    ("after_restore", "message"),
    [
        pytest.param(40, "dikarantina", id="appended-past-the-centre"),
        pytest.param(5, "dikarantina", id="appended-less-than-the-centre-holds"),
        pytest.param(0, "hanya sampai", id="not-appended-at-all"),
    ],
)
def test_an_office_restored_from_an_old_backup_is_quarantined_never_stored(
    pg: PgCluster, database: str, admin: Centre, offices: Callable[..., list[Office]],
    tmp_path: Path, after_restore: int, message: str,
) -> None:  # fmt: skip
    (office,) = offices(1)
    office.append(10)
    backup = tmp_path / "cadangan.sqlite3"
    fork = office.back_up(backup) + 1
    office.append(20)
    with Centre(office.url(pg, database)) as centre:
        office.push(centre, batch_size=7)
    sent = local_log(office.store)

    office.restore(backup)
    office.append(after_restore, tag="-lain")  # other events under the same numbers
    with Centre(office.url(pg, database)) as centre, pytest.raises(CentreError) as refused:
        office.push(centre, batch_size=7)

    assert not refused.value.transient
    assert message in str(refused.value) and "cadangan" in str(refused.value)
    assert_centre_holds(admin, office.office_id, sent)  # nothing of the other branch
    quarantined = centre_rows(admin, "quarantine", office.office_id)
    if after_restore:  # the first event of the other branch, beside the one the centre holds
        diverged = local_log(office.store)[fork - 1]
        assert quarantined == [(fork, diverged.row_hash, diverged.raw, sent[fork - 1].row_hash)]
    else:
        assert quarantined == []
    with Centre(office.url(pg, database)) as centre, pytest.raises(CentreError):
        office.push(centre, batch_size=7)  # again: refused again, quarantined once
    assert centre_rows(admin, "quarantine", office.office_id) == quarantined


# --- one office's role against another's rows ---------------------------------------------

FOREIGN_WRITES = {
    "insert-event": "INSERT INTO kinerja.events (office_id, seq, prev_hash, row_hash, raw) "
    "VALUES (%(other)s, 1, %(prev)s, %(hash)s, %(raw)s)",
    "insert-event-after-theirs": "INSERT INTO kinerja.events (office_id, seq, prev_hash, "
    "row_hash, raw) VALUES (%(other)s, 2, %(prev)s, %(hash)s, %(raw)s)",
    "insert-submission": "INSERT INTO kinerja.submissions (office_id, file_hash, content_hash, "
    "body) VALUES (%(other)s, %(prev)s, %(prev)s, '{}')",
    "insert-profile": "INSERT INTO kinerja.profiles (office_id, content_hash, body) "
    "VALUES (%(other)s, %(prev)s, '{}')",
    "insert-quarantine": "INSERT INTO kinerja.quarantine (office_id, seq, prev_hash, row_hash, "
    "raw, held_hash) VALUES (%(other)s, 1, %(prev)s, %(hash)s, %(raw)s, %(prev)s)",
    "insert-name": "INSERT INTO kinerja.office_names (office_id, name) VALUES (%(other)s, 'x')",
    "receive-for-them": "SELECT * FROM kinerja.receive_events(%(other)s, ARRAY[1]::bigint[], "
    "ARRAY[%(prev)s], ARRAY[%(hash)s], ARRAY[%(raw)s]::bytea[])",
    "register-an-office": "INSERT INTO kinerja.offices (office_id, region_id, role_name, "
    "public_key) VALUES ('palsu', '7304', 'palsu', 'x')",
}
CHANGES = {
    "update-event": "UPDATE kinerja.events SET outcome = 'approved'",
    "delete-event": "DELETE FROM kinerja.events",
    "truncate-events": "TRUNCATE kinerja.events",
    "update-submission": "UPDATE kinerja.submissions SET body = '{}'",
    "delete-profile": "DELETE FROM kinerja.profiles",
    "truncate-quarantine": "TRUNCATE kinerja.quarantine",
    "delete-name": "DELETE FROM kinerja.office_names",
}
READS = ("events", "submissions", "profiles", "quarantine", "office_names", "offices")


@pytest.fixture
def two_pushed(pg: PgCluster, database: str, offices: Callable[..., list[Office]]
               ) -> tuple[Office, Office]:  # fmt: skip
    ours, theirs = offices(2)
    for office in (ours, theirs):
        with Centre(office.url(pg, database)) as centre:
            office.push(centre, batch_size=50)
    return ours, theirs


def as_office(pg: PgCluster, database: str, office: Office) -> psycopg.Connection:
    return psycopg.connect(office.url(pg, database), autocommit=True)


def first_event_params(office: Office, other: Office) -> dict[str, object]:
    first = local_log(other.store)[0]
    return {"other": other.office_id, "prev": first.prev_hash, "hash": first.row_hash,
            "raw": first.raw}  # fmt: skip


@pytest.mark.parametrize("statement", list(FOREIGN_WRITES.values()), ids=list(FOREIGN_WRITES))
def test_an_office_cannot_write_another_offices_rows(
    pg: PgCluster, database: str, admin: Centre, two_pushed: tuple[Office, Office], statement: str
) -> None:
    ours, theirs = two_pushed
    before = centre_rows(admin, "events", theirs.office_id)
    with as_office(pg, database, ours) as db, pytest.raises(psycopg.Error):
        db.execute(statement, first_event_params(ours, theirs))
    assert centre_rows(admin, "events", theirs.office_id) == before
    assert_office_pushed(admin, theirs)


@pytest.mark.parametrize("table", READS)
def test_an_office_reads_only_its_own_rows(
    pg: PgCluster, database: str, two_pushed: tuple[Office, Office], table: str
) -> None:
    ours, theirs = two_pushed
    with as_office(pg, database, ours) as db:
        offices_seen = {row[0] for row in db.execute(f"SELECT office_id FROM kinerja.{table}")}
        their_high_water = db.execute("SELECT kinerja.high_water(%s)", (theirs.office_id,))
        assert their_high_water.fetchone() == (0,)
    assert offices_seen <= {ours.office_id}
    if table != "quarantine":
        assert offices_seen == {ours.office_id}


@pytest.mark.parametrize("statement", list(CHANGES.values()), ids=list(CHANGES))
@pytest.mark.parametrize("who", ["the-office", "the-owner"])
def test_nobody_changes_or_deletes_what_was_received(
    pg: PgCluster,
    database: str,
    admin: Centre,
    two_pushed: tuple[Office, Office],
    statement: str,
    who: str,
) -> None:
    ours, _ = two_pushed
    url = ours.url(pg, database) if who == "the-office" else pg.url(database)
    with psycopg.connect(url, autocommit=True) as db, pytest.raises(psycopg.Error) as refused:
        db.execute(statement)
    expected = "KN004" if who == "the-owner" else "42501"
    assert refused.value.sqlstate == expected
    for office in two_pushed:
        assert_office_pushed(admin, office)


# --- versions: a later central migration, an older office ---------------------------------

LATER = CentralMigration(
    "900_test_later_column",
    "ALTER TABLE kinerja.events ADD COLUMN channel text;"
    " CREATE INDEX events_by_outcome ON kinerja.events (office_id, outcome);",
)


def test_an_older_office_version_pushes_after_a_central_migration(
    pg: PgCluster, database: str, admin: Centre, offices: Callable[..., list[Office]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    (current,) = offices(1)
    monkeypatch.setattr(centre_module, "MIGRATIONS", (*MIGRATIONS, LATER))
    assert admin.migrate() == [LATER.name]
    assert admin.migrate() == []
    # An older office version wrote no `step` and no `file_hash` into its events.
    (role, password), = register(pg.url(database), ["lama"]).values()  # fmt: skip
    old = raw_chain(
        [{"at_utc": f"2026-07-1{n}T01:00:00+00:00", "outcome": "received", "division": "PIAK",
          "year": 2026, "quarter": 2, "message": ""} for n in range(5)]
    )  # fmt: skip
    with Centre(pg.url(database, user=role, password=password)) as centre:
        receipt = centre.receive("lama", old[:3])
        assert centre.receive("lama", old).stored == 2
    assert (receipt.stored, receipt.high_water) == (3, 3)
    assert_centre_holds(admin, "lama", old)

    current.append(12)
    with Centre(current.url(pg, database)) as centre:
        current.push(centre, batch_size=5)
    assert_office_pushed(admin, current)
    assert admin.execute("SELECT count(*) FROM kinerja.events WHERE channel IS NOT NULL") == [(0,)]


def test_rows_written_before_the_raw_column_are_sent_as_their_canonical_bytes(
    pg: PgCluster, database: str, admin: Centre, offices: Callable[..., list[Office]]
) -> None:
    (office,) = offices(1)
    office.append(9)
    office.store.close()
    with closing(sqlite3.connect(office.tree.store_path, isolation_level=None)) as db:
        db.execute("ALTER TABLE events DROP COLUMN raw")  # as an older office version left it
        db.execute("DELETE FROM migrations WHERE name = ?", (STORE_MIGRATIONS[-1].name,))
    office.store = Store(office.tree.store_path)  # the newer version adds `raw`, NULL in old rows
    old_rows = office.head()
    office.append(6)
    with closing(sqlite3.connect(office.tree.store_path)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM events ORDER BY id").fetchall()
    assert [row["id"] for row in rows if row["raw"] is None] == list(range(1, old_rows + 1))

    with Centre(office.url(pg, database)) as centre:
        office.push(centre, batch_size=4)

    assert_office_pushed(admin, office)
    held = [bytes(row[3]) for row in centre_rows(admin, "events", office.office_id)]
    assert held[:old_rows] == [
        chain_bytes({name: row[name] for name in HASHED_FIELDS}) for row in rows[:old_rows]
    ]


def test_a_gap_is_refused_with_a_clear_message(
    pg: PgCluster, database: str, admin: Centre, offices: Callable[..., list[Office]]
) -> None:
    (office,) = offices(1)
    office.append(5)
    log = local_log(office.store)
    with Centre(office.url(pg, database)) as centre, pytest.raises(ChainRefused, match="celah"):
        centre.receive(office.office_id, log[2:])
    assert_centre_holds(admin, office.office_id, [])


def test_an_office_cannot_fill_even_its_own_quarantine_by_hand(
    pg: PgCluster, database: str, admin: Centre, two_pushed: tuple[Office, Office]
) -> None:
    ours, _ = two_pushed
    params = first_event_params(ours, ours)
    with as_office(pg, database, ours) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(FOREIGN_WRITES["insert-quarantine"], params)
    assert centre_rows(admin, "quarantine", ours.office_id) == []
