"""What `kinerja watch` says on its console about each file it handled, in Indonesian.

A bounced workbook and a refused junk file are both "routed" to the pipeline; the person
watching the console wants to know which: the line is taken from the event the handling
recorded (its outcome and where the file went), or from how the file was handled when it
recorded none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from watcher.record.store import Event, Outcome
from watcher.service.pipeline import Handled
from watcher.sop.model import Sop

OUTCOME_WORDS: Final[dict[Outcome, str]] = {
    Outcome.VALID: "valid, diteruskan",
    Outcome.INVALID: "tidak valid, dikembalikan untuk perbaikan",
    Outcome.REFUSED: "ditolak",
    Outcome.APPROVED: "disetujui {actor}",
    Outcome.FORWARDED: "disetujui {actor}, diteruskan ke pemeriksa berikutnya",
    Outcome.RETURNED: "dikembalikan oleh {actor}",
    Outcome.OPEN: "masih dibuka; sudah diperiksa, dipindahkan setelah ditutup",
    Outcome.STALE: "bukan versi terkini; tidak ada yang berubah",
    Outcome.DUPLICATE: "sudah pernah diterima (isinya sama)",
    Outcome.RECEIVED: "diterima",
    Outcome.MOVED: "dipindahkan",
    Outcome.MISSING: "hilang saat diproses",
    Outcome.ERROR: "gagal, dicoba lagi nanti",
}
HANDLED_WORDS: Final[dict[Handled, str]] = {
    Handled.ROUTED: "diproses",
    Handled.RESUMED: "pemindahan yang terputus diselesaikan",
    Handled.DUPLICATE: "sudah pernah diterima (isinya sama)",
    Handled.PARKED: "menunggu orangnya",
    Handled.NOT_WATCHED: "berkas atau folder milik layanan sendiri, dibiarkan",
    Handled.NOTED: "dibiarkan di tempatnya, dengan catatan di sampingnya",
    Handled.VANISHED: "hilang sebelum selesai diproses",
    Handled.REPLACED: "namanya dipakai berkas lain, diproses sebagai berkas baru",
    Handled.OPEN: "masih dibuka; sudah diperiksa, dipindahkan setelah ditutup",
}
# Handlings whose own word says more than the event they may record (a note, a wait).
_BY_HANDLING: Final = frozenset({Handled.NOTED, Handled.PARKED, Handled.NOT_WATCHED,
                                 Handled.VANISHED, Handled.REPLACED})  # fmt: skip


def outcome_line(name: str, handled: Handled, recorded: Sequence[Event], sop: Sop) -> str:
    """One console line: "inbox/PIAK/4_laporan/x.xlsx: ditolak -> inbox/PIAK/4_laporan/..."
    (a check's decision names its actor from `sop`: "disetujui Kabid")."""
    decisions = [event for event in recorded if event.outcome in OUTCOME_WORDS]
    if handled in _BY_HANDLING or not decisions:
        return f"{name}: {HANDLED_WORDS[handled]}"
    event = decisions[-1]
    moved = event.to_path and event.to_path != event.from_path
    words = OUTCOME_WORDS[event.outcome].format(actor=_actor(sop, event.step))
    return f"{name}: {words}" + (f" -> {event.to_path}" if moved else "")


def _actor(sop: Sop, step: int | None) -> str:
    try:
        return sop.step(step).actor if step else "pemeriksa"
    except KeyError:  # recorded under an SOP the tree no longer runs
        return "pemeriksa"
