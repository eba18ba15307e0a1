"""An office sends its record to the centre: every event past the centre's high-water mark, in
batches, then its profile and the readings of approved versions the centre does not hold yet.

At least once, stored exactly once: the office never trusts its own memory of what was sent.
Each push starts from the high-water mark the centre reports, so a batch committed at the centre
whose acknowledgement never reached the office is simply not sent again, and a batch that did not
commit is sent again whole. The office's log stays the source of truth; nothing here writes to it.
After a push, `arsip/pusat.json` says how far the centre held the chain, for the status page.
The documents are gathered (`office_documents`) and stored (`send_documents`) by the same code
for a push and for a bundle file (`watcher.central.bundle`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import datetime

from watcher import __version__
from watcher.central.centre import Centre, CentreError
from watcher.central.payload import (
    PROFILES,
    SUBMISSIONS,
    Document,
    profile_document,
    submission_document,
)
from watcher.masterdata.model import MasterData
from watcher.record.documents import Approval
from watcher.record.durable import write_text_atomic
from watcher.record.store import Outcome, Store, format_utc, parse_utc
from watcher.reports.gather import ReportError, read_submission
from watcher.service.tree import Tree
from watcher.sop.model import Sop
from watcher.workbook.layout import rencana_aksi_layout

log = logging.getLogger(__name__)

BATCH_SIZE = 500
STATE_NAME = "pusat.json"


@dataclass(frozen=True)
class PushResult:
    office_id: str
    stored: int  # events the centre stored in this push
    duplicates: int  # events it already held (a delivery repeated)
    high_water: int  # the last sequence number the centre holds
    head: int  # the office's own last sequence number
    submissions: int  # readings of approved versions sent
    profile_sent: bool

    def text(self) -> str:
        behind = self.head - self.high_water
        where = "semua kejadian sudah di pusat" if behind <= 0 else f"{behind} kejadian belum"
        return (
            f"Kantor {self.office_id}: {self.stored} kejadian baru dikirim, {self.duplicates} "
            f"sudah ada di pusat; pusat memegang rantai sampai #{self.high_water} ({where}); "
            f"{self.submissions} laporan disetujui dikirim"
            + ("; profil (SOP dan data induk) diperbarui." if self.profile_sent else ".")
        )


def push(
    tree: Tree,
    store: Store,
    centre: Centre,
    office_id: str,
    *,
    sop: Sop,
    master: MasterData,
    now: Callable[[], datetime],
    batch_size: int = BATCH_SIZE,
) -> PushResult:
    """Send what the centre lacks; raise CentreError (transient: retry later) on failure."""
    high_water = centre.high_water(office_id)
    if high_water:
        _check_same_chain(store, centre, office_id, high_water, batch_size)
    stored = duplicates = 0
    while batch := store.raw_events(since_id=high_water, limit=batch_size):
        receipt = centre.receive(office_id, batch)
        if receipt.quarantined:
            raise _diverged(office_id, batch[receipt.stored + receipt.duplicates].seq)
        stored, duplicates = stored + receipt.stored, duplicates + receipt.duplicates
        if receipt.high_water <= high_water:  # nothing moved: never loop forever
            break
        high_water = receipt.high_water
    held = centre.execute(
        "SELECT file_hash FROM kinerja.submissions WHERE office_id = %s", (office_id,)
    )
    documents = office_documents(tree, store, sop, master, skip={row[0] for row in held})
    profile_sent, submissions = send_documents(centre, office_id, documents)
    head = store.head()
    result = PushResult(office_id, stored, duplicates, high_water, head[0] if head else 0,
                        submissions, profile_sent)  # fmt: skip
    _remember(tree, result, now())
    return result


def _check_same_chain(store: Store, centre: Centre, office_id: str, high_water: int,
                      batch_size: int) -> None:  # fmt: skip
    """Raise CentreError unless the office's log holds, under the centre's high-water mark, the
    event the centre holds there (so the chain it holds is a prefix of the office's).

    An office restored from an old backup has fewer events than the centre, or other events
    under the same numbers; sending on from the high-water mark would then be refused as not
    linking (or, with a shorter log, not send at all and say "all sent"). Instead the first
    event where the two differ is sent, for the centre to quarantine beside the one it holds.
    """
    if _own_hash(store, high_water) == _held_hash(centre, office_id, high_water):
        return
    fork = _fork(store, centre, office_id, high_water)
    branch = store.raw_events(since_id=fork - 1, limit=batch_size)
    if not branch:
        raise CentreError(
            f"Log kantor ini hanya sampai kejadian #{fork - 1}, padahal pusat memegang rantai "
            f"kantor {office_id} sampai #{high_water} (log dipulihkan dari cadangan lama?). "
            "Kejadian sesudahnya hanya ada di pusat; tidak ada yang dikirim. Hubungi pengelola "
            "pusat sebelum kantor ini bekerja lagi."
        )
    centre.receive(office_id, branch)  # its first event differs from the held one: quarantined
    raise _diverged(office_id, fork)


def _fork(store: Store, centre: Centre, office_id: str, high_water: int) -> int:
    """The first sequence number where the office's log and the centre's chain differ, or one
    past the office's head when its log is a prefix of the centre's. Chains are hash-linked:
    equal at one number means equal at every number before it, so a binary search finds it."""
    head = store.head()
    low, high = 1, min(head[0] if head else 0, high_water) + 1
    while low < high:
        middle = (low + high) // 2
        if _own_hash(store, middle) == _held_hash(centre, office_id, middle):
            low = middle + 1
        else:
            high = middle
    return low


def _own_hash(store: Store, seq: int) -> str | None:
    found = store.raw_events(since_id=seq - 1, limit=1)
    return found[0].row_hash if found else None


def _held_hash(centre: Centre, office_id: str, seq: int) -> str | None:
    rows = centre.execute(
        "SELECT row_hash FROM kinerja.events WHERE office_id = %s AND seq = %s", (office_id, seq)
    )
    return rows[0][0] if rows else None


def _diverged(office_id: str, seq: int) -> CentreError:
    return CentreError(
        f"Pusat sudah memegang kejadian lain bernomor #{seq} untuk kantor {office_id}; "
        "kiriman ini dikarantina di pusat. Log kantor ini bukan lanjutan log yang pernah "
        "dikirim (dipulihkan dari cadangan lama?): hubungi pengelola pusat."
    )


@dataclass(frozen=True)
class OfficeDocuments:
    """What an office sends beside its events (by push or in a bundle): its name, its profile
    and the readings of its approved versions, each keyed by the approved workbook's hash."""

    office_name: str
    profile: Document
    submissions: tuple[tuple[str, Document], ...]  # (file_hash, readings document)


def office_documents(tree: Tree, store: Store, sop: Sop, master: MasterData, *,
                     skip: Set[str] = frozenset()) -> OfficeDocuments:  # fmt: skip
    """The office's profile and the readings of every approved version not in `skip` (the
    workbook hashes the centre already holds readings for)."""
    name = master.settings.office_name
    profile = profile_document(master, tree.sop_path.read_bytes(),
                               tree.master_path.read_bytes(), __version__)  # fmt: skip
    approved: dict[str, Approval] = {}
    for event in store.events(outcome=Outcome.APPROVED):
        if event.file_hash in skip or not (event.file_hash and event.division):
            continue
        if event.year and event.quarter and event.id is not None and event.at_utc is not None:
            path = event.to_path or event.from_path or ""
            approved[event.file_hash] = Approval(
                event.division, event.year, event.quarter, event.file_hash, path,
                event.at_utc, event.actor, event.id,
            )  # fmt: skip
    submissions = []
    layout = rencana_aksi_layout()
    for approval in approved.values():
        try:
            submission = read_submission(tree, master, sop, approval, layout)
        except ReportError as exc:  # an approval this master data no longer reads: say, go on
            log.warning("laporan disetujui %s %s tidak dikirim: %s", approval.division,
                        approval.file_hash[:12], exc)  # fmt: skip
            continue
        submissions.append((approval.file_hash, submission_document(submission)))
    return OfficeDocuments(name, profile, tuple(submissions))


def send_documents(centre: Centre, office_id: str, documents: OfficeDocuments) -> tuple[bool, int]:
    """Store the office's name, profile and readings the centre lacks; (profile new, readings
    new)."""
    centre.record_name(office_id, documents.office_name)
    profile, sent = documents.profile, 0
    profile_sent = profile.content_hash not in centre.held_documents(PROFILES, office_id)
    if profile_sent:
        profile_sent = centre.add_document(PROFILES, office_id, (profile.content_hash,),
                                           profile.body)  # fmt: skip
    for file_hash, document in documents.submissions:
        key = (file_hash, document.content_hash)
        sent += centre.add_document(SUBMISSIONS, office_id, key, document.body)
    return profile_sent, sent


def _remember(tree: Tree, result: PushResult, at: datetime) -> None:
    _write_state(tree, {"kantor": result.office_id, "pusat_sampai": result.high_water,
                        "log_sampai": result.head, "terkirim_utc": format_utc(at)})  # fmt: skip


def remember_failure(tree: Tree, office_id: str, message: str, at: datetime) -> None:
    """Note a failed push beside the last successful one (which stays as it was)."""
    state = read_state(tree)
    state.update(kantor=office_id, gagal_utc=format_utc(at), kesalahan=message)
    _write_state(tree, state)


def push_problems(tree: Tree) -> list[str]:
    """For `kinerja status` and the status page: a line when the last push failed."""
    state = read_state(tree)
    message, failed = state.get("kesalahan"), state.get("gagal_utc")
    if not message or not isinstance(failed, str):
        return []
    last = state.get("terkirim_utc")
    done = f"terakhir berhasil {_server_time(last)}" if isinstance(last, str) else (
        "belum pernah berhasil")  # fmt: skip
    return [f"  PERINGATAN       : pengiriman ke pusat gagal sejak {_server_time(failed)} "
            f"({done}): {message}"]  # fmt: skip


def _server_time(text: str) -> str:
    try:
        return f"{parse_utc(text).astimezone():%Y-%m-%d %H:%M} waktu server"
    except ValueError:
        return text


def read_state(tree: Tree) -> dict[str, object]:
    """`arsip/pusat.json` as written by the last push, or {} when there is none (or unreadable)."""
    try:
        state = json.loads((tree.archive / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(tree: Tree, state: dict[str, object]) -> None:
    try:
        write_text_atomic(tree.archive / STATE_NAME, json.dumps(state, indent=2) + "\n")
    except OSError as exc:  # the push itself is done or failed; the note only lags
        log.warning("%s tidak dapat ditulis: %s", tree.archive / STATE_NAME, exc)
