"""A signed bundle file: how an office without a network sends its record (on a USB stick or by
e-mail), and how the centre imports it the way it receives a push.

Format, version 1 (one file, conventionally `*.kinerja`):

    line 1   the header: one JSON object in UTF-8 ending with "\\n", at most 4 KiB:
             {"format": "kinerja-bundel", "versi": 1, "kantor": "7304.dukcapil",
              "seq_dari": 1, "seq_sampai": 20, "jumlah_kejadian": 20,
              "dibuat_utc": "2026-10-12T01:00:00+00:00",
              "isi_ukuran": <bytes after the header>, "isi_sha256": "<SHA-256 of those bytes>",
              "tanda_tangan": "<Ed25519 signature, 128 hex digits>"}
    the rest the payload: one gzip member of UTF-8 JSON:
             {"kantor": ..., "kejadian": [{"seq", "prev_hash", "row_hash", "raw": base64}],
              "profil": "<profile document>", "laporan": [{"sha256": <workbook hash>,
              "isi": "<readings document>"}]}

The signature is the office's (key in its credentials file) over the header's canonical JSON
(keys sorted, no spaces, ASCII) without "tanda_tangan"; the header names the payload's hash, so
it covers every byte. The centre reads in this order, and stores nothing before the end: size
limits, header, version, office known, signature (public key in `kinerja.offices`), payload size
and hash, gunzip within a limit, types, chain within the bundle. Only then are the events sent
through `Centre.receive` and the documents through `push.send_documents`, as a push sends them,
so the centre's own checks (no gap, a different event under a held seq quarantined, each hash
over its raw bytes) apply unchanged. Importing is idempotent: a bundle holds every event unless
made `--sejak N`, and what the centre holds already counts as a duplicate.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from watcher.central.centre import CentreError, checked_id
from watcher.central.payload import Document, profile_files
from watcher.central.push import BATCH_SIZE, OfficeDocuments
from watcher.central.signing import sign, verifies
from watcher.errors import EXIT_UNUSABLE, KinerjaError
from watcher.record.durable import atomic_writer
from watcher.record.store import GENESIS_HASH, RawEvent, Store, format_utc, raw_hash

FORMAT, VERSION = "kinerja-bundel", 1
HEADER_KEYS = frozenset({"format", "versi", "kantor", "seq_dari", "seq_sampai", "jumlah_kejadian",
                         "dibuat_utc", "isi_ukuran", "isi_sha256", "tanda_tangan"})  # fmt: skip
PAYLOAD_KEYS = frozenset({"kantor", "kejadian", "profil", "laporan"})
EVENT_KEYS = frozenset({"seq", "prev_hash", "row_hash", "raw"})
REPORT_KEYS = frozenset({"sha256", "isi"})
_HEX64, _HEX128 = re.compile(r"[0-9a-f]{64}"), re.compile(r"[0-9a-f]{128}")
MAX_SEQ = 2**63 - 1  # PostgreSQL bigint
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a bundle may hold: a crafted file is refused at the limit, never read past it."""

    file_bytes: int = 64 * MiB
    header_bytes: int = 4096
    payload_bytes: int = 128 * MiB  # after gunzip
    events: int = 200_000
    event_bytes: int = 64 * 1024  # one event's raw bytes
    reports: int = 20_000
    document_bytes: int = 16 * MiB


LIMITS = Limits()


class BundleError(KinerjaError):
    """A bundle that is not imported (or not written); nothing of it was stored. `rule` names
    the check that refused it, e.g. "bundel.tanda_tangan"."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _refuse(rule: str, message: str) -> NoReturn:
    raise BundleError(f"bundel.{rule}", message)


@dataclass(frozen=True)
class Bundle:
    """What one bundle holds: the office's events from `first` on, and its documents."""

    office_id: str
    first: int  # the seq of the first event (the one after `--sejak`)
    events: tuple[RawEvent, ...]
    documents: OfficeDocuments
    created_utc: str

    @property
    def last(self) -> int:
        return self.first + len(self.events) - 1

    def text(self) -> str:
        span = (f"kejadian #{self.first}-#{self.last} ({len(self.events)})" if self.events
                else f"tidak ada kejadian setelah #{self.first - 1}")  # fmt: skip
        return (f"bundel kantor {self.office_id} dibuat {self.created_utc}: {span}, "
                f"{len(self.documents.submissions)} laporan disetujui, profil kantor")  # fmt: skip


