"""Run the real watcher service in a thread for a test, and wait on conditions (never sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from watcher.demo.office import service_thread
from watcher.service.tree import Tree
from watcher.service.watch import Service, ServiceOptions
from watcher.workbook.layout import rencana_aksi_layout

FAST = ServiceOptions(quiet_seconds=0.2, rescan_seconds=2.0, retry_seconds=0.5, office_jobs=False)


def running_service(tree: Tree, options: ServiceOptions = FAST, **service: Any) -> Any:
    """Start the real service (any `Service` keyword: now, listeners, sop, ...) in a thread,
    wait until its startup scan is done, and stop it cleanly when the block ends."""
    return service_thread(Service(tree, options, **service), timeout=20)


def wait_for(condition: Callable[[], object], *, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def fill(source: Path, target: Path, *, realisations: list[object] | None = None,
         kendala: str = "", follow_up: str = "", note: str = "") -> Path:  # fmt: skip
    """Fill an issued workbook the way a clerk does and save it at `target`."""
    layout = rencana_aksi_layout()
    workbook = load_workbook(source)
    sheet = workbook[layout.main_sheet]
    first = layout.rows["first_data"]
    count = sum(1 for row in range(first, first + 200) if sheet[f"B{row}"].value)
    values = realisations if realisations is not None else [50] * count
    for position, value in enumerate(values):
        row = first + position
        sheet[f"{layout.column('realisation').letter}{row}"] = value
        sheet[f"{layout.column('kendala').letter}{row}"] = kendala or None
        sheet[f"{layout.column('follow_up').letter}{row}"] = follow_up or None
    if note:
        sheet[f"{layout.note_column}{layout.note_row(count)}"] = note
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"~tmp{target.name}.partial")
    workbook.save(temp)
    temp.replace(target)  # appear complete at once, like a save
    return target
