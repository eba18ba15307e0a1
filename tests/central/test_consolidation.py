"""The kabupaten's (and the province's) consolidated report, from real offices pushing to a real
PostgreSQL with their own roles.

The world: province 73 with kabupaten 7304 and 7305, and a kabupaten 7399 outside it.
Kabupaten 7304 has four offices: Dukcapil (SOP 010, indicators linked to the kabupaten's IKU,
one division not approved, one late), Dinsos (its own predikat bands and capaian floor), Bappeda
(its last approval's readings still on the way: the connection dropped after the events) and
PUPR (registered, never sent anything). Kabupaten 7305 has one office, which must never appear
in 7304's report. Kabupaten 7399 mixes a quarterly and a monthly SOP.

Every figure is checked against the office's own period report (its workbook, read back cell by
cell), never against numbers written into the test.
"""

from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.cli_run import run_kinerja
from support.office_books import FIGURE_COLUMNS, office_book, report_table
from support.pg_cluster import PgCluster
from support.reports_office import approve, office

from watcher.central.centre import Centre
from watcher.central.consolidate import Consolidation, ConsolidationError, Timeliness, consolidate
from watcher.central.consolidation_files import write_consolidation
from watcher.central.iku import parse_iku
from watcher.central.push import push
from watcher.central.signing import new_private_key, public_key_of
from watcher.masterdata.load import load_master
from watcher.masterdata.model import CapaianRules, MasterData, PredikatBand
from watcher.masterdata.sample import sample_master
from watcher.masterdata.write import write_master
from watcher.record.store import Store
from watcher.reports.commands import run_export
from watcher.reports.gather import approvals_for
from watcher.reports.period import approvals_through, period_report
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.tree_sop import resolve_sop

YEAR, QUARTER = 2026, 3
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday morning in WITA, after the quarter
MONTHLY_SOP = Path(__file__).parents[2] / "watcher" / "data" / "sop_contoh_bulanan.toml"
IKU_TOML = """judul = "IKU Kabupaten Jeneponto 2026"
[[iku]]
kode = "IKU-01"
nama = "Cakupan kepemilikan dokumen kependudukan"
satuan = "%"
target = 95
[[iku]]
kode = "IKU-02"
nama = "Indeks Reformasi Birokrasi"
"""
NAMES = {
    "7304.dukcapil": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Jeneponto",
    "7304.dinsos": "Dinas Sosial Kabupaten Jeneponto",
    "7304.bappeda": "Badan Perencanaan Pembangunan Daerah Kabupaten Jeneponto",
    "7304.pupr": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Jeneponto",
    "7305.dukcapil": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Takalar",
    "7399.triwulan": "Dinas Triwulanan Kabupaten Contoh",
    "7399.bulanan": "Dinas Bulanan Kabupaten Contoh",
}
SENDING_7304 = ("7304.dukcapil", "7304.dinsos", "7304.bappeda")


@dataclass
class World:
    pg: PgCluster
    database: str
    trees: dict[str, Tree]
    logins: dict[str, tuple[str, str]]  # role name and password, by office or region id
    folder: Path
    heads: dict[str, tuple[int, str] | None] = dataclasses.field(default_factory=dict)

    @property
    def admin(self) -> str:
        return self.pg.url(self.database)

    def url(self, who: str) -> str:
        role, password = self.logins[who]
        return self.pg.url(self.database, user=role, password=password)

    def consolidate(self, region: str, *, who: str | None = None, **options: object
                    ) -> Consolidation:  # fmt: skip
        with Centre(self.url(who) if who else self.admin) as centre:
            return consolidate(centre, region, YEAR, QUARTER, now=lambda: NOW, **options)


