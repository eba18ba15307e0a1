"""`kinerja` run as a person runs it: a real `python -m watcher` process, its output as text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_kinerja(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watcher", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
        check=False,
    )
