"""The SOP as data: its steps, actors and time standards (mutu baku), loaded from a TOML file.

The package ships SOP 010 (`data/sop_010.toml`); an office may give its own file with `--sop`.
Time standards keep the SOP's own wording ("15 Menit", "1 Jam", "1 Hari") and are parsed into
typed values: minutes and hours count office hours, days count working days.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from watcher.errors import Problem, SopError

DEFAULT_STANDARD = "umum"
EXPECTED_ROLES = ("Kabid", "Kasubag", "Analis Data", "Kasubag Perencanaan")
_STANDARD_RE = re.compile(r"^\s*(\d+)\s*(menit|jam|hari)\s*$", re.IGNORECASE)
_TEXT_FIELDS = ("kegiatan", "pelaksana", "kelengkapan", "output")


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
    if not match or int(match.group(1)) <= 0:
        raise ValueError(
            f"waktu {text!r} tidak dikenali; tulis seperti '15 Menit', '1 Jam' atau '1 Hari'"
        )
    amount, unit = int(match.group(1)), TimeUnit(match.group(2).lower())
    return TimeStandard(amount, unit, f"{amount} {unit.value.capitalize()}")


@dataclass(frozen=True)
class Step:
    number: int
    activity: str
    actor: str
    input: str
    output: str
    standards: dict[str, TimeStandard]
    note: str = ""

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
    legal_basis: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    approved_by: str = ""
    made_on: str = ""
    source: str = field(default="", compare=False)

    def step(self, number: int) -> Step:
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(number)


def default_sop_path() -> Path:
    return Path(str(resources.files("watcher") / "data" / "sop_010.toml"))


def load_sop(path: Path | None = None) -> Sop:
    """Load and check an SOP file; every problem is reported at once as a `SopError`."""
    path = path or default_sop_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SopError(str(path), [Problem(f"berkas tidak dapat dibaca ({exc})")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SopError(
            str(path), [Problem(f"penulisan TOML salah: {_indonesian_toml(exc)}")]
        ) from exc
    problems: list[Problem] = []
    sop = _build(data, text, problems, str(path))
    if problems or sop is None:
        raise SopError(str(path), problems)
    return sop


def _indonesian_toml(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if where:
        return f"baris {where.group(1)}, kolom {where.group(2)} ({message.split(' (at')[0]})"
    return message


def _line_of(text: str, key: str, block: int | None) -> str:
    """Locate `key = ...` in the file (inside the `block`-th [[langkah]] when given).

    A key missing from its block is located at the block's `[[langkah]]` line.
    """
    seen, block_line = -1, ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == "[[langkah]]":
            seen += 1
            block_line = f"baris {number}" if seen == block else block_line
        in_block = block is None or seen == block
        if in_block and re.match(rf"{re.escape(key)}\s*=", stripped):
            return f"baris {number}"
        if block is not None and seen > block:
            break
    return block_line


def _build(data: dict[str, Any], text: str, problems: list[Problem], source: str) -> Sop | None:
    header = data.get("sop")
    if not isinstance(header, dict):
        # One problem, not one more for each field of the missing section.
        problems.append(Problem("bagian [sop] tidak ada", cell="[sop]"))
        header = {}
    else:
        for key in ("nomor", "nama", "peringatan", "pencatatan"):
            if not str(header.get(key, "")).strip():
                problems.append(
                    Problem(f"isian sop.{key} kosong atau tidak ada", cell=f"sop.{key}")
                )
    raw_steps = data.get("langkah")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(Problem("tidak ada langkah ([[langkah]]) dalam SOP", cell="langkah"))
        return None
    steps = [_build_step(i, raw, text, problems) for i, raw in enumerate(raw_steps)]
    _check_numbering(raw_steps, text, problems)
    if problems:
        return None
    return Sop(
        number=str(header["nomor"]),
        name=str(header["nama"]),
        office=str(header.get("instansi", "")),
        steps=tuple(step for step in steps if step is not None),
        warning=str(header["peringatan"]),
        record_keeping=str(header["pencatatan"]),
        legal_basis=_lines(header.get("dasar_hukum", ())),
        qualifications=_lines(header.get("kualifikasi", ())),
        equipment=_lines(header.get("peralatan", ())),
        approved_by=str(header.get("disahkan_oleh", "")),
        made_on=str(header.get("tanggal_pembuatan", "")),
        source=source,
    )


def _check_numbering(raw_steps: list[Any], text: str, problems: list[Problem]) -> None:
    """Steps are numbered 1..n in file order; point at the first one that is not.

    Judged on the numbers as written, so a step rejected for another field (or a number that
    is not an integer, reported already) does not make the numbering look wrong as well.
    """
    for position, raw in enumerate(raw_steps, start=1):
        number = raw.get("nomor") if isinstance(raw, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and number != position:
            problems.append(
                Problem(
                    f"nomor langkah harus berurutan 1..{len(raw_steps)}: "
                    f"langkah ke-{position} bernomor {number}",
                    sheet=_line_of(text, "nomor", position - 1),
                    cell=f"langkah[{position}].nomor",
                )
            )
            return


def _build_step(index: int, raw: Any, text: str, problems: list[Problem]) -> Step | None:
    name = f"langkah[{index + 1}]"
    if not isinstance(raw, dict):
        problems.append(Problem("langkah harus berupa tabel", cell=name))
        return None
    before = len(problems)

    def problem(key: str, message: str) -> None:
        problems.append(Problem(message, sheet=_line_of(text, key, index), cell=f"{name}.{key}"))

    number = raw.get("nomor")
    if not isinstance(number, int) or isinstance(number, bool):
        problem("nomor", f"nomor harus bilangan bulat, tertulis {number!r}")
    for key in _TEXT_FIELDS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problem(key, f"isian '{key}' kosong atau tidak ada")
    if raw.get("pelaksana") and raw["pelaksana"] not in EXPECTED_ROLES:
        problem(
            "pelaksana",
            f"pelaksana {raw['pelaksana']!r} tidak dikenal; pilih {', '.join(EXPECTED_ROLES)}",
        )
    standards = _standards(raw.get("waktu"), lambda message: problem("waktu", message))
    if len(problems) > before:
        return None
    return Step(
        number=number,
        activity=raw["kegiatan"],
        actor=raw["pelaksana"],
        input=raw["kelengkapan"],
        output=raw["output"],
        standards=standards,
        note=str(raw.get("keterangan", "")),
    )


def _standards(raw: Any, report: Any) -> dict[str, TimeStandard]:
    if isinstance(raw, str):
        items = {DEFAULT_STANDARD: raw}
    elif isinstance(raw, dict) and raw:
        items = {str(key): value for key, value in raw.items()}
    else:
        report("isian 'waktu' (mutu baku) kosong atau tidak ada")
        return {}
    standards: dict[str, TimeStandard] = {}
    for key, value in items.items():
        try:
            standards[key] = parse_time_standard(value)
        except ValueError as exc:
            report(str(exc))
    return standards


def _lines(value: Any) -> tuple[str, ...]:
    """A list of lines; a single string (written without brackets) is one line."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(str(item) for item in value)
