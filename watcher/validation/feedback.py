"""What the watcher hands back to the sender of a file: a feedback copy, or a refusal note.

A workbook that could be read gets a *copy* (the submitted bytes are never modified) with a new
first sheet "Hasil Validasi" listing every finding, each linked to its cell, and the offending
cells filled red (error) or amber (warning) and commented. A file that could not be opened at all
gets a short text/HTML note instead.

Protection: the copy keeps the submitted protection as it is. The main sheet stays protected, so
the copy looks and behaves like the issued form, and the workbook structure stays locked; openpyxl
adds the result sheet regardless of the lock, so after saving the lock also keeps "Hasil Validasi"
first and undeletable. The copy is for reading: the clerk fixes their own workbook.

Formula safety: openpyxl stores any str starting with "=" as a formula, so every text written
here goes through `_put`, which forces the string type. Cells of the submitted workbook are never
rewritten (only fill and comment change), so text there keeps the type it was read with.
"""

from __future__ import annotations

import html
import io
import logging
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PureWindowsPath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from watcher.validation.copy_budget import MAX_COPY_BYTES, MAX_COPY_CELLS, copy_fits
from watcher.validation.findings import Finding, Result, Severity
from watcher.workbook.styles import (
    BOLD,
    BORDER,
    TITLE_FONT,
    WRAP,
    a4_print,
    wrapped_height,
    write_header_row,
)

log = logging.getLogger(__name__)

RESULT_SHEET = "Hasil Validasi"
COMMENT_AUTHOR = "Validasi Kinerja"  # marks our comments, so a resubmitted copy gets fresh ones
FEEDBACK_SUFFIX = " - HASIL VALIDASI.xlsx"
REFUSAL_SUFFIX = " - DITOLAK"
FILLS = {
    Severity.ERROR: PatternFill("solid", fgColor="FF9999"),  # red: must be fixed
    Severity.WARNING: PatternFill("solid", fgColor="FFC000"),  # amber: read and decide
}
LINK_FONT = Font(color="0563C1", underline="single")
# (header, width in Excel character units) of the findings table, in order.
COLUMNS = (
    ("No", 5),
    ("Jenis", 14),
    ("Lembar", 16),
    ("Sel", 8),
    ("Pesan", 60),
    ("Yang harus dilakukan", 45),
    ("Aturan", 26),
)
HEADER_ROW = 9  # rows 1-7 summarise, row 8 is blank
TEXT_LIMIT = 2000  # a cell of 40,000 characters would make the result sheet unreadable
HOW_TO_READ = (
    "Klik alamat di kolom Sel untuk melompat ke selnya. Sel bermasalah diberi warna merah "
    "(kesalahan) atau jingga (peringatan) dan catatan. Perbaiki isian di buku kerja Anda "
    "sendiri, bukan di salinan ini, lalu simpan ulang ke foldernya."
)
NOT_COPIED = "Buku kerja tidak dapat disalin; berikut daftar temuannya."
TOO_LARGE_TO_COPY = (
    f"Salinan buku kerja tidak disertakan karena isinya terlalu besar untuk disalin dengan aman "
    f"(lebih dari {MAX_COPY_CELLS:,} sel atau {MAX_COPY_BYTES // 2**20} MB setelah dibuka)"
    .replace(",", ".")
    + "; berikut daftar temuannya. Hapus isian di luar tabel lalu simpan ulang."
)  # fmt: skip
REFUSAL_ADVICE = (
    "Ikuti petunjuk pada alasan di atas, lalu simpan ulang berkasnya ke folder tempat Anda "
    "menyimpannya tadi. Bila tetap ditolak, hubungi pengelola data kinerja."
)
# Characters Windows does not allow in file names; the original name is on a share already,
# but a Samba share backed by Linux may hold names Explorer cannot show.
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_A1 = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_NAME_MAX = 255  # bytes on Linux (UTF-8), UTF-16 units on Windows


# -- names ------------------------------------------------------------------------------------


def feedback_name(original_name: str) -> str:
    """ "X.xlsx" -> "X - HASIL VALIDASI.xlsx": sorts beside the original in Explorer."""
    return _fit(_stem(original_name), FEEDBACK_SUFFIX)


def refusal_names(original_name: str) -> tuple[str, str]:
    """The text and HTML note names for a refused file: "X - DITOLAK.txt", "X - DITOLAK.html"."""
    stem = _stem(original_name)
    return _fit(stem, f"{REFUSAL_SUFFIX}.txt"), _fit(stem, f"{REFUSAL_SUFFIX}.html")


def _stem(original_name: str) -> str:
    """The last path component without its extension, with Windows-illegal characters replaced."""
    name = PureWindowsPath(original_name).name  # splits on both "/" and "\"
    stem = _EXTENSION.sub("", name) if _EXTENSION.search(name) else name
    return _UNSAFE_NAME.sub("_", stem).strip(" .") or "berkas"


def _fit(stem: str, suffix: str) -> str:
    """stem + suffix, the stem shortened (by whole characters) to fit file-name limits."""
    while stem and not _fits(stem + suffix):
        stem = stem[:-1].rstrip(" .")
    return (stem or "berkas") + suffix


