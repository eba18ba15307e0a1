"""A burst validated in a pool of processes gives each file exactly the verdict the worker thread
would: the same findings for good, bad and hostile workbooks and for random damage to one, and
no answer at all for other bytes, another expectation or another master."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile_files import CASES
from support.office import issued_office
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder

from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.record.archive import archived_path, sha256_bytes
from watcher.record.store import Outcome, Store
from watcher.service.prefetch import MIN_BURST, Prefetch
from watcher.service.tree import Tree
from watcher.sop.model import RuleSet
from watcher.sop.workflow import SUPERSEDED_FOLDER
from watcher.validation.feedback import feedback_name
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes

CODE = "DAFDUK"
EXPECT = Expectation(step=3, rules=RuleSet.MATERIAL, division=CODE,
                     open_periods=frozenset({(2026, 3)}))  # fmt: skip


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, MasterData, dict[str, bytes]]:
    tree, _ = issued_office(tmp_path_factory.mktemp("kantor"))
    issued = tree.folder(CODE, Folder.DISPOSITION) / f"Rencana_Aksi_{CODE}_2026_TW3.xlsx"
    work = tmp_path_factory.mktemp("isi")
    books = {
        "good": fill(issued, work / "good.xlsx").read_bytes(),
        "text": fill(issued, work / "text.xlsx", realisations=["sembilan puluh"]).read_bytes(),
        "percent": fill(issued, work / "pct.xlsx", realisations=["34%"]).read_bytes(),
    }
    return tree, load_master(tree.master_path), books


@pytest.fixture(scope="module")
def pool(office: tuple[Tree, MasterData, dict[str, bytes]]) -> Iterator[Prefetch]:
    """A pool whose processes are up (while they start, bursts are validated in the worker)."""
    _, master, books = office
    prefetch = Prefetch(workers=2)
    jobs = [(books["good"], EXPECT, f"{n}.xlsx") for n in range(MIN_BURST)]
    deadline = time.monotonic() + 120
    prefetch.submit(master, jobs)
    while not prefetch._pending:
        assert time.monotonic() < deadline, "the validation processes did not start"
        time.sleep(0.05)
        prefetch.submit(master, jobs)
    yield prefetch
    prefetch.close()


def test_the_worker_never_waits_for_the_processes_to_start(
    office: tuple[Tree, MasterData, dict[str, bytes]],
) -> None:
    _, master, books = office
    prefetch = Prefetch(workers=2)
    try:
        prefetch.submit(master, [(books["good"], EXPECT, f"{n}.xlsx") for n in range(MIN_BURST)])
        # the processes are starting in the background: nothing is handed to them yet, so
        # every file of this burst is validated by the worker thread at once
        digest = hashlib.sha256(books["good"]).hexdigest()
        assert prefetch.result(master, digest, EXPECT, "0.xlsx") is None
    finally:
        prefetch.close()


def verdicts(pool: Prefetch, master: MasterData, books: dict[str, bytes]) -> dict[str, object]:
    jobs = [(data, EXPECT, f"{name}.xlsx") for name, data in books.items()]
    pool.submit(master, jobs)
    found = {}
    for name, data in books.items():
        digest = hashlib.sha256(data).hexdigest()
        found[name] = pool.result(master, digest, EXPECT, f"{name}.xlsx")
    return found


def test_the_pool_gives_each_workbook_the_verdict_of_the_worker_thread(
    office: tuple[Tree, MasterData, dict[str, bytes]], pool: Prefetch
) -> None:
    _, master, books = office
    hostile = {name: make() for name, make in list(CASES.items())[::7]}
    every = {**books, **hostile}
    found = verdicts(pool, master, every)
    for name, data in every.items():
        assert found[name] == validate_bytes(data, master, EXPECT, name=f"{name}.xlsx"), name
    assert found["good"].valid and not found["text"].valid


def test_no_answer_for_other_bytes_expectation_name_or_master(
    office: tuple[Tree, MasterData, dict[str, bytes]], pool: Prefetch
) -> None:
    _, master, books = office
    hostile = [make() for make in list(CASES.values())[:MIN_BURST]]
    jobs = [(data, EXPECT, f"{name}.xlsx") for name, data in books.items()]
    jobs += [(data, EXPECT, "x.xlsx") for data in hostile]
    good = hashlib.sha256(books["good"]).hexdigest()
    other_step = Expectation(step=4, rules=RuleSet.REPORT, division=CODE,
                             open_periods=EXPECT.open_periods)  # fmt: skip
    asked = [
        (master, hashlib.sha256(b"other").hexdigest(), EXPECT, "good.xlsx"),
        (master, good, other_step, "good.xlsx"),
        (master, good, EXPECT, "lain.xlsx"),
        (load_master(office[0].master_path), good, EXPECT, "good.xlsx"),  # an equal copy
    ]
    for question in asked:
        pool.submit(master, jobs)
        assert pool.result(*question) is None, question[1:]
    pool.submit(master, jobs)
    assert pool.result(master, good, EXPECT, "good.xlsx") is not None
    assert pool.result(master, good, EXPECT, "good.xlsx") is None  # each answer given once


def test_a_small_burst_is_validated_in_the_worker_thread(
    office: tuple[Tree, MasterData, dict[str, bytes]],
) -> None:
    _, master, books = office
    prefetch = Prefetch(workers=2)
    few = list(books.items())[: MIN_BURST - 1]
    prefetch.submit(master, [(data, EXPECT, f"{name}.xlsx") for name, data in few])
    assert prefetch._pool is None  # no processes started for a few files
    name, data = few[0]
    assert prefetch.result(master, hashlib.sha256(data).hexdigest(), EXPECT, name) is None


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=st.lists(st.tuples(st.integers(0, 20_000), st.binary(min_size=1, max_size=8)),
                     min_size=1, max_size=3))  # fmt: skip
def test_damaged_workbooks_get_the_same_verdict_in_the_pool(
    office: tuple[Tree, MasterData, dict[str, bytes]], pool: Prefetch,
    cuts: list[tuple[int, bytes]],
) -> None:  # fmt: skip
    _, master, books = office
    damaged = {}
    for number, (at, junk) in enumerate(cuts):
        data = bytearray(books["good"])
        at %= len(data)
        data[at : at + len(junk)] = junk
        damaged[f"rusak{number}"] = bytes(data)
    damaged |= {"good": books["good"], "text": books["text"], "percent": books["percent"]}
    found = verdicts(pool, master, damaged)
    for name, data in damaged.items():
        assert found[name] == validate_bytes(data, master, EXPECT, name=f"{name}.xlsx"), name


def test_a_burst_into_the_service_is_routed_as_each_file_deserves(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    issued = tree.folder(CODE, Folder.DISPOSITION) / f"Rencana_Aksi_{CODE}_2026_TW3.xlsx"
    good = fill(issued, tmp_path / "good.xlsx")
    bad = fill(issued, tmp_path / "bad.xlsx", realisations=["sembilan puluh"])
    material, report = tree.folder(CODE, Folder.MATERIAL), tree.folder(CODE, Folder.REPORT)
    fix = tree.folder(CODE, Folder.MATERIAL_FIX)
    staging = tmp_path / "staging"
    staging.mkdir()
    names = []
    for number in range(3 * MIN_BURST):
        source = bad if number % 3 == 0 else good
        name = f"Bahan_{number:02d}.xlsx"
        # distinct bytes per file (a zip comment), as several clerks' saves would be
        data = source.read_bytes()
        tag = f"n{number}".encode()
        (staging / name).write_bytes(data[:-2] + len(tag).to_bytes(2, "little") + tag)
        names.append(name)
    shutil.copytree(staging, tmp_path / "staging-copies")
    with running_service(tree):
        for name in names:  # all at once: one folder's contents moved in
            shutil.move(staging / name, material / name)
        wait_for(lambda: not any((material / name).exists() for name in names), timeout=60,
                 what="the burst handled")  # fmt: skip
    with Store(tree.store_path) as store:
        routed = {e.from_path.rsplit("/", 1)[-1]: e for e in store.events()
                  if e.outcome in (Outcome.VALID, Outcome.INVALID)}  # fmt: skip
    assert sorted(routed) == names
    for number, name in enumerate(names):
        expected = Outcome.INVALID if number % 3 == 0 else Outcome.VALID
        assert routed[name].outcome is expected, name
    # one version of the document stays where it was routed last; the older ones are aside
    last = max(routed.values(), key=lambda event: event.id or 0)
    valid = [e for e in routed.values() if e.outcome is Outcome.VALID]
    latest_valid = max(valid, key=lambda event: event.id or 0).from_path.rsplit("/", 1)[-1]
    assert [p.name for p in report.iterdir() if p.suffix == ".xlsx"] == [latest_valid]
    left_to_fix = sorted(p.name for p in fix.iterdir())
    if last.outcome is Outcome.VALID:
        assert left_to_fix == []
    else:
        name = last.from_path.rsplit("/", 1)[-1]
        assert left_to_fix == sorted([name, feedback_name(name)])
    aside = tree.folder(CODE, SUPERSEDED_FOLDER)
    assert len(
        [p for p in aside.iterdir() if p.name.startswith("Bahan_") and " - " not in p.name]
    ) == len(names) - 1 - (last.outcome is Outcome.INVALID)
    # every original is in the archive under its hash, byte for byte (archived ahead by threads)
    for name in names:
        data = (staging.parent / "staging-copies" / name).read_bytes()
        assert archived_path(tree.archive_files, sha256_bytes(data), ".xlsx").read_bytes() == data
