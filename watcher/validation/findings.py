"""What validation says about a workbook: findings with severity, rule, location and advice."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "KESALAHAN" if self is Severity.ERROR else "PERINGATAN"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str  # stable machine id, e.g. "content.target_edited"
    message: str  # Indonesian, for a clerk
    action: str = ""  # what to do, Indonesian
    sheet: str = ""
    cell: str = ""  # A1 address, "" when the finding concerns the whole file

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"severity": self.severity.value}

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        place = f" [{where}]" if where else ""
        advice = f" {self.action}" if self.action else ""
        return f"{self.severity.label}{place} {self.message}{advice}"


@dataclass(frozen=True)
class Result:
    """The outcome of validating one file. `refused` is set when it could not be read at all."""

    name: str
    step: int
    findings: tuple[Finding, ...] = ()
    refused: bool = False
    division: str | None = None
    year: int | None = None
    quarter: int | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # per indicator code
    kabid_note: str = ""
    period_label: str = ""  # "Triwulan III", in the SOP's period

    @property
    def about(self) -> str:
        """ "DAFDUK, Triwulan III 2026"."""
        return f"{self.division}, {self.period_label} {self.year}"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.refused and not self.errors
