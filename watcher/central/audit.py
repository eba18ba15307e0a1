"""`kinerja pusat periksa`: every office's chain, as the centre holds it, checked again in Python
from the stored bytes (independently of the trigger that checked it on arrival), and what waits
in quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from watcher.central.centre import Centre
from watcher.central.schema import GENESIS_HASH


@dataclass(frozen=True)
class OfficeChain:
    office_id: str
    name: str
    events: int
    high_water: int
    last_at: datetime | None
    first_break: int | None  # the first seq whose link or hash is wrong; None if intact
    quarantined: int

    @property
    def sound(self) -> bool:
        return self.first_break is None and self.quarantined == 0


def first_break(rows: Iterable[tuple[int, str, str, bytes]]) -> int | None:
    """The first seq of (seq, prev_hash, row_hash, raw) rows, oldest first, that does not
    follow the one before (a gap, a wrong link, a hash not over its bytes); None if intact."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    for seq, prev_hash, row_hash, raw in rows:
        digest = hashlib.sha256(prev_hash.encode("ascii") + bytes(raw)).hexdigest()
        if seq != expected_seq or prev_hash != expected_prev or digest != row_hash:
            return seq
        expected_seq, expected_prev = seq + 1, row_hash
    return None


def audit(centre: Centre) -> list[OfficeChain]:
    """Every office the connection may read, its chain checked."""
    offices = centre.execute(
        "SELECT o.office_id, coalesce((SELECT n.name FROM kinerja.office_names n WHERE "
        "n.office_id = o.office_id ORDER BY n.valid_from DESC LIMIT 1), o.office_id), "
        "(SELECT count(*) FROM kinerja.quarantine q WHERE q.office_id = o.office_id) "
        "FROM kinerja.offices o ORDER BY o.office_id"
    )
    found = []
    for office_id, name, quarantined in offices:
        rows = centre.execute(
            "SELECT seq, prev_hash, row_hash, raw, at_utc FROM kinerja.events WHERE office_id = %s "
            "ORDER BY seq",
            (office_id,),
        )
        found.append(OfficeChain(
            office_id, name, len(rows), rows[-1][0] if rows else 0, rows[-1][4] if rows else None,
            first_break(row[:4] for row in rows), int(quarantined),
        ))  # fmt: skip
    return found


def audit_text(chains: list[OfficeChain]) -> str:
    if not chains:
        return "Belum ada kantor terdaftar yang dapat dibaca."
    lines = []
    for chain in chains:
        state = "utuh" if chain.first_break is None else f"PUTUS di kejadian #{chain.first_break}"
        sent = "belum mengirim" if not chain.events else (
            f"{chain.events} kejadian, sampai #{chain.high_water}")  # fmt: skip
        extra = f"; {chain.quarantined} kejadian DIKARANTINA" if chain.quarantined else ""
        lines.append(f"{chain.office_id} ({chain.name}): {sent}; rantai {state}{extra}")
    bad = sum(not chain.sound for chain in chains)
    lines.append(f"{len(chains)} kantor diperiksa; " + (
        "semua rantai utuh." if not bad else f"{bad} kantor perlu diperiksa."))  # fmt: skip
    return "\n".join(lines)
