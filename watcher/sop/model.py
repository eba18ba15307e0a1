"""The SOP as the workflow model: its steps, what kind each is, who does it, where files go.

Built from the office's SOP file by `watcher.sop.load` (the package ships SOP 010,
`data/sop_010.toml`). Everything the service does per step is derived from this model
(`watcher.sop.workflow`): folders, routing, rule sets, timings, status and reports. A step is one of
four kinds:

- ISSUE ("terbit"): the service issues the period's workbook and disposition into `folder`;
- SUBMIT ("kirim"): a person saves the workbook into `folder`; checked with `rules`; valid goes
  to the next step's folder, invalid to `folder/fix_folder` with feedback;
- CHECK ("periksa"): a person checks the file in `folder` and moves it into `approved_folder` (on
  to the next check, or approved at the last one) or `returned_folder` (back to `return_to`);
- COMPILE ("susun"): the planning section's reports, built from the approved files.

Time standards keep the SOP's own wording ("15 Menit", "1 Jam", "1 Hari"): minutes and hours
count office hours, days count working days.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum

from watcher.sop.period import QUARTERLY, Period

DEFAULT_STANDARD = "umum"
ANNUAL_STANDARD = "tahunan"
_STANDARD_RE = re.compile(r"^\s*(\d+)\s*(menit|jam|hari)\s*$", re.IGNORECASE)


class TimeUnit(StrEnum):
    MINUTE = "menit"
    HOUR = "jam"
    DAY = "hari"


@dataclass(frozen=True)
class TimeStandard:
    """A time standard: `amount` minutes or hours of office time, or `amount` working days."""

    amount: int
    unit: TimeUnit
    text: str

    @property
    def office_minutes(self) -> int | None:
        """Office minutes for minute/hour standards; None for day standards (working days)."""
        if self.unit is TimeUnit.MINUTE:
            return self.amount
        if self.unit is TimeUnit.HOUR:
            return self.amount * 60
        return None

    def __str__(self) -> str:
        return self.text


def parse_time_standard(text: str) -> TimeStandard:
    """Read "15 Menit", "1 Jam", "1 Hari" (any case); raise ValueError with an Indonesian reason."""
    match = _STANDARD_RE.match(str(text))
    if not match or not 0 < int(match.group(1)) <= 10_000:
        raise ValueError(
            f"waktu {text!r} tidak dikenali; tulis seperti '15 Menit', '1 Jam' atau '1 Hari'"
        )
    amount, unit = int(match.group(1)), TimeUnit(match.group(2).lower())
    return TimeStandard(amount, unit, f"{amount} {unit.value.capitalize()}")


class StepKind(StrEnum):
    """The values are the words an SOP file writes (`langkah.jenis`)."""

    ISSUE = "terbit"
    SUBMIT = "kirim"
    CHECK = "periksa"
    COMPILE = "susun"


class RuleSet(StrEnum):
    """Validation rules of a submission: `bahan` (material: realisations) or `laporan` (the
    report: also kendala and tindak lanjut where capaian falls short)."""

    MATERIAL = "bahan"
    REPORT = "laporan"


@dataclass(frozen=True)
class Step:
    number: int
    activity: str
    actor: str
    input: str
    output: str
    standards: dict[str, TimeStandard]
    kind: StepKind
    folder: str = ""  # below the division folder; "" for a compile step
    rules: RuleSet | None = None  # SUBMIT steps
    fix_folder: str = ""  # SUBMIT: subfolder of `folder` for workbooks sent back
    approved_folder: str = ""  # CHECK: subfolders of `folder` the checker moves files into
    returned_folder: str = ""
    return_to: int = 0  # CHECK: the SUBMIT step a returned file goes back to
    note: str = ""

    def __hash__(self) -> int:  # `standards` is a dict; a step is known by its number and place
        return hash((self.number, self.kind, self.folder))

    @property
    def standard(self) -> TimeStandard:
        """The step's main standard (the first one when the SOP gives several)."""
        return next(iter(self.standards.values()))


@dataclass(frozen=True)
class Sop:
    number: str
    name: str
    office: str
    steps: tuple[Step, ...]
    warning: str
    record_keeping: str
    period: Period = QUARTERLY
    legal_basis: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    approved_by: str = ""
    made_on: str = ""
    source: str = field(default="", compare=False)
    raw: bytes = field(default=b"", compare=False, repr=False)  # the file as read

    @property
    def digest(self) -> str:
        """SHA-256 of the file's bytes: what the tree records."""
        return hashlib.sha256(self.raw).hexdigest()

    def step(self, number: int) -> Step:
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(number)

    def of_kind(self, kind: StepKind) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.kind is kind)

    @property
    def flow(self) -> tuple[Step, ...]:
        """The steps a file goes through after it is issued: submissions and checks, in order."""
        return tuple(s for s in self.steps if s.kind in (StepKind.SUBMIT, StepKind.CHECK))

    @property
    def per_division(self) -> tuple[Step, ...]:
        """Every step one division's period goes through (all but the compile step)."""
        return tuple(s for s in self.steps if s.kind is not StepKind.COMPILE)

    def after(self, step: Step) -> Step | None:
        """The step that follows `step` in the flow (None after the last check)."""
        flow = self.flow
        index = flow.index(step)
        return flow[index + 1] if index + 1 < len(flow) else None

    @property
    def final_check(self) -> Step:
        """The check whose approval makes a report final (the loader ensures there is one)."""
        return self.of_kind(StepKind.CHECK)[-1]

    @property
    def compile_step(self) -> Step | None:
        steps = self.of_kind(StepKind.COMPILE)
        return steps[0] if steps else None

    @property
    def compile_number(self) -> int | None:
        """The compile step's number, which the reports' events carry (None: no such step)."""
        return self.compile_step.number if self.compile_step else None

    @property
    def builds_reports(self) -> bool:
        """Whether the service compiles reports for this SOP: each period's report and the
        LKjIP, for any period, once the SOP has a compile step (without one, the approved
        versions stay in the record and `kinerja report` still builds them on request)."""
        return self.compile_step is not None

    def producer(self, check: Step) -> Step:
        """The submission whose workbook a check looks at: the last SUBMIT before it."""
        return [s for s in self.flow[: self.flow.index(check)] if s.kind is StepKind.SUBMIT][-1]

    def rules_at(self, step: Step) -> RuleSet:
        """The validation rules of a file at `step` (a check applies its producer's)."""
        if step.kind is StepKind.CHECK:
            step = self.producer(step)
        return step.rules or RuleSet.REPORT
