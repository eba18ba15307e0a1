"""The desk side of Periksa / Kirim gives the server's answers for the same real workbooks.

Workbooks are issued by `kinerja issue`, filled the way a clerk fills them, and recalculated by
LibreOffice so that they hold cached values as a file saved by Excel does. The desk reads them as
Excel holds them (through the bridge's own reader, over the xlwings stand-in) and checks them;
the server reads the bytes (`validate_bytes`) with the expectation the service derives from the
folder the file lands in (`locate`, `open_periods`). The answers must be identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from support.engine import LibreOfficeEngine
from support.office import ISSUE_TIME, issued_office
from support.service_run import fill
from support.sop010 import Folder
from support.xlwings_stub import fake_xlwings

from watcher.desk.check import desk_check, workbook_from_cells
from watcher.desk.delivery import DeliveryError, deliver
from watcher.desk.excel_bridge import read_cells
from watcher.desk.locator import placement
from watcher.errors import UsageError
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.record.store import Store
from watcher.service.issuing import issue_quarter
from watcher.service.names import unique_destination
from watcher.service.pipeline import Handled, Pipeline
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.load import load_sop
from watcher.sop.model import RuleSet
from watcher.validation.findings import Result
from watcher.validation.rules import Expectation
from watcher.validation.validate import locate, open_periods, validate_bytes

TODAY: date = ISSUE_TIME.date()
FOLDER_OF_STEP = {3: Folder.MATERIAL, 4: Folder.REPORT}
DIVISION = "DAFDUK"


@dataclass(frozen=True)
class Scenario:
    id: str
    step: int
    realisations: list[object] | None = None
    kendala: str = ""
    quarter: int = 3  # a workbook of another quarter is issued from a second office
    rules: frozenset[str] = frozenset()  # rule ids of the errors expected (empty: valid)


SCENARIOS = (
    Scenario("valid-material", 3),
    Scenario(
        "realisation-missing", 3, [None, 50, 50], rules=frozenset({"table.realisation_missing"})
    ),
    Scenario("not-a-number", 3, ["lima puluh", 50, 50], rules=frozenset({"table.not_a_number"})),
    Scenario("decimal-comma-text", 3, ["95,5", 50, 50]),
    Scenario("formula-error", 3, ["=1/0", 50, 50], rules=frozenset({"table.formula_error"})),
    Scenario("negative", 3, [-4, 50, 50], rules=frozenset({"table.implausible"})),
    Scenario(
        "report-low-capaian-without-kendala",
        4,
        [1, 1, 1],
        rules=frozenset({"step4.kendala_missing", "step4.follow_up_missing"}),
    ),
    Scenario("report-with-kendala", 4, [1, 1, 1], kendala="Server SIAK sering terputus"),
    Scenario("other-quarter", 3, quarter=2, rules=frozenset({"place.wrong_quarter"})),
)


@dataclass(frozen=True)
class Office:
    tree: Tree
    master: MasterData
    files: dict[str, Path]  # scenario id -> the clerk's saved workbook (recalculated)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> Office:
    root = tmp_path_factory.mktemp("kantor")
    tree, issued = issued_office(root)
    master = load_master(tree.master_path)
    issued_q2 = _issue_other_quarter(tmp_path_factory.mktemp("kantor-lain"), master)
    source = {3: next(i.path for i in issued if i.division == DIVISION), 2: issued_q2}
    desk = root.parent / "meja-analis"
    filled = []
    for scenario in SCENARIOS:
        count = len(master.indicators_of(DIVISION))
        values = scenario.realisations
        if values is not None:
            values = [*values, *[50] * (count - len(values))]
        target = desk / scenario.id / workbook_file_name(DIVISION, 2026, scenario.quarter)
        filled.append(
            fill(source[scenario.quarter], target, realisations=values, kendala=scenario.kendala,
                 follow_up="Koordinasi dengan Dinas Kominfo" if scenario.kendala else "")
        )  # fmt: skip
    # Recalculate as Excel does on save: the files then hold cached values, errors included.
    recalculated = {}
    with LibreOfficeEngine(soffice=soffice) as engine:
        for scenario, path in zip(SCENARIOS, filled, strict=True):
            [out] = engine.recalculate([path], path.parent / "disimpan")
            recalculated[scenario.id] = out
    return Office(tree, master, recalculated)


def _issue_other_quarter(root: Path, master: MasterData) -> Path:
    tree = Tree(root)
    issue_quarter(tree, master, load_sop(), year=2026, quarter=2, now=lambda: ISSUE_TIME,
                  document_id=lambda code: f"010-{code}-2026-TW2-test")  # fmt: skip
    return tree.folder(DIVISION, Folder.DISPOSITION) / workbook_file_name(DIVISION, 2026, 2)


def server_result(office: Office, data: bytes, step: int, name: str) -> Result:
    """What the service concludes for these bytes once saved in the step's folder."""
    periods = open_periods(office.tree, load_sop(), DIVISION, TODAY)
    rules = RuleSet.MATERIAL if step == 3 else RuleSet.REPORT
    expect = Expectation(step=step, rules=rules, division=DIVISION, open_periods=periods)
    return validate_bytes(data, office.master, expect, name=name)


