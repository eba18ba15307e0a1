"""Step 6 by itself: the service's report listener builds and rebuilds the reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.office import issued_office
from support.reports_office import WITA, approve, filled, office
from support.service_run import FAST, running_service, wait_for
from support.sop010 import Folder

from watcher.masterdata.load import load_master
from watcher.record.store import Event, Outcome, Store
from watcher.reports.auto import ReportListener
from watcher.service.tree import Tree
from watcher.service.watch import Listener
from watcher.sop.load import load_sop

BUILT_AT = datetime(2026, 10, 20, 10, 0, tzinfo=WITA)
# Third-quarter realisations that meet every target (PDIP-04's target is 0).
ON_TARGET = {
    "SEKRETARIAT": [70, 84, 70, 100],
    "DAFDUK": [99.2, 98.8, 1200, 1.5],
    "CAPIL": [97.5, 33, 150, 95],
    "PIAK": [25, 50, 99, 2],
    "PDIP": [22, 1, 75, 0],
}


def service(tree: Tree, listeners: list[Listener]) -> Any:
    """The real watcher service in a thread, with listeners, stopped cleanly afterwards."""
    return running_service(tree, FAST, listeners=listeners)


def listener(tree: Tree, *, pdf: bool = True) -> ReportListener:
    return ReportListener(
        tree, lambda: load_master(tree.master_path), load_sop(), now=lambda: BUILT_AT, pdf=pdf
    )


def kabid_approves(tree: Tree, code: str, realisations: list[float], name: str = "") -> Path:
    """The Kabid saves the division's valid report straight into `disetujui/`."""
    source = tree.folder(code, Folder.DISPOSITION) / f"Rencana_Aksi_{code}_2026_TW3.xlsx"
    data = filled(source, realisations, "Tidak ada kendala berarti", "Pertahankan capaian")
    target = tree.folder(code, Folder.APPROVED) / (name or source.name)
    temp = target.with_name(f"~tmp{target.name}.partial")
    temp.write_bytes(data)
    temp.replace(target)  # appears complete at once, like Excel's save
    return target


def events(tree: Tree, outcome: Outcome) -> list:
    with Store(tree.store_path) as store:
        return store.events(outcome=outcome)


def test_the_last_approval_of_a_quarter_builds_the_report(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    report = tree.quarterly_reports / "2026_TW3" / "Laporan_Kinerja_TW3_2026.xlsx"

    with service(tree, [listener(tree)]):
        for code in ("SEKRETARIAT", "DAFDUK", "CAPIL", "PIAK"):
            kabid_approves(tree, code, ON_TARGET[code])
        wait_for(lambda: len(events(tree, Outcome.APPROVED)) == 4, what="four approvals")
        assert not report.exists()  # PDIP has not been approved yet

        kabid_approves(tree, "PDIP", ON_TARGET["PDIP"])
        wait_for(report.exists, timeout=30, what="the quarterly report")
        wait_for(report.with_suffix(".pdf").exists, timeout=30, what="its PDF")
        built = events(tree, Outcome.REPORT_BUILT)
        assert {(e.step, e.year, e.quarter) for e in built} == {(6, 2026, 3)}

        # The Kabid approves a corrected DAFDUK report: the report is built again.
        corrected = [99.4, 98.8, 1260, 1.5]
        kabid_approves(tree, "DAFDUK", corrected, "Rencana_Aksi_DAFDUK_2026_TW3 (2).xlsx")
        wait_for(
            lambda: len(events(tree, Outcome.REPORT_BUILT)) == 4,
            timeout=30,
            what="the rebuilt report",
        )

    summary = load_workbook(report)["Ringkasan"]
    values = {row[3]: row[7] for row in summary.iter_rows(min_row=7, values_only=True)}
    assert values["DAF-03"] == 1260
    assert not events(tree, Outcome.ERROR)


def test_the_fourth_quarter_completes_the_lkjip_once(tmp_path: Path) -> None:
    tree = office(tmp_path / "kantor")
    for code, values in ON_TARGET.items():
        approve(tree, code, 2026, 4, values, kendala="-", follow_up="-")
    build = listener(tree, pdf=False)

    with Store(tree.store_path) as store:
        build(store, store.events())
        first = store.events(outcome=Outcome.REPORT_BUILT)
        build(store, store.events())  # the same events again: nothing changed, nothing built
        again = store.events(outcome=Outcome.REPORT_BUILT)

    assert (tree.annual_reports / "2026" / "LKjIP_2026.xlsx").exists()
    assert (tree.annual_reports / "2026" / "LKjIP_2026.html").exists()
    assert (tree.quarterly_reports / "2026_TW4" / "Laporan_Kinerja_TW4_2026.xlsx").exists()
    assert {e.quarter for e in first} == {4, None}
    assert len(again) == len(first)


def test_a_failed_build_is_logged_and_does_not_raise(tmp_path: Path) -> None:
    tree = office(tmp_path / "kantor")
    event = None
    for code, values in ON_TARGET.items():
        event = approve(tree, code, 2026, 3, values)
    assert event is not None
    archived = next(tree.archive_files.rglob(f"{event.file_hash}.xlsx"))
    archived.chmod(0o644)
    archived.write_bytes(b"rusak")  # the archive copy no longer matches its hash

    with Store(tree.store_path) as store:
        listener(tree, pdf=False)(store, store.events())
        errors = store.events(outcome=Outcome.ERROR)

    assert len(errors) == 1 and errors[0].step == 6
    assert "tidak sesuai kode SHA-256" in errors[0].message


@pytest.mark.parametrize("outcome", [Outcome.VALID, Outcome.STARTED])
def test_other_events_build_nothing(tmp_path: Path, outcome: Outcome) -> None:
    tree = office(tmp_path / "kantor")
    with Store(tree.store_path) as store:
        store.append(Event(outcome=outcome, division="PIAK", year=2026, quarter=3, step=3))
        listener(tree)(store, store.events())
        assert not store.events(outcome=Outcome.REPORT_BUILT)
