"""The attacks found against python-calamine, run as a clerk's file through `kinerja validate`
in a child process limited to 1 GiB of address space: each one exits 2 with an Indonesian
reason and no traceback. Without the package measurement, each of the first group made calamine
ask for hundreds of gigabytes and abort the process (SIGABRT, no exception), or misread the
workbook into a wrong verdict."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_content import CONTENT_CASES
from office import issued_office

from watcher.tree import Tree

MEMORY_LIMIT = 1024 * 1024 * 1024
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


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_is_refused_by_kinerja_validate_within_1_gib(tree: Tree, name: str) -> None:
    case = CONTENT_CASES[name](tree)
    path: Path = case.save(tree, file_name=f"serangan_{name}.xlsx")

    child = subprocess.run(
        [sys.executable, "-m", "watcher", "validate", "--root", str(tree.root), str(path)],
        capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory,
    )  # fmt: skip

    assert child.returncode == 2, (child.returncode, child.stdout, child.stderr[-2000:])
    assert "Traceback" not in child.stderr and "panicked" not in child.stderr
    assert "DITOLAK" in child.stdout and "KESALAHAN" in child.stdout, child.stdout
    assert any(word in child.stdout for word in ("kirim lagi", "1_disposisi")), child.stdout
