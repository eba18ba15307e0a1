"""A model-based test of push and the centre: random sequences of what offices and faults do.

A few offices (copies of one approved office, each with its own SQLite log and role) append
events, push (batches of 1, 3 or 50), lose a connection mid-push after the centre committed a
batch, have their connections killed, see the centre stopped immediately and started again,
deliver a stale batch again, and are restored from an old backup and go on differently.
The model keeps what the centre must hold for each office: its log as of its last push.

After every step, for every office:
1. the centre's events are exactly the model's (seq, hashes, raw bytes), and the chain
   recomputed in Python from the PostgreSQL rows verifies;
2. the high-water mark is the last of them and never decreases;
3. the quarantine holds only events that differ from the one held under their number, and
   only for an office that diverged (one row at its fork, however often it pushed);
4. an office that has not diverged holds the centre's chain as a prefix of its own log.

`KINERJA_MODEL_EXAMPLES` (default 4) and `KINERJA_MODEL_STEPS` (10) change the size; runs are
derandomized, so a run is the same on every machine.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from support.central_offices import (
    Office,
    assert_chain,
    centre_rows,
    local_log,
    migrated_database,
    open_offices,
)
from support.pg_cluster import PgCluster
from support.reports_office import approved_office

from watcher.central.centre import Centre, CentreError, Receipt
from watcher.record.store import RawEvent
from watcher.service.tree import Tree

EXAMPLES = int(os.environ.get("KINERJA_MODEL_EXAMPLES", "4"))
STEPS = int(os.environ.get("KINERJA_MODEL_STEPS", "10"))
OFFICES = 3
office_numbers = st.integers(0, OFFICES - 1)
_serial = itertools.count()


class CutAfterCommit(Centre):
    """A Centre whose connection is killed (pg_terminate_backend) right after the centre has
    committed its `cut_at`th batch, before the office reads the receipt."""

    def __init__(self, url: str, pg: PgCluster, cut_at: int) -> None:
        super().__init__(url)
        self._pg, self._left = pg, cut_at

    def receive(self, office_id: str, batch: Sequence[RawEvent]) -> Receipt:
        receipt = super().receive(office_id, batch)
        self._left -= 1
        if self._left == 0:
            self._pg.terminate(self.database, pid=self._db.info.backend_pid)
            self.execute("SELECT 1")  # the connection is gone: raises CentreError
            raise AssertionError("koneksi yang dibunuh masih hidup")
        return receipt


class CentreMachine(RuleBasedStateMachine):
    pg: PgCluster
    database: str
    template: Tree
    base: Path

    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="model-", dir=self.base))
        ids = [f"m{next(_serial)}" for _ in range(OFFICES)]
        self.offices: list[Office] = open_offices(self.pg, self.database, self.template,
                                                  self.work, ids)  # fmt: skip
        self.connections: list[Centre | None] = [None] * OFFICES
        self.held: list[list[RawEvent]] = [[] for _ in range(OFFICES)]  # the centre must hold
        self.high: list[int] = [0] * OFFICES
        self.backups: list[list[tuple[Path, int]]] = [[] for _ in range(OFFICES)]  # (file, head)
        self.fork: list[int | None] = [None] * OFFICES  # where a diverged office differs
        self.quarantined: list[list[int]] = [[] for _ in range(OFFICES)]
        for number in range(OFFICES):  # each office has pushed once already
            self.back_up(number)
            self.append(number, 3)
            self.push(number, 50)

    def teardown(self) -> None:
        for connection in self.connections:
            if connection is not None:
                connection.close()
        for office in self.offices:
            office.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def url(self, number: int) -> str:
        return self.offices[number].url(self.pg, self.database)

    def connection(self, number: int) -> Centre:
        if self.connections[number] is None:
            self.connections[number] = Centre(self.url(number))
        connection = self.connections[number]
        assert connection is not None
        return connection

    def drop(self, number: int) -> None:
        connection, self.connections[number] = self.connections[number], None
        if connection is not None:
            connection.close()

    # -- what offices do -----------------------------------------------------------------

    @rule(number=office_numbers, count=st.integers(1, 12))
    def append(self, number: int, count: int) -> None:
        self.offices[number].append(count)

    @rule(number=office_numbers, batch_size=st.sampled_from([1, 3, 50]))
    def push(self, number: int, batch_size: int) -> None:
        office = self.offices[number]
        self.back_up(number)
        for _ in range(3):  # a connection killed since the last push fails once
            try:
                result = office.push(self.connection(number), batch_size=batch_size)
            except CentreError as exc:
                self.drop(number)
                if exc.transient:
                    continue
                assert self.fork[number] is not None, exc
                assert "cadangan" in str(exc)
                if self.fork[number] <= office.head():  # the other branch's first event
                    self.quarantined[number] = [self.fork[number]]
                return
            assert self.fork[number] is None
            assert result.high_water == result.head == office.head()
            self.held[number] = local_log(office.store)
            return
        raise AssertionError("pengiriman gagal tiga kali berturut-turut")

    @rule(number=office_numbers, cut_at=st.integers(1, 3))
    def push_loses_an_acknowledgement(self, number: int, cut_at: int) -> None:
        office = self.offices[number]
        self.drop(number)
        try:
            with CutAfterCommit(self.url(number), self.pg, cut_at) as centre:
                office.push(centre, batch_size=2)
        except CentreError:
            pass  # the receipt never came (or cut_at was past the last batch: no fault)
        self.push(number, batch_size=50)  # the next round: nothing sent twice

    def back_up(self, number: int) -> None:
        """The office's nightly backup, taken before each push in this model."""
        office = self.offices[number]
        backup = self.work / f"{office.office_id}-{len(self.backups[number])}.sqlite3"
        self.backups[number].append((backup, office.back_up(backup)))

    def pushed(self) -> list[int]:
        return [n for n in range(OFFICES) if self.held[n] and self.fork[n] is None]

    @rule(data=st.data(), count=st.integers(0, 5))
    def restore_an_old_backup(self, data: st.DataObject, count: int) -> None:
        if not self.pushed():
            return
        number = data.draw(st.sampled_from(self.pushed()))
        backup, restored = data.draw(st.sampled_from(self.backups[number]))
        # Backups newer than this one hold events of the branch that is now abandoned.
        self.backups[number] = [(b, head) for b, head in self.backups[number] if head <= restored]
        office = self.offices[number]
        office.restore(backup)
        office.append(count, tag="-lain")
        if restored < len(self.held[number]):  # the centre holds events the backup lacks
            self.fork[number] = restored + 1
        self.push(number, batch_size=3)  # the office's next push finds out

    # -- faults --------------------------------------------------------------------------

    @rule()
    def kill_connections(self) -> None:
        self.pg.terminate(self.database)

    @rule()
    def restart_the_centre_immediately(self) -> None:
        self.pg.stop("immediate")
        self.pg.start()

    @rule(data=st.data(), number=office_numbers)
    def deliver_a_stale_batch_again(self, data: st.DataObject, number: int) -> None:
        held = self.held[number]
        if not held:
            return
        start = data.draw(st.integers(0, len(held) - 1))
        batch = held[start : data.draw(st.integers(start + 1, len(held)))]
        with Centre(self.url(number)) as centre:
            receipt = centre.receive(self.offices[number].office_id, batch)
        assert (receipt.stored, receipt.duplicates, receipt.quarantined) == (0, len(batch), 0)

    # -- what must always hold -----------------------------------------------------------

    @invariant()
    def the_centre_holds_each_office_log_exactly(self) -> None:
        with Centre(self.pg.url(self.database)) as admin:
            for number, office in enumerate(self.offices):
                rows = centre_rows(admin, "events", office.office_id)
                assert_chain(rows)
                held = [RawEvent(seq, prev, row, bytes(raw)) for seq, prev, row, raw, *_ in rows]
                assert held == self.held[number]
                high_water = admin.high_water(office.office_id)
                assert high_water == len(held) >= self.high[number]
                self.high[number] = high_water
                quarantine = centre_rows(admin, "quarantine", office.office_id)
                assert [row[0] for row in quarantine] == self.quarantined[number]
                for seq, row_hash, _raw, held_hash in quarantine:
                    assert held_hash == held[seq - 1].row_hash != row_hash
                if self.fork[number] is None:
                    assert local_log(office.store)[: len(held)] == held


@pytest.fixture(scope="module")
def model_template(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return approved_office(tmp_path_factory.mktemp("model-template") / "kantor")


def test_offices_and_faults_in_random_order(
    pg: PgCluster, model_template: Tree, tmp_path: Path
) -> None:
    machine = type(
        "Centre_model",
        (CentreMachine,),
        {"pg": pg, "database": migrated_database(pg), "template": model_template,
         "base": tmp_path},
    )  # fmt: skip
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
