"""The workflow model built from SOP files: what the loader accepts, refuses, and derives.

Table tests over SOP files written as an office would write them: SOP 010, the shipped monthly
sample with two checks, and broken files, each refused with its line and key in Indonesian.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sop010 import Folder

from watcher.errors import SopError
from watcher.record.store import Outcome
from watcher.service.routing import decide
from watcher.sop.load import default_sop_path, load_sop, parse_sop, sample_sop_path
from watcher.sop.model import RuleSet, StepKind
from watcher.sop.period import Period, PeriodKind
from watcher.sop.workflow import Role, delivered_into, handovers, place_at, places
from watcher.validation.findings import Result

MONTHLY = sample_sop_path("sop_contoh_bulanan.toml")
SOP_010 = default_sop_path().read_text(encoding="utf-8")


def test_sop010_folders_are_the_model_s() -> None:
    """The folder names tests use for SOP 010 are exactly those the model derives."""
    assert [place.folder for place in places(load_sop())] == [folder.value for folder in Folder]


def test_sop010_model_has_its_kinds_rules_and_return() -> None:
    sop = load_sop()
    assert [s.kind for s in sop.steps] == [
        StepKind.ISSUE, StepKind.ISSUE, StepKind.SUBMIT, StepKind.SUBMIT, StepKind.CHECK,
        StepKind.COMPILE,
    ]  # fmt: skip
    assert [s.rules for s in sop.of_kind(StepKind.SUBMIT)] == [RuleSet.MATERIAL, RuleSet.REPORT]
    assert sop.final_check.number == 5 and sop.final_check.return_to == 4
    assert sop.period == Period(PeriodKind.QUARTER, 10)
    assert [p.folder for p in delivered_into(sop)] == [
        "4_laporan", "3_bahan/perlu_perbaikan", "5_pemeriksaan", "4_laporan/perlu_perbaikan",
    ]  # fmt: skip
    assert [(a.number, b.number) for a, b in handovers(sop)] == [(3, 4)]


def test_monthly_sample_has_two_checks_and_other_names() -> None:
    sop = load_sop(MONTHLY)
    assert sop.period.kind is PeriodKind.MONTH and sop.period.count == 12
    checks = sop.of_kind(StepKind.CHECK)
    assert [(c.actor, str(c.standard)) for c in checks] == [
        ("Sekretaris", "2 Jam"),
        ("Kepala Dinas", "1 Hari"),
    ]
    assert checks[0].return_to == 2  # the only submission
    assert place_at(sop, "03_verifikasi/lolos").role is Role.APPROVE
    assert place_at(sop, "02_data_bidang/perbaiki").role is Role.FIX
    assert place_at(sop, "3_bahan") is None


@dataclass(frozen=True)
class Route:
    folder: str
    valid: bool
    outcome: Outcome
    destination: str


MONTHLY_ROUTES = [
    Route("02_data_bidang", True, Outcome.VALID, "03_verifikasi"),
    Route("02_data_bidang", False, Outcome.INVALID, "02_data_bidang/perbaiki"),
    Route("03_verifikasi", True, Outcome.VALID, "03_verifikasi"),
    Route("03_verifikasi/lolos", True, Outcome.FORWARDED, "04_pengesahan"),
    Route("03_verifikasi/lolos", False, Outcome.INVALID, "02_data_bidang/perbaiki"),
    Route("03_verifikasi/perlu_revisi", True, Outcome.RETURNED, "02_data_bidang"),
    Route("04_pengesahan/disetujui", True, Outcome.APPROVED, "04_pengesahan/disetujui"),
    Route("04_pengesahan/dikembalikan", False, Outcome.RETURNED, "02_data_bidang"),
]


@pytest.mark.parametrize("route", MONTHLY_ROUTES, ids=lambda r: f"{r.folder}-{r.valid}")
def test_monthly_sample_routes_every_folder(route: Route) -> None:
    sop = load_sop(MONTHLY)
    place = place_at(sop, route.folder)
    assert place is not None
    findings = () if route.valid else (_error(),)
    decision = decide(sop, place, Result("x.xlsx", place.step.number, findings))
    assert (decision.outcome, decision.destination) == (route.outcome, route.destination)


def _error():
    from watcher.validation.findings import Finding, Severity

    return Finding(Severity.ERROR, "table.x", "salah")


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BROKEN = {
    "misspelt_key": (
        lambda t: _replace(t, 'waktu = "15 Menit"', 'wakt = "15 Menit"'),
        "kunci 'wakt' tidak dikenal; maksudnya 'waktu'?",
    ),
    "unknown_section": (lambda t: t + "\n[emial]\nx = 1\n", "kunci 'emial' tidak dikenal"),
    "unknown_kind": (
        lambda t: _replace(t, '\njenis = "periksa"\n', '\njenis = "setujui"\n'),
        "jenis langkah 'setujui' tidak dikenal",
    ),
    "unknown_period": (
        lambda t: _replace(t, 'jenis = "triwulan"', 'jenis = "mingguan"'),
        "periode.jenis 'mingguan' tidak dikenal",
    ),
    "no_period": (
        lambda t: _replace(t, "[periode]\n", "[periodee]\n"),
        "bagian [periode] tidak ada",
    ),
    "return_to_a_check": (
        lambda t: _replace(t, "kembali_ke = 4", "kembali_ke = 5"),
        "kembali_ke = 5: harus nomor langkah 'kirim' sebelum langkah ini",
    ),
    "folder_twice": (
        lambda t: _replace(t, 'folder = "4_laporan"', 'folder = "3_bahan"'),
        "folder '3_bahan' sudah dipakai langkah 3",
    ),
    "folder_with_slash": (
        lambda t: _replace(t, 'folder = "4_laporan"', 'folder = "4/laporan"'),
        "nama folder '4/laporan' tidak dapat dipakai",
    ),
    "windows_name": (
        lambda t: _replace(t, 'folder = "4_laporan"', 'folder = "CON"'),
        "tidak dapat dipakai di Windows",
    ),
    "key_of_another_kind": (
        lambda t: _replace(t, 'aturan = "bahan"', 'aturan = "bahan"\nkembali_ke = 2'),
        "kunci 'kembali_ke' tidak berlaku untuk langkah jenis 'kirim'",
    ),
    "no_check": (
        lambda t: _replace(
            t,
            '\njenis = "periksa"\nfolder = "5_pemeriksaan"\nkembali_ke = 4',
            '\njenis = "kirim"\nfolder = "5_pemeriksaan"\naturan = "laporan"',
        ),
        "SOP perlu langkah 'periksa'",
    ),
    "compile_standard_name": (
        lambda t: _replace(t, 'triwulan = "1 Hari"', 'bulanan = "1 Hari"'),
        "waktu.bulanan tidak dikenal; langkah 'susun' memakai triwulan, tahunan",
    ),
    "issue_day": (
        lambda t: _replace(t, "tanggal_terbit = 10", "tanggal_terbit = 31"),
        "periode.tanggal_terbit harus tanggal 1-28",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=str)
def test_broken_sop_is_refused_with_line_and_key(case: str) -> None:
    change, expected = BROKEN[case]
    with pytest.raises(SopError) as caught:
        parse_sop(change(SOP_010).encode(), "sop_kantor.toml")
    assert expected in caught.value.message
    assert "baris " in caught.value.message or case == "no_period"


def test_a_notepad_bom_is_read() -> None:
    sop = parse_sop(b"\xef\xbb\xbf" + SOP_010.encode(), "sop.toml")
    assert sop.number == "010"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_a_model_or_a_sop_error(data: bytes) -> None:
    try:
        parse_sop(data, "acak.toml")
    except SopError as error:
        assert error.message.startswith("Berkas SOP tidak valid")


@settings(max_examples=80, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(SOP_010.splitlines()) - 1),
    junk=st.sampled_from(
        ["x = 1", 'pelaksana = ""', "nomor = 9", "[[langkah]]", 'waktu = "0 Jam"']
    ),
)
def test_a_line_changed_anywhere_gives_a_model_or_a_located_error(position: int, junk: str) -> None:
    lines = SOP_010.splitlines()
    lines.insert(position, junk)
    try:
        parse_sop("\n".join(lines).encode(), "sop.toml")
    except SopError as error:
        assert error.problems and all(str(problem) for problem in error.problems)


@pytest.mark.parametrize(
    ("kind", "index", "label", "code", "issued"),
    [
        (PeriodKind.QUARTER, 3, "Triwulan III", "TW3", (2026, 10, 10)),
        (PeriodKind.QUARTER, 4, "Triwulan IV", "TW4", (2027, 1, 10)),
        (PeriodKind.MONTH, 12, "Bulan Desember", "B12", (2027, 1, 10)),
        (PeriodKind.MONTH, 2, "Bulan Februari", "B02", (2026, 3, 10)),
        (PeriodKind.HALF, 1, "Semester I", "S1", (2026, 7, 10)),
        (PeriodKind.YEAR, 1, "Tahunan", "TH", (2027, 1, 10)),
    ],
)
def test_periods_name_and_date_themselves(kind: PeriodKind, index: int, label: str, code: str,
                                          issued: tuple[int, int, int]) -> None:  # fmt: skip
    from datetime import date

    period = Period(kind, 10)
    assert (period.label(index), period.code(index)) == (label, code)
    assert period.issue_date(2026, index) == date(*issued)
    assert period.collected_on(date(*issued)) == (2026, index)


@pytest.mark.parametrize(
    ("kind", "indices", "text"),
    [
        (PeriodKind.QUARTER, (1, 2, 3, 4), "TW I, TW II, TW III, TW IV"),
        (PeriodKind.QUARTER, (2, 4), "TW II, TW IV"),
        (PeriodKind.HALF, (1,), "Semester I"),
        (PeriodKind.MONTH, (2, 3, 4, 5), "Februari, Maret, April, Mei"),
        (PeriodKind.MONTH, (*range(1, 9), 10, 11), "Januari - Agustus, Oktober, November"),
        (PeriodKind.MONTH, (12, 1, 2, 3, 4, 5), "Januari - Mei, Desember"),
    ],
    ids=["four_quarters_all_named", "quarters_apart", "one_semester", "four_months_named",
         "a_long_run_of_months_by_its_ends", "unordered"],
)  # fmt: skip
def test_periods_listed_in_running_text(
    kind: PeriodKind, indices: tuple[int, ...], text: str
) -> None:
    assert Period(kind).short_labels(indices) == text


@pytest.mark.parametrize(
    ("kind", "count", "noun"),
    [(PeriodKind.MONTH, 12, "bulan"), (PeriodKind.QUARTER, 4, "triwulan"),
     (PeriodKind.HALF, 2, "semester"), (PeriodKind.YEAR, 1, "tahun")],
)  # fmt: skip
def test_periods_count_and_name_one_of_them(kind: PeriodKind, count: int, noun: str) -> None:
    period = Period(kind)
    assert (list(period.indices), period.noun) == (list(range(1, count + 1)), noun)
