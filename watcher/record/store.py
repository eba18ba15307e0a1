"""The append-only event log in SQLite: every transition of every file, hash-chained.

One row per event (UTC time, file hash, division, year, quarter, SOP step, from and to path,
outcome, actor, message). Rows are never changed: triggers refuse UPDATE and DELETE, and each row
carries `row_hash = sha256(prev_hash + canonical JSON of its fields)`, so `verify_chain` finds a
row edited or deleted behind the triggers' back (raw sqlite3 with the triggers dropped). After every
append the head is also written outside the database (`watcher.record.anchor`,
`arsip/kepala_log.json`) and every report prints it, so a log rolled back or rewritten from some row
on no longer matches what was written down.

A running store also defends itself against its file vanishing: before each write it checks that
the path still names the database (and the `-wal` file) it opened, and raises `RecordLostError`
instead of appending events into an unlinked file nobody will ever read.

The schema is built by small named migrations, each applied in one transaction together with its
row in `migrations` (the sqlite-utils way). WAL lets the CLI read from another process while the
service writes; `synchronous=FULL` makes a committed event survive a power cut.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from watcher.errors import KinerjaError
from watcher.record.anchor import AnchorWriter, Head, anchor_path
from watcher.record.identity import Watched, raise_if_lost

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
GENESIS_HASH = "0" * 64  # prev_hash of the first row
# `quarter` holds the period within its year (1-12 for a monthly SOP) and `step` the SOP's step
# number; the bounds are the SOP loader's (`periode.jenis`, at most 30 steps).
MAX_PERIODS, MAX_STEPS = 12, 30
# The fields each row's hash covers, in the order of the table's columns.
HASHED_FIELDS = (
    "id", "at_utc", "file_hash", "division", "year", "quarter", "step",
    "from_path", "to_path", "outcome", "actor", "message",
)  # fmt: skip
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# What makes a path absolute, on any system: a root ("/x", "\\x", "\\\\server\\share") or a
# Windows drive ("C:x", "c:\\x"), as PureWindowsPath finds one (an ASCII letter and a colon),
# matched here without building a path object for every event read back.
_ABSOLUTE_RE = re.compile(r"[/\\]|[A-Za-z]:")
_SQLITE_REASONS = {
    "SQLITE_FULL": "disk penuh",
    "SQLITE_BUSY": "sedang dikunci proses lain",
    "SQLITE_LOCKED": "sedang dikunci proses lain",
    "SQLITE_READONLY": "tidak ada izin menulis",
    "SQLITE_PERM": "tidak ada izin",
    "SQLITE_CANTOPEN": "berkas tidak dapat dibuka",
    "SQLITE_CORRUPT": "berkas basis data rusak",
    "SQLITE_NOTADB": "bukan berkas basis data",
    "SQLITE_IOERR": "kesalahan baca/tulis disk",
}


class StoreError(KinerjaError):
    """The event log cannot be opened, read or written.

    `sqlite_error` is SQLite's error name ("SQLITE_FULL", "SQLITE_BUSY", ...) when there is one,
    so the service can tell a full disk or a lock (retry later) from a damaged file.
    """

    def __init__(self, message: str, *, path: Path, sqlite_error: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.sqlite_error = sqlite_error


class Outcome(StrEnum):
    """What happened in one event. The values are stored; never rename one, only add."""

    STARTED = "started"  # the service started watching a root
    STOPPED = "stopped"  # the service stopped cleanly (a missing one means it crashed)
    ISSUED = "issued"  # the issue steps: the service wrote a disposition / rencana aksi
    RECEIVED = "received"  # a settled file was found in a step folder and its bytes archived
    DUPLICATE = "duplicate"  # bytes already handled from this folder; nothing new to do
    REFUSED = "refused"  # refused at the door: unsafe, unreadable or not a plain .xlsx
    VALID = "valid"  # passed the step's validation rules
    INVALID = "invalid"  # failed the step's rules; feedback written for the clerk
    MOVED = "moved"  # the service moved the file from from_path to to_path
    APPROVED = "approved"  # the last check: the checker moved the report into its approved folder
    FORWARDED = "forwarded"  # an earlier check approved it: passed on to the next check
    RETURNED = "returned"  # a check returned it (back to the SOP's `kembali_ke` step)
    REPORT_BUILT = "report_built"  # the compile step: a period or annual report was written
    SOP_SET = "sop_set"  # the tree was set up with, or switched to, an SOP file (its hash)
    WARNING = "warning"  # a step's deadline is near (peringatan) and no file has arrived
    LATE = "late"  # a step took longer than its time standard
    MISSING = "missing"  # the file vanished while being processed (a person moved or deleted it)
    ERROR = "error"  # an operation failed (permission, full disk, ...); it will be retried
    OPEN = "open"  # checked while still open in a spreadsheet program; moved once it is closed
    SUPERSEDED = "superseded"  # a newer version of the document replaced this waiting copy
    STALE = "stale"  # a checker moved a copy that is not the document's current version
    NOTICE = "notice"  # the service wrote a file for a person (feedback workbook): its hash


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """ISO-8601 in UTC, "2026-10-10T00:15:00+00:00" (microseconds only when not zero).

    The two forms still sort in time order as text ("+" sorts before "."). Naive datetimes are
    refused: the log never guesses a timezone.
    """
    return _as_utc(moment).isoformat()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime refused by the event log: {moment!r}")
    return moment.astimezone(UTC)


def parse_utc(text: str) -> datetime:
    """The aware UTC datetime that `format_utc` wrote."""
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    """One row of the log. `id`, `prev_hash` and `row_hash` are None until appended.

    Paths are relative to the watched root with forward slashes (`Path.as_posix()`), so the same
    file has the same name whichever machine wrote the event.
    """

    outcome: Outcome
    division: str | None = None
    year: int | None = None
    quarter: int | None = None
    step: int | None = None
    file_hash: str | None = None
    from_path: str | None = None
    to_path: str | None = None
    actor: str | None = None
    message: str = ""
    at_utc: datetime | None = None
    id: int | None = None
    prev_hash: str | None = None
    row_hash: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        if self.at_utc is not None:
            object.__setattr__(self, "at_utc", _as_utc(self.at_utc))
        _check_range("quarter", self.quarter, 1, MAX_PERIODS)
        _check_range("step", self.step, 1, MAX_STEPS)
        if self.file_hash is not None and not _SHA256_RE.fullmatch(self.file_hash):
            raise ValueError(f"file_hash is not a lowercase hex SHA-256: {self.file_hash!r}")
        for name in ("from_path", "to_path"):
            value = getattr(self, name)
            if value is not None and _ABSOLUTE_RE.match(value):
                raise ValueError(f"{name} must be relative to the watched root: {value!r}")


def _check_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}: {value!r}")


@dataclass(frozen=True)
class RawEvent:
    """One row as another machine receives it: its sequence number (the row's id), the hash of
    the row before, its own hash, and the exact bytes that hash covers."""

    seq: int
    prev_hash: str
    row_hash: str
    raw: bytes


@dataclass(frozen=True)
class Migration:
    """One schema change; `name` is recorded in `migrations` and must never change."""

    name: str
    apply: Callable[[sqlite3.Connection], None]


def _create_events(db: sqlite3.Connection, *, periods: int = 4, steps: int = 6) -> None:
    db.execute(
        f"""CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_utc TEXT NOT NULL,
            file_hash TEXT,
            division TEXT,
            year INTEGER,
            quarter INTEGER CHECK (quarter BETWEEN 1 AND {periods}),
            step INTEGER CHECK (step BETWEEN 1 AND {steps}),
            from_path TEXT,
            to_path TEXT,
            outcome TEXT NOT NULL,
            actor TEXT,
            message TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            row_hash TEXT NOT NULL UNIQUE
        )"""
    )


def _make_events_append_only(db: sqlite3.Connection) -> None:
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events
            BEGIN
                SELECT RAISE(ABORT, 'log kejadian hanya boleh ditambah, tidak boleh diubah');
            END"""
        )


