"""The attacks found against python-calamine, saved as a clerk's files and run through
`kinerja validate` in one child process limited to 1 GiB of address space: it exits 2, every
file refused with an Indonesian reason, no traceback. Without the package measurement, each of
the first group made calamine ask for hundreds of gigabytes and abort the process (SIGABRT, no
exception), or misread the workbook into a wrong verdict."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
from support.hostile_content import CONTENT_CASES
from support.office import issued_office

from watcher.service.tree import Tree

MEMORY_LIMIT = 1024 * 1024 * 1024
_ADVICE = ("kirim lagi", "folder disposisi")  # every refusal says what to do next, in Indonesian
ATTACKS = (
    "value_in_last_cell",
    "far_cell_single_quoted",
    "far_cell_spaces_around_equals",
    "far_cell_foreign_namespace",
    "far_cell_character_reference",
    "far_cell_prefixed_row",
    "sheet_outside_xl",
    "sheet_target_other_case",
    "sheet_member_backslashes",
    "huge_shared_strings_count",
    "shared_strings_decoy_at_fixed_name",
    "decoy_at_percent_encoded_name",
    "decoy_at_unresolved_parent",
    "main_sheet_in_utf16",
    "main_sheet_as_chartsheet",
    "kendala_dde_formula",
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    return tree


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_every_attack_is_refused_by_kinerja_validate_within_1_gib(tree: Tree) -> None:
    """One run over all attack files (one process start, not one each): an abort would take
    the whole run down, so exit code 2 proves that none got past the measurement."""
    cases = {name: CONTENT_CASES[name](tree) for name in ATTACKS}
    paths = {
        name: str(case.save(tree, file_name=f"serangan_{name}.xlsx"))
        for name, case in cases.items()
    }

    child = subprocess.run(
        [sys.executable, "-m", "watcher", "validate", "--root", str(tree.root), "--json",
         *paths.values()],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
    )  # fmt: skip

    assert child.returncode == 2, (child.returncode, child.stderr[-2000:])
    assert "Traceback" not in child.stderr and "panicked" not in child.stderr
    reports = {report["file"]: report for report in json.loads(child.stdout)}
    for name, path in paths.items():
        report = reports[path]
        assert report["refused"] and not report["valid"], name
        [finding] = report["findings"]
        assert finding["rule"] == cases[name].rule, name
        assert any(word in finding["message"] for word in _ADVICE), (name, finding["message"])
