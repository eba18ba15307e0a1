"""Measure the kabupaten consolidation of many offices for one quarter, against a naive way.

Run from the repository root (PostgreSQL installed; a throwaway cluster is started):

    python -m bench.consolidation_bench [--offices 1000] [--naive-sample 10]

Builds one real office (`tests.support.reports_office.approved_office`: the sample master's five
divisions, each approved for the third quarter of 2026), pushes it as office 1, then registers
`--offices` offices in all, each with that office's event chain, its own name (so its profile and
master data differ) and its own realisations (a random figure per indicator), as pushes would
leave them. Then times, in the same run:

- kinerja: `consolidate` (every office's figures and timeliness by the office's own code), then
  the xlsx and the PDF of the result;
- naive: the same consolidation for `--naive-sample` offices, reading each office's master data
  from its master workbook (openpyxl behind the safety checks, as the office itself loads it)
  instead of the values the office sent; its time per office is scaled to all the offices.

The aim of issue 17 (<= 10 s for 1,000 offices) is printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.support.pg_cluster import running_cluster
from tests.support.reports_office import approved_office
from watcher.central.centre import Centre
from watcher.central.consolidate import consolidate
from watcher.central.consolidation_book import consolidation_workbook
from watcher.central.consolidation_files import consolidation_html
from watcher.central.office_period import Rules, office_period, office_rules
from watcher.central.payload import PROFILES, SUBMISSIONS, Document
from watcher.central.push import push
from watcher.central.records import OfficeRecord, read_region
from watcher.masterdata.codec import master_to_json
from watcher.masterdata.load import load_master
from watcher.record.store import Store
from watcher.reports.pdf import html_to_pdf
from watcher.sop.tree_sop import resolve_sop

REGION = "7304"
NOW = datetime(2026, 11, 2, 8, tzinfo=UTC)


def populate(centre: Centre, folder: Path, offices: int) -> None:
    tree = approved_office(folder / "kantor")
    sop, master = resolve_sop(tree), load_master(tree.master_path)
    centre.add_region(REGION, "Kabupaten Jeneponto", kind="kabupaten")
    ids = [f"7304.{n:04d}" for n in range(offices)]
    centre.execute(
        "INSERT INTO kinerja.offices (office_id, region_id, role_name, public_key) SELECT id, "
        "%s, 'bench_' || id, repeat('0', 64) FROM unnest(%s::text[]) AS id",
        (REGION, ids),
    )
    first = ids[0]
    with Store(tree.store_path) as store:
        push(tree, store, centre, first, sop=sop, master=master, now=lambda: NOW)
        chain = store.raw_events(limit=100_000)
    [(profile,)] = centre.execute("SELECT body FROM kinerja.profiles")
    submissions = centre.execute("SELECT file_hash, body FROM kinerja.submissions")
    rng = random.Random(17)
    for office_id in ids[1:]:
        centre.receive(office_id, chain)
        name = f"Dinas Nomor {office_id}"
        values = master_to_json(master)
        values["settings"]["office_name"] = name
        own = Document.of({**profile, "nama_kantor": name, "data_induk": values})
        centre.add_document(PROFILES, office_id, (own.content_hash,), own.body)
        centre.record_name(office_id, name)
        for file_hash, body in submissions:
            readings = {code: {**reading, "realisation": round(rng.uniform(20, 120), 1)}
                        for code, reading in body["bacaan"].items()}  # fmt: skip
            mine = Document.of({**body, "bacaan": readings})
            centre.add_document(SUBMISSIONS, office_id, (file_hash, mine.content_hash), mine.body)


def timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def naive_rules(record: OfficeRecord) -> Rules:
    """The office's rules with its master data read from its workbook, not from its values."""
    profile = {key: value for key, value in record.profile.items() if key != "data_induk"}
    return office_rules(dataclasses.replace(record, profile=profile))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=10)
    args = parser.parse_args()
    with running_cluster() as pg, tempfile.TemporaryDirectory() as folder:
        if pg is None:
            print("PostgreSQL tidak terpasang", file=sys.stderr)
            return 2
        database = pg.create_database()
        with Centre(pg.url(database)) as centre:
            centre.migrate()
            _, setup = timed(lambda: populate(centre, Path(folder), args.offices))
            print(f"{args.offices} kantor disiapkan dalam {setup:.1f} s")
            result, compute = timed(lambda: consolidate(centre, REGION, 2026, 3, now=lambda: NOW))
            _, book = timed(lambda: consolidation_workbook(result))
            html, render = timed(lambda: consolidation_html(result))
            _, pdf = timed(lambda: html_to_pdf(html))
            sample = read_region(centre, REGION, 2026)[1][: args.naive_sample]

            def naive_offices() -> None:
                for record in sample:
                    office_period(record, naive_rules(record), (2026, 3), lambda: NOW)

            _, naive = timed(naive_offices)
    per_office = naive / max(1, len(sample))
    total = compute + book
    print(result.summary())
    print(f"kinerja: hitung {compute:.2f} s, xlsx {book:.2f} s (jumlah {total:.2f} s; aim <= 10 s "
          f"untuk 1.000 kantor), HTML {render:.2f} s, PDF {pdf:.2f} s")  # fmt: skip
    print(
        f"per kantor: kinerja {1000 * compute / args.offices:.1f} ms, naif "
        f"{1000 * per_office:.1f} ms (data induk dibaca dari buku kerja; {len(sample)} kantor)"
    )
    print(
        f"naif untuk {args.offices} kantor (diskalakan): {per_office * args.offices:.1f} s; "
        f"rasio {per_office * args.offices / compute:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
