"""What the centre costs: offices pushing a year of events into one PostgreSQL, and whether the
cost per event stays flat as the centre fills up.

Run from the repository root (PostgreSQL installed; a throwaway cluster is started, as in the
tests, with fsync off, so the figures are the centre's CPU, not a disk):

    python -m bench.central_push_bench [--offices 40] [--loads 1,10,40,100] [--dir DIR]

A year of one office (`office_year`): 10 divisions x 4 quarters x 15 events of the SOP's flow,
plus the service's start and stop on every working day, appended with `Store.append`; the
other offices are copies of that log (the centre checks each office's chain on its own).

- concurrent: `--offices` offices push their year at once, each from its own thread, own
  connection and own role, the way `push` sends events (`Centre.receive`, batches of 500);
  against two baselines in the same run: batches of one event, and the naive one INSERT per
  event in autocommit. Events per second and the total time; ratios to the naive baseline.
- flat: the centre already holds `--loads` offices' years; one more office pushes its year;
  microseconds per event at each load. Flat is good.

Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.pg_cluster import PgCluster, running_cluster

from watcher.central.centre import Centre
from watcher.central.push import BATCH_SIZE
from watcher.central.signing import new_private_key, public_key_of
from watcher.record.store import Event, Outcome, Store

DIVISIONS = tuple(f"BIDANG{n:02d}" for n in range(1, 11))
FLOW = (  # one division's quarter: (step, outcome)
    (1, Outcome.ISSUED), (2, Outcome.ISSUED), (3, Outcome.RECEIVED), (3, Outcome.INVALID),
    (3, Outcome.NOTICE), (3, Outcome.RECEIVED), (3, Outcome.VALID), (3, Outcome.MOVED),
    (4, Outcome.RECEIVED), (4, Outcome.VALID), (4, Outcome.MOVED), (5, Outcome.RECEIVED),
    (5, Outcome.APPROVED), (6, Outcome.REPORT_BUILT), (6, Outcome.MOVED),
)  # fmt: skip
Sender = Callable[[str, Store], None]


def office_year(path: Path, year: int = 2026) -> int:
    """Write one office's year of events to a new log at `path`; how many."""
    events: list[Event] = []
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5:
            morning = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC) - timedelta(1)
            events.append(Event(outcome=Outcome.STARTED, at_utc=morning, message="layanan"))
            events.append(Event(outcome=Outcome.STOPPED, at_utc=morning + timedelta(hours=9)))
        day += timedelta(days=1)
    for quarter in range(1, 5):
        for division in DIVISIONS:
            file_hash = hashlib.sha256(f"{division}{quarter}".encode()).hexdigest()
            at = datetime(year, quarter * 3, 10, 1, tzinfo=UTC)
            for number, (step, outcome) in enumerate(FLOW):
                name = f"inbox/{division}/{step}_langkah/Rencana_Aksi_{division}_{year}_TW{quarter}"
                events.append(Event(
                    outcome=outcome, division=division, year=year, quarter=quarter, step=step,
                    file_hash=file_hash, from_path=f"{name}.xlsx", actor="analis",
                    at_utc=at + timedelta(hours=number), message=f"{outcome.value} {division}",
                ))  # fmt: skip
    events.sort(key=lambda event: event.at_utc or datetime.min.replace(tzinfo=UTC))
    with Store(path, keep_anchor=False) as store:
        for event in events:
            store.append(event)
    return len(events)


class Kabupaten:
    """The centre in a throwaway cluster, and offices registered on demand."""

    def __init__(self, pg: PgCluster) -> None:
        self.pg = pg
        self.database = pg.create_database()
        with Centre(pg.url(self.database)) as centre:
            centre.migrate()
            centre.add_region("7304", "Kabupaten Jeneponto", kind="kabupaten")
        self.urls: dict[str, str] = {}

    def add_offices(self, names: list[str]) -> None:
        with Centre(self.pg.url(self.database)) as centre:
            for name in names:
                role, password = centre.add_office(
                    name, name, region="7304", public_key=public_key_of(new_private_key())
                )
                self.urls[name] = self.pg.url(self.database, user=role, password=password)

    def events(self) -> int:
        with Centre(self.pg.url(self.database)) as centre:
            return int(centre.execute("SELECT count(*) FROM kinerja.events")[0][0])


def batched(kabupaten: Kabupaten, batch_size: int) -> Sender:
    """The way `push` sends events: past the high-water mark, in batches, one call each."""

    def send(office_id: str, store: Store) -> None:
        with Centre(kabupaten.urls[office_id]) as centre:
            high_water = centre.high_water(office_id)
            while batch := store.raw_events(since_id=high_water, limit=batch_size):
                high_water = centre.receive(office_id, batch).high_water

    return send


