"""SOP 010 as data: the shipped file, its time standards, and broken files told in Indonesian.

The expected wording is copied from the paper SOP 010 "Pengumpulan Data Kinerja" of the
Disdukcapil Kabupaten Jeneponto (Januari 2022).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli_run import run_kinerja

from watcher.errors import SopError
from watcher.sop.load import default_sop_path, load_sop
from watcher.sop.model import TimeUnit, parse_time_standard

SHIPPED_TEXT = default_sop_path().read_text(encoding="utf-8")


# --- the shipped SOP ---------------------------------------------------------------------------


def test_shipped_sop_is_sop_010_with_six_steps_in_order() -> None:
    sop = load_sop()

    assert (sop.number, sop.name) == ("010", "Pengumpulan Data Kinerja")
    assert sop.office == "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Jeneponto"
    assert [step.number for step in sop.steps] == [1, 2, 3, 4, 5, 6]
    assert sop.step(6) is sop.steps[5]
    with pytest.raises(KeyError):
        sop.step(7)


def test_shipped_sop_actors_follow_the_paper_sop() -> None:
    actors = [step.actor for step in load_sop().steps]

    assert actors == [
        "Kabid",
        "Kasubag",
        "Analis Data",
        "Kasubag",
        "Kabid",
        "Kasubag Perencanaan",
    ]


def test_shipped_sop_time_standards_follow_the_paper_sop() -> None:
    standards = {
        step.number: {name: str(standard) for name, standard in step.standards.items()}
        for step in load_sop().steps
    }

    assert standards == {
        1: {"umum": "15 Menit"},
        2: {"umum": "15 Menit"},
        3: {"umum": "1 Hari"},
        4: {"umum": "1 Hari"},
        5: {"umum": "1 Jam"},
        # "1 Hari Untuk Penyusunan Laporan Triwulan dan 15 Hari untuk Laporan Kinerja Tahunan"
        6: {"triwulan": "1 Hari", "tahunan": "15 Hari"},
    }
    # A step's main standard is its first one: the quarterly report for step 6.
    assert str(load_sop().step(6).standard) == "1 Hari"


def test_shipped_sop_inputs_and_outputs_of_the_first_steps() -> None:
    steps = load_sop().steps

    assert [step.input for step in steps[:4]] == [
        "Indikator Sasaran",
        "Disposisi",
        "Disposisi",
        "Bahan Laporan Kinerja",
    ]
    assert [step.output for step in steps[:4]] == [
        "Disposisi",
        "Disposisi",
        "Bahan Laporan Data Kinerja",
        "Laporan Data Kinerja",
    ]
    assert steps[5].input == "Laporan Kinerja"
    assert "tanggal 10 awal triwulan" in steps[0].activity


def test_shipped_sop_warning_and_record_keeping() -> None:
    sop = load_sop()

    assert sop.warning == (
        "Keterlambatan Penyampaian Data Kinerja Akan Mempengaruhi Pelaporan Kinerja "
        "Secara Keseluruhan"
    )
    assert sop.record_keeping == "Disimpan Sebagai Data Elektronik dan Manual"
    assert sop.equipment == (
        "Lembar Kerja/Rencana Aksi",
        "Komputer dan Printer",
        "Jaringan Internet",
    )
    assert len(sop.qualifications) == 3
    assert sop.made_on == "Januari 2022"


# --- time standards ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "office_minutes", "shown"),
    [
        pytest.param("15 Menit", 15, TimeUnit.MINUTE, 15, "15 Menit", id="15_menit"),
        pytest.param("1 jam", 1, TimeUnit.HOUR, 60, "1 Jam", id="1_jam_lower_case"),
        pytest.param(" 1 HARI ", 1, TimeUnit.DAY, None, "1 Hari", id="1_hari_upper_and_spaces"),
        pytest.param("15 Hari", 15, TimeUnit.DAY, None, "15 Hari", id="15_hari"),
    ],
)
def test_parse_time_standard_reads_the_sops_own_words(
    text: str, amount: int, unit: TimeUnit, office_minutes: int | None, shown: str
) -> None:
    standard = parse_time_standard(text)

    assert (standard.amount, standard.unit, standard.office_minutes) == (
        amount,
        unit,
        office_minutes,
    )
    assert str(standard) == shown


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("0 Menit", id="zero"),
        pytest.param("satu hari", id="number_in_words"),
        pytest.param("15 Detik", id="seconds_unit"),
        pytest.param("1,5 Jam", id="fraction"),
    ],
)
def test_parse_time_standard_refuses_in_indonesian(text: str) -> None:
    with pytest.raises(ValueError, match="tidak dikenali; tulis seperti '15 Menit'") as caught:
        parse_time_standard(text)

    assert repr(text) in str(caught.value)


# --- broken SOP files --------------------------------------------------------------------------


def edit(old: str, new: str) -> Callable[[str], str]:
    """Break the shipped text by replacing the first `old` (which must be there) with `new`."""

    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


def line_with(fragment: str) -> Callable[[str], str]:
    """The reported location of the line holding `fragment` in the broken file."""

    def find(text: str) -> str:
        lines = text.splitlines()
        return f"baris {next(n for n, line in enumerate(lines, 1) if fragment in line)}"

    return find


def header_of_step(step: int) -> Callable[[str], str]:
    """The reported location of the `[[langkah]]` line that opens `step` (1-based)."""

    def find(text: str) -> str:
        headers = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[langkah]]"]
        return f"baris {headers[step - 1]}"

    return find


def nowhere(text: str) -> str:
    return ""


Expected = tuple[Callable[[str], str], str, str]  # (line, field path, phrase of the message)

BROKEN_SOPS = [
    pytest.param(
        edit('waktu = "1 Jam"', 'waktu = "15 Menitan"'),
        [
            (
                line_with("15 Menitan"),
                "langkah[5].waktu",
                "waktu '15 Menitan' tidak dikenali; tulis seperti '15 Menit'",
            )
        ],
        id="waktu_15_menitan",
    ),
    pytest.param(
        edit('pelaksana = "Kasubag"\n', ""),
        [(header_of_step(2), "langkah[2].pelaksana", "isian 'pelaksana' kosong atau tidak ada")],
        id="missing_pelaksana",
    ),
    pytest.param(
        edit('pelaksana = "Analis Data"', 'pelaksana = "' + "Analis" * 11 + '"'),
        [(line_with("AnalisAnalis"), "langkah[3].pelaksana", "nama pelaksana lebih dari 60 huruf")],
        id="role_name_too_long",
    ),
    pytest.param(
        edit("nomor = 3\n", "nomor = 4\n"),
        [
            (
                line_with("nomor = 4"),  # the first one: step 3, renumbered
                "langkah[3].nomor",
                "nomor langkah harus berurutan 1..6: langkah ke-3 bernomor 4",
            )
        ],
        id="steps_numbered_1_2_4",
    ),
    pytest.param(
        edit("[sop]\n", "[sopp]\n"),
        [
            (line_with("[sopp]"), "sopp", "kunci 'sopp' tidak dikenal; maksudnya 'sop'?"),
            (nowhere, "[sop]", "bagian [sop] tidak ada"),
        ],
        id="no_sop_section",
    ),
    pytest.param(
        edit("peringatan = ", "# peringatan = "),
        [(line_with("[sop]"), "sop.peringatan", "isian sop.peringatan kosong atau tidak ada")],
        id="missing_peringatan",
    ),
    pytest.param(
        lambda text: "",
        [
            (nowhere, "[sop]", "bagian [sop] tidak ada"),
            (
                nowhere,
                "[periode]",
                'bagian [periode] tidak ada; tulis misalnya jenis = "triwulan" dan '
                "tanggal_terbit = 10",
            ),
            (nowhere, "langkah", "tidak ada langkah ([[langkah]]) dalam SOP"),
        ],
        id="empty_file",
    ),
]


@pytest.mark.parametrize(("break_it", "expected"), BROKEN_SOPS)
def test_broken_sop_names_each_problem_and_where_it_is(
    tmp_path: Path, break_it: Callable[[str], str], expected: list[Expected]
) -> None:
    broken = break_it(SHIPPED_TEXT)
    path = tmp_path / "sop_rusak.toml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(SopError) as caught:
        load_sop(path)

    problems = caught.value.problems
    # Exactly these problems: one mistake is reported once, not echoed by its consequences.
    assert [(p.sheet, p.cell) for p in problems] == [
        (line(broken), cell) for line, cell, _ in expected
    ]
    for problem, (_, _, phrase) in zip(problems, expected, strict=True):
        assert phrase in problem.message
    assert str(path) in caught.value.message


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    broken = edit('kegiatan = "Membuat', 'kegiatan "Membuat')(SHIPPED_TEXT)
    path = tmp_path / "sop_rusak.toml"
    path.write_text(broken, encoding="utf-8")
    line = line_with('kegiatan "Membuat')(broken)

    with pytest.raises(SopError) as caught:
        load_sop(path)

    [problem] = caught.value.problems
    assert problem.message.startswith(f"penulisan TOML salah: {line}, kolom ")


def test_sop_command_refuses_a_broken_file_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "sop_rusak.toml"
    path.write_text(edit('waktu = "1 Jam"', 'waktu = "15 Menitan"')(SHIPPED_TEXT), "utf-8")

    result = run_kinerja("sop", "--sop", str(path))

    assert result.returncode == 2
    assert "Berkas SOP tidak valid" in result.stderr
    assert "langkah[5].waktu" in result.stderr
    assert "waktu '15 Menitan' tidak dikenali" in result.stderr
    assert "Traceback" not in result.stderr


def test_sop_command_shows_the_shipped_steps() -> None:
    result = run_kinerja("sop")

    assert result.returncode == 0, result.stderr
    assert "SOP 010 Pengumpulan Data Kinerja" in result.stdout
    assert "6. [Kasubag Perencanaan]" in result.stdout
    assert "1 Hari (triwulan), 15 Hari (tahunan)" in result.stdout
