"""What the centre holds of a region's offices, read for one year: the edge between the central
database and the consolidation (`watcher.central.consolidate`), which computes from plain values.

Row-level security decides what a connection sees: the administrator every office, a
kabupaten's role its own offices, a province's role the offices of its kabupaten. An office the
role may not read is simply absent. Each office's events are read up to the chain head read
first, so the head the report prints and the events it counts agree even while offices push.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from watcher.central.centre import Centre, CentreError
from watcher.record.store import Event, event_from_raw


@dataclass(frozen=True)
class Region:
    region_id: str
    kind: str  # "kabupaten" or "provinsi"
    name: str


@dataclass(frozen=True)
class Chain:
    """How far the centre holds an office's chain."""

    seq: int  # the last sequence number held (0: nothing)
    row_hash: str
    last_at: datetime | None  # when the office logged that event
    received_at: datetime | None  # when the centre stored it

    @property
    def head(self) -> tuple[int, str] | None:
        return (self.seq, self.row_hash) if self.seq else None


NO_CHAIN = Chain(0, "", None, None)


@dataclass(frozen=True)
class OfficeRecord:
    """One registered office as the centre holds it (plain values, for one year)."""

    office_id: str
    region_id: str
    name: str  # the latest in its name history
    chain: Chain
    profile: dict[str, Any] | None  # the latest profile's body (`payload.profile_document`)
    events: tuple[Event, ...]  # the year's events, oldest first
    submissions: dict[str, dict[str, Any]]  # file hash -> the latest readings document for it


def read_region(centre: Centre, region_id: str, year: int) -> tuple[Region, list[OfficeRecord]]:
    """The region and every office under it (a province: under its kabupaten) that this
    connection may read, ordered by kabupaten and office id."""
    rows = centre.execute(
        "SELECT region_id, kind, name FROM kinerja.regions WHERE region_id = %s", (region_id,)
    )
    if not rows:
        raise CentreError(
            f"Wilayah {region_id!r} tidak terdaftar di basis data pusat {centre.database} "
            "(lihat kinerja pusat daftar-wilayah)."
        )
    region = Region(*rows[0])
    offices = centre.execute(
        "SELECT o.office_id, o.region_id FROM kinerja.offices o JOIN kinerja.regions r "
        "ON r.region_id = o.region_id WHERE o.region_id = %s OR r.parent_id = %s "
        "ORDER BY o.region_id, o.office_id",
        (region_id, region_id),
    )
    ids = [office_id for office_id, _ in offices]
    names = _by_office(
        centre.execute(
            "SELECT DISTINCT ON (office_id) office_id, name FROM kinerja.office_names "
            "WHERE office_id = ANY(%s) ORDER BY office_id, valid_from DESC",
            (ids,),
        )
    )
    chains = {
        row[0]: Chain(int(row[1]), row[2], row[3], row[4])
        for row in centre.execute(
            "SELECT DISTINCT ON (office_id) office_id, seq, row_hash, at_utc, received_at "
            "FROM kinerja.events WHERE office_id = ANY(%s) ORDER BY office_id, seq DESC",
            (ids,),
        )
    }
    events = _events(centre, chains, year)
    profiles = _by_office(
        centre.execute(
            "SELECT DISTINCT ON (office_id) office_id, body FROM kinerja.profiles "
            "WHERE office_id = ANY(%s) ORDER BY office_id, received_at DESC",
            (ids,),
        )
    )
    submissions: dict[str, dict[str, dict[str, Any]]] = {}
    for office_id, file_hash, body in centre.execute(
        "SELECT DISTINCT ON (office_id, file_hash) office_id, file_hash, body "
        "FROM kinerja.submissions WHERE office_id = ANY(%s) AND body->>'tahun' = %s "
        "ORDER BY office_id, file_hash, received_at DESC",
        (ids, str(year)),
    ):
        submissions.setdefault(office_id, {})[file_hash] = body
    records = [
        OfficeRecord(
            office_id,
            office_region,
            names.get(office_id, office_id),
            chains.get(office_id, NO_CHAIN),
            profiles.get(office_id),
            tuple(events.get(office_id, ())),
            submissions.get(office_id, {}),
        )
        for office_id, office_region in offices
    ]
    return region, records


def _by_office(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {row[0]: row[1] for row in rows}


def _events(centre: Centre, chains: dict[str, Chain], year: int) -> dict[str, list[Event]]:
    """Each office's events of `year` up to its chain head as read, oldest first."""
    heads = [(office_id, chain.seq) for office_id, chain in chains.items()]
    found: dict[str, list[Event]] = {}
    if not heads:
        return found
    for office_id, raw, prev_hash, row_hash in centre.execute(
        "SELECT e.office_id, e.raw, e.prev_hash, e.row_hash FROM kinerja.events e "
        "JOIN unnest(%s::text[], %s::bigint[]) AS h(office_id, seq) "
        "ON e.office_id = h.office_id AND e.seq <= h.seq "
        "WHERE e.year = %s ORDER BY e.office_id, e.seq",
        ([o for o, _ in heads], [s for _, s in heads], year),
    ):
        found.setdefault(office_id, []).append(event_from_raw(bytes(raw), prev_hash, row_hash))
    return found
