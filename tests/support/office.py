"""Helpers that build an office's working tree the way a user would, for the tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.service.issuing import IssuedFile, issue_quarter
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.model import Sop

WITA = ZoneInfo("Asia/Makassar")
# The 10th of October 2026, opening time: the SOP's day for the third quarter's disposition.
ISSUE_TIME = datetime(2026, 10, 10, 7, 30, tzinfo=WITA)


def issued_office(
    root: Path, *, year: int = 2026, quarter: int = 3, sop: Sop | None = None
) -> tuple[Tree, list[IssuedFile]]:
    """`kinerja init` then `kinerja issue` for one period (a quarter of SOP 010, or of `sop`),
    with a fixed clock."""
    tree = Tree(root)
    sop = sop or load_sop()
    master = init_tree(tree, sop).master
    issued = issue_quarter(
        tree, master, sop, year=year, quarter=quarter, now=lambda: ISSUE_TIME,
        document_id=lambda code: f"{sop.number}-{code}-{year}-{sop.period.code(quarter)}-test",
    )  # fmt: skip
    return tree, issued