# --- office side ----------------------------------------------------------------------------


def gather(store: Store, office_id: str, documents: OfficeDocuments, *, since: int,
           now: Callable[[], datetime], limits: Limits = LIMITS) -> Bundle:  # fmt: skip
    """Every event of the office's log after `since`, with its documents (`office_documents`)."""
    head = store.head()
    last = head[0] if head else 0
    if not 0 <= since <= last:
        _refuse("sejak", f"--sejak {since} di luar log kantor ini, yang sampai kejadian "
                f"#{last}; pakai 0 sampai {last}.")  # fmt: skip
    if last - since > limits.events:
        _refuse("terlalu_banyak", f"{last - since} kejadian melebihi batas satu bundel "
                f"({limits.events}); buat beberapa bundel dengan --sejak.")  # fmt: skip
    events: list[RawEvent] = []
    while len(events) < last - since:  # the log as of `head`: the service may go on appending
        page = store.raw_events(since_id=since + len(events), limit=BATCH_SIZE)
        if not page:
            break
        events.extend(page)
    events = events[: last - since]
    return Bundle(office_id, since + 1, tuple(events), documents, format_utc(now()))


def encode(bundle: Bundle, private_key: str, *, limits: Limits = LIMITS) -> bytes:
    """The bundle file's bytes, signed with the office's key."""
    events = [_event_item(event) for event in bundle.events]
    reports = [{"sha256": file_hash, "isi": document.body}
               for file_hash, document in bundle.documents.submissions]  # fmt: skip
    payload = {"kantor": bundle.office_id, "kejadian": events,
               "profil": bundle.documents.profile.body, "laporan": reports}  # fmt: skip
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _within(len(text), limits.payload_bytes, "isi bundel")
    data = seal(bundle, gzip.compress(text, mtime=0), private_key)
    _within(len(data), limits.file_bytes, "bundel")
    return data


def _event_item(event: RawEvent) -> dict[str, Any]:
    return {"seq": event.seq, "prev_hash": event.prev_hash, "row_hash": event.row_hash,
            "raw": base64.b64encode(event.raw).decode("ascii")}  # fmt: skip


def _within(size: int, limit: int, what: str) -> None:
    if size > limit:
        _refuse("terlalu_besar", f"{what} {size / MiB:.1f} MB melebihi batas {limit // MiB} MB; "
                "buat beberapa bundel dengan --sejak.")  # fmt: skip


def seal(bundle: Bundle, body: bytes, private_key: str) -> bytes:
    """Header (signed over `body`'s hash) + `body`: the file as `decode` reads it."""
    header: dict[str, Any] = {
        "format": FORMAT, "versi": VERSION, "kantor": bundle.office_id,
        "seq_dari": bundle.first, "seq_sampai": bundle.last, "jumlah_kejadian": len(bundle.events),
        "dibuat_utc": bundle.created_utc, "isi_ukuran": len(body),
        "isi_sha256": hashlib.sha256(body).hexdigest(),
    }  # fmt: skip
    header["tanda_tangan"] = sign(private_key, _signed_bytes(header))
    return json.dumps(header, sort_keys=True).encode("ascii") + b"\n" + body