def _index_events(db: sqlite3.Connection) -> None:
    # The service's rerun check looks up by hash; reports and status by division and period.
    db.execute("CREATE INDEX events_by_hash ON events (file_hash, outcome)")
    db.execute("CREATE INDEX events_by_period ON events (division, year, quarter)")


def _widen_period_and_step(db: sqlite3.Connection) -> None:
    """Any SOP's steps and periods: the 1-6 / 1-4 checks of SOP 010 become the loader's bounds.

    SQLite cannot alter a CHECK, so the table is rebuilt with every row copied as it is (ids,
    times and hashes unchanged, so the chain and the anchor still verify).
    """
    columns = ", ".join((*HASHED_FIELDS, "prev_hash", "row_hash"))
    db.execute("ALTER TABLE events RENAME TO events_sop010")
    for action in ("update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS events_no_{action}")
    db.execute("DROP INDEX IF EXISTS events_by_hash")
    db.execute("DROP INDEX IF EXISTS events_by_period")
    _create_events(db, periods=MAX_PERIODS, steps=MAX_STEPS)
    db.execute(f"INSERT INTO events ({columns}) SELECT {columns} FROM events_sop010")
    db.execute("DROP TABLE events_sop010")
    _make_events_append_only(db)
    _index_events(db)


def _keep_raw_bytes(db: sqlite3.Connection) -> None:
    """Each new row also keeps the exact bytes its hash covers (`raw`), so a copy of the log
    elsewhere (the central database, a bundle) checks the hash over those bytes as they are,
    never over a re-serialisation. Rows written before keep NULL: their bytes are the canonical
    JSON of their fields, rebuilt by `chain_bytes` and checked against their hash."""
    db.execute("ALTER TABLE events ADD COLUMN raw BLOB")


