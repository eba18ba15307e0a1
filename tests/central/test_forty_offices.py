"""Forty offices of one kabupaten, working online and offline, feed one PostgreSQL; the
kabupaten's consolidated report equals what every office reports itself.

Each office is its own tree with its own SQLite log, master data (its own name) and figures
(random realisations; some divisions left unapproved, some approved late). Twenty-six push
online at once while the test kills their connections mid-transaction (each office goes on
pushing until its push goes through, as the service does); fourteen have no network and send a
signed bundle that the centre imports, one of them twice. A forty-first office is registered and
never sends anything.

Then, as the kabupaten's own role: every office is in the report, the silent one as missing and
never on time; each office's figures, average, predikat and timeliness are its own period
report's (its workbook read back cell by cell against the consolidation workbook); the centre
holds every office's chain exactly to its head; and no office's role can read another's rows.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.central_offices import (
    ErrorThread,
    assert_centre_holds,
    centre_rows,
    join_all,
    local_log,
)
from support.office_books import FIGURE_COLUMNS, office_book, report_table
from support.pg_cluster import PgCluster
from support.reports_office import approve, issue, office

from watcher.central.bundle import encode, gather
from watcher.central.bundle_import import import_file
from watcher.central.centre import Centre, CentreError
from watcher.central.consolidate import Consolidation, Timeliness, consolidate
from watcher.central.consolidation_files import write_consolidation
from watcher.central.push import office_documents, push
from watcher.central.signing import new_private_key, public_key_of
from watcher.masterdata.load import load_master
from watcher.masterdata.write import write_master
from watcher.record.store import Store
from watcher.reports.gather import approvals_for
from watcher.reports.period import approvals_through, period_report
from watcher.service.tree import Tree
from watcher.sop.tree_sop import resolve_sop

YEAR, QUARTER = 2026, 3
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday morning in WITA, after the quarter
KABUPATEN = "7304"
ONLINE, OFFLINE = 26, 14
SILENT = f"{KABUPATEN}.9999"
KILLS = 8


@dataclass
class Kantor:
    office_id: str
    tree: Tree
    key: str
    login: tuple[str, str]
    online: bool


@dataclass
class Kabupaten:
    pg: PgCluster
    database: str
    offices: list[Kantor]
    login: tuple[str, str]
    folder: Path
    kills: int = 0
    second_import: tuple[int, int] | None = None  # (stored, duplicates) of a bundle sent twice

    def url(self, login: tuple[str, str]) -> str:
        return self.pg.url(self.database, user=login[0], password=login[1])

    def consolidate(self) -> Consolidation:
        with Centre(self.url(self.login)) as centre:
            return consolidate(centre, KABUPATEN, YEAR, QUARTER, now=lambda: NOW)


def _fill(base: Tree, folder: Path, number: int) -> Tree:
    """Office `number`: a copy of the issued base office with its own name and its own figures."""
    tree = Tree(shutil.copytree(base.root, folder / f"opd{number:02d}", symlinks=True))
    master = load_master(tree.master_path)
    name = f"Dinas Nomor {number} Kabupaten Jeneponto"
    settings = dataclasses.replace(master.settings, office_name=name)
    write_master(dataclasses.replace(master, settings=settings), tree.master_path)
    chance = random.Random(number)
    for division in master.divisions:
        if chance.random() < 0.15:  # never approved this quarter
            continue
        count = len(master.indicators_of(division.code))
        realisations = [round(chance.uniform(0, 120), 2) for _ in range(count)]
        late = timedelta(days=chance.choice((0, 0, 0, 9)))
        approve(tree, division.code, YEAR, QUARTER, realisations, kendala="Kendala",
                follow_up="Tindak lanjut", delay=late)  # fmt: skip
    return tree


def _push_until_through(kantor: Kantor, url: str) -> None:
    """What the service does: push again after a transient failure, until it goes through."""
    sop, master = resolve_sop(kantor.tree), load_master(kantor.tree.master_path)
    pause = threading.Event()
    for _ in range(200):
        try:
            with Store(kantor.tree.store_path) as store, Centre(url) as centre:
                push(kantor.tree, store, centre, kantor.office_id, sop=sop, master=master,
                     now=lambda: NOW)  # fmt: skip
            return
        except CentreError as exc:
            if not exc.transient:
                raise
            pause.wait(0.05)
    raise AssertionError(f"{kantor.office_id} tidak pernah berhasil mengirim")


def _send_bundle(kantor: Kantor, admin: Centre, folder: Path) -> tuple[int, int]:
    tree = kantor.tree
    with Store(tree.store_path) as store:
        documents = office_documents(tree, store, resolve_sop(tree), load_master(tree.master_path))
        bundle = gather(store, kantor.office_id, documents, since=0, now=lambda: NOW)
    path = folder / f"{kantor.office_id}.kinerja"
    path.write_bytes(encode(bundle, kantor.key))
    result = import_file(admin, path)
    return result.stored, result.duplicates


@pytest.fixture(scope="module")
def kabupaten(pg: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kabupaten]:
    folder = tmp_path_factory.mktemp("empat_puluh")
    base = office(folder / "dasar")
    issue(base, YEAR, QUARTER)
    database = pg.create_database()
    offices: list[Kantor] = []
    with Centre(pg.url(database)) as admin:
        admin.migrate()
        login = admin.add_region(KABUPATEN, "Kabupaten Jeneponto", kind="kabupaten")
        for number in range(ONLINE + OFFLINE):
            office_id, key = f"{KABUPATEN}.{number:04d}", new_private_key()
            registered = admin.add_office(office_id, f"Kantor {number}", region=KABUPATEN,
                                          public_key=public_key_of(key))  # fmt: skip
            offices.append(Kantor(office_id, _fill(base, folder, number), key, registered,
                                  online=number < ONLINE))  # fmt: skip
        admin.add_office(SILENT, "Dinas yang tidak mengirim", region=KABUPATEN,
                         public_key=public_key_of(new_private_key()))  # fmt: skip
    built = Kabupaten(pg, database, offices, login, folder)

    online = [k for k in offices if k.online]
    threads = [ErrorThread(target=_push_until_through, args=(k, built.url(k.login)))
               for k in online]  # fmt: skip
    for thread in threads:
        thread.start()
    pause = threading.Event()
    while any(t.is_alive() for t in threads) and built.kills < KILLS:
        built.kills += pg.terminate(database, busy=True)
        pause.wait(0.005)
    join_all(threads)
    with Centre(pg.url(database)) as admin:
        for kantor in offices:
            if not kantor.online:
                assert _send_bundle(kantor, admin, folder)[1] == 0
        built.second_import = _send_bundle(offices[-1], admin, folder)
    yield built


def test_every_office_is_in_the_report_and_the_silent_one_is_missing(kabupaten: Kabupaten
                                                                     ) -> None:  # fmt: skip
    result = kabupaten.consolidate()
    by_id = {o.office_id: o for o in result.offices}

    assert set(by_id) == {k.office_id for k in kabupaten.offices} | {SILENT}
    silent = by_id[SILENT]
    assert not silent.sent and [e.state for e in silent.expected] == [Timeliness.MISSING]
    assert result.count(Timeliness.ON_TIME) == sum(
        o.count(Timeliness.ON_TIME) for o in result.offices if o.office_id != SILENT
    )
    assert "40 dari 41 kantor mengirim, 1 tidak mengirim" in result.summary()


def test_connections_were_killed_and_the_bundle_sent_twice_stored_nothing_new(
    kabupaten: Kabupaten,
) -> None:
    assert kabupaten.kills > 0
    assert kabupaten.second_import is not None
    stored, duplicates = kabupaten.second_import
    assert stored == 0 and duplicates > 0


def test_the_centre_holds_every_office_chain_exactly_to_its_head(kabupaten: Kabupaten) -> None:
    with Centre(kabupaten.pg.url(kabupaten.database)) as admin:
        for kantor in kabupaten.offices:
            with Store(kantor.tree.store_path) as store:
                assert_centre_holds(admin, kantor.office_id, local_log(store))
            assert not centre_rows(admin, "quarantine", kantor.office_id)


def test_each_office_figures_and_timeliness_are_its_own(kabupaten: Kabupaten) -> None:
    result = kabupaten.consolidate()
    by_id = {o.office_id: o for o in result.offices}
    for kantor in kabupaten.offices:
        tree = kantor.tree
        master, sop = load_master(tree.master_path), resolve_sop(tree)
        with Store(tree.store_path) as store:
            approvals = approvals_through(approvals_for(store, YEAR), QUARTER)
            own = period_report(tree, store, master, sop, (YEAR, QUARTER), approvals, lambda: NOW)
        central = by_id[kantor.office_id]
        assert central.name == master.settings.office_name
        assert central.report is not None
        assert central.report.figures == own.figures, kantor.office_id
        assert central.report.progress == own.progress, kantor.office_id
    states = {e.state for o in result.offices for e in o.expected}
    assert {Timeliness.ON_TIME, Timeliness.LATE, Timeliness.NOT_APPROVED} <= states


def test_the_consolidation_workbook_equals_each_office_workbook_cell_by_cell(
    kabupaten: Kabupaten,
) -> None:
    written = write_consolidation(kabupaten.consolidate(), kabupaten.folder / "keluar", pdf=False)
    [book] = [p for p in written if p.name == f"Konsolidasi_{KABUPATEN}_TW3_{YEAR}.xlsx"]
    rows = report_table(book, "Capaian", 6)
    for kantor in kabupaten.offices:
        own = report_table(office_book(kantor.tree, YEAR, QUARTER, lambda: NOW), "Ringkasan", 6)
        consolidated = [r for r in rows if r["Kode Kantor"] == kantor.office_id]
        assert own, "the office's own report has rows"
        assert [[r[c] for c in FIGURE_COLUMNS] for r in consolidated] == [
            [r[c] for c in FIGURE_COLUMNS] for r in own
        ], kantor.office_id


def test_no_office_reads_another_office_rows(kabupaten: Kabupaten) -> None:
    for kantor in kabupaten.offices[:: len(kabupaten.offices) // 4]:
        with Centre(kabupaten.url(kantor.login)) as centre:
            seen = centre.execute("SELECT DISTINCT office_id FROM kinerja.events")
        assert seen == [(kantor.office_id,)]
