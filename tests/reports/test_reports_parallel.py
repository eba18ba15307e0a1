"""Many approved workbooks are read on every core; the reports stay exactly what one core makes.

The office approves every division's four quarters (varied realisations, kendala and tindak
lanjut); the pool is forced on for its twenty workbooks, with each start method, and the third
quarter's report and the LKjIP are compared cell by cell with the ones built serially.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import datetime

import pytest
from openpyxl import load_workbook
from support.reports_office import WITA, approve, office

from watcher.masterdata.load import load_master
from watcher.record.store import Store
from watcher.reports import parallel
from watcher.reports.annual import year_report
from watcher.reports.annual_book import annual_workbook
from watcher.reports.gather import Submission, approvals_for, read_submissions
from watcher.reports.period import approvals_through, period_report
from watcher.reports.period_book import period_workbook
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.validation.part_memo import forget_all

BUILT = datetime(2027, 1, 25, 10, 0, tzinfo=WITA)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    tree = office(tmp_path_factory.mktemp("paralel") / "kantor")
    master = load_master(tree.master_path)
    for number, division in enumerate(master.divisions):
        count = len(master.indicators_of(division.code))
        for quarter in (1, 2, 3, 4):
            realisations = [20 + (number * 7 + quarter * 11 + i * 5) % 80 for i in range(count)]
            approve(tree, division.code, 2026, quarter, realisations,
                    kendala=f"Kendala {division.code} TW{quarter}",
                    follow_up=f"Tindak lanjut TW{quarter}")  # fmt: skip
    return tree


def quarter_book(tree: Tree) -> bytes:
    master, sop = load_master(tree.master_path), load_sop()
    with Store(tree.store_path) as store:
        approvals = approvals_through(approvals_for(store, 2026), 3)
        report = period_report(tree, store, master, sop, (2026, 3), approvals, lambda: BUILT)
    return period_workbook(report)


def annual_book(tree: Tree) -> bytes:
    master, sop = load_master(tree.master_path), load_sop()
    with Store(tree.store_path) as store:
        approvals = sorted(approvals_for(store, 2026).values(), key=lambda a: a.division)
        report = year_report(tree, store, master, sop, 2026, approvals, lambda: BUILT)
    return annual_workbook(report)


def cell_values(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("build", [quarter_book, annual_book], ids=["triwulan", "lkjip"])
def test_the_pool_builds_the_same_workbook_as_one_core(
    year: Tree, build: Callable[[Tree], bytes], method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = cell_values(build(year))
    used: list[str] = []

    def chosen(available: list[str], threads: int) -> str:
        used.append(method)
        return method

    monkeypatch.setattr(parallel, "POOL_FROM", 2)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(parallel, "start_method", chosen)
    pooled = cell_values(build(year))
    assert used == [method]
    assert pooled == serial
    assert sum(len(rows) for rows in pooled.values()) > 100


def square(offset: int, item: int) -> int:
    if item == 7:
        raise ValueError("tujuh")
    return item * item + offset


def test_results_keep_the_items_order_and_errors_surface(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "POOL_FROM", 2)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(parallel, "start_method", lambda available, threads: "fork")
    items = list(range(6, 0, -1))
    assert list(parallel.ordered_map(square, 1, items)) == [n * n + 1 for n in items]
    with pytest.raises(ValueError, match="tujuh"):
        list(parallel.ordered_map(square, 0, list(range(10))))


@pytest.mark.parametrize(
    ("available", "threads", "expected"),
    [
        (["fork", "spawn", "forkserver"], 1, "fork"),
        (["fork", "spawn", "forkserver"], 3, "spawn"),  # the service's threads are running
        (["spawn"], 1, "spawn"),  # Windows
    ],
    ids=["posix-alone", "posix-with-threads", "windows"],
)
def test_start_method(available: list[str], threads: int, expected: str) -> None:
    assert parallel.start_method(available, threads) == expected


def test_few_items_run_in_this_process() -> None:
    assert list(parallel.ordered_map(square, 0, [1, 2, 3])) == [1, 4, 9]


@pytest.mark.parametrize("pooled", [False, True], ids=["one-core", "pool"])
def test_each_division_is_handed_on_once_all_its_periods_are_read(
    year: Tree, pooled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report works on a division (figures, rows) while the others are still read: the
    division is handed on once, after its last period, with every one of its periods read."""
    if pooled:
        monkeypatch.setattr(parallel, "POOL_FROM", 2)
        monkeypatch.setattr(parallel, "CHUNK", 3)
        monkeypatch.setattr(parallel, "cores", lambda: 2)
    forget_all()  # nothing remembered: every workbook is read
    master, sop = load_master(year.master_path), load_sop()
    with Store(year.store_path) as store:
        approvals = sorted(
            approvals_for(store, 2026).values(), key=lambda a: (a.division, a.quarter)
        )
    handed: list[tuple[str, list[int]]] = []

    def ready(code: str, read: Mapping[tuple[str, int], Submission]) -> None:
        handed.append((code, sorted(i for c, i in read if c == code)))

    read = read_submissions(year, master, approvals, sop=sop, ready=ready)
    assert handed == [(code, [1, 2, 3, 4]) for code in sorted(d.code for d in master.divisions)]
    assert len(read) == 4 * len(master.divisions)
