"""`kinerja verify`: is the record intact? The event log's hash chain and every archived original.

Each row of the event log carries the hash of the row before it (`watcher.store`), so a row
edited or deleted behind the triggers' back breaks the chain; each archived original is named
after its SHA-256 (`watcher.archive`), so an edited copy no longer matches its name, and one an
event refers to must exist. This module only reads: it diagnoses what the chain check found
(which rows are missing, whether a row or the one before it was rewritten) and checks every
archived copy an event of the service refers to.

The chain has no outside anchor: whoever rewrites *every* later row can hide an edit. Printing
the head (`#id hash`) in the reports, or writing it down, and checking it later with
`--anchor ID:HASH` closes that door.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from watcher.archive import archived_path
from watcher.errors import EXIT_DATA, MissingFileError, UsageError
from watcher.store import GENESIS_HASH, HASHED_FIELDS, Outcome, Store, chain_hash
from watcher.tree import Tree

# Events the pipeline records only after archiving the file's bytes (archive -> record -> move).
# Issued workbooks and built reports are not archived: their hashes identify, not prove.
ARCHIVED_OUTCOMES = frozenset({
    Outcome.RECEIVED, Outcome.DUPLICATE, Outcome.REFUSED, Outcome.VALID, Outcome.INVALID,
    Outcome.MOVED, Outcome.APPROVED, Outcome.RETURNED, Outcome.MISSING,
})  # fmt: skip
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024
MAX_LISTED = 20  # file problems listed one by one; the rest are counted


class Tampering(StrEnum):
    ROW_CHANGED = "baris_diubah"
    ROWS_DELETED = "baris_dihapus"
    ANCHOR_MISMATCH = "jangkar_tidak_cocok"
    FILE_CHANGED = "berkas_arsip_diubah"
    FILE_MISSING = "berkas_arsip_hilang"


@dataclass(frozen=True)
class Finding:
    kind: Tampering
    message: str  # Indonesian
    event_id: int | None = None
    path: Path | None = None


@dataclass(frozen=True)
class VerifyResult:
    events: int
    files: int  # distinct archived originals checked
    head: tuple[int, str] | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_DATA

    def text(self) -> str:
        """The report `kinerja verify` prints."""
        if self.ok:
            lines = [
                f"Log kejadian utuh: {self.events} kejadian, rantai hash tersambung.",
                f"Arsip utuh: {self.files} berkas asli cocok dengan SHA-256 yang tercatat.",
            ]
        else:
            lines = [f"CATATAN TIDAK UTUH: {len(self.findings)} masalah ditemukan."]
            lines += [f"  - {finding.message}" for finding in self.findings[:MAX_LISTED]]
            if len(self.findings) > MAX_LISTED:
                lines.append(f"  ... dan {len(self.findings) - MAX_LISTED} masalah lain.")
        if self.head is not None:
            ident, digest = self.head
            lines.append(
                f"Kepala rantai: #{ident} {digest}. Catat nilai ini; kelak "
                f"'kinerja verify --anchor {ident}:{digest}' memastikan log sampai titik ini "
                "tidak ditulis ulang."
            )
        return "\n".join(lines)


def parse_anchor(text: str) -> tuple[int, str]:
    """The anchor "57:3f2a..." as (57, "3f2a..."); UsageError if it is not one."""
    ident, _, digest = text.partition(":")
    if not ident.isdigit() or not _SHA256.fullmatch(digest.lower()):
        raise UsageError(
            f"Jangkar '{text}' tidak valid; tulis seperti 57:<64 angka heksadesimal> "
            "(dicetak oleh kinerja verify)."
        )
    return int(ident), digest.lower()


def verify_tree(tree: Tree, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Check the event log of `tree` and the archived originals its events refer to."""
    if not tree.store_path.exists():
        raise MissingFileError(
            f"Log kejadian tidak ditemukan: {tree.store_path}. Periksa --root, atau jalankan "
            "kinerja watch lebih dulu."
        )
    with Store(tree.store_path) as store:
        broken = store.verify_chain()
        head = store.head()
    db = sqlite3.connect(tree.store_path)
    try:
        rows = db.execute("SELECT * FROM events ORDER BY id").fetchall()
        columns = [column[0] for column in db.execute("SELECT * FROM events LIMIT 0").description]
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    finally:
        db.close()
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    findings = _chain_findings(records, broken, seq[0] if seq else 0)
    if anchor is not None:
        findings += _anchor_findings(records, anchor)
    archived, file_findings = _archive_findings(tree.archive_files, records)
    return VerifyResult(len(records), archived, head, tuple(findings + file_findings))