MIGRATIONS: tuple[Migration, ...] = (
    Migration("001_create_events", _create_events),
    Migration("002_events_append_only", _make_events_append_only),
    Migration("003_index_events", _index_events),
    Migration("004_any_sop_steps_and_periods", _widen_period_and_step),
    Migration("005_event_raw_bytes", _keep_raw_bytes),
)


class Store:
    """The event log in one SQLite file; safe to share between threads of one process."""

    def __init__(
        self, path: Path, *, now: Callable[[], datetime] = utc_now, keep_anchor: bool = True
    ) -> None:
        """Open (create, migrate) the log; with `keep_anchor` every append rewrites the anchor.

        The anchor file lives beside the database (`watcher.record.anchor.anchor_path`).
        """
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        self._anchor = AnchorWriter(anchor_path(path.parent)) if keep_anchor else None
        self._wal: Watched | None = None
        self._counted: tuple[int, int] | None = None  # (last id this store wrote, events then)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
                check_same_thread=False,  # every use holds self._lock
            )
        except (OSError, sqlite3.Error) as exc:
            raise _store_error("membuka", path, exc) from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._configure()
            self._migrate()
            # SQLite holds the file open, so its inode cannot be reused while we compare it.
            self._file = Watched.now(path, "log kejadian")
        except BaseException:
            self._db.close()
            raise
        self._watch_wal()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        with self._lock:
            self._db.close()
            if self._anchor is not None:
                self._anchor.close()

    def append(self, event: Event) -> Event:
        """Write `event` as the newest row in one transaction; return it with id, time and hashes.

        `at_utc` is taken from the clock when the event has none.
        """
        return self.append_all([event])[0]

    def append_all(self, events: list[Event]) -> list[Event]:
        """Write `events` as the newest rows, in order, in one transaction (all or none, one
        commit and one anchor write); return them with ids, times and hashes."""
        if not events:
            return []
        self.check_file()
        stored: list[Event] = []
        with self._write() as db:
            last = db.execute("SELECT id, row_hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
            prev_hash = last["row_hash"] if last else GENESIS_HASH
            next_id = max(seq[0] if seq else 0, last["id"] if last else 0) + 1
            columns = (*HASHED_FIELDS, "prev_hash", "row_hash", "raw")
            for event in events:
                row = replace(event, at_utc=event.at_utc or self._now(), id=next_id,
                              prev_hash=prev_hash, row_hash=None)  # fmt: skip
                values = _row_values(row)
                raw = chain_bytes(values)
                row_hash = raw_hash(prev_hash, raw)
                db.execute(
                    f"INSERT INTO events ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + name for name in columns)})",
                    {**values, "prev_hash": prev_hash, "row_hash": row_hash, "raw": raw},
                )
                stored.append(replace(row, row_hash=row_hash))
                log.debug("event %d: %s %s", next_id, row.outcome, row.from_path or "")
                prev_hash, next_id = row_hash, next_id + 1
            newest = next_id - 1
            count = self._count_after(db, last["id"] if last else 0, newest, len(stored))
        self._watch_wal()
        self._write_anchor(Head(newest, prev_hash, count, _row_values(stored[-1])["at_utc"]))
        return stored

    def _count_after(self, db: sqlite3.Connection, previous_id: int, new_id: int,
                     added: int) -> int:  # fmt: skip
        """How many events the log holds with the `added` just inserted, for the anchor.

        Counted once, then kept in memory: `count(*)` reads the whole table. It is counted
        again when the row before ours is not the one this store wrote last (another process
        appended meanwhile).
        """
        if self._counted is None or self._counted[0] != previous_id:
            self._counted = (new_id, db.execute("SELECT count(*) FROM events").fetchone()[0])
        else:
            self._counted = (new_id, self._counted[1] + added)
        return self._counted[1]

    def file_problems(self) -> list[str]:
        """Indonesian sentences for the database or `-wal` file deleted or replaced since open."""
        watched = [self._file] + ([self._wal] if self._wal else [])
        return [problem for item in watched if (problem := item.problem())]

    def check_file(self) -> None:
        """Raise `RecordLostError` if the path no longer names the database this store opened."""
        raise_if_lost(self.file_problems())

    def _watch_wal(self) -> None:
        """Remember the `-wal` file once it exists; SQLite keeps it while the log is open."""
        if self._wal is None:
            wal = self.path.with_name(self.path.name + "-wal")
            with contextlib.suppress(FileNotFoundError):
                self._wal = Watched.now(wal, "berkas -wal log kejadian")

    def _write_anchor(self, head: Head) -> None:
        if self._anchor is None:
            return
        try:
            self._anchor.write(head)
        except OSError as exc:  # the event is committed; a stale anchor only lags behind
            log.warning("Kepala rantai %s tidak dapat ditulis: %s", self._anchor.path, exc)

    def events(
        self,
        *,
        division: str | None = None,
        year: int | None = None,
        quarter: int | None = None,
        file_hash: str | None = None,
        outcome: Outcome | None = None,
        from_path: str | None = None,
        from_dir: str | None = None,
        since_id: int | None = None,
        to_path: str | None = None,
    ) -> list[Event]:
        """Events matching every filter given, oldest first.

        `from_path` matches exactly; `from_dir` matches files directly inside that folder
        ("inbox/PIAK/3_bahan"), not in its subfolders; `since_id` keeps ids above it.
        """
        equal: dict[str, object] = {"division": division, "year": year, "quarter": quarter}
        equal["file_hash"] = file_hash
        equal["outcome"] = Outcome(outcome).value if outcome is not None else None
        equal["from_path"] = from_path
        equal["to_path"] = to_path
        where = [f"{name} = :{name}" for name, value in equal.items() if value is not None]
        params: dict[str, Any] = {**equal, "since_id": since_id}
        if from_dir is not None:
            params["prefix"] = from_dir.rstrip("/") + "/"
            where.append(
                "substr(from_path, 1, length(:prefix)) = :prefix"
                " AND instr(substr(from_path, length(:prefix) + 1), '/') = 0"
            )
        if since_id is not None:
            where.append("id > :since_id")
        sql = "SELECT * FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY id", params).fetchall()
        return [_event_from_row(row) for row in rows]

    def last_event(
        self,
        file_hash: str,
        *,
        outcome: Outcome | None = None,
        from_path: str | None = None,
        from_dir: str | None = None,
    ) -> Event | None:
        """The newest event for these bytes matching every filter given (see `events`), or None.

        This answers the service's rerun question "were these bytes already moved out of this
        folder, and to where?": `last_event(h, outcome=Outcome.MOVED, from_dir=folder)`.
        """
        found = self.events(
            file_hash=file_hash, outcome=outcome, from_path=from_path, from_dir=from_dir
        )
        return found[-1] if found else None

    def has_event(
        self,
        file_hash: str,
        outcome: Outcome,
        *,
        from_path: str | None = None,
        from_dir: str | None = None,
    ) -> bool:
        """True if an event with these bytes and outcome exists (filters as in `events`)."""
        found = self.last_event(file_hash, outcome=outcome, from_path=from_path, from_dir=from_dir)
        return found is not None

    def raw_events(self, *, since_id: int = 0, limit: int = 1000) -> list[RawEvent]:
        """Up to `limit` rows past `since_id`, oldest first, as the bytes their hashes cover.

        Raises StoreError at the first row whose bytes do not give its hash or do not follow
        the row before: a broken chain is never sent on (`kinerja periksa` finds where).
        """
        with self._read() as db:
            previous = db.execute(
                "SELECT id, row_hash FROM events WHERE id <= ? ORDER BY id DESC LIMIT 1",
                (since_id,),
            ).fetchone()
            rows = db.execute(
                "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (since_id, limit)
            ).fetchall()
        expected_prev = previous["row_hash"] if previous else GENESIS_HASH
        expected_id = (previous["id"] if previous else 0) + 1
        found = []
        for row in rows:
            values = {name: row[name] for name in HASHED_FIELDS}
            raw = bytes(row["raw"]) if row["raw"] is not None else chain_bytes(values)
            if (
                row["id"] != expected_id
                or row["prev_hash"] != expected_prev
                or raw_hash(expected_prev, raw) != row["row_hash"]
                or json.loads(raw) != values
            ):
                raise StoreError(
                    f"Rantai log kejadian {self.path} putus di kejadian #{row['id']}; log tidak "
                    "dikirim. Jalankan `kinerja periksa` untuk rinciannya.",
                    path=self.path,
                )
            found.append(RawEvent(row["id"], row["prev_hash"], row["row_hash"], raw))
            expected_prev, expected_id = row["row_hash"], row["id"] + 1
        return found

    def head(self) -> tuple[int, str] | None:
        """(id, row_hash) of the newest row, to print as an anchor of the chain; None if empty."""
        with self._read() as db:
            row = db.execute("SELECT id, row_hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return (row["id"], row["row_hash"]) if row else None

    def verify_chain(self) -> int | None:
        """Check every row's hash link; None if intact, else the first id where it breaks.

        See `first_break`; the rows and the counter are read in one snapshot.
        """
        with self._read() as db:
            rows = [dict(row) for row in db.execute("SELECT * FROM events ORDER BY id")]
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        return first_break(rows, seq[0] if seq else 0)

    def applied_migrations(self) -> list[tuple[str, datetime]]:
        """(name, applied_at) of every migration applied to this file, oldest first."""
        with self._read() as db:
            rows = db.execute("SELECT name, applied_at FROM migrations ORDER BY rowid").fetchall()
        return [(row["name"], parse_utc(row["applied_at"])) for row in rows]

    def _configure(self) -> None:
        try:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            raise _store_error("membuka", self.path, exc) from exc
        if str(mode).lower() != "wal":
            # Some network file systems refuse WAL; the log still works, readers just wait.
            log.warning("event log %s runs in journal mode %s, not WAL", self.path, mode)

    def _migrate(self) -> None:
        with self._read() as db:
            known = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrations'").fetchone()
        if not known:
            with self._write() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS migrations"
                    " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
        applied = {name for name, _ in self.applied_migrations()}
        unknown = sorted(applied - {migration.name for migration in MIGRATIONS})
        if unknown:
            raise StoreError(
                f"Log kejadian {self.path} dibuat oleh versi kinerja yang lebih baru "
                f"(migrasi tidak dikenal: {', '.join(unknown)}). Perbarui kinerja.",
                path=self.path,
            )
        for migration in MIGRATIONS:
            if migration.name not in applied:
                self._apply(migration)

    def _apply(self, migration: Migration) -> None:
        with self._write() as db:
            # Another process may have applied it since we looked.
            done = db.execute("SELECT 1 FROM migrations WHERE name = ?", (migration.name,))
            if done.fetchone():
                return
            migration.apply(db)
            db.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, format_utc(self._now())),
            )
        log.debug("event log %s: applied migration %s", self.path, migration.name)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front (no upgrade)."""
        with self._lock, self._transaction("BEGIN IMMEDIATE", "menulis ke") as db:
            yield db

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: all statements inside see the same snapshot."""
        with self._lock, self._transaction("BEGIN", "membaca") as db:
            yield db

    @contextmanager
    def _transaction(self, begin: str, action: str) -> Iterator[sqlite3.Connection]:
        db = self._db
        try:
            db.execute(begin)
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _store_error(action, self.path, exc) from exc
            raise


