"""`kinerja init` and `kinerja issue`: the tree a clerk finds, and files never overwritten."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.office import ISSUE_TIME, issued_office
from support.sop010 import Folder

from watcher.errors import MasterDataError
from watcher.service.issuing import IssueStatus, issue_quarter
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.period import QUARTERLY

DIVISIONS = ("SEKRETARIAT", "DAFDUK", "CAPIL", "PIAK", "PDIP")


def snapshot(root: Path) -> dict[str, str]:
    """Every folder and file under root, with each file's content hash and mtime."""
    state = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_dir():
            state[key] = "folder"
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[key] = f"{digest}:{path.stat().st_mtime_ns}"
    return state


def test_init_builds_the_office_tree(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    result = init_tree(tree)
    assert result.sample_master_written and tree.master_path.is_file()
    assert [d.code for d in result.master.divisions] == list(DIVISIONS)
    for code in DIVISIONS:
        for folder in Folder:
            assert tree.folder(code, folder).is_dir(), (code, folder)
        guide = (tree.division_dir(code) / "PETUNJUK.txt").read_text(encoding="utf-8")
        assert "5_pemeriksaan\\disetujui" in guide and "Kabid" in guide
    for folder in ("outbox/triwulan", "outbox/tahunan", "arsip"):
        assert (tmp_path / folder).is_dir()


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    init_tree(tree)
    before = snapshot(tmp_path)
    result = init_tree(tree)
    assert result.created == [] and not result.sample_master_written
    assert snapshot(tmp_path) == before


def test_init_never_overwrites_a_users_files(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    init_tree(tree)
    workbook = load_workbook(tree.master_path)
    workbook["Pengaturan"]["B2"] = "Disdukcapil Kabupaten Contoh"
    workbook.save(tree.master_path)
    guide = tree.division_dir("CAPIL") / "PETUNJUK.txt"
    guide.write_text("catatan kantor sendiri", encoding="utf-8")
    init_tree(tree)
    assert (
        load_workbook(tree.master_path)["Pengaturan"]["B2"].value == "Disdukcapil Kabupaten Contoh"
    )
    assert guide.read_text(encoding="utf-8") == "catatan kantor sendiri"


def test_init_makes_folders_for_a_division_added_to_the_master(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    init_tree(tree)
    workbook = load_workbook(tree.master_path)
    workbook["Bidang"].append(["UPTD", "UPTD Pelayanan Keliling", "A", "", "B", ""])
    indicators = workbook["Indikator"]
    indicators.append(["UPTD-01", "UPTD", "Sasaran", "Jumlah layanan keliling", "", "kali",
                       "Maksimal", "Kumulatif", 12, 3, 3, 3, 3])  # fmt: skip
    workbook.save(tree.master_path)
    init_tree(tree)
    assert tree.folder("UPTD", Folder.APPROVED).is_dir()


def test_issue_writes_a_workbook_and_a_disposition_per_division(tmp_path: Path) -> None:
    tree, issued = issued_office(tmp_path)
    assert {(f.division, f.status) for f in issued} == {
        (code, IssueStatus.CREATED) for code in DIVISIONS
    }
    for code in DIVISIONS:
        folder = tree.folder(code, Folder.DISPOSITION)
        names = sorted(p.name for p in folder.iterdir())
        assert names == [f"Disposisi_{code}_2026_TW3.xlsx", f"Rencana_Aksi_{code}_2026_TW3.xlsx"]


def test_disposition_says_who_what_and_by_when(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path)
    path = tree.folder("CAPIL", Folder.DISPOSITION) / "Disposisi_CAPIL_2026_TW3.xlsx"
    sheet = load_workbook(path)["Lembar Disposisi"]
    fields = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row[0] and row[2]}
    assert fields["Nomor"] == "010-CAPIL-2026-TW3-test"
    assert fields["Tanggal"] == "Sabtu, 10 Oktober 2026 pukul 07.30 WITA"
    assert "Hj. St. Aminah Bantang" in fields["Dari"]
    assert "Muh. Fadli Ramli" in fields["Kepada"]
    assert "Triwulan III Tahun 2026" in fields["Perihal"]
    # Issued on a Saturday: steps 3-4 count working time from Monday 07:30.
    assert fields["Batas Waktu"] == "Rabu, 14 Oktober 2026 pukul 07.30 WITA"
    assert (
        "3_bahan" in fields["Isi Disposisi"]
        and "Selasa, 13 Oktober 2026" in fields["Isi Disposisi"]
    )
    assert fields["Lampiran"] == "Rencana_Aksi_CAPIL_2026_TW3.xlsx"
    assert "Keterlambatan" in fields["Peringatan"]
    assert sheet.page_setup.orientation == "portrait"


def test_issue_again_never_overwrites_a_started_workbook(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path)
    started = tree.folder("PIAK", Folder.DISPOSITION) / "Rencana_Aksi_PIAK_2026_TW3.xlsx"
    workbook = load_workbook(started)
    workbook["Rencana Aksi"]["I10"] = 14.2
    workbook.save(started)
    moved = tree.folder("DAFDUK", Folder.MATERIAL) / "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
    shutil.move(tree.folder("DAFDUK", Folder.DISPOSITION) / moved.name, moved)
    before = snapshot(tmp_path)

    _, again = issued_office(tmp_path)

    assert all(f.status is IssueStatus.EXISTS for f in again)
    assert snapshot(tmp_path) == before
    assert load_workbook(started)["Rencana Aksi"]["I10"].value == 14.2
    assert not (tree.folder("DAFDUK", Folder.DISPOSITION) / moved.name).exists()
    assert any(f.path == moved for f in again)


def test_issue_for_a_year_the_master_does_not_hold_is_refused(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    master = init_tree(tree).master
    with pytest.raises(MasterDataError, match="tahun 2026, bukan 2027"):
        issue_quarter(tree, master, load_sop(), year=2027, quarter=1, now=lambda: ISSUE_TIME)
    assert not any(tree.folder("DAFDUK", Folder.DISPOSITION).iterdir())


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (date(2026, 10, 10), (2026, 3)),
        (date(2026, 11, 25), (2026, 3)),
        (date(2026, 12, 31), (2026, 3)),
        (date(2027, 1, 10), (2026, 4)),
        (date(2026, 4, 1), (2026, 1)),
        (date(2026, 7, 10), (2026, 2)),
    ],
    ids=["tenth-of-october", "late-november", "new-years-eve", "tenth-of-january", "april", "july"],
)
def test_reporting_period_is_the_quarter_that_ended_last(
    today: date, period: tuple[int, int]
) -> None:
    assert QUARTERLY.collected_on(today) == period
