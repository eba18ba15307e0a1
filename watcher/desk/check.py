"""Check a workbook at a clerk's desk with the server's rules, and say where it would go.

The Excel bridge reads the open workbook's cells (values as Excel shows them, and formulas) into
`SheetCells`; `workbook_from_cells` turns those into the same `reader.Workbook` the server builds
from the file's bytes, and `desk_check` applies the server's content rules with the expectation
the server would derive for the file once saved in its step folder (`expectation_for` on the
`Placement`): the same findings, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter

from watcher.desk.locator import Placement, placement, sending_step
from watcher.masterdata.model import MasterData
from watcher.service.tree import Tree
from watcher.sop.model import Sop, Step
from watcher.sop.tree_sop import resolve_sop
from watcher.validation.findings import Finding, Result, Severity
from watcher.validation.rules import Expectation, check
from watcher.validation.validate import expectation_for
from watcher.workbook.layout import Layout, rencana_aksi_layout
from watcher.workbook.read import Workbook

# What Excel shows in a cell holding an error value (xlwings' err_to_str gives these strings).
ERROR_VALUES = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
        "#PYTHON!",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SheetCells:
    """One sheet as Excel holds it, from A1: values (None when empty, error values as "#N/A"
    text) and, for the main sheet, formulas of the same shape ("=..." for formula cells)."""

    name: str
    visible: bool
    values: Sequence[Sequence[Any]]
    formulas: Sequence[Sequence[Any]] = ()


@dataclass(frozen=True)
class DeskCheck:
    """The server's verdict on a workbook, where it would go, and the cell to show first."""

    result: Result
    placement: Placement | None  # None when the workbook does not say whose and which quarter
    first: Finding | None  # the first finding with a cell, errors before warnings
    sop: Sop | None = None  # the tree's, which names the step and the next person


def workbook_from_cells(sheets: Sequence[SheetCells], layout: Layout | None = None) -> Workbook:
    """The `reader.Workbook` the server would read from the same workbook saved to a file."""
    layout = layout or rencana_aksi_layout()
    by_name = {sheet.name: sheet for sheet in sheets}
    grid: list[list[Any]] = []
    errors: dict[str, str] = {}
    formulas: set[str] = set()
    main = by_name.get(layout.main_sheet)
    if main is not None:
        grid, errors = _grid(main.values)
        formulas = _formula_cells(main.formulas)
    metadata: dict[str, Any] = {}
    meta = by_name.get(layout.metadata_sheet)
    if meta is not None:
        # The same rule as the server's reader: row 1 is a header, then key in A, value in B.
        rows, _ = _grid(meta.values)
        metadata = {
            str(row[0]).strip(): row[1] for row in rows[1:] if len(row) >= 2 and str(row[0]).strip()
        }
    return Workbook(
        sheet_names=tuple(sheet.name for sheet in sheets),
        hidden_sheets=frozenset(sheet.name for sheet in sheets if not sheet.visible),
        grid=grid,
        metadata=metadata,
        error_cells=errors,
        formula_cells=frozenset(formulas),
    )


def _grid(values: Sequence[Sequence[Any]]) -> tuple[list[list[Any]], dict[str, str]]:
    """Rows as the server's reader gives them: "" for empty and error cells, errors apart."""
    grid: list[list[Any]] = []
    errors: dict[str, str] = {}
    for row_number, row in enumerate(values, start=1):
        cells: list[Any] = []
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and value in ERROR_VALUES:
                errors[f"{get_column_letter(column)}{row_number}"] = value
                value = ""
            cells.append("" if value is None else value)
        grid.append(cells)
    return grid, errors


def _formula_cells(formulas: Sequence[Sequence[Any]]) -> set[str]:
    return {
        f"{get_column_letter(column)}{row_number}"
        for row_number, row in enumerate(formulas, start=1)
        for column, formula in enumerate(row, start=1)
        if isinstance(formula, str) and formula.startswith("=")
    }


def desk_check(book: Workbook, tree: Tree, master: MasterData, *, step: int, today: date,
               name: str = "") -> DeskCheck:  # fmt: skip
    """Check `book` as the server will once it lies in its step folder under `tree`.

    A first pass reads the workbook's identity; the second applies the expectation of the
    folder it is sent to (its division, the quarters being collected, the step's rules).
    """
    layout = rencana_aksi_layout()
    sop = resolve_sop(tree)
    sending = sending_step(sop, step)
    first_pass = check(book, master, layout, first_expectation(sop, sending), name=name)
    target = placement_of(first_pass, tree, sop, sending.number)
    if target is None:
        return DeskCheck(first_pass, None, first_finding(first_pass), sop)
    expect = expectation_for(target.path, tree, master, sop=sop, step=sending.number, today=today)
    result = check(book, master, layout, expect, name=name)
    return DeskCheck(result, target, first_finding(result), sop)


def first_expectation(sop: Sop, sending: Step) -> Expectation:
    """Before the workbook says whose it is: only the submission's rules and the SOP's period."""
    return Expectation(step=sending.number, rules=sop.rules_at(sending), period=sop.period)


def placement_of(result: Result, tree: Tree, sop: Sop, step: int) -> Placement | None:
    """Where the workbook a result is about goes, when the result knows whose it is."""
    if result.division is None or result.year is None or result.quarter is None:
        return None
    return placement(tree, result.division, result.year, result.quarter, step, sop=sop)


def first_finding(result: Result) -> Finding | None:
    """The finding whose cell the clerk is shown first: errors before warnings, table order."""
    located = [finding for finding in result.findings if finding.cell]
    for severity in (Severity.ERROR, Severity.WARNING):
        for finding in located:
            if finding.severity is severity:
                return finding
    return None