def _fits(name: str) -> bool:
    return (
        len(name.encode("utf-8")) <= _NAME_MAX and len(name.encode("utf-16-le")) // 2 <= _NAME_MAX
    )


# -- the feedback copy ------------------------------------------------------------------------


def feedback_workbook(data: bytes, result: Result) -> bytes:
    """A copy of the workbook `data` with the findings of `result` shown on it, as xlsx bytes.

    `data` must have passed the safety layer (a refused result raises ValueError: its bytes are
    never parsed). The copy holds only the "Hasil Validasi" sheet, which says why, when the
    workbook is too big to copy in bounded memory (`copy_budget`) or openpyxl cannot load what
    the fast reader could.
    """
    if result.refused:
        raise ValueError("berkas yang ditolak mendapat refusal_note, bukan salinan buku kerja")
    fits = copy_fits(data)
    workbook = _load_copy(data) if fits else None
    copied = workbook is not None
    how = HOW_TO_READ if copied else NOT_COPIED if fits else TOO_LARGE_TO_COPY
    if workbook is None:
        workbook = Workbook()
        workbook.remove(workbook.active)
    if RESULT_SHEET in workbook.sheetnames:  # a resubmitted feedback copy: its result is stale
        workbook.remove(workbook[RESULT_SHEET])
    findings = sorted(result.findings, key=lambda f: f.severity is not Severity.ERROR)
    targets = {finding: _target(workbook, finding) for finding in findings}
    _mark_cells(targets)
    sheet = workbook.create_sheet(RESULT_SHEET, 0)
    _summary(sheet, result, how)
    _findings_table(sheet, findings, targets)
    _print_setup(sheet)
    _activate(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _load_copy(data: bytes) -> Workbook | None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(io.BytesIO(data))
        # openpyxl raises many kinds (KeyError, ValueError, TypeError ...) on files other
        # readers accept; the sender still deserves the list of findings.
        except Exception as exc:
            log.warning("feedback copy holds the findings only: openpyxl failed: %r", exc)
            return None
    for warning in caught:  # parts openpyxl drops (extensions): fine for a copy to read
        log.info("openpyxl: %s", warning.message)
    return workbook


def _target(workbook: Workbook, finding: Finding) -> Cell | None:
    """The cell a finding points at, when it exists on a visible worksheet of the copy."""
    if not finding.cell or finding.sheet not in workbook.sheetnames:
        return None
    sheet = workbook[finding.sheet]
    if not isinstance(sheet, Worksheet) or sheet.sheet_state != "visible":
        return None
    match = _A1.fullmatch(finding.cell.strip().upper())
    if match is None:
        return None
    row, column = int(match.group(2)), column_index_from_string(match.group(1))
    if not (0 < row <= 1_048_576 and column <= 16_384):
        return None
    for merged in sheet.merged_cells.ranges:  # only a merged range's first cell holds anything
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            row, column = merged.min_row, merged.min_col
            break
    return sheet.cell(row=row, column=column)


def _mark_cells(targets: dict[Finding, Cell | None]) -> None:
    """Fill and comment each offending cell; findings on one cell share one comment."""
    by_cell: dict[Cell, list[Finding]] = defaultdict(list)
    for finding, cell in targets.items():
        if cell is not None:
            by_cell[cell].append(finding)
    for cell, findings in by_cell.items():
        errors = any(f.severity is Severity.ERROR for f in findings)
        cell.fill = FILLS[Severity.ERROR if errors else Severity.WARNING]
        notes = [
            f"{f.severity.label}: {f.message}" + (f"\n-> {f.action}" if f.action else "")
            for f in findings
        ]
        previous = cell.comment
        if previous is not None and previous.author != COMMENT_AUTHOR:
            notes.append(f"Catatan semula ({previous.author or 'tanpa nama'}):\n{previous.text}")
        text = _clean("\n\n".join(notes))
        lines = sum(-(-max(len(part), 1) // 48) for part in text.split("\n"))
        cell.comment = Comment(text, COMMENT_AUTHOR, height=min(40 + 15 * lines, 600), width=320)


def _summary(sheet: Worksheet, result: Result, how: str) -> None:
    _put(sheet["A1"], "HASIL VALIDASI BUKU KERJA RENCANA AKSI").font = TITLE_FONT
    errors, warnings_ = len(result.errors), len(result.warnings)
    if result.division and result.quarter:
        about = result.about
    else:
        about = "tidak dapat dibaca dari buku kerja"
    rows = (
        ("Berkas", result.name or "(tanpa nama)"),
        ("Hasil", _verdict(result)),
        ("Aturan pemeriksaan", f"langkah {result.step}"),
        ("Bidang dan triwulan", about),
        ("Jumlah temuan", f"{errors} kesalahan, {warnings_} peringatan"),
        ("Cara membaca", how),
    )
    last = get_column_letter(len(COLUMNS))
    for row, (label, value) in enumerate(rows, start=2):
        sheet.merge_cells(f"A{row}:C{row}")
        sheet.merge_cells(f"D{row}:{last}{row}")
        heading = _put(sheet[f"A{row}"], label)
        heading.font, heading.alignment = BOLD, WRAP
        cell = _put(sheet[f"D{row}"], value)
        cell.alignment = WRAP
        sheet.row_dimensions[row].height = wrapped_height([(value, sum(w for _, w in COLUMNS[3:]))])
    verdict = sheet["D3"]
    verdict.font = BOLD
    if errors or warnings_:
        verdict.fill = FILLS[Severity.ERROR if errors else Severity.WARNING]


def _verdict(result: Result) -> str:
    if not result.valid:
        return "BERMASALAH: perbaiki semua kesalahan di bawah, lalu simpan ulang."
    if result.warnings:
        return f"VALID dengan {len(result.warnings)} peringatan: periksa peringatan di bawah."
    return "VALID: tidak ada temuan."


def _findings_table(
    sheet: Worksheet, findings: Iterable[Finding], targets: dict[Finding, Cell | None]
) -> None:
    write_header_row(sheet, HEADER_ROW, [h for h, _ in COLUMNS], [w for _, w in COLUMNS])
    row = HEADER_ROW
    for row, finding in enumerate(findings, start=HEADER_ROW + 1):
        values = (
            row - HEADER_ROW,
            finding.severity.label,
            finding.sheet,
            finding.cell,
            finding.message,
            finding.action,
            finding.rule,
        )
        for column, value in enumerate(values, start=1):
            cell = _put(sheet.cell(row=row, column=column), value)
            cell.alignment, cell.border = WRAP, BORDER
        kind = sheet.cell(row=row, column=2)
        kind.fill, kind.font = FILLS[finding.severity], BOLD
        target = targets[finding]
        if target is not None:
            link = sheet.cell(row=row, column=4)
            quoted = target.parent.title.replace("'", "''")
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"'{quoted}'!{target.coordinate}"
            )
            link.font = LINK_FONT
        texts = [(_clean(finding.message), COLUMNS[4][1]), (_clean(finding.action), COLUMNS[5][1])]
        sheet.row_dimensions[row].height = wrapped_height(texts)
    if row == HEADER_ROW:
        _put(sheet.cell(row=row + 1, column=5), "Tidak ada temuan.")
    sheet.auto_filter.ref = (
        f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{max(row, HEADER_ROW + 1)}"
    )


def _print_setup(sheet: Worksheet) -> None:
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    a4_print(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _activate(workbook: Workbook, sheet: Worksheet) -> None:
    """Open on the result sheet. Other tabs are deselected: two selected tabs form a group in
    Excel, and typing would then change both sheets."""
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = other is sheet
    workbook.active = sheet


def _put(cell: Cell, value: Any) -> Cell:
    """Write `value`; a str is always stored as text, never as a formula."""
    if isinstance(value, str):
        value = _clean(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl made it "f" if it starts with "="
    return cell


def _clean(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


# -- the refusal note -------------------------------------------------------------------------


def refusal_note(result: Result) -> tuple[str, str]:
    """(text, html): an Indonesian note for a file that could not be opened at all.

    The time is not included; the caller adds it.
    """
    if not result.refused:
        raise ValueError("hanya berkas yang ditolak yang mendapat catatan penolakan")
    name = result.name or "(tanpa nama)"
    reasons = [(f.message, f.action or REFUSAL_ADVICE, f.rule) for f in result.findings]
    reasons = reasons or [("Berkas tidak dapat dibuka.", REFUSAL_ADVICE, "")]
    closing = "Isi berkas tidak diperiksa. Berkas yang Anda kirim tidak diubah."
    lines = [f"BERKAS DITOLAK: {name}", ""]
    for message, action, rule in reasons:
        lines += [f"Alasan: {message}", f"Yang harus dilakukan: {action}"]
        lines += [f"(kode aturan: {rule})", ""] if rule else [""]
    text = "\n".join([*lines, closing, ""])
    return text, _refusal_html(name, reasons, closing)


def _refusal_html(name: str, reasons: list[tuple[str, str, str]], closing: str) -> str:
    e = html.escape
    items = "".join(
        f"<li><p><strong>Alasan:</strong> {e(message)}</p>"
        f"<p><strong>Yang harus dilakukan:</strong> {e(action)}</p>"
        + (f'<p class="rule">kode aturan: {e(rule)}</p>' if rule else "")
        + "</li>"
        for message, action, rule in reasons
    )
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Berkas ditolak: {e(name)}</title>\n"
        "<style>body{font-family:Arial,sans-serif;max-width:44em;margin:2em;line-height:1.4}"
        "h1{color:#9c0006;font-size:1.4em}.rule{color:#666;font-size:.9em}</style>\n"
        "</head>\n<body>\n<h1>Berkas ditolak</h1>\n"
        f"<p><strong>Berkas:</strong> {e(name)}</p>\n<ul>{items}</ul>\n"
        f"<p>{e(closing)}</p>\n</body>\n</html>\n"
    )
