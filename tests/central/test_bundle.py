"""An office without a network sends a signed bundle file; the centre imports it as a push.

Real PostgreSQL (a throwaway cluster), real office trees with approved workbooks, the real log.
Every refused file is checked twice: the typed error names the check, and the centre's tables
hold exactly what they held before.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_run import run_kinerja
from support.pg_cluster import PgCluster
from support.reports_office import approve, approved_office

from watcher.central.bundle import Bundle, BundleError, Limits, decode, encode, gather, seal
from watcher.central.bundle_import import ImportResult, import_file
from watcher.central.centre import Centre
from watcher.central.credentials import credentials_text
from watcher.central.push import office_documents, push
from watcher.central.signing import new_private_key, public_key_of
from watcher.masterdata.load import load_master
from watcher.record.store import Event, Outcome, Store
from watcher.service.tree import Tree
from watcher.sop.tree_sop import resolve_sop

OFFICE, REGION = "7304.dukcapil", "7304"
MADE = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
TABLES = {
    "events": "office_id, seq, prev_hash, row_hash, raw, at_utc, outcome, division, year, "
    "period, step, file_hash",
    "submissions": "office_id, file_hash, content_hash, body",
    "profiles": "office_id, content_hash, body",
    "quarantine": "office_id, seq, prev_hash, row_hash, raw, held_hash",
    "office_names": "office_id, name",
}


@dataclass(frozen=True)
class Central:
    """A migrated centre database with the office registered under its own key."""

    pg: PgCluster
    database: str
    key: str  # the office's private key, as its credentials file holds it
    office_url: str  # the office's own role, as `kinerja kirim` connects

    @property
    def admin_url(self) -> str:
        return self.pg.url(self.database)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        with Centre(self.admin_url) as centre:
            return rows(centre)

    def imported(self, path: Path) -> ImportResult:
        with Centre(self.admin_url) as centre:
            return import_file(centre, path)


def rows(centre: Centre) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the offices sent, in a stable order (ids and arrival times left out)."""
    query = "SELECT {1} FROM kinerja.{0} ORDER BY {1}"
    return {table: centre.execute(query.format(table, columns))
            for table, columns in TABLES.items()}  # fmt: skip


def new_central(pg: PgCluster, key: str | None = None) -> Central:
    key = key or new_private_key()
    database = pg.create_database()
    with Centre(pg.url(database)) as centre:
        centre.migrate()
        centre.add_region(REGION, "Kabupaten Jeneponto", kind="kabupaten")
        role, password = centre.add_office(OFFICE, "Dinas Dukcapil", region=REGION,
                                           public_key=public_key_of(key))  # fmt: skip
    return Central(pg, database, key, pg.url(database, user=role, password=password))


