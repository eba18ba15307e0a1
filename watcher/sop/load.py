"""Read an SOP file into the workflow model, refusing whatever the service could not run.

Every problem is reported at once (`SopError`), each with its line and key: unknown or misspelt
keys (with the nearest known key), missing fields, a flow the service cannot run (no person
submits, no check approves, a return to a step that is not a submission), folder names Windows
or the share cannot hold, time standards it cannot measure.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from watcher.errors import Problem, SopError
from watcher.sop.model import (
    ANNUAL_STANDARD,
    DEFAULT_STANDARD,
    RuleSet,
    Sop,
    Step,
    StepKind,
    TimeStandard,
    parse_time_standard,
)
from watcher.sop.period import Period, PeriodKind
from watcher.sop.workflow import SUPERSEDED_FOLDER

MAX_SOP_BYTES = 256 * 1024
HEADER_KEYS = {
    "nomor", "nama", "instansi", "tanggal_pembuatan", "tanggal_revisi", "disahkan_oleh",
    "dasar_hukum", "kualifikasi", "peralatan", "peringatan", "pencatatan",
}  # fmt: skip
PERIOD_KEYS = {"jenis", "tanggal_terbit"}
COMMON_STEP_KEYS = {"nomor", "kegiatan", "pelaksana", "kelengkapan", "waktu", "output",
                    "keterangan", "jenis"}  # fmt: skip
KIND_KEYS: dict[StepKind, set[str]] = {
    StepKind.ISSUE: {"folder"},
    StepKind.SUBMIT: {"folder", "aturan", "folder_perbaikan"},
    StepKind.CHECK: {"folder", "folder_setuju", "folder_kembali", "kembali_ke"},
    StepKind.COMPILE: set(),
}
STEP_KEYS = COMMON_STEP_KEYS.union(*KIND_KEYS.values())
TOP_KEYS = {"sop", "periode", "langkah"}
_TEXT_FIELDS = ("kegiatan", "pelaksana", "kelengkapan", "output")
# A folder name one Windows, Samba and POSIX tree can all hold, and that no notice name uses.
_FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.()-]{0,59}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # fmt: skip
SOP_010 = "sop_010.toml"


def sample_sop_path(name: str) -> Path:
    """A sample SOP shipped in the package (`watcher/data/`)."""
    return Path(str(resources.files("watcher") / "data" / name))


def default_sop_path() -> Path:
    return sample_sop_path(SOP_010)


def load_sop(path: Path | None = None) -> Sop:
    """Load and check an SOP file; every problem is reported at once as a `SopError`."""
    path = path or default_sop_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SopError(str(path), [Problem(f"berkas tidak dapat dibaca ({exc})")]) from exc
    return parse_sop(raw, str(path))


def parse_sop(raw: bytes, source: str) -> Sop:
    """The model from an SOP file's bytes (UTF-8, with or without the BOM Notepad writes)."""
    if len(raw) > MAX_SOP_BYTES:
        raise SopError(source, [Problem(f"berkas terlalu besar (lebih dari {MAX_SOP_BYTES} bita)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SopError(
            source, [Problem("berkas bukan teks UTF-8; simpan ulang sebagai UTF-8")]
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SopError(source, [Problem(f"penulisan TOML salah: {_indonesian_toml(exc)}")]) from exc
    problems: list[Problem] = []
    sop = _Builder(text, problems).build(data, source)
    if problems or sop is None:
        raise SopError(source, problems)
    return replace(sop, raw=raw)


def _indonesian_toml(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if where:
        return f"baris {where.group(1)}, kolom {where.group(2)} ({message.split(' (at')[0]})"
    return message


class _Builder:
    """One pass over the parsed file, collecting located problems."""

    def __init__(self, text: str, problems: list[Problem]) -> None:
        self.lines = text.splitlines()
        self.problems = problems

    def line_of(self, key: str, section: str, block: int | None = None) -> str:
        """`baris N` of `key = ...` inside `[section]` (the `block`-th `[[section]]`); a key
        missing from its section is located at the section's header line; a top-level key
        (`section` "") at its own `[key]` header or `key = ...` line."""
        if not section:
            for number, line in enumerate(self.lines, start=1):
                stripped = line.strip()
                if stripped.strip("[]").strip() == key or re.match(
                    rf"{re.escape(key)}\s*=", stripped
                ):
                    return f"baris {number}"
            return ""
        seen, header, inside = -1, "", False
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                name = stripped.strip("[]").strip()
                inside = name == section and (block is None or seen + 1 == block)
                if name == section and stripped.startswith("[["):
                    seen += 1
                    inside = block is None or seen == block
                if inside:
                    header = f"baris {number}"
                continue
            if inside and re.match(rf"{re.escape(key)}\s*=", stripped):
                return f"baris {number}"
        return header

    def problem(self, message: str, key: str, section: str, block: int | None = None,
                cell: str = "") -> None:  # fmt: skip
        where = self.line_of(key, section, block)
        self.problems.append(Problem(message, sheet=where, cell=cell or key))

    def unknown_keys(self, table: dict[str, Any], known: set[str], section: str,
                     block: int | None, prefix: str) -> None:  # fmt: skip
        for key in table:
            if key in known:
                continue
            near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = (
                f"; maksudnya '{near[0]}'?"
                if near
                else f"; yang dikenal: {', '.join(sorted(known))}"
            )
            self.problem(f"kunci '{key}' tidak dikenal{hint}", key, section, block,
                         cell=f"{prefix}{key}")  # fmt: skip

    def build(self, data: dict[str, Any], source: str) -> Sop | None:
        self.unknown_keys(data, TOP_KEYS, "", None, "")
        header = self.header(data.get("sop"))
        period = self.period(data.get("periode"))
        raw_steps = data.get("langkah")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.problems.append(
                Problem("tidak ada langkah ([[langkah]]) dalam SOP", cell="langkah")
            )
            return None
        if len(raw_steps) > 30:
            self.problems.append(Problem("SOP berisi lebih dari 30 langkah", cell="langkah"))
            return None
        steps = [self.step(i, raw, period) for i, raw in enumerate(raw_steps)]
        self.numbering(raw_steps)
        if self.problems or header is None or any(step is None for step in steps):
            return None
        built = tuple(step for step in steps if step is not None)
        built = self.flow(built)
        if self.problems:
            return None
        return Sop(
            number=str(header["nomor"]),
            name=str(header["nama"]),
            office=str(header.get("instansi", "")),
            steps=built,
            warning=str(header["peringatan"]),
            record_keeping=str(header["pencatatan"]),
            period=period,
            legal_basis=_lines(header.get("dasar_hukum", ())),
            qualifications=_lines(header.get("kualifikasi", ())),
            equipment=_lines(header.get("peralatan", ())),
            approved_by=str(header.get("disahkan_oleh", "")),
            made_on=str(header.get("tanggal_pembuatan", "")),
            source=source,
        )

    def header(self, header: Any) -> dict[str, Any] | None:
        if not isinstance(header, dict):
            self.problems.append(Problem("bagian [sop] tidak ada", cell="[sop]"))
            return None
        self.unknown_keys(header, HEADER_KEYS, "sop", None, "sop.")
        for key in ("nomor", "nama", "peringatan", "pencatatan"):
            if not isinstance(header.get(key), str | int) or not str(header[key]).strip():
                self.problem(
                    f"isian sop.{key} kosong atau tidak ada", key, "sop", cell=f"sop.{key}"
                )
        for key in ("dasar_hukum", "kualifikasi", "peralatan"):
            value = header.get(key, ())
            if not isinstance(value, str) and not (
                isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            ):
                self.problem(f"isian sop.{key} harus teks atau daftar teks", key, "sop",
                             cell=f"sop.{key}")  # fmt: skip
        return header

    def period(self, raw: Any) -> Period:
        if raw is None:
            self.problems.append(Problem(
                "bagian [periode] tidak ada; tulis misalnya jenis = \"triwulan\" dan "
                "tanggal_terbit = 10", cell="[periode]"))  # fmt: skip
            return Period()
        if not isinstance(raw, dict):
            self.problems.append(Problem("[periode] harus berupa tabel", cell="[periode]"))
            return Period()
        self.unknown_keys(raw, PERIOD_KEYS, "periode", None, "periode.")
        kinds = ", ".join(k.value for k in PeriodKind)
        try:
            kind = PeriodKind(str(raw.get("jenis", "")).strip().lower())
        except ValueError:
            self.problem(f"periode.jenis {raw.get('jenis')!r} tidak dikenal; pilih {kinds}",
                         "jenis", "periode", cell="periode.jenis")  # fmt: skip
            kind = PeriodKind.QUARTER
        day = raw.get("tanggal_terbit", 10)
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
            self.problem(f"periode.tanggal_terbit harus tanggal 1-28, tertulis {day!r}",
                         "tanggal_terbit", "periode", cell="periode.tanggal_terbit")  # fmt: skip
            day = 10
        return Period(kind, day)

    def numbering(self, raw_steps: list[Any]) -> None:
        """Steps are numbered 1..n in file order; point at the first one that is not."""
        for position, raw in enumerate(raw_steps, start=1):
            number = raw.get("nomor") if isinstance(raw, dict) else None
            if isinstance(number, int) and not isinstance(number, bool) and number != position:
                self.problem(
                    f"nomor langkah harus berurutan 1..{len(raw_steps)}: langkah ke-{position} "
                    f"bernomor {number}", "nomor", "langkah", position - 1,
                    cell=f"langkah[{position}].nomor",
                )  # fmt: skip
                return

    def step(self, index: int, raw: Any, period: Period) -> Step | None:
        name = f"langkah[{index + 1}]"
        if not isinstance(raw, dict):
            self.problems.append(Problem("langkah harus berupa tabel", cell=name))
            return None
        before = len(self.problems)

        def problem(key: str, message: str) -> None:
            self.problem(message, key, "langkah", index, cell=f"{name}.{key}")

        kinds = ", ".join(k.value for k in StepKind)
        try:
            kind = StepKind(str(raw.get("jenis", "")).strip().lower())
        except ValueError:
            problem("jenis", f"jenis langkah {raw.get('jenis')!r} tidak dikenal; pilih {kinds}")
            kind = None
        allowed = COMMON_STEP_KEYS | (KIND_KEYS[kind] if kind else set())
        for key in raw:
            if key in STEP_KEYS and key not in allowed and kind is not None:
                problem(key, f"kunci '{key}' tidak berlaku untuk langkah jenis '{kind.value}'")
        self.unknown_keys({k: v for k, v in raw.items() if k not in STEP_KEYS}, STEP_KEYS,
                          "langkah", index, f"{name}.")  # fmt: skip
        number = raw.get("nomor")
        if not isinstance(number, int) or isinstance(number, bool):
            problem("nomor", f"nomor harus bilangan bulat, tertulis {number!r}")
        for key in _TEXT_FIELDS:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problem(key, f"isian '{key}' kosong atau tidak ada")
            elif len(raw[key]) > 500:
                problem(key, f"isian '{key}' lebih dari 500 huruf")
        if isinstance(raw.get("pelaksana"), str) and len(raw["pelaksana"].strip()) > 60:
            problem("pelaksana", "nama pelaksana lebih dari 60 huruf")
        names = (period.standard_name, ANNUAL_STANDARD) if kind is StepKind.COMPILE else ()
        standards = _standards(raw.get("waktu"), names, lambda message: problem("waktu", message))
        folders = self.folders(raw, kind, problem)
        rules = None
        if kind is StepKind.SUBMIT:
            try:
                rules = RuleSet(str(raw.get("aturan", "")).strip().lower())
            except ValueError:
                problem("aturan", f"aturan {raw.get('aturan')!r} tidak dikenal; pilih "
                        f"{', '.join(r.value for r in RuleSet)}")  # fmt: skip
        return_to = raw.get("kembali_ke", 0)
        if (
            kind is StepKind.CHECK
            and "kembali_ke" in raw
            and (not isinstance(return_to, int) or isinstance(return_to, bool))
        ):
            problem("kembali_ke", f"kembali_ke harus nomor langkah, tertulis {return_to!r}")
            return_to = 0
        if len(self.problems) > before or kind is None:
            return None
        return Step(
            number=number, activity=raw["kegiatan"].strip(), actor=raw["pelaksana"].strip(),
            input=raw["kelengkapan"].strip(), output=raw["output"].strip(),
            standards=standards, kind=kind, rules=rules, return_to=return_to,
            note=str(raw.get("keterangan", "")), **folders,
        )  # fmt: skip

    def folders(self, raw: dict[str, Any], kind: StepKind | None, problem: Any) -> dict[str, str]:
        """The step's folder names, checked; defaults for the subfolders."""
        if kind is None or kind is StepKind.COMPILE:
            return {}
        wanted = {"folder": ("folder", None)}
        if kind is StepKind.SUBMIT:
            wanted["fix_folder"] = ("folder_perbaikan", "perlu_perbaikan")
        if kind is StepKind.CHECK:
            wanted["approved_folder"] = ("folder_setuju", "disetujui")
            wanted["returned_folder"] = ("folder_kembali", "dikembalikan")
        found: dict[str, str] = {}
        for field_name, (key, default) in wanted.items():
            value = raw.get(key, default)
            if value is None:
                problem(key, f"isian '{key}' (nama folder) kosong atau tidak ada")
                continue
            reason = _folder_name_problem(value)
            if reason:
                problem(key, f"nama folder {value!r} tidak dapat dipakai: {reason}")
                continue
            found[field_name] = value
        subfolders = [v for k, v in found.items() if k != "folder"]
        if len(set(v.lower() for v in subfolders)) < len(subfolders):
            problem("folder", "subfolder langkah ini harus bernama berbeda")
        return found

    def flow(self, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        """Check the order of kinds and the folders across steps; fill in `return_to`."""
        kinds = [step.kind for step in steps]
        first_other = next((i for i, k in enumerate(kinds) if k is not StepKind.ISSUE), len(kinds))

        def at(step: Step, key: str, message: str) -> None:
            self.problem(message, key, "langkah", step.number - 1,
                         cell=f"langkah[{step.number}].{key}")  # fmt: skip

        if first_other == 0:
            at(steps[0], "jenis", "langkah pertama harus jenis 'terbit' (sistem menerbitkan "
               "buku kerja periode)")  # fmt: skip
        for step in steps[first_other:]:
            if step.kind is StepKind.ISSUE:
                at(step, "jenis", "langkah 'terbit' hanya boleh di awal SOP")
        flow = [s for s in steps if s.kind in (StepKind.SUBMIT, StepKind.CHECK)]
        if not flow or flow[0].kind is not StepKind.SUBMIT:
            at(
                steps[min(first_other, len(steps) - 1)],
                "jenis",
                "sesudah langkah 'terbit' harus ada langkah 'kirim' (orang menyimpan buku kerja)",
            )
        if not flow or flow[-1].kind is not StepKind.CHECK:
            at(steps[-1], "jenis", "SOP perlu langkah 'periksa' sesudah kiriman terakhir "
               "(yang menyetujui atau mengembalikan laporan)")  # fmt: skip
        compiles = [s for s in steps if s.kind is StepKind.COMPILE]
        if len(compiles) > 1 or (compiles and steps[-1] is not compiles[0]):
            at(compiles[-1], "jenis", "hanya boleh satu langkah 'susun', sebagai langkah terakhir")
        self.folder_clashes(steps)
        return tuple(self.return_target(step, steps) for step in steps)

    def folder_clashes(self, steps: tuple[Step, ...]) -> None:
        owner: dict[str, Step] = {}
        for step in steps:
            if not step.folder:
                continue
            key = step.folder.lower()
            if key == SUPERSEDED_FOLDER:
                self.problem(f"folder {step.folder!r} dipakai sistem untuk versi lama; pilih nama "
                             "lain", "folder", "langkah", step.number - 1,
                             cell=f"langkah[{step.number}].folder")  # fmt: skip
            other = owner.get(key)
            shared_issue = other is not None and other.kind is step.kind is StepKind.ISSUE
            if other is not None and not shared_issue:
                self.problem(f"folder {step.folder!r} sudah dipakai langkah {other.number}",
                             "folder", "langkah", step.number - 1,
                             cell=f"langkah[{step.number}].folder")  # fmt: skip
            owner.setdefault(key, step)

    def return_target(self, step: Step, steps: tuple[Step, ...]) -> Step:
        if step.kind is not StepKind.CHECK:
            return step
        before = [s for s in steps if s.number < step.number and s.kind is StepKind.SUBMIT]
        if not before:
            return step  # reported by `flow`
        if not step.return_to:
            return replace(step, return_to=before[-1].number)
        if step.return_to not in {s.number for s in before}:
            self.problem(f"kembali_ke = {step.return_to}: harus nomor langkah 'kirim' sebelum "
                         f"langkah ini ({', '.join(str(s.number) for s in before)})",
                         "kembali_ke", "langkah", step.number - 1,
                         cell=f"langkah[{step.number}].kembali_ke")  # fmt: skip
        return step


def _folder_name_problem(value: Any) -> str:
    if not isinstance(value, str):
        return "harus teks"
    if not _FOLDER_NAME.match(value):
        return ("pakai huruf, angka, spasi, _ . ( ) - saja, diawali huruf atau angka, paling "
                "panjang 60 huruf")  # fmt: skip
    if value.endswith((" ", ".")) or value.split(".")[0].lower() in _RESERVED:
        return "nama ini tidak dapat dipakai di Windows"
    return ""


def _standards(raw: Any, names: tuple[str, ...], report: Any) -> dict[str, TimeStandard]:
    """One standard ("1 Hari"), or a table of named ones for a compile step."""
    if isinstance(raw, str):
        items = {DEFAULT_STANDARD: raw}
    elif isinstance(raw, dict) and raw and names:
        items = {str(key): value for key, value in raw.items()}
        for key in items:
            if key not in names:
                report(f"waktu.{key} tidak dikenal; langkah 'susun' memakai {', '.join(names)}")
    elif isinstance(raw, dict) and raw:
        report("isian 'waktu' harus satu mutu baku, misalnya \"1 Hari\"")
        return {}
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
