"""A rebuild in the same process (the service after each approval, the LKjIP after the period
reports) reads only what is new, and still refuses an archived copy that changed or vanished."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.office_books import report_table
from support.reports_office import approve, approved_office

from watcher.masterdata.load import load_master
from watcher.record.archive import archived_path
from watcher.record.store import Outcome, Store
from watcher.reports.annual import build_annual
from watcher.reports.figures import period_figures
from watcher.reports.gather import ReportError, approvals_for, read_submissions
from watcher.reports.period import build_period, fingerprint
from watcher.reports.read_memo import remembered
from watcher.service.tree import Tree
from watcher.sop.tree_sop import resolve_sop
from watcher.validation.part_memo import forget_all
from watcher.workbook.layout import rencana_aksi_layout

YEAR, QUARTER = 2026, 3
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return approved_office(tmp_path / "kantor")


def _build(tree: Tree, master: object, sop: object) -> Path:
    with Store(tree.store_path) as store:
        written = build_period(tree, store, master, sop, year=YEAR, index=QUARTER,
                               now=lambda: NOW, pdf=False)  # fmt: skip
    return next(p for p in written if p.suffix == ".xlsx")


def _read(tree: Tree, master: object, sop: object) -> dict:
    with Store(tree.store_path) as store:
        found = approvals_for(store, YEAR, QUARTER)
    return read_submissions(tree, master, found.values(), sop=sop)


def test_a_rebuild_reads_nothing_again_and_writes_the_same_report(tree: Tree) -> None:
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    first = report_table(_build(tree, master, sop), "Ringkasan", 6)
    with Store(tree.store_path) as store:
        found = approvals_for(store, YEAR, QUARTER)
    layout = rencana_aksi_layout()
    assert all(remembered(master, sop, layout, a) is not None for a in found.values())

    again = report_table(_build(tree, master, sop), "Ringkasan", 6)
    assert again == first and first


def test_a_new_approval_is_read_and_the_others_are_remembered(tree: Tree) -> None:
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    before = _read(tree, master, sop)
    code = master.divisions[0].code
    count = len(master.indicators_of(code))
    approve(tree, code, YEAR, QUARTER, [90] * count, version=2)

    after = _read(tree, master, sop)
    assert {r.realisation for r in after[(code, QUARTER)].readings.values()} == {90}
    assert after[(code, QUARTER)] != before[(code, QUARTER)]
    others = [key for key in before if key[0] != code]
    assert others and all(after[key] is before[key] for key in others)  # not read again


def test_new_master_data_is_read_afresh(tree: Tree) -> None:
    sop = resolve_sop(tree)
    master = load_master(tree.master_path)
    _read(tree, master, sop)
    renamed = dataclasses.replace(master, indicators=tuple(
        dataclasses.replace(i, name=f"{i.name} (baru)") for i in master.indicators))  # fmt: skip
    with Store(tree.store_path) as store:
        found = approvals_for(store, YEAR, QUARTER)
    layout = rencana_aksi_layout()
    assert all(remembered(renamed, sop, layout, a) is None for a in found.values())
    assert _read(tree, renamed, sop).keys() == _read(tree, master, sop).keys()


@pytest.mark.parametrize("damage", ["changed", "vanished"])
def test_a_remembered_copy_that_changed_or_vanished_is_still_refused(
    tree: Tree, damage: str
) -> None:
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    _read(tree, master, sop)
    with Store(tree.store_path) as store:
        approval = store.events(outcome=Outcome.APPROVED)[0]
    path = archived_path(tree.archive_files, approval.file_hash, ".xlsx")
    path.chmod(0o644)
    if damage == "changed":
        path.write_bytes(path.read_bytes() + b"\0")
    else:
        path.unlink()

    with pytest.raises(ReportError) as caught:
        _read(tree, master, sop)
    assert ("SHA-256" if damage == "changed" else "tidak dapat dibaca") in caught.value.message


def _tables(path: Path) -> dict[str, list[dict[str, object]]]:
    """The summary's table and each division sheet's (their header rows: 6 and 8)."""
    names = load_workbook(path, read_only=True).sheetnames
    divisions = [n for n in names if n not in ("Ringkasan", "Ketepatan Waktu", "Grafik")]
    return {"Ringkasan": report_table(path, "Ringkasan", 6)} | {
        name: report_table(path, name, 8) for name in divisions
    }


def test_a_rebuild_after_an_approval_is_the_report_built_from_scratch(tree: Tree) -> None:
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    _build(tree, master, sop)
    submissions = _read(tree, master, sop)
    before = period_figures(master, sop.period, YEAR, QUARTER, submissions)
    code = master.divisions[0].code
    approve(tree, code, YEAR, QUARTER, [7] * len(master.indicators_of(code)), version=2)

    rebuilt = _tables(_build(tree, master, sop))
    after = period_figures(master, sop.period, YEAR, QUARTER, _read(tree, master, sop))
    forget_all()  # as a service just started: everything read and computed afresh
    fresh = _tables(_build(tree, master, sop))

    assert rebuilt == fresh and all(rebuilt.values()) and len(rebuilt) > 2
    assert {line.current.realisation for line in after.blocks[0].lines} == {7}
    assert after.blocks[0] is not before.blocks[0]  # the approved division computed again
    assert all(a is b for a, b in zip(after.blocks[1:], before.blocks[1:], strict=True))


CHAIN = re.compile(r"Kepala rantai log: #\d+ [0-9a-f]+…?")  # each build is a new event


@dataclasses.dataclass(frozen=True)
class Lkjip:
    """What a reader of the LKjIP sees: its workbook's year and kendala tables, its HTML (the
    chain head, which every build moves on, left out)."""

    lines: list[dict[str, object]]
    kendala: list[tuple[object, ...]]
    html: str


def _annual(tree: Tree, master: object, sop: object) -> Lkjip:
    with Store(tree.store_path) as store:
        written = build_annual(tree, store, master, sop, year=YEAR, now=lambda: NOW, pdf=False)
    book = next(p for p in written if p.suffix == ".xlsx")
    html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    sheet = load_workbook(book, read_only=True)["Kendala dan Tindak Lanjut"]
    kendala = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    return Lkjip(report_table(book, "Capaian Tahunan", 6), kendala, CHAIN.sub("", html))


def test_an_lkjip_rebuilt_after_an_approval_is_the_one_built_from_scratch(tree: Tree) -> None:
    master, sop = load_master(tree.master_path), resolve_sop(tree)
    first = _annual(tree, master, sop)
    code = master.divisions[0].code
    count = len(master.indicators_of(code))
    approve(tree, code, YEAR, QUARTER, [7] * count, version=2, kendala="Server antre lama",
            follow_up="Antrean daring dibuka")  # fmt: skip

    rebuilt = _annual(tree, master, sop)
    forget_all()
    fresh = _annual(tree, master, sop)

    assert rebuilt == fresh and rebuilt.lines != first.lines
    changed = {row["Kode"] for row, old in zip(rebuilt.lines, first.lines, strict=True)
               if row != old}  # fmt: skip
    assert changed == {i.code for i in master.indicators_of(code)}  # that division's lines only
    told = [row for row in rebuilt.kendala if "Server antre lama" in row]
    assert len(told) == count and all("Antrean daring dibuka" in row for row in told)
    assert rebuilt.html != first.html and rebuilt.html.count("Server antre lama") == 1


def test_the_sources_fingerprint_is_kept_and_follows_approvals_and_master(tree: Tree) -> None:
    master = load_master(tree.master_path)
    with Store(tree.store_path) as store:
        approvals = list(approvals_for(store, YEAR, QUARTER).values())
    used = sorted((a.division, a.year, a.quarter, a.file_hash) for a in approvals)
    # the value earlier reports recorded, which `reports.auto` compares with
    expected = hashlib.sha256(repr((used, master)).encode("utf-8")).hexdigest()[:12]
    assert fingerprint(approvals, master) == expected == fingerprint(approvals, master)
    renamed = dataclasses.replace(master, divisions=master.divisions[::-1])
    assert fingerprint(approvals, renamed) != expected
    assert fingerprint(approvals[1:], master) != expected
