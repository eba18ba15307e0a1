"""`kinerja verify`: is the record intact? The event log's hash chain and every archived original.

Each row of the event log carries the hash of the row before it (`watcher.record.store`), so a row
edited or deleted behind the triggers' back breaks the chain; each archived original is named
after its SHA-256 (`watcher.record.archive`), so an edited copy no longer matches its name, and one
an event refers to must exist. This module only reads: it diagnoses what the chain check found
(which rows are missing, whether a row or the one before it was rewritten) and checks every
archived copy an event of the service refers to.

The chain alone cannot tell a log rolled back (a lost `-wal`, an older copy restored, the newest
rows deleted together with the AUTOINCREMENT counter), deleted, truncated or rewritten from some
row on. The heads written down about it can: the anchor file `arsip/kepala_log.json`, the head
printed in every report in `outbox/`, and `--anchor ID:HASH`. Each must still be in the log with
its hash (`watcher.record.guard.lost_history`).

Verifying never writes into what it checks: the log is read from a private copy, nothing is
created or migrated (`watcher.record.snapshot`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from watcher.errors import EXIT_DATA, MissingFileError, UsageError
from watcher.record.anchor import AnchorUnreadable, Head, anchor_path, read_anchor, report_heads
from watcher.record.archive import archived_path
from watcher.record.guard import LOST_PREFIX, STATE_TEXT, lost_history
from watcher.record.snapshot import LogSnapshot, LogState, read_log
from watcher.record.store import GENESIS_HASH, HASHED_FIELDS, Outcome, chain_hash, first_break
from watcher.service.tree import Tree

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
    ROWS_LOST = "kejadian_hilang"  # behind a head written down: rolled back, counter and all
    LOG_LOST = "log_hilang"  # deleted, emptied, truncated or not a database any more
    ANCHOR_DAMAGED = "kepala_rantai_rusak"
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
    heads_checked: int = 0  # heads written down (anchor file, reports, --anchor) compared

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_DATA

    def json(self) -> dict[str, Any]:
        """`kinerja verify --json`: the same verdict for a monitoring program."""
        head = None if self.head is None else {"id": self.head[0], "hash": self.head[1]}
        findings = [
            {"jenis": f.kind.value, "pesan": f.message, "kejadian": f.event_id,
             "berkas": None if f.path is None else str(f.path)}
            for f in self.findings
        ]  # fmt: skip
        return {"utuh": self.ok, "jumlah_kejadian": self.events, "jumlah_berkas": self.files,
                "kepala_rantai": head, "kepala_dicocokkan": self.heads_checked,
                "masalah": findings}  # fmt: skip

    def text(self) -> str:
        """The report `kinerja verify` prints."""
        if self.ok:
            lines = [
                f"Log kejadian utuh: {self.events} kejadian, rantai hash tersambung.",
                f"Arsip utuh: {self.files} berkas asli cocok dengan SHA-256 yang tercatat.",
            ]
            if self.heads_checked:
                lines.append(
                    f"Tidak ada kejadian yang hilang: {self.heads_checked} kepala rantai yang "
                    "tercatat (kepala_log.json, laporan di outbox) masih ada di log."
                )
        else:
            lines = [f"CATATAN TIDAK UTUH: {len(self.findings)} masalah ditemukan."]
            lines += [f"  - {finding.message}" for finding in self.findings[:MAX_LISTED]]
            if len(self.findings) > MAX_LISTED:
                lines.append(f"  ... dan {len(self.findings) - MAX_LISTED} masalah lain.")
        if self.head is not None and not self.ok:
            lines.append(f"Kepala rantai log saat ini: #{self.head[0]} {self.head[1]}.")
        elif self.head is not None:
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
    """Check the event log of `tree`, the heads written down about it, and the archive.

    Reads only: the log is read from a private copy (`watcher.record.snapshot`), nothing in the
    tree is created or changed. The heads compared with the log are the anchor file, the heads
    printed in the reports in `outbox/`, and `anchor` (from `--anchor`).
    """
    # The heads first, then the log: a head is written after its commit, so a service
    # appending meanwhile can make the copy newer than the heads, never older.
    known, findings = _known_heads(tree, anchor)
    log = read_log(tree.store_path)
    if log.state is LogState.MISSING and not known:
        raise MissingFileError(
            f"Log kejadian tidak ditemukan: {tree.store_path}. Periksa --root, atau jalankan "
            "kinerja watch lebih dulu."
        )
    if log.state is LogState.OK:
        findings += _chain_findings(log.records, first_break(log.records, log.seq), log.seq)
        findings += _recorded_losses(log.records)
    elif not known:
        detail = f" ({log.detail})" if log.detail else ""
        findings.append(Finding(
            Tampering.LOG_LOST,
            f"Log kejadian {log.path} {STATE_TEXT[log.state]}{detail}. Pulihkan dari cadangan.",
            path=log.path,
        ))  # fmt: skip
    findings += _head_findings(log, known)
    archived, file_findings = _archive_findings(tree.archive_files, log.records)
    head = (log.records[-1]["id"], log.records[-1]["row_hash"]) if log.records else None
    return VerifyResult(
        len(log.records), archived, head, tuple(findings + file_findings), len(known)
    )


def _known_heads(
    tree: Tree, anchor: tuple[int, str] | None
) -> tuple[list[tuple[str, Head]], list[Finding]]:
    """(source, head) of every head written down about the log, and a damaged anchor file."""
    known: list[tuple[str, Head]] = []
    findings: list[Finding] = []
    path = anchor_path(tree.archive)
    try:
        kept = read_anchor(path)
    except AnchorUnreadable as exc:
        kept = None
        findings.append(Finding(
            Tampering.ANCHOR_DAMAGED,
            f"Kepala rantai log {path} rusak atau diubah ({exc}).", path=path,
        ))  # fmt: skip
    if kept is not None:
        known.append((f"kepala rantai {path.name}", kept))
    known += [
        (f"laporan {report.relative_to(tree.root).as_posix()}", Head(ident, digest, 0))
        for report, (ident, digest) in report_heads(tree.outbox)
    ]
    if anchor is not None:
        known.append(("jangkar --anchor", Head(anchor[0], anchor[1], 0)))
    return known, findings


def _head_findings(log: LogSnapshot, known: list[tuple[str, Head]]) -> list[Finding]:
    """A finding per head the log can no longer show; of the reports, the newest per kind."""
    findings: list[Finding] = []
    from_reports: set[Tampering] = set()
    by_id = {record["id"]: record for record in log.records}
    for source, head in sorted(known, key=lambda item: -item[1].id):
        if log.state is LogState.OK and head.id not in by_id and head.id <= log.seq:
            continue  # a deleted row the chain check already names
        message = lost_history(log, head, source, count=False)
        if message is None:
            continue
        if log.state is not LogState.OK:
            kind = Tampering.LOG_LOST
        elif head.id in by_id:
            kind = Tampering.ANCHOR_MISMATCH
        else:
            kind = Tampering.ROWS_LOST
        if source.startswith("laporan"):
            if kind in from_reports:
                continue  # the newest report is proof enough
            from_reports.add(kind)
        findings.append(Finding(kind, message, event_id=head.id, path=log.path))
    return findings


def _chain_findings(records: list[dict], broken: int | None, seq: int) -> list[Finding]:
    """Explain the first broken link `first_break` found (None: nothing to explain)."""
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


def _recorded_losses(records: list[dict]) -> list[Finding]:
    """The losses the service found at its start and recorded (they stay lost)."""
    return [
        Finding(
            Tampering.ROWS_LOST,
            f"Dicatat layanan pada kejadian #{record['id']}: {record['message']}",
            event_id=record["id"],
        )
        for record in records
        if record["outcome"] == Outcome.ERROR and record["message"].startswith(LOST_PREFIX)
    ]


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
