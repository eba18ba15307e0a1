"""Files the service leaves beside a routed workbook: feedback, refusal notes, return notices."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from watcher.record.durable import atomic_writer
from watcher.service.names import fit, name_max, split_extension
from watcher.service.routing import Decision, Notice
from watcher.sop.indonesian import long_datetime
from watcher.validation.feedback import (
    feedback_name,
    feedback_workbook,
    refusal_names,
    refusal_note,
)
from watcher.validation.findings import Result

log = logging.getLogger(__name__)
_RETURN_NOTICE = re.compile(r" - DIKEMBALIKAN [^\\/]{1,60}\.txt$")
REFUSAL_SUFFIXES = tuple(name.removeprefix("x") for name in refusal_names("x.xlsx"))
STRAY_SUFFIX = " - TIDAK DIPROSES.txt"  # beside a file or folder left where it is
QUARANTINE_SUFFIX = " - KARANTINA.txt"  # beside a file moved to karantina/


def notice_beside(path: Path, suffix: str) -> Path:
    """`path`'s notice `<stem><suffix>` in the same folder, shortened to fit its name limit."""
    stem, _ = split_extension(path.name)
    return path.with_name(fit(stem, suffix, name_max(path.parent)))


def notice_paths(decision: Decision, destination: Path) -> list[Path]:
    """Where the notices for a file routed to `destination` are written."""
    if decision.notice is Notice.VALIDATION:
        return [destination.with_name(feedback_name(destination.name))]
    if decision.notice is Notice.REFUSAL:
        return [notice_beside(destination, suffix) for suffix in REFUSAL_SUFFIXES]
    if decision.notice is Notice.RETURN:
        return [notice_beside(destination, return_suffix(decision.actor))]
    return []


def write_notices(decision: Decision, destination: Path, data: bytes, result: Result,
                  moment: datetime) -> list[Path]:  # fmt: skip
    """Write the notices a clerk needs next to the routed file; return their paths."""
    paths = notice_paths(decision, destination)
    if decision.notice is Notice.VALIDATION:
        contents = [feedback_workbook(data, result)]
    elif decision.notice is Notice.REFUSAL:
        text, html = refusal_note(result)
        when = f"Waktu: {long_datetime(moment)}"
        contents = [
            f"{text}\r\n{when}\r\n".encode("utf-8", "backslashreplace"),
            html.replace("</body>", f"<p>{when}</p></body>").encode("utf-8", "backslashreplace"),
        ]
    elif decision.notice is Notice.RETURN:
        contents = [
            return_notice(destination.name, result.kabid_note, moment, decision).encode(
                "utf-8", "backslashreplace"
            )
        ]
    else:
        contents = []
    for path, content in zip(paths, contents, strict=True):
        with atomic_writer(path) as handle:
            handle.write(content)
    return paths


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
    return bool(_RETURN_NOTICE.search(name)) or name.endswith(
        (STRAY_SUFFIX, QUARANTINE_SUFFIX, *REFUSAL_SUFFIXES)
    )


def write_plain_notice(path: Path, title: str, lines: list[str], moment: datetime) -> Path:
    """A plain-text notice (Windows line endings): a title, the lines and the time."""
    body = [title, "", *lines, "", f"Waktu: {long_datetime(moment)}"]
    with atomic_writer(path) as handle:
        handle.write(("\r\n".join(body) + "\r\n").encode("utf-8", "backslashreplace"))
    return path