def _chain_findings(records: list[dict], broken: int | None, seq: int) -> list[Finding]:
    """Explain the first broken link `Store.verify_chain` found (None: nothing to explain)."""
    if broken is None:
        return []
    present = {record["id"] for record in records}
    missing = sorted(set(range(1, max(seq, max(present, default=0)) + 1)) - present)
    if missing:
        listed = ", ".join(f"#{ident}" for ident in missing[:10])
        more = f" dan {len(missing) - 10} lainnya" if len(missing) > 10 else ""
        return [Finding(
            Tampering.ROWS_DELETED,
            f"Baris log kejadian {listed}{more} telah DIHAPUS: rantai hash putus pada #{broken}.",
            event_id=missing[0],
        )]  # fmt: skip
    by_id = {record["id"]: record for record in records}
    record = by_id[broken]
    values = {name: record[name] for name in HASHED_FIELDS}
    consistent = record["row_hash"] == chain_hash(record["prev_hash"], values)
    expected_prev = by_id[broken - 1]["row_hash"] if broken > 1 else GENESIS_HASH
    if consistent and record["prev_hash"] != expected_prev:
        message = (
            f"Baris log kejadian #{broken - 1} telah DIUBAH dan hash-nya dihitung ulang: baris "
            f"#{broken} tidak lagi menunjuk kepadanya."
        )
        return [Finding(Tampering.ROW_CHANGED, message, event_id=broken - 1)]
    message = (
        f"Baris log kejadian #{broken} telah DIUBAH: isinya ({record['outcome']}, "
        f"{record['at_utc']}) tidak cocok lagi dengan hash berantainya."
    )
    return [Finding(Tampering.ROW_CHANGED, message, event_id=broken)]


def _anchor_findings(records: list[dict], anchor: tuple[int, str]) -> list[Finding]:
    ident, digest = anchor
    found = next((r["row_hash"] for r in records if r["id"] == ident), None)
    if found == digest:
        return []
    what = "tidak ada lagi" if found is None else "memiliki hash lain"
    message = (
        f"Jangkar tidak cocok: baris #{ident} {what}. Log telah ditulis ulang sejak jangkar "
        "itu dicatat."
    )
    return [Finding(Tampering.ANCHOR_MISMATCH, message, event_id=ident)]


def _archive_findings(archive: Path, records: list[dict]) -> tuple[int, list[Finding]]:
    """(distinct archived originals checked, a finding per missing or altered copy)."""
    first_event: dict[str, dict] = {}
    for record in records:
        digest = record["file_hash"]
        if record["outcome"] in ARCHIVED_OUTCOMES and digest and _SHA256.fullmatch(digest):
            first_event.setdefault(digest, record)
    findings = []
    for digest, record in first_event.items():
        shard = archived_path(archive, digest, "").parent
        copies = sorted(p for p in shard.glob(f"{digest}*") if p.is_file())
        where = f"kejadian #{record['id']}, {record['from_path'] or record['to_path'] or '-'}"
        if not copies:
            findings.append(Finding(
                Tampering.FILE_MISSING,
                f"Salinan arsip berkas {digest[:12]}… HILANG dari {shard} ({where}).",
                event_id=record["id"], path=archived_path(archive, digest),
            ))  # fmt: skip
        for copy in copies:
            if _sha256_file(copy) != digest:
                findings.append(Finding(
                    Tampering.FILE_CHANGED,
                    f"Salinan arsip {copy} telah DIUBAH: isinya tidak cocok dengan SHA-256 "
                    f"yang tercatat ({where}).",
                    event_id=record["id"], path=copy,
                ))  # fmt: skip
    return len(first_event), findings


def _sha256_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None  # unreadable counts as altered: it can no longer prove anything
    return digest.hexdigest()
