"""The xlwings entry points of the Excel add-in, called by its VBA through `RunPython`:

    RunPython "import watcher.desk.excel_bridge as k; k.periksa()"
    RunPython "import watcher.desk.excel_bridge as k; k.kirim()"
    RunPython "import watcher.desk.excel_bridge as k; k.pilih_langkah()"

Thin on purpose: read the calling workbook (`xlwings.Book.caller()`, the clerk's active workbook),
call the tested logic below (`desk_check`, `delivery`, `desk_messages`), show the outcome. xlwings
is an optional extra (`kinerja[excel]`, Windows and macOS only), imported inside the functions.

Python shows the outcome itself (a message box through `App.alert`, a findings workbook, the first
offending cell selected) rather than handing it back to VBA: on macOS, RunPython starts Python in
the background and returns at once, so VBA could not wait for an answer there.

No traceback reaches a clerk: a `KinerjaError` becomes its message; anything else is logged to
`kinerja-excel.log` in the add-in's exchange folder and reported in one sentence.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from watcher.desk.check import SheetCells, desk_check, first_finding, workbook_from_cells
from watcher.desk.delivery import deliver
from watcher.desk.excel_config import (
    LOG_FILE,
    SEND_COPY,
    STEP_KEY,
    AddinSettings,
    ExcelConfigError,
    addin_root,
    addin_settings,
    exchange_dir,
    read_config,
    user_config_path,
    write_config,
)
from watcher.desk.locator import choose_sending_step, step_settings
from watcher.desk.messages import (
    RESULT_MARK,
    STEP_TITLE,
    Message,
    check_message,
    delivery_message,
    step_chosen_message,
    step_kept_message,
)
from watcher.desk.messages import findings_table as _table
from watcher.errors import KinerjaError
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.service.tree import Tree
from watcher.sop.tree_sop import resolve_sop
from watcher.validation.feedback import COLUMNS, RESULT_SHEET
from watcher.validation.findings import Finding, Result
from watcher.workbook.layout import rencana_aksi_layout

log = logging.getLogger(__name__)
Action = Callable[[Any, Path], Message]


def periksa(conf: Path | None = None) -> None:
    """Check the calling workbook; show the findings and select the first offending cell."""
    _run(_periksa, conf)


def kirim(conf: Path | None = None) -> None:
    """Send the copy the add-in saved, if valid, into its step folder; say where it went."""
    _run(_kirim, conf)


def pilih_langkah(conf: Path | None = None) -> None:
    """Choose the submission this PC sends at among the tree's SOP's, and save it."""
    _run(_pilih_langkah, conf)


def _run(action: Action, conf: Path | None) -> None:
    import xlwings  # optional extra, Windows/macOS only: imported when a button is pressed

    conf = conf or user_config_path()
    log_path = exchange_dir(conf) / LOG_FILE
    with _logging_to(log_path):
        try:
            book = xlwings.Book.caller()
        except Exception:  # no workbook to answer through: xlwings shows its own error box
            log.exception("xlwings could not find the calling workbook")
            raise
        try:
            message = action(book, conf)
        except KinerjaError as exc:
            message = Message("Kinerja", exc.message, critical=True)
        except Exception:
            log.exception("add-in command failed")
            message = Message(
                "Kinerja",
                "Terjadi kesalahan tak terduga; tidak ada berkas yang dikirim. Coba lagi; bila "
                f"terulang, serahkan catatan teknis ini kepada petugas TI: {log_path}",
                critical=True,
            )
        mode = "critical" if message.critical else "info"
        book.app.alert(message.text, title=message.title, mode=mode)


@contextlib.contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """Append the diagnostics of one button press to `path`, the IT person's first clue."""
    logger = logging.getLogger("watcher")
    level = logger.level
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:  # no log is better than no answer for the clerk
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def _context(conf: Path) -> tuple[AddinSettings, Tree, MasterData]:
    settings = addin_settings(read_config(conf), source=conf)
    tree = _shared_tree(settings.root)
    return settings, tree, load_master(tree.master_path)


