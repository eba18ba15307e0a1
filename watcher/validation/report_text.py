"""Validation results as text for a person and as JSON-ready dicts for a program."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from watcher.validation.findings import Result


def result_text(path: Path, result: Result) -> str:
    """A short Indonesian report: verdict line, then one line per finding."""
    if result.refused:
        verdict = "DITOLAK"
    elif result.valid:
        verdict = "VALID" + (f" ({len(result.warnings)} peringatan)" if result.warnings else "")
    else:
        verdict = f"BERMASALAH ({len(result.errors)} kesalahan, {len(result.warnings)} peringatan)"
    about = ""
    if result.division and result.quarter:
        about = f" - bidang {result.about}"
    lines = [f"{path}: {verdict}{about}, aturan langkah {result.step}"]
    lines += [f"  - {finding}" for finding in result.findings]
    return "\n".join(lines)


def result_json(path: Path, result: Result) -> dict[str, Any]:
    return {
        "file": str(path),
        "valid": result.valid,
        "refused": result.refused,
        "step": result.step,
        "division": result.division,
        "year": result.year,
        "quarter": result.quarter,
        "findings": [finding.as_dict() for finding in result.findings],
    }