def naive(kabupaten: Kabupaten) -> Sender:
    """One INSERT per event, each its own transaction (the trigger checks every one)."""

    def send(office_id: str, store: Store) -> None:
        with psycopg.connect(kabupaten.urls[office_id], autocommit=True) as db:
            for event in store.raw_events(since_id=0, limit=10**9):
                db.execute(
                    "INSERT INTO kinerja.events (office_id, seq, prev_hash, row_hash, raw) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (office_id, event.seq, event.prev_hash, event.row_hash, event.raw),
                )

    return send


def office_logs(year_log: Path, folder: Path, names: list[str]) -> dict[str, Path]:
    paths = {}
    for name in names:
        paths[name] = folder / f"{name}.sqlite3"
        shutil.copyfile(year_log, paths[name])
    return paths


def push_all(send: Sender, logs: dict[str, Path]) -> float:
    """Every office sends its log at once, one thread each; seconds taken."""
    stores = {name: Store(path, keep_anchor=False) for name, path in logs.items()}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            send(name, stores[name])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in logs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for store in stores.values():
        store.close()
    if errors:
        raise errors[0]
    return elapsed


def bench_concurrent(pg: PgCluster, year_log: Path, per_office: int, folder: Path,
                     offices: int) -> None:  # fmt: skip
    total = per_office * offices
    print(f"concurrent: {offices} offices x {per_office} events = {total} events")
    results = {}
    for label, make in (
        (f"push (batches of {BATCH_SIZE})", lambda k: batched(k, BATCH_SIZE)),
        ("batches of 1", lambda k: batched(k, 1)),
        ("naive: one INSERT per event, autocommit", naive),
    ):
        kabupaten = Kabupaten(pg)
        names = [f"opd{n:03d}" for n in range(offices)]
        kabupaten.add_offices(names)
        seconds = push_all(make(kabupaten), office_logs(year_log, folder, names))
        assert kabupaten.events() == total
        results[label] = seconds
        print(f"  {label:42s} {total / seconds:9.0f} events/s  total {seconds:6.2f} s")
    slowest = results["naive: one INSERT per event, autocommit"]
    for label, seconds in results.items():
        print(f"  ratio {label:36s} {slowest / seconds:6.1f}x the naive rate")


def bench_flat(pg: PgCluster, year_log: Path, per_office: int, folder: Path,
               loads: list[int]) -> None:  # fmt: skip
    print(f"flat: one more office pushes its year ({per_office} events) into a centre holding")
    kabupaten = Kabupaten(pg)
    send = batched(kabupaten, BATCH_SIZE)
    held, first = 0, None
    for load in loads:
        names = [f"isi{n:03d}" for n in range(held, load)]
        kabupaten.add_offices(names)
        push_all(send, office_logs(year_log, folder, names))  # fill the centre
        held = load
        with psycopg.connect(pg.url(kabupaten.database), autocommit=True) as db:
            db.execute("VACUUM ANALYZE kinerja.events")
        name = f"baru{load:03d}"
        kabupaten.add_offices([name])
        seconds = push_all(send, office_logs(year_log, folder, [name]))
        per_event = seconds / per_office * 1e6
        first = first or per_event
        print(f"  {load:4d} offices ({load * per_office:7d} events): {per_event:7.1f} us/event"
              f"  ({per_event / first:4.2f}x the first)")  # fmt: skip
    with psycopg.connect(pg.url(kabupaten.database), autocommit=True) as db:
        size = db.execute("SELECT pg_total_relation_size('kinerja.events')").fetchone()[0]
        count = db.execute("SELECT count(*) FROM kinerja.events").fetchone()[0]
    print(
        f"size: kinerja.events with its indexes {size / count:.0f} bytes/event"
        f" ({size / 2**20:.1f} MiB for {count} events)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="the centre: offices pushing a year of events")
    parser.add_argument("--offices", type=int, default=40)
    parser.add_argument("--loads", default="1,10,40,100")
    default_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
    parser.add_argument(
        "--dir",
        type=Path,
        default=default_dir,
        help="where the offices' logs are written (default: /dev/shm)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, running_cluster() as pg:
        if pg is None:
            raise SystemExit("PostgreSQL tidak terpasang: apt-get install postgresql")
        folder = Path(tmp)
        year_log = folder / "tahun.sqlite3"
        per_office = office_year(year_log)
        bench_concurrent(pg, year_log, per_office, folder, args.offices)
        bench_flat(pg, year_log, per_office, folder, [int(n) for n in args.loads.split(",")])


if __name__ == "__main__":
    main()
