"""Content validation as a clerk meets it: a real issued workbook, filled, saved in a folder.

Every case of `hostile_content.CONTENT_CASES` is saved where its clerk would save it and must
give its own rule, Indonesian message and cell, and the right verdict; each must also finish
within a time and memory bound in a child process. Focused tests pin the capaian rules (values
cached in the file are never trusted), the step-4 threshold and the Kabid note, and show that a
workbook filled and saved by LibreOffice, not only by openpyxl, passes.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from support.hostile_content import (
    COL,
    CONTENT_CASES,
    DAFDUK_FILLED,
    FIRST,
    LAYOUT,
    Case,
    filled,
    filled_with,
    issued,
    main_sheet,
    patch_cell,
    to_bytes,
)
from support.office import issued_office

from watcher.masterdata.capaian import capaian
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.service.tree import Tree
from watcher.sop.model import RuleSet
from watcher.validation.findings import Result
from watcher.validation.rules import Expectation
from watcher.validation.validate import expectation_for, validate_bytes, validate_file

TODAY = date(2026, 10, 12)  # the third quarter's collection is open (issued on 10 October)
MEMORY_LIMIT = 300 * 1024 * 1024
TIME_LIMIT = 60  # seconds, for every case together
REPORT = Expectation(step=4, division="DAFDUK", open_periods=frozenset({(2026, 3)}))
MATERIAL = dataclasses.replace(REPORT, step=3, rules=RuleSet.MATERIAL)


@dataclasses.dataclass(frozen=True)
class Office:
    tree: Tree
    master: MasterData
    cases: dict[str, Case]  # built once per module, on first use


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    return Office(tree, load_master(tree.master_path), {})


def built(office: Office, name: str) -> Case:
    if name not in office.cases:
        office.cases[name] = CONTENT_CASES[name](office.tree)
    return office.cases[name]


def validate_saved(office: Office, path: Path) -> Result:
    """What the service says about a file saved at `path` (its folder sets the expectation)."""
    expect = expectation_for(path, office.tree, office.master, step=None, today=TODAY)
    return validate_file(path, office.master, expect)


def describe(result: Result) -> str:
    return "\n".join(f"{f.rule} {f.cell}: {f.message}" for f in result.findings) or "(none)"


# --- every content case: its finding and its verdict ----------------------------------------


@pytest.mark.parametrize("name", list(CONTENT_CASES))
def test_content_case_gives_its_own_finding_and_verdict(office: Office, name: str) -> None:
    case = built(office, name)
    result = validate_saved(office, case.save(office.tree))

    assert result.refused is case.refused, describe(result)
    assert result.valid is case.valid, describe(result)
    if not case.rule:
        assert result.findings == (), describe(result)
        return
    assert any(
        f.rule == case.rule and case.phrase in f.message and f.cell == case.cell
        for f in result.findings
    ), f"expected {case.rule} {case.cell!r} {case.phrase!r}; got:\n{describe(result)}"
    for finding in result.findings:  # every finding is located and says what to do
        assert finding.message and finding.rule
        if not result.refused:
            assert finding.action and finding.sheet in (LAYOUT.main_sheet, LAYOUT.metadata_sheet)


# The child validates each case under an address-space limit; a crash names the case it was on.
RUNNER = """
import json, resource, sys
from datetime import date
from pathlib import Path
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from watcher.masterdata.load import load_master
from watcher.service.tree import Tree
from watcher.validation.validate import expectation_for, validate_file
tree = Tree(Path(sys.argv[1]))
master = load_master(tree.master_path)
for line in sys.stdin:
    name, path = json.loads(line)
    print(json.dumps({"start": name}), flush=True)
    path = Path(path)
    expect = expectation_for(path, tree, master, step=None, today=date.fromisoformat(sys.argv[3]))
    result = validate_file(path, master, expect)
    print(json.dumps({"name": name, "valid": result.valid, "refused": result.refused,
                      "rules": [f.rule for f in result.findings]}), flush=True)