def _shared_tree(root: Path) -> Tree:
    tree = Tree(root)
    if not tree.inbox.is_dir():
        raise ExcelConfigError(
            f"Folder bersama {root} tidak dapat dibuka atau bukan folder kerja kinerja "
            "(tidak ada folder inbox). Periksa sambungan jaringan, lalu 'Atur Folder'."
        )
    return tree


def _periksa(book: Any, conf: Path) -> Message:
    settings, tree, master = _context(conf)
    workbook = workbook_from_cells(read_cells(book))
    found = desk_check(
        workbook, tree, master, step=settings.step, today=date.today(), name=book.name
    )
    target = str(found.placement.path) if found.placement else ""
    show_findings(book, found.result, found.first, target)
    return check_message(found)


def _kirim(book: Any, conf: Path) -> Message:
    copy = exchange_dir(conf) / SEND_COPY
    try:
        data = copy.read_bytes()
    except FileNotFoundError:
        raise ExcelConfigError(
            "Salinan buku kerja untuk dikirim tidak ditemukan. Klik Kirim lagi dari buku kerja "
            "yang ingin dikirim."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            copy.unlink()  # a stale copy must never be sent by a later press
    settings, tree, master = _context(conf)
    delivery = deliver(data, tree, master, step=settings.step, today=date.today(), name=book.name)
    if not delivery.sent:
        target = str(delivery.placement.path) if delivery.placement else ""
        show_findings(book, delivery.result, first_finding(delivery.result), target)
    return delivery_message(delivery)


def _pilih_langkah(book: Any, conf: Path) -> Message:
    pairs = read_config(conf)  # a step the tree's SOP does not know is what this repairs
    sop = resolve_sop(_shared_tree(addin_root(pairs, source=conf)))
    chosen = choose_sending_step(sop, lambda question: _yes(book, question))
    if chosen is None:
        return step_kept_message(sop, pairs.get(STEP_KEY, ""))
    write_config(conf, pairs | step_settings(sop, chosen))
    return step_chosen_message(sop, chosen)


def _yes(book: Any, question: str) -> bool:
    return book.app.alert(question, title=STEP_TITLE, buttons="yes_no", mode="info") == "yes"


# -- reading and writing Excel through xlwings ------------------------------------------------


def read_cells(book: Any) -> list[SheetCells]:
    """Every sheet's values from A1 (errors as text); formulas of the main sheet too."""
    main = rencana_aksi_layout().main_sheet
    sheets = []
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        cells = sheet.range((1, 1), (last.row, last.column))
        values = _two_d(cells.options(ndim=2, err_to_str=True).value)
        formulas = _two_d(cells.formula) if sheet.name == main else []
        sheets.append(
            SheetCells(sheet.name, bool(getattr(sheet, "visible", True)), values, formulas)
        )
    return sheets


def _two_d(value: Any) -> list[list[Any]]:
    """xlwings gives a scalar for one cell and tuples for formulas: always a list of lists."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if value and not isinstance(value[0], list | tuple):
        return [list(value)]
    return [list(row) for row in value]


def show_findings(book: Any, result: Result, first: Finding | None, target: str) -> None:
    """Fill the findings workbook (reused per checked workbook), then select the first cell."""
    results = _findings_book(book)
    if results is None and not result.findings:
        return  # a clean workbook needs no findings table
    if results is None:
        results = book.app.books.add()
    sheet = results.sheets[0]
    sheet.clear()
    sheet.name = RESULT_SHEET
    sheet.range("A1").value = _table(result, book.name, target)
    for (_, width), column in zip(COLUMNS, "ABCDEFG", strict=True):
        sheet.range(f"{column}:{column}").column_width = width
    book.activate()
    if first is not None and first.cell and first.sheet in {s.name for s in book.sheets}:
        shown = book.sheets[first.sheet]
        shown.activate()
        shown.range(first.cell).select()


def _findings_book(book: Any) -> Any | None:
    """The open, unsaved findings workbook of an earlier press for the same workbook."""
    for other in book.app.books:
        if other.name == book.name or other.sheets[0].name != RESULT_SHEET:
            continue
        sheet = other.sheets[0]
        if sheet.range("A1").value == RESULT_MARK and sheet.range("B2").value == book.name:
            return other
    return None