def _master(name: str, *, iku: dict[str, str] | None = None,
            bands: tuple[PredikatBand, ...] | None = None) -> MasterData:  # fmt: skip
    master = sample_master()
    settings = dataclasses.replace(master.settings, office_name=name)
    if bands is not None:  # an office that scores by its own rules
        settings = dataclasses.replace(settings, capaian_rules=CapaianRules(floor=None))
    indicators = tuple(dataclasses.replace(i, iku=(iku or {}).get(i.code, ""))
                       for i in master.indicators)  # fmt: skip
    return dataclasses.replace(master, settings=settings, indicators=indicators,
                               bands=bands or master.bands)  # fmt: skip


def _office(root: Path, master: MasterData, sop_path: Path | None = None) -> Tree:
    tree = Tree(root)
    tree.master_path.parent.mkdir(parents=True, exist_ok=True)
    write_master(master, tree.master_path)
    return office(root, load_sop(sop_path) if sop_path else None)


def _approve_all(tree: Tree, *, skip: tuple[str, ...] = (), late: tuple[str, ...] = (),
                 value: float = 50) -> None:  # fmt: skip
    master = load_master(tree.master_path)
    for position, division in enumerate(master.divisions):
        if division.code in skip:
            continue
        count = len(master.indicators_of(division.code))
        realisations = [value + 7 * position + 3 * i for i in range(count)]
        approve(tree, division.code, YEAR, QUARTER, realisations, kendala="Kendala",
                follow_up="Tindak lanjut",
                delay=timedelta(days=12) if division.code in late else timedelta(0))  # fmt: skip


def _push(world: World, office_id: str) -> None:
    tree = world.trees[office_id]
    with Store(tree.store_path) as store, Centre(world.url(office_id)) as centre:
        push(tree, store, centre, office_id, sop=resolve_sop(tree),
             master=load_master(tree.master_path), now=lambda: NOW)  # fmt: skip
        world.heads[office_id] = store.head()


