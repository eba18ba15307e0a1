"""Periksa and Kirim through the xlwings entry points, with xlwings replaced by a stand-in.

Excel cannot run here, so `xlwings` is the one thing replaced (tests/support/fake_xlwings): it holds
a real workbook file as Excel would and records what the bridge shows (message boxes, the findings
workbook, the selected cell). Everything below it is the real code on a real office tree.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from support.office import issued_office
from support.service_run import fill
from support.sop010 import Folder
from support.xlwings_stub import install_fake_xlwings

from watcher.desk import excel_bridge
from watcher.desk.excel_config import (
    ROOT_KEY,
    SEND_COPY,
    STEP_KEY,
    STEP_NAME_KEY,
    exchange_dir,
    read_config,
    write_config,
)
from watcher.desk.messages import RESULT_MARK
from watcher.masterdata.load import load_master
from watcher.service.tree import Tree, workbook_file_name
from watcher.sop.load import load_sop, sample_sop_path

DIVISION = "DAFDUK"


@pytest.fixture
def xw(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return install_fake_xlwings(monkeypatch)


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Tree, Path, Path]:
    """An issued office, its PC's config pointing at it, and the clerk's issued workbook."""
    tree, issued = issued_office(tmp_path / "bersama")
    conf = tmp_path / "profil" / ".xlwings" / "xlwings.conf"
    write_config(conf, {"INTERPRETER_WIN": "python", ROOT_KEY: str(tree.root), STEP_KEY: "3"})
    source = next(i.path for i in issued if i.division == DIVISION)
    return tree, conf, source


def _values(tree: Tree, *first: object) -> list[object]:
    """Realisations for every indicator of the division: `first`, then 50s."""
    count = len(load_master(tree.master_path).indicators_of(DIVISION))
    return [*first, *[50] * (count - len(first))]


def _open(xw: ModuleType, path: Path) -> object:
    book = xw.load_book(path, xw.App(add_book=False))
    xw.set_caller(book)
    return book


def _alerts(xw: ModuleType) -> list[tuple[str, str, str]]:
    return [(title, mode, text) for kind, title, mode, text in _of(xw, "alert")]


def _of(xw: ModuleType, kind: str) -> list[tuple]:
    return [action for action in xw.ACTIONS if action[0] == kind]


def test_periksa_of_a_good_workbook_says_valid_and_where_kirim_puts_it(
    xw: ModuleType, desk: tuple[Tree, Path, Path], tmp_path: Path
) -> None:
    tree, conf, source = desk
    _open(xw, fill(source, tmp_path / "meja" / "rencana aksi saya.xlsx"))

    excel_bridge.periksa(conf)

    [(title, mode, text)] = _alerts(xw)
    assert (title, mode) == ("Periksa: VALID", "info")
    target = tree.folder(DIVISION, Folder.MATERIAL) / workbook_file_name(DIVISION, 2026, 3)
    assert str(target) in text
    assert not _of(xw, "add_book")  # nothing to list


def test_periksa_lists_findings_selects_the_first_and_reuses_its_findings_book(
    xw: ModuleType, desk: tuple[Tree, Path, Path], tmp_path: Path
) -> None:
    tree, conf, source = desk
    realisations = _values(tree, "lima puluh", None)
    _open(xw, fill(source, tmp_path / "meja" / "ra.xlsx", realisations=realisations))

    excel_bridge.periksa(conf)
    excel_bridge.periksa(conf)  # pressed again after reading

    [first, second] = _alerts(xw)
    assert first == second
    title, mode, text = first
    assert (title, mode) == ("Periksa: BERMASALAH", "critical")
    assert "Ditemukan 2 kesalahan" in text
    assert "KESALAHAN [I10] Realisasi DAF-01 bukan angka: 'lima puluh'." in text
    assert len(_of(xw, "add_book")) == 1  # the second press refreshed the same book
    written = _of(xw, "write")[-1][4]
    assert written[0][0] == RESULT_MARK and written[1][1] == "ra.xlsx"
    assert [row[6] for row in written[7:]] == ["table.not_a_number", "table.realisation_missing"]
    assert _of(xw, "select")[-1] == ("select", "ra.xlsx", "Rencana Aksi", "I10")


def test_periksa_uses_the_report_rules_on_the_kasubag_pc(
    xw: ModuleType, desk: tuple[Tree, Path, Path], tmp_path: Path
) -> None:
    tree, conf, source = desk
    write_config(conf, read_config(conf) | {STEP_KEY: "4"})
    low = [1] * len(_values(tree))
    _open(xw, fill(source, tmp_path / "meja" / "laporan.xlsx", realisations=low))

    excel_bridge.periksa(conf)

    [(title, _, text)] = _alerts(xw)
    assert title == "Periksa: BERMASALAH"
    assert "kendala wajib diisi" in text


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({}, "Folder bersama belum diatur", id="never-set"),
        pytest.param({ROOT_KEY: "/tidak/ada"}, "tidak dapat dibuka", id="share-unreachable"),
        pytest.param({ROOT_KEY: "{root}", STEP_KEY: "5"}, "tidak dikenal", id="bad-step"),
    ],
)
def test_periksa_explains_missing_settings(
    xw: ModuleType, desk: tuple[Tree, Path, Path], settings: dict[str, str], message: str
) -> None:
    tree, conf, source = desk
    write_config(conf, {k: v.format(root=tree.root) for k, v in settings.items()})
    _open(xw, source)

    excel_bridge.periksa(conf)

    [(title, mode, text)] = _alerts(xw)
    assert (title, mode) == ("Kinerja", "critical")
    assert message in text


def test_kirim_sends_the_saved_copy_and_says_where(
    xw: ModuleType, desk: tuple[Tree, Path, Path], tmp_path: Path
) -> None:
    tree, conf, source = desk
    clerk = fill(source, tmp_path / "meja" / "punya saya.xlsx")
    _open(xw, clerk)
    copy = exchange_dir(conf) / SEND_COPY
    copy.parent.mkdir(parents=True)
    copy.write_bytes(clerk.read_bytes())  # what the add-in's SaveCopyAs leaves

    excel_bridge.kirim(conf)

    sent = tree.folder(DIVISION, Folder.MATERIAL) / workbook_file_name(DIVISION, 2026, 3)
    assert sent.read_bytes() == clerk.read_bytes()
    [(title, mode, text)] = _alerts(xw)
    assert (title, mode) == ("Kirim: TERKIRIM", "info")
    assert str(sent) in text and "Kasubag" in text
    assert not copy.exists()


def test_kirim_of_a_faulty_workbook_sends_nothing_and_shows_why(
    xw: ModuleType, desk: tuple[Tree, Path, Path], tmp_path: Path
) -> None:
    tree, conf, source = desk
    clerk = fill(source, tmp_path / "meja" / "ra.xlsx", realisations=_values(tree, None))
    _open(xw, clerk)
    copy = exchange_dir(conf) / SEND_COPY
    copy.parent.mkdir(parents=True)
    copy.write_bytes(clerk.read_bytes())

    excel_bridge.kirim(conf)

    assert not list(tree.folder(DIVISION, Folder.MATERIAL).glob("*.xlsx"))
    [(title, _, text)] = _alerts(xw)
    assert title == "Kirim: BELUM DIKIRIM"
    assert "Tidak ada berkas yang dikirim" in text
    assert _of(xw, "select")[-1][2:] == ("Rencana Aksi", "I10")
    assert not copy.exists()


def test_kirim_without_a_copy_asks_to_press_again(
    xw: ModuleType, desk: tuple[Tree, Path, Path]
) -> None:
    _, conf, source = desk
    _open(xw, source)
    excel_bridge.kirim(conf)
    [(_, _, text)] = _alerts(xw)
    assert "Salinan buku kerja untuk dikirim tidak ditemukan" in text


def test_an_excel_failure_is_logged_and_told_in_one_sentence(
    xw: ModuleType, desk: tuple[Tree, Path, Path]
) -> None:
    _, conf, source = desk
    book = _open(xw, source)

    class Busy(list):
        def __iter__(self):  # Excel answering a COM call with "busy"
            raise OSError("Call was rejected by callee.")

    book.sheets = Busy(book.sheets)

    excel_bridge.periksa(conf)

    [(_, mode, text)] = _alerts(xw)
    assert mode == "critical" and "kesalahan tak terduga" in text
    assert "Traceback" not in text
    log = exchange_dir(conf) / "kinerja-excel.log"
    assert "Call was rejected by callee." in log.read_text(encoding="utf-8")


# --- Pilih Langkah: the submissions of the tree's SOP, each with its person ------------------


def test_pilih_langkah_asks_about_each_submission_and_saves_the_one_accepted(
    xw: ModuleType, desk: tuple[Tree, Path, Path]
) -> None:
    tree, conf, source = desk
    _open(xw, source)
    xw.ANSWERS[:] = ["no", "yes"]

    excel_bridge.pilih_langkah(conf)

    assert _alerts(xw) == [
        ("Pilih Langkah", "info",
         "Apakah komputer ini mengirim bahan laporan data kinerja (langkah 3, Analis Data)?"),
        ("Pilih Langkah", "info",
         "Apakah komputer ini mengirim laporan data kinerja (langkah 4, Kasubag)?"),
        ("Pilih Langkah", "info",
         "Komputer ini sekarang mengirim laporan data kinerja (langkah 4, Kasubag). Periksa "
         "memakai aturan langkah itu dan Kirim menyimpan buku kerja ke folder 4_laporan bidang "
         "Anda."),
    ]  # fmt: skip
    pairs = read_config(conf)
    assert (pairs[STEP_KEY], pairs[STEP_NAME_KEY]) == ("4", "laporan data kinerja (langkah 4, "
                                                       "Kasubag)")  # fmt: skip
    assert pairs[ROOT_KEY] == str(tree.root)  # the other settings are kept


def test_pilih_langkah_declined_every_time_changes_nothing(
    xw: ModuleType, desk: tuple[Tree, Path, Path]
) -> None:
    _, conf, source = desk
    before = conf.read_bytes()
    _open(xw, source)
    xw.ANSWERS[:] = ["no", "no"]

    excel_bridge.pilih_langkah(conf)

    (title, _, text) = _alerts(xw)[-1]
    assert title == "Pilih Langkah"
    assert text == (
        "Langkah kirim tidak diubah: tetap bahan laporan data kinerja (langkah 3, Analis Data)."
    )
    assert conf.read_bytes() == before


@pytest.mark.parametrize(
    ("setting", "answers", "told"),
    [
        pytest.param("9", ["no", "no"], "Langkah kirim tidak diubah: '9' bukan langkah kirim SOP "
                     "ini; klik Pilih Langkah lagi.", id="declined"),
        pytest.param("x", ["yes"], "Komputer ini sekarang mengirim bahan laporan data kinerja "
                     "(langkah 3, Analis Data).", id="repaired"),
    ],
)  # fmt: skip
def test_pilih_langkah_with_a_step_the_sop_does_not_know(
    xw: ModuleType, desk: tuple[Tree, Path, Path], setting: str, answers: list[str], told: str
) -> None:
    _, conf, source = desk
    write_config(conf, read_config(conf) | {STEP_KEY: setting})
    _open(xw, source)
    xw.ANSWERS[:] = answers

    excel_bridge.pilih_langkah(conf)

    assert _alerts(xw)[-1][2].startswith(told)


def test_pilih_langkah_under_an_sop_with_one_submission_asks_nothing(
    xw: ModuleType, tmp_path: Path
) -> None:
    monthly = load_sop(sample_sop_path("sop_contoh_bulanan.toml"))
    tree, issued = issued_office(tmp_path / "bersama", quarter=9, sop=monthly)
    conf = tmp_path / "profil" / ".xlwings" / "xlwings.conf"
    write_config(conf, {ROOT_KEY: str(tree.root)})
    _open(xw, issued[0].path)

    excel_bridge.pilih_langkah(conf)

    [(title, _, text)] = _alerts(xw)
    assert title == "Pilih Langkah"
    assert "mengirim data kinerja bidang (langkah 2, Pengelola Data)" in text
    assert "folder 02_data_bidang" in text
    assert read_config(conf)[STEP_KEY] == "2"
