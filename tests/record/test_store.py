"""The event log: real SQLite files, append-only, hash-chained, readable from another process."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.record.anchor import anchor_path, read_anchor
from watcher.record.store import MIGRATIONS, Event, Outcome, Store, StoreError

WITA = timezone(timedelta(hours=8))
REPO = Path(__file__).resolve().parents[2]
HASH_A = hashlib.sha256(b"a").hexdigest()
HASH_B = hashlib.sha256(b"b").hexdigest()


class Clock:
    """A settable UTC clock; each call returns the current time."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 10, 10, 0, 15, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(tmp_path / "kinerja.sqlite", now=clock) as opened:
        yield opened


def raw(path: Path) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection in autocommit mode, as a tamperer would use."""
    return closing(sqlite3.connect(path, isolation_level=None))


def received(path: str, file_hash: str = HASH_A, **fields: object) -> Event:
    defaults: dict[str, object] = {"division": "PIAK", "year": 2026, "quarter": 3, "step": 3}
    return Event(
        outcome=Outcome.RECEIVED,
        file_hash=file_hash,
        from_path=path,
        **{**defaults, **fields},  # type: ignore[arg-type]
    )


def test_migrations_are_recorded_once(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "kinerja.sqlite"
    with Store(path, now=clock) as store:
        first = store.applied_migrations()
    clock.advance(days=1)
    with Store(path, now=clock) as store:
        again = store.applied_migrations()

    assert [name for name, _ in first] == [migration.name for migration in MIGRATIONS]
    assert all(applied_at == datetime(2026, 10, 10, 0, 15, tzinfo=UTC) for _, applied_at in first)
    assert again == first


def test_only_missing_migrations_are_applied(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "kinerja.sqlite"
    Store(path, now=clock).close()
    with raw(path) as db:  # an older database: the last migration never ran
        db.execute("ALTER TABLE events DROP COLUMN raw")
        db.execute("DELETE FROM migrations WHERE name = ?", (MIGRATIONS[-1].name,))
    clock.advance(hours=1)

    with Store(path, now=clock) as store:
        applied = dict(store.applied_migrations())

    assert applied[MIGRATIONS[0].name] == datetime(2026, 10, 10, 0, 15, tzinfo=UTC)
    assert applied[MIGRATIONS[-1].name] == datetime(2026, 10, 10, 1, 15, tzinfo=UTC)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kinerja.sqlite"
    Store(path).close()
    with raw(path) as db:
        db.execute("INSERT INTO migrations VALUES ('999_dari_masa_depan', '2030-01-01T00:00:00')")

    with pytest.raises(StoreError, match="versi kinerja yang lebih baru"):
        Store(path)


def test_a_file_that_is_not_a_database_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "kinerja.sqlite"
    path.write_bytes(b"bukan basis data " * 100)

    with pytest.raises(StoreError, match="bukan berkas basis data") as raised:
        Store(path)

    assert raised.value.sqlite_error == "SQLITE_NOTADB"


def test_the_database_runs_in_wal_mode(store: Store) -> None:
    with raw(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_append_fills_id_time_and_hashes(store: Store, clock: Clock) -> None:
    first = store.append(received("inbox/PIAK/3_bahan/a.xlsx"))
    clock.advance(minutes=5)
    second = store.append(received("inbox/PIAK/3_bahan/b.xlsx", file_hash=HASH_B))

    assert (first.id, second.id) == (1, 2)
    assert first.at_utc == datetime(2026, 10, 10, 0, 15, tzinfo=UTC)
    assert second.at_utc == datetime(2026, 10, 10, 0, 20, tzinfo=UTC)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.row_hash
    assert store.events() == [first, second]
    assert store.head() == (2, second.row_hash)


@settings(max_examples=30, deadline=None)
@given(batches=st.lists(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4), max_size=6))
def test_events_appended_together_are_chained_as_if_appended_one_by_one(
    batches: list[list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("log")
    with Store(folder / "kinerja.sqlite") as together:
        stored = []
        for names in batches:
            stored += together.append_all([received(f"x/{name}.xlsx") for name in names])
        assert together.events() == stored
        assert [event.id for event in stored] == list(range(1, len(stored) + 1))
        assert together.verify_chain() is None
        head = read_anchor(anchor_path(folder))
        if stored:
            assert head is not None
            assert (head.id, head.row_hash, head.events) == (
                len(stored), stored[-1].row_hash, len(stored))  # fmt: skip
        else:
            assert head is None and together.head() is None


def test_events_appended_together_are_all_written_or_none(store: Store) -> None:
    store.append(received("x/a.xlsx"))
    with raw(store.path) as db:  # a tamperer's trigger refuses the second row of the batch
        db.execute("CREATE TRIGGER no_b BEFORE INSERT ON events WHEN NEW.from_path = 'x/b.xlsx' "
                   "BEGIN SELECT RAISE(ABORT, 'ditolak'); END")  # fmt: skip
    with pytest.raises(StoreError):
        store.append_all([received("x/c.xlsx"), received("x/b.xlsx")])
    assert [event.from_path for event in store.events()] == ["x/a.xlsx"]
    assert store.append(received("x/d.xlsx")).id == 2


def test_row_hash_is_sha256_of_prev_hash_and_canonical_json(store: Store) -> None:
    event = store.append(received("inbox/PIAK/3_bahan/a.xlsx", message="Diterima ✓"))

    fields = {
        "id": 1,
        "at_utc": "2026-10-10T00:15:00+00:00",
        "file_hash": HASH_A,
        "division": "PIAK",
        "year": 2026,
        "quarter": 3,
        "step": 3,
        "from_path": "inbox/PIAK/3_bahan/a.xlsx",
        "to_path": None,
        "outcome": "received",
        "actor": None,
        "message": "Diterima ✓",
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.row_hash == hashlib.sha256(("0" * 64 + canonical).encode()).hexdigest()


def test_timestamps_are_stored_as_utc_and_round_trip(store: Store) -> None:
    in_wita = datetime(2026, 10, 10, 8, 15, 30, 250, tzinfo=WITA)

    stored = store.append(received("a.xlsx", at_utc=in_wita))

    with raw(store.path) as db:
        text = db.execute("SELECT at_utc FROM events").fetchone()[0]
    assert text == "2026-10-10T00:15:30.000250+00:00"
    [event] = store.events()
    assert event.at_utc == in_wita
    assert event.at_utc is not None and event.at_utc.tzinfo is UTC
    assert event == stored


def test_a_naive_event_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        Event(outcome=Outcome.LATE, at_utc=datetime(2026, 10, 10, 8, 15))


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kinerja.sqlite"
    Store(path).close()

    with Store(path, now=lambda: datetime(2026, 10, 10, 8, 15)) as store:
        with pytest.raises(ValueError, match="naive"):
            store.append(Event(outcome=Outcome.LATE))
        assert store.events() == []


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"quarter": 13}, id="quarter-13"),
        pytest.param({"step": 0}, id="step-0"),
        pytest.param({"step": 31}, id="step-31"),
        pytest.param({"file_hash": "abc"}, id="short-hash"),
        pytest.param({"file_hash": HASH_A.upper()}, id="uppercase-hash"),
        pytest.param({"from_path": "/srv/kinerja/inbox/a.xlsx"}, id="absolute-posix-path"),
        pytest.param({"to_path": "C:/kinerja/inbox/a.xlsx"}, id="windows-drive"),
        pytest.param({"to_path": "\\\\server\\share\\a.xlsx"}, id="unc-path"),
        pytest.param({"outcome": "lost"}, id="unknown-outcome"),
    ],
)
def test_events_with_impossible_fields_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Event(**{"outcome": Outcome.MOVED, **fields})  # type: ignore[arg-type]


def test_outcomes_may_be_given_as_text() -> None:
    assert Event(outcome="moved").outcome is Outcome.MOVED  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE events SET message = 'diubah'", id="update"),
        pytest.param("DELETE FROM events", id="delete"),
    ],
)
def test_events_cannot_be_changed_or_deleted(store: Store, statement: str) -> None:
    store.append(received("a.xlsx"))

    with raw(store.path) as db, pytest.raises(sqlite3.IntegrityError, match="hanya boleh"):
        db.execute(statement)

    assert store.verify_chain() is None
    assert len(store.events()) == 1


def fill(store: Store, count: int) -> None:
    for number in range(count):
        store.append(received(f"inbox/PIAK/3_bahan/{number}.xlsx"))


def tamper(path: Path, statement: str) -> None:
    """Do what the triggers refuse, the way someone with the file and sqlite3 could."""
    with raw(path) as db:
        db.execute("DROP TRIGGER events_no_update")
        db.execute("DROP TRIGGER events_no_delete")
        db.execute(statement)


@pytest.mark.parametrize(
    ("statement", "broken_id"),
    [
        pytest.param("UPDATE events SET message = 'sudah disetujui' WHERE id = 3", 3, id="edit"),
        pytest.param("UPDATE events SET at_utc = '2026-10-09T00:00:00+00:00' WHERE id = 2", 2,
                     id="backdate"),
        pytest.param("UPDATE events SET id = 9 WHERE id = 5", 9, id="renumber-last"),
        pytest.param("DELETE FROM events WHERE id = 2", 3, id="delete-middle"),
        pytest.param("DELETE FROM events WHERE id = 1", 2, id="delete-first"),
        pytest.param("DELETE FROM events WHERE id = 5", 5, id="delete-last"),
        pytest.param("DELETE FROM events WHERE id >= 4", 4, id="delete-tail"),
        pytest.param(
            "INSERT INTO events (at_utc, outcome, message, prev_hash, row_hash)"
            " VALUES ('2026-10-10T00:16:00+00:00', 'approved', '', 'x', 'y')",
            6,
            id="forged-row",
        ),
    ],
)  # fmt: skip
def test_verify_chain_finds_tampering(store: Store, statement: str, broken_id: int) -> None:
    fill(store, 5)
    assert store.verify_chain() is None

    tamper(store.path, statement)

    assert store.verify_chain() == broken_id


def test_verify_chain_on_an_empty_log(store: Store) -> None:
    assert store.verify_chain() is None
    assert store.head() is None


def test_events_filters(store: Store) -> None:
    store.append(received("inbox/PIAK/3_bahan/a.xlsx"))
    store.append(received("inbox/PIAK/3_bahan/b.xlsx", file_hash=HASH_B, quarter=2))
    store.append(received("inbox/SEKR/3_bahan/c.xlsx", division="SEKR"))
    store.append(Event(outcome=Outcome.STARTED))

    def ids(**filters: object) -> list[int | None]:
        return [event.id for event in store.events(**filters)]  # type: ignore[arg-type]

    assert ids() == [1, 2, 3, 4]
    assert ids(division="PIAK") == [1, 2]
    assert ids(division="PIAK", year=2026, quarter=3) == [1]
    assert ids(file_hash=HASH_A) == [1, 3]
    assert ids(since_id=2) == [3, 4]
    assert ids(outcome=Outcome.STARTED) == [4]
    assert ids(year=2025) == []


def test_last_event_answers_where_a_file_was_moved(store: Store) -> None:
    folder = "inbox/PIAK/3_bahan"
    moved = Event(
        outcome=Outcome.MOVED,
        file_hash=HASH_A,
        from_path=f"{folder}/laporan.xlsx",
        to_path="inbox/PIAK/4_laporan/laporan.xlsx",
    )
    store.append(received(f"{folder}/laporan.xlsx"))
    store.append(moved)
    store.append(replace(moved, from_path=f"{folder}/arsip lama/laporan.xlsx"))  # a subfolder
    store.append(replace(moved, from_path=f"{folder}_x/laporan.xlsx"))  # a look-alike folder

    found = store.last_event(HASH_A, outcome=Outcome.MOVED, from_dir=folder)

    assert found is not None and found.id == 2
    assert found.to_path == "inbox/PIAK/4_laporan/laporan.xlsx"
    assert store.last_event(HASH_A, from_dir=folder + "/") == found
    assert store.last_event(HASH_A, from_path=f"{folder}/laporan.xlsx") == found
    newest = store.last_event(HASH_A)
    assert newest is not None and newest.id == 4
    assert store.has_event(HASH_A, Outcome.MOVED, from_dir=folder)
    assert not store.has_event(HASH_A, Outcome.MOVED, from_dir="inbox/PIAK/4_laporan")
    assert not store.has_event(HASH_B, Outcome.MOVED)
    assert not store.has_event(HASH_A, Outcome.APPROVED, from_dir=folder)


def test_appends_from_several_threads_keep_the_chain(store: Store) -> None:
    def worker(number: int) -> None:
        for index in range(20):
            store.append(received(f"t{number}/{index}.xlsx"))

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(store.events()) == 80
    assert store.verify_chain() is None
    head = read_anchor(anchor_path(store.path.parent))  # the newest head, whoever wrote last
    assert head is not None and (head.id, head.row_hash, head.events) == (*store.head(), 80)


READER = """
import sys
from pathlib import Path, PureWindowsPath
from watcher.record.store import Store
with Store(Path(sys.argv[1])) as store:
    print(len(store.events()), store.verify_chain())
"""


def test_another_process_reads_while_the_service_writes(store: Store) -> None:
    fill(store, 3)
    # Hold the write lock with an uncommitted row, as the service does mid-append.
    with raw(store.path) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO events (at_utc, outcome, message, prev_hash, row_hash)"
            " VALUES ('2026-10-10T00:16:00+00:00', 'moved', '', 'x', 'y')"
        )
        result = subprocess.run(
            [sys.executable, "-c", READER, str(store.path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
        writer.execute("ROLLBACK")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "None"]
    store.append(received("d.xlsx"))
    assert store.verify_chain() is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ1:/\\?. é_C"), max_size=6) | st.text(max_size=8))
def test_an_event_path_is_refused_exactly_when_windows_or_posix_calls_it_absolute(
    path: str,
) -> None:
    """A logged path must be relative to the watched root on every system the log is read on:
    refused when it has a root or a Windows drive, as PureWindowsPath sees them."""
    absolute = path[:1] in ("/", "\\") or bool(PureWindowsPath(path).drive)
    try:
        Event(outcome=Outcome.VALID, to_path=path)
    except ValueError as error:
        assert absolute, error
    else:
        assert not absolute
