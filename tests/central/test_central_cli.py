"""The centre set up and fed as its IT person and an office's IT person do it: `kinerja pusat
siapkan`, `daftar-wilayah`, `daftar-kantor`, `kinerja kirim`, `kinerja pusat periksa`, through a
real `python -m watcher` against a real PostgreSQL."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import psycopg
import pytest
from support.cli_run import run_kinerja
from support.pg_cluster import PgCluster
from support.reports_office import approved_office

from watcher.record.store import Store


@pytest.fixture
def centre_url(pg: PgCluster, central_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = pg.url(central_db)
    monkeypatch.setenv("KINERJA_PUSAT_ADMIN", url)
    monkeypatch.delenv("KINERJA_PUSAT_KREDENSIAL", raising=False)
    return url


def _ok(*args: str) -> str:
    done = run_kinerja(*args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def _register(tmp_path: Path, code: str = "7304.dukcapil") -> Path:
    credentials = tmp_path / "rahasia" / f"{code}.toml"
    credentials.parent.mkdir(exist_ok=True)
    _ok("pusat", "daftar-kantor", "--kode", code, "--nama", "Dinas Dukcapil", "--wilayah",
        "7304", "--keluar", str(credentials))  # fmt: skip
    return credentials


def test_setup_is_one_command_and_safe_to_repeat(centre_url: str) -> None:
    first = _ok("pusat", "siapkan")
    again = _ok("pusat", "siapkan")

    assert "disiapkan: 001_registry" in first
    assert "sudah mutakhir" in again
    with psycopg.connect(centre_url) as db:
        names = [row[0] for row in db.execute("SELECT name FROM kinerja.migrations")]
    assert len(names) == len(set(names)) >= 5


def test_an_office_registered_pushes_its_whole_log_once(centre_url: str, tmp_path: Path) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")
    credentials = _register(tmp_path)
    tree = approved_office(tmp_path / "kantor")

    first = _ok("kirim", "--root", str(tree.root), "--kredensial", str(credentials))
    again = _ok("kirim", "--root", str(tree.root), "--kredensial", str(credentials))

    with Store(tree.store_path) as store:
        local = store.raw_events(limit=10_000)
    assert f"{len(local)} kejadian baru dikirim" in first
    assert "0 kejadian baru dikirim" in again
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600  # the password is in it
    assert tomllib.loads(credentials.read_text())["kantor"] == "7304.dukcapil"
    with psycopg.connect(centre_url) as db:
        held = db.execute("SELECT seq, row_hash, raw FROM kinerja.events ORDER BY seq").fetchall()
    assert [(seq, digest, bytes(raw)) for seq, digest, raw in held] == [
        (event.seq, event.row_hash, event.raw) for event in local
    ]
    audit = _ok("pusat", "periksa")
    assert f"{len(local)} kejadian, sampai #{len(local)}; rantai utuh" in audit


def test_credentials_inside_the_shared_tree_are_refused(centre_url: str, tmp_path: Path) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")
    tree = approved_office(tmp_path / "kantor")
    inside = _register(tmp_path).replace(tree.root / "pusat.toml")
    (tree.root / "kinerja.toml").write_text(f'[pusat]\nkredensial = "{inside}"\n')

    done = run_kinerja("kirim", "--root", str(tree.root))

    assert done.returncode == 1
    assert "[baris 2: pusat.kredensial] berkas kredensial harus di luar folder kerja" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_office_without_credentials_is_told_where_to_get_them(tmp_path: Path) -> None:
    tree = approved_office(tmp_path / "kantor")

    done = run_kinerja("kirim", "--root", str(tree.root))

    assert done.returncode == 2
    assert "belum punya kredensial pusat" in done.stderr


def test_an_unreachable_centre_is_a_message_and_the_office_log_is_untouched(
    tmp_path: Path, pg: PgCluster
) -> None:
    tree = approved_office(tmp_path / "kantor")
    credentials = tmp_path / "pusat.toml"
    credentials.write_text(
        'kantor = "x"\nalamat = "postgresql://nobody:x@127.0.0.1:1/none"\n'
        f'kunci_tanda_tangan = "{"ab" * 32}"\n'
    )
    before = tree.store_path.read_bytes()

    done = run_kinerja("kirim", "--root", str(tree.root), "--kredensial", str(credentials))

    assert done.returncode == 1
    assert "Gagal terhubung ke basis data pusat" in done.stderr
    assert "tidak ada yang hilang" in done.stderr
    assert tree.store_path.read_bytes() == before


def test_periksa_finds_a_row_changed_behind_the_triggers(centre_url: str, tmp_path: Path) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")
    tree = approved_office(tmp_path / "kantor")
    _ok("kirim", "--root", str(tree.root), "--kredensial", str(_register(tmp_path)))
    with psycopg.connect(centre_url) as db:  # a superuser who switches the triggers off
        db.execute("SET session_replication_role = replica")
        db.execute("UPDATE kinerja.events SET raw = raw || '\\x20'::bytea WHERE seq = 7")

    done = run_kinerja("pusat", "periksa")

    assert done.returncode == 1
    assert "PUTUS di kejadian #7" in done.stdout


def test_no_role_may_change_or_delete_what_arrived(centre_url: str, tmp_path: Path) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")
    tree = approved_office(tmp_path / "kantor")
    _ok("kirim", "--root", str(tree.root), "--kredensial", str(_register(tmp_path)))

    statements = (
        "UPDATE kinerja.events SET outcome = 'approved'",
        "DELETE FROM kinerja.events",
        "TRUNCATE kinerja.events",
        "DELETE FROM kinerja.submissions",
        "UPDATE kinerja.profiles SET body = '{}'",
    )
    for statement in statements:
        with psycopg.connect(centre_url) as db, pytest.raises(psycopg.Error) as refused:
            db.execute(statement)
        assert "hanya boleh ditambah" in str(refused.value)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("daftar-kantor", "--kode", "x", "--nama", "X", "--wilayah", "9999", "--keluar", "k.toml"),
         "Wilayah 9999 bukan kabupaten/kota yang terdaftar"),
        (("daftar-wilayah", "--kode", "7304", "--nama", "Lagi"), "Wilayah 7304 sudah terdaftar"),
        (("daftar-wilayah", "--kode", "7305", "--nama", "Takalar", "--induk", "7304"),
         "Induk 7304 bukan provinsi yang terdaftar"),
        (("daftar-kantor", "--kode", "a b", "--nama", "X", "--wilayah", "7304", "--keluar", "k"),
         "Kode kantor 'a b' tidak valid"),
    ],
    ids=["unknown-kabupaten", "region-twice", "parent-not-a-province", "bad-code"],
)  # fmt: skip
def test_registration_mistakes_are_told_in_indonesian(
    centre_url: str, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")

    done = run_kinerja("pusat", *args, cwd=tmp_path)

    assert done.returncode == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_an_office_is_registered_once(centre_url: str, tmp_path: Path) -> None:
    _ok("pusat", "siapkan")
    _ok("pusat", "daftar-wilayah", "--kode", "7304", "--nama", "Kabupaten Jeneponto")
    first = _register(tmp_path)

    done = run_kinerja("pusat", "daftar-kantor", "--kode", "7304.dukcapil", "--nama", "Lain",
                       "--wilayah", "7304", "--keluar", str(tmp_path / "lain.toml"))  # fmt: skip

    assert done.returncode == 1
    assert "Kantor 7304.dukcapil sudah terdaftar" in done.stderr
    assert first.exists() and not (tmp_path / "lain.toml").exists()