def desk_view(path: Path) -> list:
    """The workbook's sheets as the bridge reads them from Excel."""
    xlwings = fake_xlwings()  # Excel's view of a workbook file
    return read_cells(xlwings.load_book(path, xlwings.App(add_book=False)))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_desk_check_gives_the_server_findings(office: Office, scenario: Scenario) -> None:
    path = office.files[scenario.id]
    book = workbook_from_cells(desk_view(path))
    found = desk_check(book, office.tree, office.master, step=scenario.step, today=TODAY,
                       name=path.name)  # fmt: skip
    server = server_result(office, path.read_bytes(), scenario.step, path.name)

    assert found.result.findings == server.findings
    assert (found.result.valid, found.result.division, found.result.quarter) == (
        server.valid,
        server.division,
        server.quarter,
    )
    assert found.result.values == server.values
    assert {f.rule for f in server.errors} == scenario.rules  # the case tests what it says
    if scenario.rules and found.first is not None:
        assert found.first in server.errors


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_kirim_sends_exactly_what_the_server_accepts(
    office: Office, scenario: Scenario, tmp_path: Path
) -> None:
    path = office.files[scenario.id]
    data = path.read_bytes()
    folder = office.tree.folder(DIVISION, FOLDER_OF_STEP[scenario.step])
    before = set(folder.iterdir())

    delivery = deliver(data, office.tree, office.master, step=scenario.step, today=TODAY)

    server = server_result(office, data, scenario.step, delivery.result.name)
    assert delivery.result.findings == server.findings
    assert delivery.sent == server.valid
    if not server.valid:
        assert set(folder.iterdir()) == before  # nothing sent
        return
    assert delivery.path is not None
    assert delivery.path.read_bytes() == data
    division, place = locate(delivery.path, office.tree, office.master)
    assert (division, place.folder if place else None) == (DIVISION, FOLDER_OF_STEP[scenario.step])
    delivery.path.unlink()  # leave the shared folder as the next case expects it


def test_a_sent_workbook_is_routed_by_the_real_service(office: Office, tmp_path: Path) -> None:
    data = office.files["valid-material"].read_bytes()
    delivery = deliver(data, office.tree, office.master, step=3, today=TODAY)
    assert delivery.path is not None
    assert delivery.path.name == workbook_file_name(DIVISION, 2026, 3)

    with Store(office.tree.store_path) as store:
        pipeline = Pipeline(office.tree, store, lambda: office.master, lambda: ISSUE_TIME)
        assert pipeline.handle(delivery.path) is Handled.ROUTED

    forwarded = office.tree.folder(DIVISION, Folder.REPORT) / delivery.path.name
    assert forwarded.read_bytes() == data  # valid material goes on to the Kasubag
    forwarded.unlink()


def test_kirim_never_overwrites_and_numbers_versions_like_the_service(office: Office) -> None:
    data = office.files["valid-material"].read_bytes()
    target = placement(office.tree, DIVISION, 2026, 3, step=3)
    target.path.write_bytes(b"berkas lain milik rekan")

    sent = [deliver(data, office.tree, office.master, step=3, today=TODAY).path for _ in range(2)]

    assert target.path.read_bytes() == b"berkas lain milik rekan"
    assert [p.name for p in sent if p] == [
        "Rencana_Aksi_DAFDUK_2026_TW3 (2).xlsx",
        "Rencana_Aksi_DAFDUK_2026_TW3 (3).xlsx",
    ]
    for path in [target.path, *sent]:
        if path:
            path.unlink()


def test_kirim_refuses_a_missing_step_folder(office: Office, tmp_path: Path) -> None:
    data = office.files["valid-material"].read_bytes()
    elsewhere = Tree(tmp_path / "bukan-folder-bersama")
    (elsewhere.inbox).mkdir(parents=True)
    with pytest.raises(DeliveryError, match="tidak ditemukan"):
        deliver(data, elsewhere, office.master, step=3, today=TODAY)


def test_kirim_of_bytes_the_server_refuses_sends_nothing(office: Office) -> None:
    delivery = deliver(
        b"PK\x03\x04 bukan buku kerja", office.tree, office.master, step=3, today=TODAY
    )
    assert delivery.result.refused
    assert not delivery.sent
    assert delivery.placement is None


# -- the locator alone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "folder"),
    [pytest.param(3, Folder.MATERIAL, id="material"), pytest.param(4, Folder.REPORT, id="report")],
)
def test_placement_is_where_the_server_locates_it(
    tmp_path: Path, step: int, folder: Folder
) -> None:
    tree, _ = issued_office(tmp_path)
    master = load_master(tree.master_path)
    for division in master.divisions:
        target = placement(tree, division.code, 2026, 3, step)
        assert target.file_name == workbook_file_name(division.code, 2026, 3)
        found, place = locate(target.path, tree, master)
        assert (found, place.folder if place else None) == (division.code, folder)


def test_free_path_follows_the_service_rule(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    target = placement(tree, DIVISION, 2026, 3, 3)
    target.folder.mkdir(parents=True)
    assert target.free_path() == target.path
    target.path.touch()
    (target.folder / "Rencana_Aksi_DAFDUK_2026_TW3 (2).xlsx").touch()
    assert target.free_path() == unique_destination(target.folder, target.file_name)
    assert target.free_path().name == "Rencana_Aksi_DAFDUK_2026_TW3 (3).xlsx"


@pytest.mark.parametrize("step", [1, 2, 5], ids=lambda s: f"step-{s}")
def test_placement_refuses_steps_nobody_sends_at(tmp_path: Path, step: int) -> None:
    with pytest.raises(UsageError, match="bukan langkah kirim SOP ini"):
        placement(Tree(tmp_path), DIVISION, 2026, 3, step)
