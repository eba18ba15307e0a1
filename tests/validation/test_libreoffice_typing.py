"""A clerk types the realisations in LibreOffice, in the Indonesian and in the English locale.

The values go through Calc's own input line (see `lo_typing`), so "99,3%" becomes what Calc
makes of it for that clerk: 0.993 in a percent-formatted cell. kinerja must read each value as
the clerk meant it for the indicator's unit (99,3 for a "%" indicator), or send it back naming
the cell, never scale it silently.
"""

from __future__ import annotations

import pytest
from support.lo_typing import type_into, typing_profile
from support.office import issued_office
from support.plain_reading import read_plainly
from support.sop010 import Folder

from watcher.masterdata.load import load_master
from watcher.sop.model import RuleSet
from watcher.validation.findings import Severity
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes
from watcher.workbook.layout import rencana_aksi_layout

LAYOUT = rencana_aksi_layout()
COLUMN, FIRST = LAYOUT.column("realisation").letter, LAYOUT.rows["first_data"]
MATERIAL = Expectation(
    step=3, rules=RuleSet.MATERIAL, division="DAFDUK", open_periods=frozenset({(2026, 3)})
)
# DAF-01 and DAF-02 are in %, DAF-03 in dokumen, DAF-04 in hari (lower is better)
TYPED = {
    "id-ID": ["99,3%", "98,5", "1.180", "1,8"],
    "en-US": ["99.3%", "98.5", "1,180", "1.8"],
}
READ = {"DAF-01": 99.3, "DAF-02": 98.5, "DAF-03": 1180.0, "DAF-04": 1.8}
CAPAIAN = {"DAF-01": 100.1, "DAF-02": 99.7, "DAF-03": 98.33, "DAF-04": 80.0}


@pytest.fixture(scope="module", params=sorted(TYPED))
def clerk(request: pytest.FixtureRequest, soffice: str, tmp_path_factory: pytest.TempPathFactory):
    """An office with its TW III workbooks issued and a LibreOffice profile in one locale."""
    locale = request.param
    base = tmp_path_factory.mktemp(f"ketik-{locale}")
    tree, _ = issued_office(base / "kantor")
    profile = base / "profil"
    typing_profile(soffice, profile, locale)
    return locale, tree, profile, soffice


def typed(clerk: tuple, values: list[str], name: str) -> bytes:
    locale, tree, profile, soffice = clerk
    source = tree.folder("DAFDUK", Folder.DISPOSITION) / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    cells = {f"{COLUMN}{FIRST + i}": value for i, value in enumerate(values)}
    output = tree.root / "diketik" / f"{name}-{locale}.xlsx"
    log = type_into(soffice, profile, source, output, cells)
    assert [line for line in log if line.startswith("TYPED")] == [
        f"TYPED {address} {value}" for address, value in cells.items()
    ], log
    return output.read_bytes()


def test_percent_decimal_comma_and_thousands_read_as_meant(clerk: tuple) -> None:
    locale, tree, _, _ = clerk
    master = load_master(tree.master_path)

    saved = typed(clerk, TYPED[locale], "diisi")
    result = validate_bytes(saved, master, MATERIAL)

    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert result.valid and not errors, result.findings
    for code, value in READ.items():
        assert result.values[code]["realisation"] == pytest.approx(value), (locale, code)
        assert result.values[code]["capaian"] == CAPAIAN[code], (locale, code)
    warned = {(f.rule, f.cell) for f in result.findings}
    assert ("table.percent_format", f"{COLUMN}{FIRST}") in warned  # told the % was read as 99,3
    assert read_plainly(saved) is not None  # what Calc writes takes the fast reading


def test_a_percent_for_a_count_is_sent_back_naming_the_cell(clerk: tuple) -> None:
    locale, tree, _, _ = clerk
    master = load_master(tree.master_path)
    values = [*TYPED[locale][:2], "34%", TYPED[locale][3]]

    result = validate_bytes(typed(clerk, values, "persen-dokumen"), master, MATERIAL)

    assert not result.valid
    finding = next(f for f in result.findings if f.rule == "table.unit_mismatch")
    assert finding.cell == f"{COLUMN}{FIRST + 2}"
    assert "tertulis sebagai persen (34%), padahal satuannya dokumen" in finding.message
