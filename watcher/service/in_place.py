"""Names the service leaves where they are, with a notice beside them and one event.

A file outside any step folder (`watcher.service.placement`), a folder link on the way to a file and
a folder saved where a workbook belongs are not moved: moving a clerk's own folder, or a file
through a link out of the tree, would do more harm than good. Each gets, once per name and
cause, a plain-text notice `<name> - TIDAK DIPROSES.txt` beside it and a REFUSED event without
a hash (nothing was read). The check "once" reads the log, so a restart does not repeat it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from watcher.record.store import Event, Outcome, Store
from watcher.service.names import printable
from watcher.service.notices import STRAY_SUFFIX, notice_beside, write_plain_notice

log = logging.getLogger(__name__)


class InPlace(StrEnum):
    STRAY = "stray"  # a file outside the step folders
    FOLDER = "folder"  # a folder link, or a folder where a file belongs


TITLES = {InPlace.STRAY: "BERKAS TIDAK DIPROSES", InPlace.FOLDER: "FOLDER TIDAK DIPROSES"}


def note_in_place(store: Store, path: Path, kind: InPlace, message: str, *, relative: str,
                  division: str | None, moment: datetime) -> bool:  # fmt: skip
    """Notice and event for `path`, unless already given for this cause (`message`, which says
    why and where workbooks belong); True if given now."""
    known = store.events(from_path=relative, outcome=Outcome.REFUSED)
    if any(event.message == message for event in known):
        return False
    lines = [f"Nama     : {printable(path.name)}", f"Tempat   : {relative}", "", message]
    try:
        write_plain_notice(notice_beside(path, STRAY_SUFFIX), TITLES[kind], lines, moment)
    except OSError as exc:  # a name too deep or a folder nobody may write: the event still tells
        log.warning("Pemberitahuan untuk %s tidak dapat ditulis: %s", relative, exc)
    store.append(Event(outcome=Outcome.REFUSED, division=division, from_path=relative,
                       message=message))  # fmt: skip
    log.warning("Tidak diproses: %s: %s", relative, message)
    return True
