"""The central PostgreSQL database, as the offices and the centre's IT person use it (psycopg 3).

`Centre` is one connection: `migrate` builds or updates the schema (`watcher.central.schema`),
`add_region` / `add_office` fill the registry and create each one's login role, `receive`
stores one batch of an office's events, `high_water` says how far the centre holds an office's
chain. Errors reach the user as `CentreError` with an Indonesian message, never a traceback.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self

import psycopg
from psycopg import sql

from watcher.central.schema import MIGRATIONS, OFFICE_GRANTS, REGION_GRANTS
from watcher.errors import KinerjaError
from watcher.record.store import RawEvent

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
# SQLSTATEs the schema raises (watcher.central.schema) and what they mean to an office.
CHAIN_ERRORS = {"KN001": "celah", "KN002": "tidak menyambung", "KN003": "hash tidak sesuai"}


class CentreError(KinerjaError):
    """The central database cannot be reached, refused a batch, or is not set up."""

    exit_code = 1

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient  # worth retrying later (network, a restart, a lock)


class ChainRefused(CentreError):
    """The centre refused a batch because it does not continue the chain it holds."""


@dataclass(frozen=True)
class Receipt:
    """What the centre did with one batch, and how far it now holds the office's chain."""

    stored: int
    duplicates: int
    quarantined: int
    high_water: int


def checked_id(value: str, what: str) -> str:
    if not _ID.fullmatch(value):
        raise CentreError(
            f"Kode {what} {value!r} tidak valid: pakai 1-40 huruf, angka, titik, garis bawah "
            "atau tanda hubung."
        )
    return value


