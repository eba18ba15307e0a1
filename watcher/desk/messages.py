"""What the add-in tells a clerk after Periksa or Kirim: a message box, and the findings table.

Pure text from results; the Excel bridge only shows it. Indonesian throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watcher.desk.check import DeskCheck
from watcher.desk.delivery import Delivery
from watcher.desk.locator import sending_step, step_name
from watcher.errors import UsageError
from watcher.sop.load import load_sop
from watcher.sop.model import Sop, Step
from watcher.sop.workflow import intake_place
from watcher.validation.feedback import COLUMNS
from watcher.validation.findings import Finding, Result

RESULT_MARK = "HASIL VALIDASI BUKU KERJA (tombol Periksa / Kirim)"  # A1 of the findings book
SHOWN_IN_BOX = 5  # findings listed in the message box; the rest are in the findings book
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    critical: bool = False


def check_message(found: DeskCheck) -> Message:
    """The message box after Periksa."""
    result = found.result
    if not result.valid:
        return Message("Periksa: BERMASALAH", _problems(result, _FIX_THEN_CHECK), critical=True)
    sop = found.sop or load_sop()
    lines = [f"Buku kerja{_about(sop, result)} sesuai aturan {step_name(sop, result.step)}."]
    if result.warnings:
        lines.append(_warnings_note(result))
    if found.placement is not None:
        lines += ["", "Bila dikirim (tombol Kirim), berkas disimpan sebagai:"]
        lines.append(str(found.placement.path))
    return Message("Periksa: VALID", "\n".join(lines))


def delivery_message(delivery: Delivery) -> Message:
    """The message box after Kirim."""
    result = delivery.result
    if result.refused:
        return Message("Kirim: DITOLAK", _problems(result, _NOTHING_SENT), critical=True)
    path, sop = delivery.path, delivery.sop or load_sop()
    if path is None:
        return Message("Kirim: BELUM DIKIRIM", _problems(result, _NOTHING_SENT), critical=True)
    lines = [
        f"Buku kerja{_about(sop, result)} terkirim sebagai {step_name(sop, result.step)} ke:",
        str(path),
        "",
        f"Layanan di server memeriksanya lagi lalu meneruskannya ke {_next_person(sop, result)}.",
    ]
    if delivery.placement and path.name != delivery.placement.file_name:
        lines += [
            "",
            f"Di folder itu sudah ada berkas bernama {delivery.placement.file_name}, jadi salinan "
            "ini diberi nomor versi; tidak ada berkas yang ditimpa.",
        ]
    if result.warnings:
        lines += ["", _warnings_note(result)]
    return Message("Kirim: TERKIRIM", "\n".join(lines))


STEP_TITLE = "Pilih Langkah"


def step_chosen_message(sop: Sop, step: Step) -> Message:
    """The message box after Pilih Langkah chose (or found the only) submission."""
    return Message(
        STEP_TITLE,
        f"Komputer ini sekarang mengirim {step_name(sop, step.number)}. Periksa memakai aturan "
        f"langkah itu dan Kirim menyimpan buku kerja ke folder {intake_place(sop, step).folder} "
        "bidang Anda.",
    )


def step_kept_message(sop: Sop, setting: str) -> Message:
    """The message box after Pilih Langkah when every submission was declined; `setting`: the
    step as the config file holds it ("" for the SOP's first submission)."""
    try:
        current = f"tetap {step_name(sop, sending_step(sop, int(setting or 0)).number)}"
    except (ValueError, UsageError):  # set for another SOP, or by hand
        current = f"{setting!r} bukan langkah kirim SOP ini; klik Pilih Langkah lagi"
    return Message(STEP_TITLE, f"Langkah kirim tidak diubah: {current}.")


_FIX_THEN_CHECK = (
    "Daftar lengkap ada di buku kerja 'Hasil Validasi' yang baru dibuka; sel bermasalah yang "
    "pertama sudah dipilih. Perbaiki, simpan, lalu klik Periksa lagi."
)
_NOTHING_SENT = (
    "Tidak ada berkas yang dikirim. Daftar lengkap ada di buku kerja 'Hasil Validasi'. "
    "Perbaiki kesalahannya, simpan, lalu klik Kirim lagi."
)


def _problems(result: Result, closing: str) -> str:
    lines = [f"Ditemukan {len(result.errors)} kesalahan dan {len(result.warnings)} peringatan:"]
    listed = [*result.errors, *result.warnings]
    lines += [f"- {_short(finding)}" for finding in listed[:SHOWN_IN_BOX]]
    if len(listed) > SHOWN_IN_BOX:
        lines.append(f"- ... dan {len(listed) - SHOWN_IN_BOX} temuan lain")
    return "\n".join([*lines, "", closing])


def _short(finding: Finding) -> str:
    place = f"[{finding.cell}] " if finding.cell else ""
    return f"{finding.severity.label} {place}{finding.message}"


def _warnings_note(result: Result) -> str:
    return (
        f"Ada {len(result.warnings)} peringatan (boleh dikirim): bacalah di buku kerja "
        "'Hasil Validasi'."
    )


def _next_person(sop: Sop, result: Result) -> str:
    try:
        following = sop.after(sop.step(result.step))
    except (KeyError, ValueError):
        following = None
    if following is None:
        return "langkah berikutnya"
    return f"{following.actor} (folder {intake_place(sop, following).folder})"


def _about(sop: Sop, result: Result) -> str:
    if result.division and result.quarter:
        label = sop.period.label(result.quarter)
        return f" (bidang {result.division}, {label} {result.year})"
    return ""


def findings_table(result: Result, checked: str, target: str) -> list[list[Any]]:
    """The rows of the findings sheet: a summary, then one row per finding (rectangular)."""
    width = len(COLUMNS)
    if result.refused:
        verdict = "DITOLAK"
    elif result.valid:
        verdict = "VALID" + (
            f" dengan {len(result.warnings)} peringatan" if result.warnings else ""
        )
    else:
        verdict = f"BERMASALAH: {len(result.errors)} kesalahan, {len(result.warnings)} peringatan"
    rows: list[list[Any]] = [
        [RESULT_MARK],
        ["Buku kerja", checked],
        ["Hasil", verdict],
        ["Aturan pemeriksaan", f"langkah {result.step}"],
        ["Tujuan Kirim", target or "-"],
        [],
        [header for header, _ in COLUMNS],
    ]
    for number, finding in enumerate(result.findings, start=1):
        where = (finding.severity.label, finding.sheet, finding.cell)
        rows.append([number, *where, finding.message, finding.action, finding.rule])
    if not result.findings:
        rows.append(["", "", "", "", "Tidak ada temuan."])
    return [[cell_text(value) for value in row] + [""] * (width - len(row)) for row in rows]


def cell_text(value: Any) -> Any:
    """A value safe to write into a cell: text that Excel would take for a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