@pytest.fixture(scope="module")
def world(pg: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("konsolidasi")
    database = pg.create_database()
    logins: dict[str, tuple[str, str]] = {}
    with Centre(pg.url(database)) as centre:
        centre.migrate()
        logins["73"] = centre.add_region("73", "Provinsi Sulawesi Selatan", kind="provinsi")
        for code, name, parent in (("7304", "Kabupaten Jeneponto", "73"),
                                   ("7305", "Kabupaten Takalar", "73"),
                                   ("7399", "Kabupaten Contoh", None)):  # fmt: skip
            logins[code] = centre.add_region(code, name, kind="kabupaten", parent=parent)
        for office_id in NAMES:
            logins[office_id] = centre.add_office(
                office_id, f"Kantor {office_id}", region=office_id.split(".")[0],
                public_key=public_key_of(new_private_key()),
            )  # fmt: skip
    dinsos_bands = (PredikatBand("Memuaskan", 60.0), PredikatBand("Belum Memuaskan", None))
    masters = {
        "7304.dukcapil": _master(NAMES["7304.dukcapil"],
                                 iku={"DAF-01": "IKU-01", "DAF-02": "IKU-01", "SEK-01": "IKU-09"}),
        "7304.dinsos": _master(NAMES["7304.dinsos"], bands=dinsos_bands),
    }  # fmt: skip
    trees = {
        office_id: _office(folder / office_id, masters.get(office_id, _master(name)),
                           MONTHLY_SOP if office_id == "7399.bulanan" else None)
        for office_id, name in NAMES.items()
        if office_id != "7304.pupr"
    }  # fmt: skip
    built = World(pg, database, trees, logins, folder)
    _approve_all(trees["7304.dukcapil"], skip=("PDIP",), late=("CAPIL",))
    _approve_all(trees["7304.dinsos"], value=40)
    _approve_all(trees["7304.bappeda"], skip=("PIAK",), value=60)
    _approve_all(trees["7305.dukcapil"], skip=("DAFDUK", "CAPIL", "PIAK", "PDIP"), value=70)
    for office_id in trees:
        _push(built, office_id)
    # Bappeda's PIAK is approved after the push; its events reach the centre, then the line
    # drops before the readings are sent.
    _approve_all(trees["7304.bappeda"], skip=("SEKRETARIAT", "DAFDUK", "CAPIL", "PDIP"), value=60)
    with Store(trees["7304.bappeda"].store_path) as store, \
            Centre(built.url("7304.bappeda")) as centre:  # fmt: skip
        held = centre.high_water("7304.bappeda")
        centre.receive("7304.bappeda", store.raw_events(since_id=held))
        built.heads["7304.bappeda"] = store.head()
    return built


def _office_book(tree: Tree) -> Path:
    return office_book(tree, YEAR, QUARTER, lambda: NOW)


@pytest.fixture(scope="module")
def books(world: World) -> dict[str, Path]:
    result = world.consolidate("7304", iku=parse_iku(IKU_TOML.encode(), "iku.toml"))
    files = write_consolidation(result, world.folder / "keluar")
    return {path.name.split("_")[0] + path.suffix: path for path in files}


# --- the figures are the offices' own -----------------------------------------------------------


@pytest.mark.parametrize("office_id", ["7304.dukcapil", "7304.dinsos"])
def test_each_office_figures_equal_its_own_period_report_cell_by_cell(
    world: World, books: dict[str, Path], office_id: str
) -> None:
    own = report_table(_office_book(world.trees[office_id]), "Ringkasan", 6)
    consolidated = [row for row in report_table(books["Konsolidasi.xlsx"], "Capaian", 6)
                    if row["Kode Kantor"] == office_id]  # fmt: skip

    assert own, "the office's own report has rows"
    assert [[row[c] for c in FIGURE_COLUMNS] for row in consolidated] == [
        [row[c] for c in FIGURE_COLUMNS] for row in own
    ]


def test_each_office_average_and_predikat_follow_its_own_rules(world: World) -> None:
    result = world.consolidate("7304")
    by_id = {o.office_id: o for o in result.offices}
    for office_id in ("7304.dukcapil", "7304.dinsos"):
        tree = world.trees[office_id]
        master, sop = load_master(tree.master_path), resolve_sop(tree)
        with Store(tree.store_path) as store:
            approvals = approvals_through(approvals_for(store, YEAR), QUARTER)
            own = period_report(tree, store, master, sop, (YEAR, QUARTER), approvals, lambda: NOW)
        central = by_id[office_id].report
        assert central is not None
        assert central.figures == own.figures
        assert central.figures.bands == master.bands
        assert central.progress == own.progress
    dinsos = by_id["7304.dinsos"].report
    assert dinsos is not None
    assert {line.current.predikat for line in dinsos.figures.lines} <= {
        "Memuaskan", "Belum Memuaskan", None
    }  # fmt: skip


# --- timeliness against the reports expected ----------------------------------------------------


def test_the_office_that_never_sent_is_missing_and_never_on_time(world: World) -> None:
    result = world.consolidate("7304")
    pupr = next(o for o in result.offices if o.office_id == "7304.pupr")

    assert not pupr.sent
    assert [e.state for e in pupr.expected] == [Timeliness.MISSING]
    assert pupr.count(Timeliness.ON_TIME) == 0
    assert pupr.chain.seq == 0
    assert "3 dari 4 kantor mengirim, 1 tidak mengirim" in result.summary()


def test_divisions_are_on_time_late_not_approved_or_waiting_for_readings(world: World) -> None:
    result = world.consolidate("7304")
    states = {(o.office_id, e.code): e.state for o in result.offices for e in o.expected}

    assert states[("7304.dukcapil", "PDIP")] is Timeliness.NOT_APPROVED
    assert states[("7304.dukcapil", "CAPIL")] is Timeliness.LATE
    assert states[("7304.dukcapil", "DAFDUK")] is Timeliness.ON_TIME
    assert states[("7304.bappeda", "PIAK")] is Timeliness.PENDING
    assert {s for (o, _), s in states.items() if o == "7304.dinsos"} == {Timeliness.ON_TIME}
    bappeda = next(o for o in result.offices if o.office_id == "7304.bappeda")
    piak = next(b for b in bappeda.report.figures.blocks if b.division.code == "PIAK")
    assert piak.submission is None  # no figures made up for readings not received


def test_each_office_shows_its_latest_name_and_how_far_the_centre_holds_its_chain(
    world: World,
) -> None:
    result = world.consolidate("7304")
    for one in result.offices:
        assert one.name == NAMES[one.office_id] or one.office_id == "7304.pupr"
        if one.sent:  # the office's head when it last sent (it has logged report builds since)
            assert one.chain.head == world.heads[one.office_id]
            assert one.chain.last_at is not None


# --- who sees what -------------------------------------------------------------------------------


def _offices(result: Consolidation) -> set[str]:
    return {office.office_id for office in result.offices}


def test_the_kabupaten_report_holds_its_offices_only(world: World) -> None:
    everything = {o for o in NAMES if o.startswith("7304.")}
    assert _offices(world.consolidate("7304")) == everything
    assert _offices(world.consolidate("7304", who="7304")) == everything


def test_a_kabupaten_role_sees_only_its_offices_even_for_its_province(world: World) -> None:
    assert _offices(world.consolidate("73", who="7304")) == {o for o in NAMES if o[:4] == "7304"}
    with pytest.raises(ConsolidationError, match="Tidak ada kantor"):
        world.consolidate("7304", who="7305")


def test_a_province_role_sees_its_kabupatens_offices(world: World) -> None:
    seen = _offices(world.consolidate("73", who="73"))
    assert seen == {o for o in NAMES if o[:4] in ("7304", "7305")}


def test_offices_with_different_period_kinds_are_refused_in_indonesian(world: World) -> None:
    with pytest.raises(ConsolidationError) as caught:
        world.consolidate("7399")
    assert "jenis periode berbeda" in caught.value.message
    assert "7399.bulanan" in caught.value.message


# --- the files ------------------------------------------------------------------------------------


def test_the_files_are_named_for_the_region_and_period(books: dict[str, Path]) -> None:
    assert books["Konsolidasi.xlsx"].name == "Konsolidasi_7304_TW3_2026.xlsx"
    assert books["Konsolidasi.pdf"].name == "Konsolidasi_7304_TW3_2026.pdf"


def test_the_pdf_names_every_office_of_the_kabupaten_and_no_other(books: dict[str, Path]) -> None:
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(books["Konsolidasi.pdf"]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    for office_id, name in NAMES.items():
        if office_id.startswith("7304.") and office_id != "7304.pupr":
            assert name in text
    assert "tidak mengirim" in text
    assert "Takalar" not in text
    assert "Kaskade IKU" in text and "IKU-01" in text


def test_the_cascade_lists_each_iku_with_its_linked_office_indicators(
    world: World, books: dict[str, Path]
) -> None:
    rows = report_table(books["Konsolidasi.xlsx"], "Kaskade IKU", 6)
    capaian = report_table(books["Konsolidasi.xlsx"], "Capaian", 6)
    figures = {(r["Kode Kantor"], r["Kode"]): r for r in capaian}

    linked = {(r["Kode IKU"], r["Kode"]) for r in rows}
    assert linked == {("IKU-01", "DAF-01"), ("IKU-01", "DAF-02"), ("IKU-09", "SEK-01")}
    for row in rows:
        own = figures[("7304.dukcapil", row["Kode"])]
        assert [row[c] for c in FIGURE_COLUMNS[1:5]] == [own[c] for c in FIGURE_COLUMNS[1:5]]
    result = world.consolidate("7304", iku=parse_iku(IKU_TOML.encode(), "iku.toml"))
    assert [(r.iku.code, r.listed, len(r.lines)) for r in result.cascade] == [
        ("IKU-01", True, 2), ("IKU-02", True, 0), ("IKU-09", False, 1)
    ]  # fmt: skip


def test_without_links_the_cascade_sheet_is_left_out(world: World) -> None:
    result = world.consolidate("7305")
    path = write_consolidation(result, world.folder / "takalar", pdf=False)[0]
    assert result.cascade == ()
    assert "Kaskade IKU" not in load_workbook(path, read_only=True).sheetnames


# --- the command ---------------------------------------------------------------------------------


def test_kinerja_pusat_laporan_writes_its_files_and_a_summary(world: World) -> None:
    out, iku = world.folder / "cli", world.folder / "iku.toml"
    iku.write_text(IKU_TOML, encoding="utf-8")

    done = run_kinerja("pusat", "laporan", "--alamat", world.url("7304"), "--wilayah", "7304",
                       "--tahun", str(YEAR), "--periode", str(QUARTER), "--keluar", str(out),
                       "--iku", str(iku))  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "Data_Konsolidasi_7304_TW3_2026.csv", "Data_Konsolidasi_7304_TW3_2026.xlsx",
        "Konsolidasi_7304_TW3_2026.pdf", "Konsolidasi_7304_TW3_2026.xlsx",
        "Status_Konsolidasi_7304_TW3_2026.html",
    ]  # fmt: skip
    assert str(out / "Konsolidasi_7304_TW3_2026.xlsx") in done.stdout
    assert "3 dari 4 kantor mengirim, 1 tidak mengirim" in done.stdout


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        pytest.param(("--wilayah", "9999"), "tidak terdaftar", id="unknown_region"),
        pytest.param(("--wilayah", "7399"), "jenis periode berbeda", id="mixed_period_kinds"),
        pytest.param(("--wilayah", "7304", "--periode", "5"), "Periode 5 tidak ada",
                     id="no_such_quarter"),
        pytest.param(("--wilayah", "7304", "--iku", "rusak.toml"), "baris 2", id="broken_iku"),
    ],
)  # fmt: skip
def test_kinerja_pusat_laporan_refuses_in_indonesian_without_a_traceback(
    world: World, arguments: tuple[str, ...], phrase: str
) -> None:
    (world.folder / "rusak.toml").write_text('# IKU\n[[iku]]\nkode = "IKU 1"\nnama = "x"\n')
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    options = {"--tahun": str(YEAR), "--periode": str(QUARTER),
               "--keluar": str(world.folder / "gagal"), **given}  # fmt: skip
    if "--iku" in options:
        options["--iku"] = str(world.folder / options["--iku"])
    flat = [part for pair in options.items() for part in pair]

    done = run_kinerja("pusat", "laporan", "--alamat", world.admin, *flat)

    assert done.returncode == 1
    assert phrase in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