class Centre:
    """One connection to the central database (autocommit off: each call is a transaction)."""

    def __init__(self, url: str) -> None:
        try:
            self._db = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S,
                                       application_name="kinerja")  # fmt: skip
        except psycopg.Error as exc:
            raise _error("terhubung ke", exc) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def database(self) -> str:
        return self._db.info.dbname

    @contextmanager
    def _transaction(self, action: str) -> Iterator[psycopg.Cursor[Any]]:
        try:
            with self._db.transaction(), self._db.cursor() as cursor:
                yield cursor
        except psycopg.Error as exc:
            raise _error(action, exc) from exc

    # --- schema -------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; return their names."""
        applied: list[str] = []
        with self._transaction("menyiapkan") as cursor:
            cursor.execute("CREATE SCHEMA IF NOT EXISTS kinerja")
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS kinerja.migrations (name text PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now())"
            )
        known = set(self.applied_migrations())
        unknown = sorted(known - {m.name for m in MIGRATIONS})
        if unknown:
            raise CentreError(
                f"Basis data pusat {self.database} dibuat oleh versi kinerja yang lebih baru "
                f"(migrasi tidak dikenal: {', '.join(unknown)}). Perbarui kinerja di pusat."
            )
        for migration in MIGRATIONS:
            if migration.name in known:
                continue
            with self._transaction("menyiapkan") as cursor:
                cursor.execute("LOCK TABLE kinerja.migrations IN EXCLUSIVE MODE")
                cursor.execute("SELECT 1 FROM kinerja.migrations WHERE name = %s",
                               (migration.name,))  # fmt: skip
                if cursor.fetchone():
                    continue
                cursor.execute(migration.sql)
                cursor.execute("INSERT INTO kinerja.migrations (name) VALUES (%s)",
                               (migration.name,))  # fmt: skip
            applied.append(migration.name)
            log.info("central database %s: applied %s", self.database, migration.name)
        return applied

    def applied_migrations(self) -> list[str]:
        with self._transaction("membaca") as cursor:
            cursor.execute("SELECT name FROM kinerja.migrations ORDER BY applied_at, name")
            return [row[0] for row in cursor.fetchall()]

    # --- registry -----------------------------------------------------------------------

    def role_name(self, kind: str, code: str) -> str:
        """The login role of an office or region: prefixed by the database, as roles are shared
        by every database of a PostgreSQL cluster."""
        name = re.sub(r"[^a-z0-9_]", "_", f"{self.database}_{kind}_{code}".lower())
        return name[:63]

    def add_region(self, region_id: str, name: str, *, kind: str, parent: str | None = None
                   ) -> tuple[str, str]:  # fmt: skip
        """Register a kabupaten or province and create its read-only role; (role, password)."""
        checked_id(region_id, "wilayah")
        if self._region_kind(region_id) is not None:
            raise CentreError(f"Wilayah {region_id} sudah terdaftar.")
        if parent is not None and self._region_kind(parent) != "provinsi":
            raise CentreError(f"Induk {parent} bukan provinsi yang terdaftar; daftarkan dulu "
                              "dengan: kinerja pusat daftar-wilayah --provinsi.")  # fmt: skip
        if parent is not None and kind != "kabupaten":
            raise CentreError("Hanya kabupaten/kota yang punya induk (provinsi).")
        role, password = self.role_name(kind, region_id), secrets.token_urlsafe(24)
        with self._transaction("mendaftarkan wilayah di") as cursor:
            cursor.execute(
                "INSERT INTO kinerja.regions (region_id, kind, name, parent_id, role_name) "
                "VALUES (%s, %s, %s, %s, %s)",
                (region_id, kind, name, parent, role),
            )
            _create_role(cursor, role, password, REGION_GRANTS)
        return role, password

    def add_office(self, office_id: str, name: str, *, region: str, public_key: str
                   ) -> tuple[str, str]:  # fmt: skip
        """Register an office under its kabupaten and create its role; (role, password)."""
        checked_id(office_id, "kantor")
        if self._region_kind(region) != "kabupaten":
            raise CentreError(f"Wilayah {region} bukan kabupaten/kota yang terdaftar; daftarkan "
                              "dulu dengan: kinerja pusat daftar-wilayah.")  # fmt: skip
        if self.public_key(office_id) is not None:
            raise CentreError(f"Kantor {office_id} sudah terdaftar; kodenya tetap selamanya. "
                              "Nama baru tercatat sendiri saat kantor itu mengirim.")  # fmt: skip
        role, password = self.role_name("kantor", office_id), secrets.token_urlsafe(24)
        with self._transaction("mendaftarkan kantor di") as cursor:
            cursor.execute(
                "INSERT INTO kinerja.offices (office_id, region_id, role_name, public_key) "
                "VALUES (%s, %s, %s, %s)",
                (office_id, region, role, public_key),
            )
            cursor.execute("INSERT INTO kinerja.office_names (office_id, name) VALUES (%s, %s)",
                           (office_id, name))  # fmt: skip
            _create_role(cursor, role, password, OFFICE_GRANTS)
        return role, password

    def _region_kind(self, region_id: str) -> str | None:
        rows = self.execute("SELECT kind FROM kinerja.regions WHERE region_id = %s", (region_id,))
        return rows[0][0] if rows else None

    def public_key(self, office_id: str) -> str | None:
        with self._transaction("membaca") as cursor:
            cursor.execute("SELECT public_key FROM kinerja.offices WHERE office_id = %s",
                           (office_id,))  # fmt: skip
            row = cursor.fetchone()
        return row[0] if row else None

    # --- receiving ----------------------------------------------------------------------

    def high_water(self, office_id: str) -> int:
        with self._transaction("membaca") as cursor:
            cursor.execute("SELECT kinerja.high_water(%s)", (office_id,))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def receive(self, office_id: str, batch: Sequence[RawEvent]) -> Receipt:
        """Store one batch in one transaction (see `kinerja.receive_events`)."""
        with self._transaction("mengirim ke") as cursor:
            cursor.execute(
                "SELECT * FROM kinerja.receive_events(%s, %s, %s, %s, %s)",
                (
                    office_id,
                    [e.seq for e in batch],
                    [e.prev_hash for e in batch],
                    [e.row_hash for e in batch],
                    [e.raw for e in batch],
                ),
            )
            row = cursor.fetchone()
        assert row is not None
        return Receipt(*(int(value) for value in row))

    def add_document(self, table: str, office_id: str, key: tuple[str, ...], body: str) -> bool:
        """Insert one submission or profile (JSON text) unless held; True if it was new."""
        columns = {"submissions": ("file_hash", "content_hash"), "profiles": ("content_hash",)}
        names = ("office_id", *columns[table], "body")
        query = sql.SQL("INSERT INTO kinerja.{} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, names)),
            sql.SQL(", ").join(sql.Placeholder() * len(names)),
        )
        with self._transaction("mengirim ke") as cursor:
            cursor.execute(query, (office_id, *key, body))
            return cursor.rowcount == 1

    def held_documents(self, table: str, office_id: str) -> set[str]:
        """The content hashes of the office's submissions or profiles the centre holds."""
        query = sql.SQL("SELECT content_hash FROM kinerja.{} WHERE office_id = %s").format(
            sql.Identifier(table)
        )
        with self._transaction("membaca") as cursor:
            cursor.execute(query, (office_id,))
            return {row[0] for row in cursor.fetchall()}

    def record_name(self, office_id: str, name: str) -> None:
        """Add the office's name to its history when it differs from the latest."""
        with self._transaction("mengirim ke") as cursor:
            cursor.execute(
                "INSERT INTO kinerja.office_names (office_id, name) SELECT %s, %s WHERE %s IS "
                "DISTINCT FROM (SELECT name FROM kinerja.office_names WHERE office_id = %s "
                "ORDER BY valid_from DESC LIMIT 1)",
                (office_id, name, name, office_id),
            )

    def execute(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """One read-only query in its own transaction (for reports and checks)."""
        with self._transaction("membaca") as cursor:
            cursor.execute(query, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []


def _create_role(cursor: psycopg.Cursor[Any], role: str, password: str,
                 grants: Sequence[str]) -> None:  # fmt: skip
    cursor.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)
        )
    )
    for grant in grants:
        cursor.execute(sql.SQL(grant).format(role=sql.Identifier(role)))


def _error(action: str, exc: psycopg.Error) -> CentreError:
    state = getattr(exc, "sqlstate", None) or ""
    primary = exc.diag.message_primary if getattr(exc, "diag", None) is not None else None
    detail = " ".join(str(primary or exc).split()).rstrip(".")
    if state in CHAIN_ERRORS:
        return ChainRefused(f"Pusat menolak kiriman ({CHAIN_ERRORS[state]}): {detail}.")
    if state == "42501":
        return CentreError(f"Tidak diizinkan {action} basis data pusat: {detail}.")
    transient = isinstance(exc, psycopg.OperationalError) or state.startswith(("08", "57", "40"))
    hint = " Kiriman diulang nanti; tidak ada yang hilang." if transient else ""
    return CentreError(f"Gagal {action} basis data pusat: {detail}.{hint}", transient=transient)
