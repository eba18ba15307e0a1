"""Property: on random valid workbooks saved by openpyxl (numbers, percents typed as "34%",
text in number cells, empty cells), the fast reader (safety layer with its memos warm, then
calamine on the rebuilt package) answers what openpyxl, the slow reference, reads from the same
cells, and a cold service answers the same as a warm one."""

from __future__ import annotations

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.validation.number_formats import is_percent_format
from watcher.validation.part_memo import forget_all
from watcher.validation.safety import check_bytes
from watcher.workbook.layout import rencana_aksi_layout
from watcher.workbook.read import Workbook, read_workbook

LAYOUT = rencana_aksi_layout()
FORMATS = ("General", "0%", "0.00%", "0.0", '0"%"', "#,##0")  # '0"%"' shows a quoted %, no percent
values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 4)),
    st.sampled_from(["34%", "12,5", "1.234,5", "belum", " 7 ", "=1+1"]),
)
cells = st.dictionaries(
    st.tuples(st.integers(1, 60), st.integers(1, 13)), st.tuples(values, st.sampled_from(FORMATS))
)


def saved(filled: dict[tuple[int, int], tuple[object, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = LAYOUT.main_sheet
    book.create_sheet(LAYOUT.metadata_sheet).append(["jenis", "rencana_aksi"])
    for (row, column), (value, number_format) in filled.items():
        cell = sheet.cell(row, column)
        cell.value = value
        cell.data_type = "s" if isinstance(value, str) else cell.data_type  # "=1+1" stays text
        cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes) -> Workbook:
    check_bytes(data)
    return read_workbook(data, LAYOUT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_fast_reader_reads_what_openpyxl_reads(filled: dict) -> None:
    data = saved(filled)
    forget_all()
    cold = read(data)
    warm = read(data)  # every part remembered now
    assert (warm.grid, warm.percent_cells, warm.metadata) == (
        cold.grid,
        cold.percent_cells,
        cold.metadata,
    )
    reference = openpyxl.load_workbook(io.BytesIO(data))[LAYOUT.main_sheet]
    percent = set()
    for row, column in filled:
        cell = reference.cell(row, column)
        expected = "" if cell.value is None else cell.value
        assert warm.value(row, column) == expected, (cell.coordinate, expected)
        if is_percent_format(cell.number_format):  # an empty cell keeps its style too
            percent.add(cell.coordinate)
    assert warm.percent_cells == percent
