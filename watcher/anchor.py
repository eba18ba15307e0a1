"""The chain head kept outside the database: `arsip/kepala_log.json`, and its printed form.

After every event the store rewrites this small file (temp file, fsync, rename) with the newest
row's id and hash, the number of events and the time. Deleting or rolling back the database
alone (a lost `-wal` file, an old copy restored, the newest rows deleted together with the
AUTOINCREMENT counter) then leaves a head that the database can no longer show, which
`kinerja verify` and the service's start check report. The same head is printed in every
report ("Kepala rantai log: #123 3f2a…") and stored in the workbook's properties in full, so a
report in `outbox/` pins the log as it was when the report was built.

The file is written after the commit, never before: it may lag behind the log (a crash between
the two), never run ahead of it.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from watcher.fsio import write_text_atomic

log = logging.getLogger(__name__)

ANCHOR_NAME = "kepala_log.json"
_PROPERTIES = "docProps/core.xml"
_MAX_PROPERTIES = 64 * 1024  # a report's core properties are a few hundred bytes
HEAD_LABEL = "Kepala rantai log"
_HEAD_RE = re.compile(r"Kepala rantai log: #(\d+) ([0-9a-f]{64})")


class AnchorUnreadable(Exception):
    """The anchor file exists but does not hold a head (damaged or edited by hand)."""


@dataclass(frozen=True)
class Head:
    """The newest row of the log: its id and hash, how many events there were, and when."""

    id: int
    row_hash: str
    events: int
    at_utc: str = ""

    @property
    def short(self) -> str:
        """The short form "#123 3f2a9c01…" for a footer line."""
        return f"#{self.id} {self.row_hash[:8]}…"


def anchor_path(archive_dir: Path) -> Path:
    """Where the head of the log in `archive_dir` is kept (beside the health file)."""
    return archive_dir / ANCHOR_NAME


def write_anchor(path: Path, head: Head) -> None:
    """Replace the anchor file atomically with `head`."""
    fields = {
        "kejadian_terakhir": head.id,
        "hash_baris": head.row_hash,
        "jumlah_kejadian": head.events,
        "waktu_utc": head.at_utc,
        "keterangan": "Kepala rantai log kejadian, ditulis setelah setiap kejadian. Jangan "
        "dihapus: kinerja verify memakainya untuk mengetahui kejadian yang hilang.",
    }
    write_text_atomic(path, json.dumps(fields, indent=2, ensure_ascii=False) + "\n")


def read_anchor(path: Path) -> Head | None:
    """The head kept in `path`; None when there is no file; AnchorUnreadable when damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorUnreadable(str(exc)) from exc
    try:
        fields = json.loads(text)
        head = Head(
            id=int(fields["kejadian_terakhir"]),
            row_hash=str(fields["hash_baris"]),
            events=int(fields["jumlah_kejadian"]),
            at_utc=str(fields.get("waktu_utc") or ""),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorUnreadable(str(exc)) from exc
    if head.id < 1 or not re.fullmatch(r"[0-9a-f]{64}", head.row_hash):
        raise AnchorUnreadable(f"isi tidak valid: {text[:80]!r}")
    return head


def head_line(head: tuple[int, str] | None) -> str:
    """The line printed in reports; the full hash, so that `parse_head_line` can read it back."""
    if head is None:
        return f"{HEAD_LABEL}: log kosong"
    return f"{HEAD_LABEL}: #{head[0]} {head[1]}"


def parse_head_line(text: str) -> tuple[int, str] | None:
    """The (id, hash) in a text that contains a `head_line`, or None."""
    found = _HEAD_RE.search(text)
    return (int(found.group(1)), found.group(2)) if found else None


def report_heads(outbox: Path) -> list[tuple[Path, tuple[int, str]]]:
    """(report, head) for every `.xlsx` under `outbox` whose properties carry a `head_line`."""
    found = []
    for report in sorted(outbox.rglob("*.xlsx")) if outbox.is_dir() else []:
        try:
            with zipfile.ZipFile(report) as book:
                info = book.getinfo(_PROPERTIES)
                if info.file_size > _MAX_PROPERTIES:
                    continue
                text = book.read(info).decode("utf-8", "replace")
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            log.debug("no head in %s: %s", report, exc)
            continue
        head = parse_head_line(text)
        if head is not None:
            found.append((report, head))
    return found
