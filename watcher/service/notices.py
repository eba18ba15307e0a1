"""Files the service leaves beside a routed workbook: feedback, refusal notes, return notices."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from watcher.record.durable import FolderSyncs, atomic_writer
from watcher.record.store import Outcome
from watcher.service.names import MAX_VERSIONS, fit, name_max, split_extension
from watcher.service.routing import Decision, Notice
from watcher.sop.indonesian import long_datetime
from watcher.validation.feedback import (
    FEEDBACK_SUFFIX,
    feedback_workbook,
    refusal_names,
    refusal_note,
)
from watcher.validation.findings import Result

log = logging.getLogger(__name__)
REFUSAL_SUFFIXES = tuple(name.removeprefix("x") for name in refusal_names("x.xlsx"))
STRAY_SUFFIX = " - TIDAK DIPROSES.txt"  # beside a file or folder left where it is
QUARANTINE_SUFFIX = " - KARANTINA.txt"  # beside a file moved to karantina/
DUPLICATE_SUFFIX = " - SUDAH DITERIMA.txt"  # where an identical copy was saved again
SUPERSEDED_SUFFIX = " - DIGANTI.txt"  # beside a copy a newer version replaced (versi_lama/)
STALE_SUFFIX = " - BUKAN VERSI TERKINI.txt"  # beside a stale copy a checker moved (versi_lama/)
# Every notice name, with the " (2)" a notice gets when its name is taken (they never overwrite).
_NOTICE = re.compile(
    r" - (?:DITOLAK|TIDAK DIPROSES|KARANTINA|SUDAH DITERIMA|DIGANTI|BUKAN VERSI TERKINI"
    r"|DIKEMBALIKAN [^\\/]{1,60})(?: \(\d+\))?\.(?:txt|html)$"
)


def notice_beside(path: Path, suffix: str, *, free: bool = True) -> Path:
    """A free name for `path`'s notice `<stem><suffix>` in the same folder, shortened to fit its
    name limit: `<stem><suffix>`, else `... (2).txt`, ... (a notice never replaces another).
    With `free=False`, the first name itself (where an interrupted handling wrote it)."""
    stem, _ = split_extension(path.name)
    limit = name_max(path.parent)
    first = path.parent / fit(stem, suffix, limit)
    if not free or not os.path.lexists(first):
        return first
    base, extension = split_extension(suffix)  # the number goes inside the notice's own suffix
    for number in range(2, MAX_VERSIONS):
        candidate = path.parent / fit(stem, f"{base} ({number}){extension}", limit)
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"terlalu banyak pemberitahuan untuk {path.name}")


@dataclass(frozen=True)
class Planned:
    """A notice to write: where, and its bytes (a workbook's are logged before it is written)."""

    path: Path
    content: bytes

    @property
    def is_workbook(self) -> bool:
        return self.path.suffix.lower() == ".xlsx"


def plan_notices(decision: Decision, destination: Path, data: bytes, result: Result,
                 moment: datetime, *, source: Path | None = None,
                 free: bool = True) -> list[Planned]:  # fmt: skip
    """The notices a person needs about a routed file (`moment` in office time): feedback beside
    the file where it now lies, and, when a valid submission has warnings, feedback beside
    `source`, the place the clerk saved it. A stale copy's notice goes where the checker put
    it (`source`). `free=False` names them as a first handling did (to resume it)."""
    if decision.notice is Notice.VALIDATION:
        path = notice_beside(destination, FEEDBACK_SUFFIX, free=free)
        return [Planned(path, feedback_workbook(data, result))]
    if decision.notice is Notice.REFUSAL:
        text, html = refusal_note(result)
        when = f"Waktu: {long_datetime(moment)}"
        txt, htm = (notice_beside(destination, suffix, free=free) for suffix in REFUSAL_SUFFIXES)
        return [
            Planned(txt, f"{text}\r\n{when}\r\n".encode("utf-8", "backslashreplace")),
            Planned(htm, html.replace("</body>", f"<p>{when}</p></body>").encode(
                "utf-8", "backslashreplace")),
        ]  # fmt: skip
    if decision.notice is Notice.RETURN:
        text = return_notice(destination.name, result.kabid_note, moment, decision)
        path = notice_beside(destination, return_suffix(decision.actor), free=free)
        return [Planned(path, text.encode("utf-8", "backslashreplace"))]
    if decision.notice is Notice.STALE and source is not None:
        lines = [
            f"Berkas   : {source.name}",
            "",
            decision.message,
            f"Salinan ini sekarang di: {destination.parent.name}\\{destination.name}",
        ]
        return [Planned(notice_beside(source, STALE_SUFFIX, free=free),
                        plain_notice("BUKAN VERSI TERKINI", lines, moment))]  # fmt: skip
    if source is not None and decision.outcome is Outcome.VALID and result.warnings:
        path = notice_beside(source, FEEDBACK_SUFFIX, free=free)
        return [Planned(path, feedback_workbook(data, result))]
    return []


def write_planned(notices: list[Planned], *, later: FolderSyncs | None = None) -> None:
    """Write each notice whole; with `later`, their folders are synced when it is flushed."""
    for notice in notices:
        with atomic_writer(notice.path, later=later) as handle:
            handle.write(notice.content)


def return_suffix(actor: str) -> str:
    """ " - DIKEMBALIKAN KABID.txt": the checker who returned it, as the SOP names them."""
    return f" - DIKEMBALIKAN {actor.upper()}.txt"


def return_notice(name: str, note: str, moment: datetime, decision: Decision) -> str:
    """Plain text (Windows line endings) quoting the checker's note cell."""
    who = decision.actor
    lines = [
        f"LAPORAN DIKEMBALIKAN OLEH {who.upper()}",
        "",
        f"Berkas   : {name}",
        f"Waktu    : {long_datetime(moment)}",
        "",
        f"Catatan {who}:",
        f"  {note}"
        if note
        else f"  ({who} tidak menulis catatan; tanyakan langsung kepada {who}.)",
        "",
        f"Perbaiki laporan sesuai catatan, lalu simpan kembali di folder {decision.destination}.",
    ]
    return "\r\n".join(lines) + "\r\n"


def is_service_notice(name: str) -> bool:
    """Notices the service writes itself; never handled as submissions (the feedback workbook
    is not among them: a clerk may fix it and send it back)."""
    return bool(_NOTICE.search(name))


def plain_notice(title: str, lines: list[str], moment: datetime) -> bytes:
    """A plain-text notice (Windows line endings): a title, the lines and the time."""
    body = [title, "", *lines, "", f"Waktu: {long_datetime(moment)}"]
    return ("\r\n".join(body) + "\r\n").encode("utf-8", "backslashreplace")


def write_plain_notice(path: Path, title: str, lines: list[str], moment: datetime, *,
                       later: FolderSyncs | None = None) -> Path:  # fmt: skip
    write_planned([Planned(path, plain_notice(title, lines, moment))], later=later)
    return path