@pytest.fixture(scope="module")
def base_office(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """Every division's 2026 Q3 report approved (20 events); copied before any change."""
    return approved_office(tmp_path_factory.mktemp("base") / "kantor")


@pytest.fixture
def office(base_office: Tree, tmp_path: Path) -> Tree:
    shutil.copytree(base_office.root, tmp_path / "kantor")
    return Tree(tmp_path / "kantor")


@pytest.fixture
def central(pg: PgCluster) -> Central:
    return new_central(pg)


def make_bundle(tree: Tree, *, office_id: str = OFFICE, since: int = 0) -> Bundle:
    """What `kinerja kirim --bundel` gathers."""
    sop, master = resolve_sop(tree), load_master(tree.master_path)
    with Store(tree.store_path) as store:
        documents = office_documents(tree, store, sop, master)
        return gather(store, office_id, documents, since=since, now=lambda: MADE)


def bundle_file(tree: Tree, key: str, path: Path, **options: Any) -> Path:
    path.write_bytes(encode(make_bundle(tree, **options), key))
    return path


def push_online(tree: Tree, central: Central) -> None:
    sop, master = resolve_sop(tree), load_master(tree.master_path)
    with Store(tree.store_path) as store, Centre(central.office_url) as centre:
        push(tree, store, centre, OFFICE, sop=sop, master=master, now=lambda: MADE)


def add_notice(tree: Tree, message: str) -> None:
    with Store(tree.store_path) as store:
        store.append(Event(outcome=Outcome.NOTICE, message=message, at_utc=MADE))


def refused(central: Central, path: Path, rule: str) -> BundleError:
    """Import `path`, expecting `rule` to refuse it with nothing stored."""
    before = central.rows()
    with pytest.raises(BundleError) as caught:
        central.imported(path)
    assert caught.value.rule == rule, caught.value.message
    assert caught.value.message.startswith(f"Bundel {path} ditolak: ")
    assert "Tidak ada yang disimpan." in caught.value.message
    assert central.rows() == before
    return caught.value


# --- the story ------------------------------------------------------------------------------


def test_bundle_import_stores_what_a_push_stores(pg: PgCluster, office: Tree,
                                                 tmp_path: Path) -> None:  # fmt: skip
    online = new_central(pg)
    offline = new_central(pg, online.key)  # the same office, registered at another centre
    push_online(office, online)
    result = offline.imported(bundle_file(office, offline.key, tmp_path / "kantor.kinerja"))
    counts = (result.stored, result.duplicates, result.quarantined, result.high_water)
    assert counts == (20, 0, 0, 20)
    assert result.submissions == 5 and result.profile_sent
    assert offline.rows() == online.rows()
    assert len(offline.rows()["events"]) == 20


def test_importing_the_same_bundle_twice_stores_nothing_the_second_time(
    central: Central, base_office: Tree, tmp_path: Path
) -> None:
    path = bundle_file(base_office, central.key, tmp_path / "kantor.kinerja")
    first = central.imported(path)
    held = central.rows()
    again = central.imported(path)
    assert (first.stored, first.submissions, first.profile_sent) == (20, 5, True)
    assert (again.stored, again.duplicates, again.quarantined) == (0, 20, 0)
    assert (again.submissions, again.profile_sent, again.high_water) == (0, False, 20)
    assert central.rows() == held
    assert "0 kejadian baru disimpan, 20 sudah ada di pusat" in again.text()


def test_bundle_after_an_online_push_stores_only_the_new_part(
    central: Central, office: Tree, tmp_path: Path
) -> None:
    push_online(office, central)
    approve(office, "SEKRETARIAT", 2026, 4, [60] * 4, kendala="Kendala", follow_up="Tindak lanjut")
    with Store(office.store_path) as store:
        head = store.head()
    assert head is not None and head[0] > 20
    result = central.imported(bundle_file(office, central.key, tmp_path / "semua.kinerja"))
    assert (result.stored, result.duplicates, result.high_water) == (head[0] - 20, 20, head[0])
    assert result.submissions == 1  # only the new quarter's approval
    since = bundle_file(office, central.key, tmp_path / "sejak.kinerja", since=20)
    assert central.imported(since).duplicates == head[0] - 20


def test_bundle_starting_past_the_centre_is_refused_as_a_gap(
    central: Central, base_office: Tree, tmp_path: Path
) -> None:
    path = bundle_file(base_office, central.key, tmp_path / "sejak.kinerja", since=5)
    error = refused(central, path, "bundel.celah")
    assert "--sejak 0" in error.message


def test_events_that_differ_from_the_centre_are_quarantined(
    central: Central, base_office: Tree, tmp_path: Path
) -> None:
    """An office restored from an old backup: its log goes on differently from what was sent."""
    sent, restored = Tree(tmp_path / "dikirim"), Tree(tmp_path / "dipulihkan")
    for tree, message in ((sent, "sebelum pemulihan"), (restored, "sesudah pemulihan")):
        shutil.copytree(base_office.root, tree.root)
        add_notice(tree, message)
        add_notice(tree, message + ", kedua")
    push_online(sent, central)
    result = central.imported(bundle_file(restored, central.key, tmp_path / "pulih.kinerja"))
    assert (result.stored, result.duplicates, result.quarantined) == (0, 20, 1)
    assert (result.diverged, result.high_water, result.submissions) == (21, 22, 0)
    assert "dikarantina (kinerja.quarantine)" in result.text()
    quarantine = central.rows()["quarantine"]
    assert [(row[0], row[1]) for row in quarantine] == [(OFFICE, 21)]
    assert b"sesudah pemulihan" in bytes(quarantine[0][4])


# --- files the centre refuses ---------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_bundle(base_office: Tree) -> Bundle:
    return make_bundle(base_office)


def split(data: bytes) -> tuple[dict[str, Any], bytes]:
    end = data.index(b"\n")
    return json.loads(data[:end]), data[end + 1 :]


def test_a_changed_payload_byte_is_refused(central: Central, valid_bundle: Bundle,
                                           tmp_path: Path) -> None:  # fmt: skip
    data = bytearray(encode(valid_bundle, central.key))
    data[-40] ^= 0x01
    (path := tmp_path / "ubah.kinerja").write_bytes(bytes(data))
    refused(central, path, "bundel.isi_berubah")


def test_a_changed_header_is_refused(central: Central, valid_bundle: Bundle,
                                     tmp_path: Path) -> None:  # fmt: skip
    header, body = split(encode(valid_bundle, central.key))
    header["seq_dari"], header["seq_sampai"] = 2, 21  # claim other sequence numbers
    (path := tmp_path / "kepala.kinerja").write_bytes(json.dumps(header).encode() + b"\n" + body)
    refused(central, path, "bundel.tanda_tangan")


def test_a_bundle_signed_with_another_offices_key_is_refused(
    central: Central, valid_bundle: Bundle, tmp_path: Path
) -> None:
    other_key = new_private_key()
    with Centre(central.admin_url) as centre:
        centre.add_office("7304.dinkes", "Dinas Kesehatan", region=REGION,
                          public_key=public_key_of(other_key))  # fmt: skip
    (path := tmp_path / "lain.kinerja").write_bytes(encode(valid_bundle, other_key))
    error = refused(central, path, "bundel.tanda_tangan")
    assert OFFICE in error.message


def test_a_bundle_of_an_unknown_office_is_refused(central: Central, base_office: Tree,
                                                  tmp_path: Path) -> None:  # fmt: skip
    path = bundle_file(base_office, central.key, tmp_path / "asing.kinerja",
                       office_id="7304.tidakada")  # fmt: skip
    error = refused(central, path, "bundel.kantor")
    assert "tidak terdaftar" in error.message


@pytest.mark.parametrize(("keep", "rule"), [(-100, "bundel.terpotong"), (60, "bundel.bukan_bundel"),
                                            (0, "bundel.bukan_bundel")],
                         ids=["isi-terpotong", "kepala-terpotong", "kosong"])  # fmt: skip
def test_a_truncated_file_is_refused(central: Central, valid_bundle: Bundle, tmp_path: Path,
                                     keep: int, rule: str) -> None:  # fmt: skip
    data = encode(valid_bundle, central.key)
    (path := tmp_path / "potong.kinerja").write_bytes(data[:keep])
    refused(central, path, rule)


def test_a_signed_gzip_bomb_is_refused_without_being_unpacked(
    central: Central, valid_bundle: Bundle, tmp_path: Path
) -> None:
    """Even with the office's own key (a stolen key, a broken office): 129 MiB of zeros in a
    file of a few hundred KB; the reader stops at the 128 MiB limit."""
    inflater = gzip.compress(b"\0" * (129 * 1024 * 1024), compresslevel=9, mtime=0)
    assert len(inflater) < 1024 * 1024
    (path := tmp_path / "bom.kinerja").write_bytes(seal(valid_bundle, inflater, central.key))
    error = refused(central, path, "bundel.terlalu_besar")
    assert "128 MB" in error.message


def test_a_file_past_the_size_limit_is_refused_unread(
    central: Central, valid_bundle: Bundle, tmp_path: Path
) -> None:
    (path := tmp_path / "besar.kinerja").write_bytes(encode(valid_bundle, central.key))
    with Centre(central.admin_url) as centre, pytest.raises(BundleError) as caught:
        import_file(centre, path, limits=Limits(file_bytes=path.stat().st_size - 1))
    assert caught.value.rule == "bundel.terlalu_besar"
    assert central.rows()["events"] == []


def test_an_unknown_format_version_is_refused(central: Central, valid_bundle: Bundle,
                                              tmp_path: Path) -> None:  # fmt: skip
    header, body = split(encode(valid_bundle, central.key))
    header["versi"] = 2
    (path := tmp_path / "v2.kinerja").write_bytes(json.dumps(header).encode() + b"\n" + body)
    error = refused(central, path, "bundel.versi")
    assert "versi 2 tidak dikenal" in error.message


def _payload(bundle: Bundle, key: str) -> dict[str, Any]:
    _, body = split(encode(bundle, key))
    return json.loads(gzip.decompress(body))


def _first_event(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda payload: change(payload["kejadian"][0])


SIGNED_BUT_BROKEN: dict[str, Callable[[dict[str, Any]], Any]] = {
    "kejadian-bukan-daftar": lambda p: p.update(kejadian={"1": {}}),
    "seq-teks": _first_event(lambda e: e.update(seq="1")),
    "seq-boolean": _first_event(lambda e: e.update(seq=True)),
    "raw-bukan-base64": _first_event(lambda e: e.update(raw="***")),
    "raw-diubah": _first_event(lambda e: e.update(raw=e["raw"][:-8] + "AAAAAAA=")),
    "prev-hash-lain": lambda p: p["kejadian"][1].update(prev_hash="f" * 64),
    "isian-tambahan": lambda p: p.update(lain=1),
    "kantor-lain": lambda p: p.update(kantor="7304.dinkes"),
    "profil-bukan-json": lambda p: p.update(profil="{bukan json"),
    "profil-surrogate": lambda p: p.update(profil='{"nama_kantor": "\ud800"}'),
    "profil-nul": lambda p: p.update(profil=p["profil"].replace('"nama_kantor":"',
                                                                 '"nama_kantor":"\\u0000')),
    "laporan-hash-lain": lambda p: p["laporan"][0].update(sha256="e" * 64),
    "laporan-nan": lambda p: p["laporan"][0].update(isi='{"sha256": NaN}'),
    "laporan-surrogate-escape": lambda p: p["laporan"][0].update(
        isi=json.dumps({"sha256": p["laporan"][0]["sha256"], "catatan": "\ud800"})
    ),
}  # fmt: skip


@pytest.mark.parametrize("change", SIGNED_BUT_BROKEN.values(), ids=SIGNED_BUT_BROKEN.keys())
def test_a_signed_payload_of_wrong_shape_is_refused_whole(
    central: Central, valid_bundle: Bundle, tmp_path: Path, change: Callable[[dict[str, Any]], Any]
) -> None:
    payload = _payload(valid_bundle, central.key)
    change(payload)
    text = json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
    path = tmp_path / "bentuk.kinerja"
    path.write_bytes(seal(valid_bundle, gzip.compress(text), central.key))
    refused(central, path, "bundel.isi")


@pytest.mark.parametrize("body", [b"\xff\xfe bukan utf-8", b"[1, 2", b"{}"],
                         ids=["bukan-utf8", "json-terpotong", "isian-kurang"])  # fmt: skip
def test_a_signed_payload_that_is_not_the_format_is_refused(
    central: Central, valid_bundle: Bundle, tmp_path: Path, body: bytes
) -> None:
    path = tmp_path / "isi.kinerja"
    path.write_bytes(seal(valid_bundle, gzip.compress(body), central.key))
    refused(central, path, "bundel.isi")


def test_a_payload_with_bytes_after_its_gzip_is_refused(
    central: Central, valid_bundle: Bundle, tmp_path: Path
) -> None:
    _, body = split(encode(valid_bundle, central.key))
    path = tmp_path / "ekor.kinerja"
    path.write_bytes(seal(valid_bundle, body + b"ekor", central.key))
    refused(central, path, "bundel.rusak")


# --- any bytes at all -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_central(pg: PgCluster) -> Central:
    return new_central(pg)


@pytest.fixture(scope="module")
def admin(empty_central: Central) -> Iterator[Centre]:
    """One admin connection for every example of the property test."""
    with Centre(empty_central.admin_url) as centre:
        yield centre


@st.composite
def damaged(draw: st.DrawFn, valid: bytes) -> bytes:
    """`valid` with bytes flipped, cut, inserted or replaced, or bytes from nowhere."""
    kind = draw(st.sampled_from(["flip", "cut", "insert", "replace", "header", "noise"]))
    if kind == "noise":
        return draw(st.binary(max_size=4096))
    header_end = valid.index(b"\n")
    high = header_end if kind == "header" else len(valid) - 1
    at = draw(st.integers(0, high))
    if kind in ("flip", "header"):
        return valid[:at] + bytes([valid[at] ^ draw(st.integers(1, 255))]) + valid[at + 1 :]
    if kind == "cut":
        return valid[:at] + valid[at + draw(st.integers(1, 64)) :]
    extra = draw(st.binary(min_size=1, max_size=64))
    return valid[:at] + extra + valid[at + (len(extra) if kind == "replace" else 0) :]


@pytest.fixture(scope="module")
def valid_bytes(empty_central: Central, valid_bundle: Bundle) -> bytes:
    return encode(valid_bundle, empty_central.key)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_any_bytes_import_a_valid_bundle_or_are_refused_with_nothing_stored(
    admin: Centre, valid_bundle: Bundle, valid_bytes: bytes, tmp_path: Path,
    data: st.DataObject,
) -> None:  # fmt: skip
    candidate = data.draw(damaged(valid_bytes))
    path = tmp_path / "acak.kinerja"
    path.write_bytes(candidate)
    before = rows(admin)
    try:
        import_file(admin, path)
    except BundleError as error:
        assert error.rule.startswith("bundel.") and error.message.startswith("Bundel ")
        assert rows(admin) == before
        return
    # Imported: then it is the office's own bundle (a change the signature does not cover,
    # such as a space in the header turned into a tab).
    assert decode(candidate, admin.public_key) == valid_bundle


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def registered_offline(central: Central, tmp_path: Path) -> Iterator[Path]:
    """The credentials file of an office with no network: no `alamat`, only its key."""
    path = tmp_path / "kredensial.toml"
    path.write_text(credentials_text(OFFICE, "", central.key), encoding="utf-8")
    yield path


def test_cli_bundle_from_office_to_centre(
    central: Central, base_office: Tree, registered_offline: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flashdisk" / "dukcapil.kinerja"
    out.parent.mkdir()
    root = str(base_office.root)
    written = run_kinerja("kirim", "--root", root, "--kredensial", str(registered_offline),
                          "--bundel", str(out))  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert "kejadian #1-#20 (20), 5 laporan disetujui" in written.stdout
    assert f"kinerja pusat impor {out}" in written.stdout

    first = run_kinerja("pusat", "impor", str(out), "--alamat", central.admin_url)
    assert first.returncode == 0, first.stderr
    assert "20 kejadian baru disimpan, 0 sudah ada di pusat, 0 dikarantina" in first.stdout
    assert "sampai #20" in first.stdout
    again = run_kinerja("pusat", "impor", str(out), "--alamat", central.admin_url)
    assert again.returncode == 0 and "0 kejadian baru disimpan, 20 sudah ada" in again.stdout

    later = tmp_path / "sejak.kinerja"
    since = run_kinerja("kirim", "--root", root, "--kredensial", str(registered_offline),
                        "--bundel", str(later), "--sejak", "18")  # fmt: skip
    assert since.returncode == 0 and "kejadian #19-#20 (2)" in since.stdout

    data = bytearray(out.read_bytes())
    data[-10] ^= 0xFF
    out.write_bytes(bytes(data))
    damaged_run = run_kinerja("pusat", "impor", str(out), "--alamat", central.admin_url)
    assert damaged_run.returncode == 2
    assert "ditolak" in damaged_run.stderr and "Traceback" not in damaged_run.stderr


WRONG_OPTIONS = {
    "sejak-tanpa-bundel": ["--sejak", "3"],
    "sejak-negatif": ["--bundel", "x.kinerja", "--sejak", "-1"],
    "sejak-melewati-log": ["--bundel", "x.kinerja", "--sejak", "99"],
}


@pytest.mark.parametrize("args", WRONG_OPTIONS.values(), ids=WRONG_OPTIONS.keys())
def test_cli_wrong_bundle_options_exit_2(base_office: Tree, registered_offline: Path,
                                         tmp_path: Path, args: list[str]) -> None:  # fmt: skip
    done = run_kinerja("kirim", "--root", str(base_office.root), "--kredensial",
                       str(registered_offline), *args, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and "--sejak" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.kinerja").exists()


def test_cli_import_of_a_diverged_bundle_exits_1(central: Central, base_office: Tree,
                                                 tmp_path: Path) -> None:  # fmt: skip
    sent, restored = Tree(tmp_path / "dikirim"), Tree(tmp_path / "dipulihkan")
    for tree, message in ((sent, "a"), (restored, "b")):
        shutil.copytree(base_office.root, tree.root)
        add_notice(tree, message)
    push_online(sent, central)
    path = bundle_file(restored, central.key, tmp_path / "pulih.kinerja")
    done = run_kinerja("pusat", "impor", str(path), "--alamat", central.admin_url)
    assert done.returncode == 1, done.stderr
    assert "1 dikarantina" in done.stdout and "PERHATIAN: kejadian #21" in done.stdout