"""


def test_every_content_case_finishes_within_300_mb_and_a_minute(office: Office) -> None:
    paths = {}
    for name in CONTENT_CASES:
        case = built(office, name)
        paths[name] = case.save(office.tree, file_name=case.file_name or f"kasus_{name}.xlsx")
    lines = "".join(json.dumps([name, str(path)]) + "\n" for name, path in paths.items())

    child = subprocess.run(
        [sys.executable, "-c", RUNNER, str(office.tree.root), str(MEMORY_LIMIT), TODAY.isoformat()],
        input=lines, capture_output=True, text=True, timeout=TIME_LIMIT,
    )  # fmt: skip

    reports = [json.loads(line) for line in child.stdout.splitlines()]
    last = next((r["start"] for r in reversed(reports) if "start" in r), None)
    assert child.returncode == 0, f"crashed on {last}: {child.stderr[-2000:]}"
    assert "Traceback" not in child.stderr
    verdicts = {r["name"]: r for r in reports if "name" in r}
    assert verdicts.keys() == CONTENT_CASES.keys()
    for name, verdict in verdicts.items():
        case = built(office, name)
        assert (verdict["valid"], verdict["refused"]) == (case.valid, case.refused), name
        assert not case.rule or case.rule in verdict["rules"], (name, verdict["rules"])


# --- capaian is recomputed, never read from the file ----------------------------------------


def test_capaian_is_recomputed_whatever_column_j_holds(office: Office) -> None:
    column = COL["capaian"]  # a number, a number as text, nothing: none of them is capaian
    cached = {
        f"{column}{FIRST}": 12345,
        f"{column}{FIRST + 1}": "100",
        f"{column}{FIRST + 2}": None,
    }
    data = filled_with(office.tree, **cached)

    result = validate_bytes(data, office.master, MATERIAL)

    assert result.valid, describe(result)
    for indicator, (realisation, _, _) in zip(
        office.master.indicators_of("DAFDUK"), DAFDUK_FILLED, strict=True
    ):
        expected = capaian(indicator.target(3), realisation, indicator.polarity)
        assert result.values[indicator.code]["capaian"] == pytest.approx(expected)
        assert result.values[indicator.code]["realisation"] == realisation


@pytest.mark.parametrize(
    ("realisation", "expected"),
    [(1.2, 120.0), (1.5, 100.0), (2.0, 66.67), (3.0, 0.0)],
    ids=["faster-than-target", "on-target", "slower", "twice-the-target"],
)
def test_lower_is_better_capaian(office: Office, realisation: float, expected: float) -> None:
    """DAF-04, days to issue a KTP-el (TW III target 1,5): (2 x target - realisation) / target."""
    data = filled_with(office.tree, **{f"{COL['realisation']}{FIRST + 3}": realisation})

    result = validate_bytes(data, office.master, REPORT)

    assert result.values["DAF-04"]["capaian"] == pytest.approx(expected)
    missing = [f for f in result.findings if f.cell == f"{COL['kendala']}{FIRST + 3}"]
    if expected < 100:
        assert missing and "di bawah 100%" in missing[0].message
    else:
        assert not missing


GROWTH = {"DAF-02": {"lowest": -50.0, "highest": 300.0}}  # a growth rate in %, say

# position, value typed, indicator options -> rule id of the error, or None (read as typed)
RANGES = [
    pytest.param(1, -12, GROWTH, None, id="declared_range_takes_a_negative_percent"),
    pytest.param(1, 150, GROWTH, None, id="declared_range_takes_150_percent"),
    pytest.param(1, 350, GROWTH, "table.implausible", id="above_the_declared_range"),
    pytest.param(1, 100.5, {}, "table.implausible", id="default_percent_at_most_100"),
    pytest.param(1, 100, {}, None, id="default_percent_100_is_fine"),
    pytest.param(2, -5, {}, "table.implausible", id="default_count_not_negative"),
    pytest.param(2, 0, {}, None, id="default_count_zero_is_fine"),
    pytest.param(2, "1.180", {}, "table.ambiguous_number", id="thousands_or_decimal_text"),
    pytest.param(2, "1.180,0", {}, None, id="grouped_with_decimals_is_clear"),
    pytest.param(2, "34%", {}, "table.unit_mismatch", id="percent_text_for_a_count"),
    pytest.param(0, "99,3%", {}, None, id="percent_text_for_a_percent"),
]


@pytest.mark.parametrize(("position", "value", "options", "rule"), RANGES)
def test_plausible_ranges_and_unclear_numbers(
    office: Office, position: int, value: object, options: dict, rule: str | None
) -> None:
    indicators = tuple(
        dataclasses.replace(i, **options.get(i.code, {})) for i in office.master.indicators
    )
    master = dataclasses.replace(office.master, indicators=indicators)
    address = f"{COL['realisation']}{FIRST + position}"

    result = validate_bytes(filled_with(office.tree, **{address: value}), master, MATERIAL)

    errors = [(f.rule, f.cell) for f in result.findings if f.severity.value == "error"]
    assert errors == ([(rule, address)] if rule else []), describe(result)


def test_a_met_zero_target_scores_100_and_needs_no_kendala(office: Office) -> None:
    """PDIP-04 has a zero target in TW III, met with 0: capaian 100, no kendala demanded."""
    workbook = issued(office.tree, "PDIP")
    for row, value in enumerate((22, 1, 80, 0), start=FIRST):
        main_sheet(workbook)[f"{COL['realisation']}{row}"] = value
    expect = dataclasses.replace(REPORT, division="PDIP")

    result = validate_bytes(to_bytes(workbook), office.master, expect)

    assert result.valid, describe(result)
    assert result.values["PDIP-04"]["capaian"] == 100.0
    assert result.values["PDIP-04"]["realisation"] == 0


@pytest.mark.parametrize(
    ("threshold", "valid"),
    [(100.0, False), (95.0, False), (90.0, True)],
    ids=["default-100", "95-still-above-91.67", "90-below-91.67"],
)
def test_step4_threshold_comes_from_the_master_settings(
    office: Office, threshold: float, valid: bool
) -> None:
    """DAF-03 reaches 91,67 % with its kendala and tindak lanjut left empty."""
    data = built(office, "step4_missing_kendala").data
    settings = dataclasses.replace(office.master.settings, follow_up_threshold=threshold)
    master = dataclasses.replace(office.master, settings=settings)

    result = validate_bytes(data, master, REPORT)

    assert result.valid is valid, describe(result)
    missing = {f.rule for f in result.findings if f.rule.startswith("step4.")}
    assert missing == (set() if valid else {"step4.kendala_missing", "step4.follow_up_missing"})
    if not valid:
        assert all(f"di bawah {threshold:g}%" in f.message for f in result.errors)
    assert not validate_bytes(data, master, MATERIAL).errors  # step 3 asks no kendala


def test_the_kabid_note_is_read(office: Office) -> None:
    note_cell = f"{LAYOUT.note_column}{LAYOUT.note_row(4)}"
    note = "Mohon lengkapi bukti dukung DAF-03 sebelum tanggal 20."
    data = filled_with(office.tree, **{note_cell: note})

    result = validate_bytes(data, office.master, REPORT)

    assert result.valid, describe(result)
    assert result.kabid_note == note


# --- saved by LibreOffice, not only by openpyxl ---------------------------------------------


@pytest.fixture(scope="module")
def saved_by_libreoffice(office: Office, lo_engine, tmp_path_factory) -> dict[str, bytes]:
    """Workbooks filled with openpyxl, then opened, recalculated and saved by LibreOffice."""
    sources = tmp_path_factory.mktemp("diisi")
    realisation = f"{COL['realisation']}{FIRST + 1}"
    files = {
        "filled": to_bytes(filled(office.tree)),
        "div0": filled_with(office.tree, **{realisation: "=1/0"}),
    }
    paths = []
    for name, data in files.items():
        paths.append(sources / f"{name}.xlsx")
        paths[-1].write_bytes(data)
    outputs = lo_engine.recalculate(paths, tmp_path_factory.mktemp("libreoffice"))
    return {output.stem: output.read_bytes() for output in outputs}


def test_a_workbook_saved_by_libreoffice_passes(office: Office, saved_by_libreoffice) -> None:
    for expect in (MATERIAL, REPORT):
        result = validate_bytes(saved_by_libreoffice["filled"], office.master, expect)
        assert result.valid and not result.findings, describe(result)
        assert result.values["DAF-03"]["capaian"] == 91.67  # 1100 / 1200


def test_div0_computed_by_libreoffice_is_reported_at_its_cell(
    office: Office, saved_by_libreoffice
) -> None:
    result = validate_bytes(saved_by_libreoffice["div0"], office.master, MATERIAL)

    realisation = f"{COL['realisation']}{FIRST + 1}"
    errors = {f.cell: f for f in result.errors}
    assert realisation in errors, describe(result)
    assert errors[realisation].rule == "table.formula_error"
    assert "#DIV/0!" in errors[realisation].message
    assert result.values["DAF-02"]["capaian"] is None


def test_a_stale_cached_capaian_is_ignored(office: Office, saved_by_libreoffice) -> None:
    """LibreOffice cached J10 for a realisation of 99,3; the realisation is then changed to 90
    without recalculating (as a script or another program could): J10 still says 100,1 %."""
    data = patch_cell(
        saved_by_libreoffice["filled"], f"{COL['realisation']}{FIRST}", "<v>90</v>", kind="n"
    )

    result = validate_bytes(data, office.master, MATERIAL)

    assert result.values["DAF-01"]["realisation"] == 90
    assert result.values["DAF-01"]["capaian"] == 90.73  # 90 / 99,2
