"""The real service sends its log to a real PostgreSQL in the background while clerks work, and
goes on routing files while the centre is down; when it is back, the log catches up, once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest
from support.cli_run import run_kinerja
from support.office import issued_office
from support.pg_cluster import PgCluster
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder

from watcher.central.centre import Centre
from watcher.central.credentials import Credentials
from watcher.central.sender import CentralSender
from watcher.central.signing import new_private_key, public_key_of
from watcher.masterdata.source import MasterSource
from watcher.record.store import Outcome, Store, utc_now
from watcher.service.tree import Tree
from watcher.sop.load import load_sop

CODE = "DAFDUK"
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    return issued_office(tmp_path / "kantor")[0]


def _credentials(pg: PgCluster, database: str, tmp_path: Path) -> Credentials:
    key = new_private_key()
    with Centre(pg.url(database)) as centre:
        centre.migrate()
        centre.add_region("7304", "Kabupaten Jeneponto", kind="kabupaten")
        role, password = centre.add_office("dukcapil", "Dukcapil", region="7304",
                                           public_key=public_key_of(key))  # fmt: skip
    url = pg.url(database, user=role, password=password)
    return Credentials("dukcapil", url, key, tmp_path / "pusat.toml")


def _central(pg: PgCluster, database: str) -> list[tuple[int, str, bytes]]:
    with psycopg.connect(pg.url(database)) as db:
        rows = db.execute("SELECT seq, row_hash, raw FROM kinerja.events ORDER BY seq")
        return [(seq, digest, bytes(raw)) for seq, digest, raw in rows]


def _local(tree: Tree) -> list[tuple[int, str, bytes]]:
    with Store(tree.store_path) as store:
        return [(e.seq, e.row_hash, e.raw) for e in store.raw_events(limit=100_000)]


def test_the_log_reaches_the_centre_while_the_office_works_and_survives_an_outage(
    office: Tree, pg: PgCluster, central_db: str, tmp_path: Path
) -> None:
    sop = load_sop()
    sender = CentralSender(office, sop, MasterSource(office.master_path),
                           _credentials(pg, central_db, tmp_path), every_seconds=0.5,
                           now=utc_now, min_gap_seconds=0.1)  # fmt: skip
    try:
        with running_service(office, listeners=[sender], sop=sop):
            sender.start()
            issued = office.folder(CODE, Folder.DISPOSITION) / NAME
            saved = office.folder(CODE, Folder.REPORT) / NAME
            report = fill(issued, saved, kendala="Server lambat", follow_up="Koordinasi")
            at_review = office.folder(CODE, Folder.REVIEW) / NAME
            wait_for(at_review.exists, what="the report waiting for the Kabid")
            wait_for(lambda: _central(pg, central_db) == _local(office), what="log at the centre")

            pg.stop("immediate")  # the centre goes down; the Kabid approves meanwhile
            approved = office.folder(CODE, Folder.APPROVED) / NAME
            shutil.move(at_review, approved)
            wait_for(lambda: _has_approval(office), what="the approval recorded")
            wait_for(lambda: sender.last_problem != "", what="the failed push noticed")
            state = json.loads((office.archive / "pusat.json").read_text())
            assert "basis data pusat" in state["kesalahan"]
            assert "tidak ada yang hilang" in state["kesalahan"]
            assert not report.exists() and approved.exists()  # the routing never waited
            status = run_kinerja("status", "--root", str(office.root))
            assert "pengiriman ke pusat gagal sejak" in status.stdout

            pg.start()
            wait_for(lambda: _central(pg, central_db) == _local(office), timeout=30,
                     what="the log caught up")  # fmt: skip
            wait_for(lambda: sender.last_problem == "", what="the push recovered")
    finally:
        sender.stop()
        pg.start()  # the session's cluster stays up for the next test, whatever happened
    with psycopg.connect(pg.url(central_db)) as db:
        [(quarantined,)] = db.execute("SELECT count(*) FROM kinerja.quarantine").fetchall()
        [(readings,)] = db.execute("SELECT count(*) FROM kinerja.submissions").fetchall()
    assert quarantined == 0
    assert readings == 1  # the approved version's readings went with it
    assert "kesalahan" not in json.loads((office.archive / "pusat.json").read_text())
    assert (
        "pengiriman ke pusat gagal" not in run_kinerja("status", "--root", str(office.root)).stdout
    )


def _has_approval(tree: Tree) -> bool:
    with Store(tree.store_path) as store:
        return bool(store.events(outcome=Outcome.APPROVED))
