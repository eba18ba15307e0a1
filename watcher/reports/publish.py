"""Write report files into the outbox and log each one as step 6.

Each file is written to a temporary name, synced and renamed over the previous version
(`fsio.atomic_writer`), so a reader never sees half a report. A rebuild must not destroy a
person's work: if the file in the outbox is not one kinerja wrote (its SHA-256 is not among the
logged builds of that path, for instance the planning section filled in the LKjIP's narrative),
it is first moved aside as "<name> (disunting).<ext>" (numbered when that exists too).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.record.durable import atomic_writer, move_no_overwrite
from watcher.record.store import Event, Outcome, Store
from watcher.reports.gather import ReportError
from watcher.reports.pdf import html_to_pdf
from watcher.service.names import unique_destination
from watcher.service.tree import Tree

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes


def publish(
    tree: Tree,
    store: Store,
    folder: Path,
    outputs: Sequence[Output],
    *,
    year: int,
    quarter: int | None,
    message: str,
    step: int | None,
) -> list[Path]:
    """Write `outputs` into `folder`, log one REPORT_BUILT event per file; return the paths."""
    written = []
    built = [
        event
        for event in store.events(outcome=Outcome.REPORT_BUILT, year=year)
        if event.quarter == quarter
    ]
    for output in outputs:
        path = folder / output.name
        relative = path.relative_to(tree.root).as_posix()
        _keep_edited(path, {e.file_hash for e in built if e.to_path == relative})
        with atomic_writer(path) as handle:
            handle.write(output.data)
        store.append(
            Event(
                outcome=Outcome.REPORT_BUILT,
                step=step,
                year=year,
                quarter=quarter,
                file_hash=hashlib.sha256(output.data).hexdigest(),
                to_path=relative,
                message=message,
            )
        )
        written.append(path)
    return written


def publish_report(
    tree: Tree,
    store: Store,
    folder: Path,
    outputs: list[Output],
    *,
    pdf: tuple[str, Callable[[], str]] | None,
    year: int,
    quarter: int | None,
    message: str,
    step: int | None,
) -> list[Path]:
    """Publish `outputs` plus, when `pdf` is given, (name, HTML source) printed to PDF.

    A PDF that cannot be made does not hold back the other files: they are written and
    logged, then the PDF's ReportError is raised with a note saying so.
    """
    failure: ReportError | None = None
    if pdf is not None:
        name, html = pdf
        try:
            outputs = [*outputs, Output(name, html_to_pdf(html()))]
        except ReportError as exc:
            failure = exc
    written = publish(tree, store, folder, outputs, year=year, quarter=quarter, message=message,
                      step=step)  # fmt: skip
    if failure is not None:
        names = ", ".join(path.name for path in written)
        raise ReportError(f"{failure.message} Berkas lain tetap ditulis: {names}.")
    log.info("%s", "; ".join(path.name for path in written))
    return written


def _keep_edited(path: Path, ours: set[str | None]) -> None:
    """Move a file a person changed (or made) out of the way of the new version."""
    try:
        current = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return
    if current in ours:
        return
    aside = unique_destination(path.parent, f"{path.stem} (disunting){path.suffix}")
    move_no_overwrite(path, aside)
    log.warning("%s diubah di luar kinerja; disimpan sebagai %s", path.name, aside.name)