def write_bundle(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (temp file, fsync, rename)."""
    try:
        with atomic_writer(path) as stream:
            stream.write(data)
    except OSError as exc:
        _refuse("tulis", f"bundel {path} tidak dapat ditulis: {exc.strerror or exc}.")


def _signed_bytes(header: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in header.items() if key != "tanda_tangan"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode("ascii")


# --- centre side ----------------------------------------------------------------------------


def decode(data: bytes, public_key: Callable[[str], str | None], *,
           limits: Limits = LIMITS) -> Bundle:  # fmt: skip
    """The bundle in `data`, checked whole; BundleError (Indonesian) for anything wrong.

    `public_key` gives the registered key of an office id (None: not registered); nothing is
    decompressed before the signature and the payload's hash hold.
    """
    if len(data) > limits.file_bytes:
        _refuse("terlalu_besar", f"berkas lebih dari {limits.file_bytes // MiB} MB.")
    end = data.find(b"\n", 0, limits.header_bytes + 1)
    if end < 0:
        _refuse("bukan_bundel", "bukan bundel kinerja (kepala berkas tidak ditemukan; berkas "
                "lain, atau terpotong).")  # fmt: skip
    header = _header(data[:end])
    office_id = header["kantor"]
    key = public_key(office_id)
    if key is None:
        _refuse("kantor", f"kantor {office_id} tidak terdaftar di pusat ini.")
    if not verifies(key, _signed_bytes(header), header["tanda_tangan"]):
        _refuse("tanda_tangan", f"tanda tangan tidak sah untuk kantor {office_id}: bundel "
                "ditandatangani kunci lain atau kepalanya diubah.")  # fmt: skip
    body = data[end + 1 :]
    if len(body) != header["isi_ukuran"]:
        _refuse("terpotong", f"isi bundel {len(body)} byte, kepalanya menyebut "
                f"{header['isi_ukuran']} byte: berkas terpotong atau ditambahi.")  # fmt: skip
    if hashlib.sha256(body).hexdigest() != header["isi_sha256"]:
        _refuse("isi_berubah", "isi bundel tidak sesuai hash yang ditandatangani: berkas "
                "berubah atau rusak di perjalanan.")  # fmt: skip
    payload = _json(_gunzip(body, limits.payload_bytes), "isi bundel")
    return _bundle(header, payload, limits)


def _header(line: bytes) -> dict[str, Any]:
    header = _json(line, "kepala bundel", rule="bukan_bundel")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        _refuse("bukan_bundel", "bukan bundel kinerja (format kepala berkas lain).")
    version = header.get("versi")
    if not _is_int(version, 0) or version != VERSION:
        _refuse("versi", f"bundel versi {version!r} tidak dikenal; kinerja ini membaca versi "
                f"{VERSION}. Samakan versi kinerja di kantor dan di pusat.")  # fmt: skip
    if set(header) != HEADER_KEYS:
        _refuse("kepala", f"isian kepala bundel tidak sesuai versi {VERSION}: "
                f"{', '.join(sorted(set(header) ^ HEADER_KEYS))}.")  # fmt: skip
    for name in ("kantor", "dibuat_utc", "isi_sha256", "tanda_tangan"):
        _expect(isinstance(header[name], str), f"{name} harus teks", rule="kepala")
    for name in ("seq_dari", "seq_sampai", "jumlah_kejadian", "isi_ukuran"):
        _expect(_is_int(header[name], 0), f"{name} harus bilangan bulat >= 0", rule="kepala")
    try:
        checked_id(header["kantor"], "kantor")
    except CentreError as exc:
        _refuse("kepala", exc.message)
    first, last, count = header["seq_dari"], header["seq_sampai"], header["jumlah_kejadian"]
    _expect(first >= 1 and count == last - first + 1, "rentang kejadian", rule="kepala")
    _expect(bool(_HEX64.fullmatch(header["isi_sha256"])), "isi_sha256", rule="kepala")
    _expect(bool(_HEX128.fullmatch(header["tanda_tangan"])), "tanda_tangan", rule="kepala")
    try:
        created = datetime.fromisoformat(header["dibuat_utc"])
    except ValueError:
        created = None
    _expect(created is not None and created.tzinfo is not None, "dibuat_utc", rule="kepala")
    return header


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip, one member
    try:
        text = inflater.decompress(body, limit + 1)
    except zlib.error:
        _refuse("rusak", "isi bundel rusak (bukan gzip yang utuh).")
    if len(text) > limit:
        _refuse("terlalu_besar", f"isi bundel melebihi batas {limit // MiB} MB setelah dibuka.")
    if not inflater.eof or inflater.unused_data:
        _refuse("rusak", "isi bundel rusak (gzip terpotong atau ada data sesudahnya).")
    return text


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(name)  # NaN and Infinity are not JSON (PostgreSQL's jsonb refuses them)


def _json(data: bytes | str, what: str, *, rule: str = "isi") -> Any:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        _refuse(rule, f"{what} bukan teks UTF-8.")
    except (ValueError, RecursionError):
        _refuse(rule, f"{what} bukan JSON yang benar.")


def _is_int(value: object, low: int) -> bool:
    return type(value) is int and low <= value <= MAX_SEQ


def _expect(condition: bool, what: str, *, rule: str = "isi") -> None:
    if not condition:
        part = "kepala" if rule == "kepala" else "isi"
        _refuse(rule, f"{part} bundel tidak valid: {what}.")


def _bundle(header: dict[str, Any], payload: Any, limits: Limits) -> Bundle:
    _expect(isinstance(payload, dict) and set(payload) == PAYLOAD_KEYS, "isian isi bundel")
    _expect(payload["kantor"] == header["kantor"], "isi menyebut kantor lain dari kepalanya")
    raw_events, reports = payload["kejadian"], payload["laporan"]
    _expect(isinstance(raw_events, list) and len(raw_events) == header["jumlah_kejadian"]
            and len(raw_events) <= limits.events, "jumlah kejadian")  # fmt: skip
    _expect(isinstance(reports, list) and len(reports) <= limits.reports, "daftar laporan")
    events = tuple(_events(raw_events, header["seq_dari"], limits))
    profile, values = _document(payload["profil"], "profil", limits)
    try:
        profile_files(values)
    except (KeyError, TypeError, ValueError):  # binascii.Error is a ValueError
        _expect(False, "profil: berkas SOP atau data induk rusak")
    name = values.get("nama_kantor")
    _expect(isinstance(name, str) and 0 < len(name) <= 500, "profil: nama_kantor")
    submissions = []
    for index, report in enumerate(reports, 1):
        where = f"laporan ke-{index}"
        _expect(isinstance(report, dict) and set(report) == REPORT_KEYS, where)
        file_hash = report["sha256"]
        _expect(isinstance(file_hash, str) and bool(_HEX64.fullmatch(file_hash)), where)
        document, values = _document(report["isi"], where, limits)
        _expect(values.get("sha256") == file_hash, f"{where}: hash buku kerja")
        submissions.append((file_hash, document))
    documents = OfficeDocuments(name, profile, tuple(submissions))
    return Bundle(header["kantor"], header["seq_dari"], events, documents, header["dibuat_utc"])


def _events(items: list[Any], first: int, limits: Limits) -> Iterator[RawEvent]:
    """Each event checked as the centre will: in sequence, chained, its hash over its bytes."""
    prev = GENESIS_HASH if first == 1 else None
    for seq, item in enumerate(items, first):
        where = f"kejadian #{seq}"
        _expect(isinstance(item, dict) and set(item) == EVENT_KEYS and item["seq"] == seq
                and _is_int(item["seq"], 1), f"{where}: isian atau nomornya")  # fmt: skip
        hashes = (item["prev_hash"], item["row_hash"])
        _expect(all(isinstance(h, str) and _HEX64.fullmatch(h) for h in hashes), f"{where}: hash")
        _expect(prev is None or item["prev_hash"] == prev, f"{where}: tidak menyambung")
        encoded = item["raw"]
        _expect(isinstance(encoded, str) and len(encoded) <= limits.event_bytes * 4 // 3 + 4,
                f"{where}: isi")  # fmt: skip
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            _expect(False, f"{where}: isi bukan base64")
        _expect(raw_hash(item["prev_hash"], raw) == item["row_hash"], f"{where}: hash isi")
        values = _json(raw, where)
        _expect(isinstance(values, dict) and values.get("id") == seq, f"{where}: nomor di isi")
        _expect(_storable(values), f"{where}: karakter NUL atau bukan teks")
        prev = item["row_hash"]
        yield RawEvent(seq, item["prev_hash"], item["row_hash"], raw)


def _document(body: Any, where: str, limits: Limits) -> tuple[Document, dict[str, Any]]:
    """A JSON document as the office wrote it, byte for byte (its hash recomputed here), and
    its values."""
    _expect(isinstance(body, str) and len(body) <= limits.document_bytes, where)
    values = _json(body, where)
    _expect(isinstance(values, dict) and _storable(values), where)
    return Document(body, hashlib.sha256(body.encode("utf-8")).hexdigest()), values


def _storable(values: Any) -> bool:
    """Values PostgreSQL's jsonb takes: no NUL character, no lone surrogate ("\\ud800"), so a
    signed bundle is refused here whole rather than by the centre halfway through."""
    try:
        text = json.dumps(values, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\\u0000" not in text