def _row_values(event: Event) -> dict[str, Any]:
    """The hashed fields of an appended event, as stored in the table."""
    assert event.at_utc is not None and event.id is not None
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    return {**values, "at_utc": format_utc(event.at_utc), "outcome": event.outcome.value}


def first_break(records: list[dict[str, Any]], seq: int) -> int | None:
    """The first id where the hash chain of `records` (oldest first) breaks; None if intact.

    That is an edited row, the row right after a deleted one, or (when the newest rows were
    deleted but SQLite's AUTOINCREMENT counter `seq` kept) the first missing id.
    """
    expected_prev, expected_id = GENESIS_HASH, 1
    for record in records:
        values = {name: record[name] for name in HASHED_FIELDS}
        raw = record.get("raw")
        if (
            (raw is not None and bytes(raw) != chain_bytes(values))
            or record["id"] != expected_id
            or record["prev_hash"] != expected_prev
            or record["row_hash"] != chain_hash(expected_prev, values)
        ):
            return int(record["id"])
        expected_prev, expected_id = record["row_hash"], record["id"] + 1
    return expected_id if seq >= expected_id else None


def chain_bytes(values: dict[str, Any]) -> bytes:
    """The bytes a row's hash covers: its fields as canonical JSON, UTF-8."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return canonical.encode("utf-8")


def raw_hash(prev_hash: str, raw: bytes) -> str:
    """row_hash = sha256(prev_hash as ASCII + the row's bytes), lowercase hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + raw).hexdigest()


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return raw_hash(prev_hash, chain_bytes(values))


def event_from_raw(raw: bytes, prev_hash: str, row_hash: str) -> Event:
    """The event whose hashed bytes are `raw` (as `chain_bytes` wrote them)."""
    fields = json.loads(raw)
    known = {name: fields.get(name) for name in HASHED_FIELDS}
    return Event(**{**known, "at_utc": parse_utc(known["at_utc"])},
                 prev_hash=prev_hash, row_hash=row_hash)  # fmt: skip


def _event_from_row(row: sqlite3.Row) -> Event:
    fields = {name: row[name] for name in (*HASHED_FIELDS, "prev_hash", "row_hash")}
    return Event(**{**fields, "at_utc": parse_utc(fields["at_utc"])})


def _store_error(action: str, path: Path, exc: OSError | sqlite3.Error) -> StoreError:
    name = getattr(exc, "sqlite_errorname", None) or ""
    primary = "_".join(name.split("_")[:2])  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    reason = _SQLITE_REASONS.get(primary, str(exc))
    return StoreError(
        f"Gagal {action} log kejadian {path} ({reason}).", path=path, sqlite_error=name
    )