# --- the status page and the tidy dataset across offices ----------------------------------------


def test_the_dataset_holds_each_office_s_own_export_rows_and_the_missing_office(
    world: World, books: dict[str, Path]
) -> None:
    table = pd.read_csv(books["Data.csv"], sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"kode_wilayah": str})  # fmt: skip

    for office_id in ("7304.dukcapil", "7304.dinsos"):
        [own_csv] = [p for p in run_export(world.trees[office_id], [YEAR]) if p.suffix == ".csv"]
        own = pd.read_csv(own_csv, sep=";", decimal=",", encoding="utf-8-sig")
        mine = table[table["kode_kantor"] == office_id].drop(
            columns=["kode_wilayah", "kode_kantor", "kantor"]
        )
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), own, check_dtype=False)
    missing = table[table["kode_kantor"] == "7304.pupr"]
    assert missing["status"].tolist() == ["tidak mengirim"]
    assert set(table["kode_wilayah"]) == {"7304"}


def test_the_status_page_shows_every_office_and_where_each_report_stands(
    books: dict[str, Path], world: World
) -> None:
    page = books["Status.html"].read_text(encoding="utf-8")

    for office_id in ("7304.dukcapil", "7304.dinsos", "7304.bappeda", "7304.pupr"):
        assert office_id in page
    assert "belum pernah mengirim" in page  # PUPR
    assert "tepat waktu" in page and "belum disetujui" in page
    assert "7305" not in page.replace("7304", "")  # no office of Takalar
    assert "http://" not in page and "https://" not in page  # nothing leaves the page
