"""Crash safety: kill -9 the real service during a burst, restart it, and account for every file.

Each round is seeded with its number (`random.Random(seed)`; replay one with
`pytest tests/service/test_crash.py -k "seed-7]"`). It starts `python -m watcher watch` as a
subprocess, saves a burst of files into the step folders the way clerks' programs save (temp file,
then a rename into place), kills the service with SIGKILL at a random moment (sometimes a second
time while it resumes), saves the rest of the burst while it is down and after it is back, lets the
last one finish and stops it with SIGTERM. Then every file saved must be in exactly one expected
place with its notices, its original bytes in the archive, exactly one routing event for its hash
from where it was saved, and the log's hash chain intact.

The crash points themselves are also tested without a kill: a patched step raises `Crash` right
after archiving, after recording, after the notices, or after the move, and a fresh pipeline
(the restarted service) must handle the file exactly once.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import ModuleType

import pytest
from support.office import issued_office
from support.service_run import fill
from support.sop010 import Folder

import watcher.service.versions
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.record.archive import archived_path
from watcher.record.store import Event, Outcome, Store
from watcher.service.console import HANDLED_WORDS
from watcher.service.notices import is_service_notice
from watcher.service.pipeline import Handled, Pipeline
from watcher.service.tree import Tree
from watcher.sop.model import RuleSet
from watcher.sop.workflow import SUPERSEDED_FOLDER
from watcher.validation.feedback import feedback_name, refusal_names
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 12
ROUND_TIMEOUT = 30.0  # seconds for one whole round: starts, burst, kills, finish, stop
# One round's burst: mostly good material, some bad, a few reports and refused files.
BURST_MIX = {"material": 42, "bad_material": 10, "report": 5, "refused": 3}
SECOND_KILL_CHANCE = 0.4
MAX_JITTER = 0.06  # s; a file with feedback takes about 45 ms to handle, a valid one about 6
ROUTING = frozenset({Outcome.VALID, Outcome.INVALID, Outcome.REFUSED})
NEVER = frozenset({Outcome.DUPLICATE, Outcome.MISSING, Outcome.ERROR})  # none is explainable here
REPORT_TEXT = {"kendala": "Server SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}
CLOCK = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)


class Kind(StrEnum):
    MATERIAL = "material"  # valid step-3 material
    BAD_MATERIAL = "bad_material"  # step-3 material with a word where a number belongs
    REPORT = "report"  # valid step-4 report saved by the Kasubag
    REFUSED = "refused"  # not a workbook at all (PDF, CSV)


@dataclass(frozen=True)
class Route:
    """Where a file of one kind is saved, where it must end up, and what is written beside it."""

    saved_in: Folder
    lands_in: Folder
    outcome: Outcome
    notices: Callable[[str], tuple[str, ...]]


ROUTES = {
    Kind.MATERIAL: Route(Folder.MATERIAL, Folder.REPORT, Outcome.VALID, lambda _: ()),
    Kind.BAD_MATERIAL: Route(
        Folder.MATERIAL, Folder.MATERIAL_FIX, Outcome.INVALID, lambda n: (feedback_name(n),)
    ),
    Kind.REPORT: Route(Folder.REPORT, Folder.REVIEW, Outcome.VALID, lambda _: ()),
    Kind.REFUSED: Route(Folder.MATERIAL, Folder.MATERIAL_FIX, Outcome.REFUSED, refusal_names),
}


@dataclass(frozen=True)
class Saved:
    """One file a clerk saved: what, where, and the exact bytes."""

    kind: Kind
    path: Path
    data: bytes

    @cached_property
    def sha(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def route(self) -> Route:
        return ROUTES[self.kind]


class Crash(BaseException):
    """Stands in for kill -9 at a crash point (BaseException: nothing may catch it)."""


# -- what the clerks save -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, Kind], bytes]:
    """Filled workbooks per division and kind, checked once to be what their kind says."""
    tree, _ = issued_office(tmp_path_factory.mktemp("contoh"))
    master = load_master(tree.master_path)
    work = tmp_path_factory.mktemp("filled")
    found: dict[tuple[str, Kind], bytes] = {}
    for division in master.divisions:
        code = division.code
        issued = tree.folder(code, Folder.DISPOSITION) / f"Rencana_Aksi_{code}_2026_TW3.xlsx"
        found[code, Kind.MATERIAL] = fill(issued, work / f"{code}-m.xlsx").read_bytes()
        bad = fill(issued, work / f"{code}-b.xlsx", realisations=["sembilan puluh"])
        found[code, Kind.BAD_MATERIAL] = bad.read_bytes()
        found[code, Kind.REPORT] = fill(issued, work / f"{code}-r.xlsx", **REPORT_TEXT).read_bytes()
        for kind in (Kind.MATERIAL, Kind.BAD_MATERIAL, Kind.REPORT):
            step = 4 if kind is Kind.REPORT else 3
            rules = RuleSet.MATERIAL if step == 3 else RuleSet.REPORT
            expect = Expectation(
                step=step, rules=rules, division=code, open_periods=frozenset({(2026, 3)})
            )
            result = validate_bytes(found[code, kind], master, expect, name="x.xlsx")
            assert result.valid == (kind is not Kind.BAD_MATERIAL), (code, kind, result.findings)
    return found


def distinct(data: bytes, tag: str) -> bytes:
    """The same content with bytes of its own, so every file of a burst has its own hash,
    archive copy and event trail: text gets a line, a workbook a zip comment (the zip's end
    record, its last 22 bytes while it has no comment, says how long the comment is)."""
    if not data.startswith(b"PK"):
        return data + f"\n{tag}\n".encode()
    assert data[-22:-18] == b"PK\x05\x06", "a zip without a comment ends with its end record"
    return data[:-2] + len(tag).to_bytes(2, "little") + tag.encode()


REFUSED_FILES = (  # (suffix, bytes): a scanned PDF and a CSV export, both refused at the door
    (".pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"),
    (".csv", b"Kode;Realisasi\nDAF-01;99,1\n"),
)
PREFIX = {Kind.MATERIAL: "Bahan", Kind.BAD_MATERIAL: "Bahan", Kind.REPORT: "Laporan",
          Kind.REFUSED: "Lampiran"}  # fmt: skip


def plan_burst(tree: Tree, samples: dict[tuple[str, Kind], bytes], rng: random.Random,
               tag: str, mix: dict[str, int] = BURST_MIX) -> list[Saved]:  # fmt: skip
    """A shuffled burst with a distinct name and distinct bytes per file, over all divisions."""
    codes = sorted({code for code, _ in samples})
    kinds = [Kind(kind) for kind, count in mix.items() for _ in range(count)]
    rng.shuffle(kinds)
    burst = []
    for number, kind in enumerate(kinds):
        code = rng.choice(codes)
        if kind is Kind.REFUSED:
            suffix, data = rng.choice(REFUSED_FILES)
        else:
            suffix, data = ".xlsx", samples[code, kind]
        name = f"{PREFIX[kind]}_{code}_{tag}_{number:03d}{suffix}"
        path = tree.folder(code, ROUTES[kind].saved_in) / name
        burst.append(Saved(kind, path, distinct(data, f"{tag}-{number}")))
    return burst


def save_like_a_clerk(saved: Saved) -> None:
    """Write a temp file under a name the service ignores, then rename it into place."""
    temp = saved.path.with_name(f"~tmp{saved.path.name}.partial")
    temp.write_bytes(saved.data)
    temp.replace(saved.path)


def handled_count(burst: list[Saved]) -> int:
    return sum(not saved.path.exists() for saved in burst)


# -- the service as a subprocess ----------------------------------------------------------------


class ServiceProcess:
    """`python -m watcher watch --root ROOT` in its own process group; output kept in files."""

    def __init__(self, tree: Tree, logs: Path) -> None:
        self.out, self.err = logs.with_suffix(".out"), logs.with_suffix(".err")
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "watcher", "watch", "--root", str(tree.root)],
                stdout=out, stderr=err, cwd=REPO, start_new_session=True,
            )  # fmt: skip

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, deadline: float) -> None:
        """Until its "Mengawasi ..." line is printed (the startup scan follows right after)."""
        wait_until(lambda: "Mengawasi" in self.out.read_text() or not self.running, deadline,
                   "the service's 'Mengawasi' line")  # fmt: skip
        assert self.running, f"service exited with {self.process.returncode}: {self.stderr()}"

    def kill(self) -> None:
        """kill -9 the whole process group, and reap it (its lock is released by the OS)."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, deadline: float) -> int:
        """SIGTERM, as an administrator stops the service; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))

    def stderr(self, tail: int = 3000) -> str:
        return self.err.read_text(errors="replace")[-tail:]


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[[Tree], ServiceProcess]]:
    """Start services; whatever still runs when the test ends is killed (only ours, by pid)."""
    started: list[ServiceProcess] = []

    def start(tree: Tree) -> ServiceProcess:
        service = ServiceProcess(tree, tmp_path / f"service-{len(started) + 1}")
        started.append(service)
        return service

    yield start
    for service in started:
        service.kill()


def wait_until(condition: Callable[[], object], deadline: float, what: str | Callable[[], str],
               *, interval: float = 0.02) -> None:  # fmt: skip
    """Poll `condition` until true; fail when the round's deadline passes (`what` is told)."""
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"round timed out waiting for {what if isinstance(what, str) else what()}"
            )
        time.sleep(interval)


def unacknowledged(service: ServiceProcess, tree: Tree) -> list[str]:
    """Files in the watched destinations (4_laporan, 5_pemeriksaan) that the service has not
    yet logged as parked (its console line "... <path from the root>: menunggu orangnya")."""
    log = service.stderr(tail=10_000_000)
    waiting = []
    for division in tree.inbox.iterdir():
        for folder in (Folder.REPORT, Folder.REVIEW):
            for path in (division / folder.value).glob("*.*"):
                relative = path.relative_to(tree.root).as_posix()
                if path.is_file() and f" {relative}: {HANDLED_WORDS[Handled.PARKED]}" not in log:
                    waiting.append(relative)
    return waiting


def kill_when(service: ServiceProcess, condition: Callable[[], bool], deadline: float,
              what: str, *, then: float = 0.0) -> None:  # fmt: skip
    """kill -9 `then` seconds after `condition` first holds (polled every millisecond).

    The condition is a file count, true right after a move; the delay (up to about one file's
    handling time) spreads the kill over archive, validation, record, notices and move.
    """
    wait_until(lambda: condition() or not service.running, deadline, what, interval=0.001)
    moment = time.monotonic() + then
    wait_until(lambda: time.monotonic() >= moment or not service.running, deadline, what,
               interval=0.001)  # fmt: skip
    assert service.running, f"service died on its own: {service.stderr()}"
    service.kill()


# -- the kill -9 rounds -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(ROUNDS), ids=lambda seed: f"seed-{seed}")
def test_kill_9_during_a_burst_loses_nothing(
    seed: int, tmp_path: Path, samples: dict[tuple[str, Kind], bytes],
    launch: Callable[[Tree], ServiceProcess],
) -> None:  # fmt: skip
    print(f"kill -9 round, seed {seed} (random.Random({seed}))")
    rng = random.Random(seed)
    deadline = time.monotonic() + ROUND_TIMEOUT
    tree, _ = issued_office(tmp_path / "kantor")
    burst = plan_burst(tree, samples, rng, tag=f"r{seed}")
    before_kill = rng.randint(1, len(burst))  # saved before the first kill ...
    handled_at_kill = rng.randint(0, before_kill)  # ... of which this many handled (0: at once)
    while_down = rng.randint(before_kill, len(burst))  # saved while down; the rest after restart
    jitter = rng.uniform(0.0, MAX_JITTER)
    plan = (f"seed {seed}: kill {jitter * 1000:.0f} ms after {handled_at_kill} of the first "
            f"{before_kill} saved were handled")  # fmt: skip

    first = launch(tree)
    first.wait_ready(deadline)
    for saved in burst[:before_kill]:
        save_like_a_clerk(saved)
    kill_when(first, lambda: handled_count(burst[:before_kill]) >= handled_at_kill, deadline,
              f"{handled_at_kill} files handled before the kill ({plan})", then=jitter)  # fmt: skip
    for saved in burst[before_kill:while_down]:
        save_like_a_clerk(saved)

    service = launch(tree)
    service.wait_ready(deadline)
    restarted = time.monotonic()
    for saved in burst[while_down:]:
        save_like_a_clerk(saved)
    if rng.random() < SECOND_KILL_CHANCE:  # kill it again while it resumes
        if rng.random() < 0.5:
            delay = rng.uniform(0.0, 0.8)
            moment = restarted + delay
            plan += f"; second kill {delay:.3f} s after restart"
            kill_when(service, lambda: time.monotonic() >= moment, deadline, plan)
        else:
            target = rng.randint(handled_count(burst), len(burst))
            jitter = rng.uniform(0.0, MAX_JITTER)
            plan += f"; second kill {jitter * 1000:.0f} ms after {target} handled"
            kill_when(service, lambda: handled_count(burst) >= target, deadline, plan, then=jitter)
        service = launch(tree)
        service.wait_ready(deadline)
    print(plan)

    # Finished when nothing is left where the clerks saved it, and the last service has looked
    # at every file it finds in a watched folder and left it there as parked (had it taken a
    # parked file for a new one, it would move it on after we stopped looking).
    wait_until(lambda: handled_count(burst) == len(burst), deadline,
               lambda: f"every file handled ({plan}); left: "
                       f"{[s.path.name for s in burst if s.path.exists()]}")  # fmt: skip
    wait_until(
        lambda: not unacknowledged(service, tree),
        deadline,
        lambda: f"parked files seen ({plan}): {unacknowledged(service, tree)}",
    )
    assert service.stop(deadline) == 0, service.stderr()
    assert_accounted_for(tree, burst, plan, stops=1)


# -- each crash point, deterministically --------------------------------------------------------


def crash_after(name: str) -> Callable[..., object]:
    """The service's own step `name` ("module.function"), followed by a crash."""
    step = getattr(*located(name))

    def crashing(*args: object, **kwargs: object) -> object:
        step(*args, **kwargs)
        raise Crash(f"after {name}")

    return crashing


def crash_before(name: str) -> Callable[..., object]:
    def crashing(*args: object, **kwargs: object) -> object:
        raise Crash(f"before {name}")

    return crashing


# (id, step patched, crash, events already recorded, what the rerun returns)
CRASH_POINTS = [
    pytest.param("archive_ahead.archive_bytes", crash_after, 0, Handled.ROUTED, id="after-archive"),
    pytest.param("pipeline.write_planned", crash_before, 1, Handled.RESUMED, id="after-record"),
    pytest.param(
        "pipeline.move_no_overwrite", crash_before, 1, Handled.RESUMED, id="after-notices"
    ),
    pytest.param("pipeline.move_no_overwrite", crash_after, 1, None, id="after-move"),
]


def located(name: str) -> tuple[ModuleType, str]:
    """("module.function" below watcher.service) -> (the module, the function's name)."""
    module, function = name.split(".")
    return importlib.import_module(f"watcher.service.{module}"), function


@pytest.mark.parametrize("kind", [Kind.MATERIAL, Kind.BAD_MATERIAL, Kind.REFUSED, Kind.REPORT])
@pytest.mark.parametrize(("step", "crash", "recorded", "rerun"), CRASH_POINTS)
def test_a_crash_point_is_handled_exactly_once_on_rerun(
    step: str, crash: Callable[[str], Callable[..., object]], recorded: int,
    rerun: Handled | None, kind: Kind, tmp_path: Path, samples: dict[tuple[str, Kind], bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    tree, _ = issued_office(tmp_path / "kantor")
    master = load_master(tree.master_path)
    [saved] = plan_burst(tree, samples, random.Random(0), tag="c", mix={kind.value: 1})
    save_like_a_clerk(saved)

    with monkeypatch.context() as patch, Store(tree.store_path) as store:
        patch.setattr(*located(step), crash(step))
        with pytest.raises(Crash):
            pipeline(tree, store, master).handle(saved.path)
        trail = routing_events(store, saved.sha)
    assert len(trail) == recorded
    assert saved.path.exists() == (rerun is not None), "the crash left the file in place"

    with Store(tree.store_path) as store:  # the restarted service: a fresh pipeline and store
        if rerun is not None:
            assert pipeline(tree, store, master).handle(saved.path) is rerun
        [event] = routing_events(store, saved.sha)
        arrived = tree.root / event.to_path
        again = pipeline(tree, store, master).handle(arrived)  # the move's own event, or a rescan
        # every folder a file lands in is watched (a fix folder takes corrections too)
        assert again is Handled.PARKED
    assert_accounted_for(tree, [saved], f"crash point {step} ({crash.__name__})", stops=0)


def crash_at_call(step: Callable[..., object], number: int) -> Callable[..., object]:
    """`step` as usual, except that its call `number` (from 1) crashes before it does anything."""
    calls = [0]

    def crashing(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == number:
            raise Crash(f"call {number} of {step.__name__}")
        return step(*args, **kwargs)

    return crashing


# Moving an older version aside: its feedback goes first (call 1), the copy itself next (call 2),
# then its notice is written; a crash at each leaves the log ahead of the folders.
SUPERSEDE_CRASHES = [
    pytest.param("move_no_overwrite", 1, id="before-its-feedback-moves"),
    pytest.param("move_no_overwrite", 2, id="before-the-copy-moves"),
    pytest.param("write_plain_notice", 1, id="before-its-notice"),
]


@pytest.mark.parametrize(("step", "number"), SUPERSEDE_CRASHES)
def test_a_crash_while_an_older_version_moves_aside_is_finished_on_rerun(
    step: str, number: int, tmp_path: Path, samples: dict[tuple[str, Kind], bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Two corrections of one document in a row: the second replaces the first in the fix
    folder. A crash while the first moves to versi_lama must not leave it (or its feedback)
    beside the second once the restarted service has looked at the folders."""
    tree, older, newer = crash_while_superseding(tmp_path, samples, monkeypatch, step, number)
    rescan(tree)
    assert_accounted_for(tree, [older, newer], f"crash {step} call {number}", stops=0)
    aside = tree.folder(older.path.parent.parent.name, SUPERSEDED_FOLDER)
    assert sorted(path.name for path in aside.iterdir()) == sorted(
        [older.path.name, feedback_name(older.path.name), f"{older.path.stem} - DIGANTI.txt"]
    )


def test_a_version_saved_under_the_same_name_takes_it_after_a_crash_before_either_moved(
    tmp_path: Path, samples: dict[tuple[str, Kind], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The older copy and the newer one are recorded together, then moved: a crash before the
    older one moves leaves it on the name the newer one was recorded for. The restarted service
    looks at the newer one first (3_bahan sorts before its fix folder): the older one leaves
    first and the newer one takes the name, routed once."""
    tree, older, newer = crash_while_superseding(
        tmp_path, samples, monkeypatch, "move_no_overwrite", 2, same_name=True
    )
    code = older.path.parent.parent.name
    fix = tree.folder(code, Folder.MATERIAL_FIX)
    assert (fix / older.path.name).read_bytes() == older.data  # still there: not moved yet
    rescan(tree)
    assert_accounted_for(tree, [older, newer], "crash before the older copy moved", stops=0)
    assert (fix / newer.path.name).read_bytes() == newer.data
    aside = tree.folder(code, SUPERSEDED_FOLDER)
    assert (aside / older.path.name).read_bytes() == older.data


def test_a_name_taken_in_versi_lama_meanwhile_gets_the_older_version_a_free_one(
    tmp_path: Path, samples: dict[tuple[str, Kind], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, older, newer = crash_while_superseding(tmp_path, samples, monkeypatch,
                                                 "move_no_overwrite", 2)  # fmt: skip
    aside = tree.folder(older.path.parent.parent.name, SUPERSEDED_FOLDER)
    person = aside / older.path.name  # someone put their own copy there while it was down
    person.write_bytes(b"milik orang")
    rescan(tree)
    assert person.read_bytes() == b"milik orang"
    moved = aside / f"{older.path.stem} (2){older.path.suffix}"
    assert moved.read_bytes() == older.data
    with Store(tree.store_path) as store:
        [*_, last] = [e for e in store.events(file_hash=older.sha)
                      if e.outcome is Outcome.SUPERSEDED]  # fmt: skip
    assert last.to_path == moved.relative_to(tree.root).as_posix()
    fix = tree.folder(older.path.parent.parent.name, Folder.MATERIAL_FIX)
    assert sorted(path.name for path in fix.iterdir()) == sorted(
        [newer.path.name, feedback_name(newer.path.name)]
    )


def crash_while_superseding(
    tmp_path: Path, samples: dict[tuple[str, Kind], bytes], monkeypatch: pytest.MonkeyPatch,
    step: str, number: int, *, same_name: bool = False,
) -> tuple[Tree, Saved, Saved]:  # fmt: skip
    """A bad material handled; a second one of the same document (under the first one's name,
    or its own) crashes the handling at call `number` of `step` while the first moves aside."""
    tree, _ = issued_office(tmp_path / "kantor")
    master = load_master(tree.master_path)
    [older] = plan_burst(tree, samples, random.Random(0), tag="v", mix={"bad_material": 1})
    code = older.path.parent.parent.name
    name = older.path.name if same_name else f"Bahan_{code}_perbaikan.xlsx"
    newer = Saved(older.kind, older.path.with_name(name),
                  distinct(samples[code, older.kind], "v-2"))  # fmt: skip
    save_like_a_clerk(older)
    with Store(tree.store_path) as store:
        assert pipeline(tree, store, master).handle(older.path) is Handled.ROUTED
    save_like_a_clerk(newer)
    with monkeypatch.context() as patch, Store(tree.store_path) as store:
        original = getattr(watcher.service.versions, step)
        patch.setattr(watcher.service.versions, step, crash_at_call(original, number))
        with pytest.raises(Crash):
            pipeline(tree, store, master).handle(newer.path)
    return tree, older, newer


def rescan(tree: Tree) -> None:
    """What the restarted service does: look at every file it finds, twice."""
    master = load_master(tree.master_path)
    with Store(tree.store_path) as store:
        for _ in range(2):
            for path in sorted(files_in_step_folders(tree)):
                if path.exists():
                    pipeline(tree, store, master).handle(path)


def pipeline(tree: Tree, store: Store, master: MasterData) -> Pipeline:
    return Pipeline(tree, store, lambda: master, lambda: CLOCK)


def routing_events(store: Store, sha: str) -> list[Event]:
    return [event for event in store.events(file_hash=sha) if event.outcome in ROUTING]


# -- accounting for every file ------------------------------------------------------------------


def assert_accounted_for(tree: Tree, burst: list[Saved], plan: str, *, stops: int) -> None:
    """Every file in exactly one expected place with its notices, archived, one routing event;
    nothing else in the step folders; the log's chain intact. All problems are listed at once."""
    tree = Tree(tree.root.resolve())
    root = tree.root
    found = files_in_step_folders(tree)
    with Store(tree.store_path) as store:
        events = store.events()
        broken_at = store.verify_chain()
    problems = [f"hash chain broken at event {broken_at}"] if broken_at is not None else []
    problems += [f"event {e.id}: {e.outcome} {e.from_path} {e.message}"
                 for e in events if e.outcome in NEVER]  # fmt: skip
    stopped = [e.id for e in events if e.outcome is Outcome.STOPPED]
    if len(stopped) != stops or (stops and stopped[-1] != events[-1].id):
        problems.append(f"expected {stops} clean stop(s) at the end of the log, got {stopped}")
    routed = [e for e in events if e.outcome in ROUTING]
    if len(routed) != len(burst):
        problems.append(f"{len(routed)} routing events for {len(burst)} files")
    superseded = {(e.file_hash, e.to_path) for e in events if e.outcome is Outcome.SUPERSEDED}
    for saved in burst:
        problems += account_for(saved, tree, root, found, routed, superseded)
    problems += [
        f"unexpected file {path.relative_to(root)}"
        for path in found
        if not (path.parent.name == SUPERSEDED_FOLDER and _a_notice(path, events))
    ]
    assert not problems, f"{plan}:\n  " + "\n  ".join(problems)


def _a_notice(path: Path, events: list[Event]) -> bool:
    """A notice in versi_lama: the service's text notice, or a feedback workbook it logged."""
    if is_service_notice(path.name):
        return True
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return any(e.outcome is Outcome.NOTICE and e.file_hash == digest for e in events)


Placed = set[tuple[str | None, str | None]]  # (file_hash, to_path)


def account_for(saved: Saved, tree: Tree, root: Path, found: dict[Path, str],
                routed: list[Event], superseded: Placed) -> list[str]:  # fmt: skip
    """Problems with one saved file; its place and notices are removed from `found`. A copy a
    newer version of its document replaced is in versi_lama, as its SUPERSEDED event says."""
    name, route = saved.path.name, saved.route
    places = [path for path, sha in found.items() if sha == saved.sha]
    if len(places) != 1:
        return [f"{name} ({saved.kind}) is in {len(places)} places: {places}"]
    [place] = places
    del found[place]
    if place.parent.name == SUPERSEDED_FOLDER:
        trail = [event for event in routed if event.file_hash == saved.sha]
        if (saved.sha, place.relative_to(root).as_posix()) not in superseded or len(trail) != 1:
            return [f"{name} in versi_lama without its SUPERSEDED event or with {trail}"]
        return []
    problems = []
    code = saved.path.resolve().relative_to(tree.inbox).parts[0]
    stem, suffix = saved.path.stem, saved.path.suffix
    versions = {place.parent / name} | {place.parent / f"{stem} ({n}){suffix}" for n in range(2, 9)}
    if place.parent != tree.folder(code, route.lands_in) or place not in versions:
        problems.append(f"{name} ({saved.kind}) ended up at {place.relative_to(root)}")
    for notice in route.notices(place.name):
        if found.pop(place.parent / notice, None) is None:
            problems.append(f"{name}: notice {notice} missing")
    copy = archived_path(tree.archive_files, saved.sha, saved.path.suffix.lower())
    if not copy.is_file() or copy.read_bytes() != saved.data:
        problems.append(f"{name}: original bytes not in the archive at {copy}")
    trail = [event for event in routed if event.file_hash == saved.sha]
    expected = (route.outcome, saved.path.resolve().relative_to(root).as_posix(),
                place.relative_to(root).as_posix())  # fmt: skip
    if [(e.outcome, e.from_path, e.to_path) for e in trail] != [expected]:
        problems.append(f"{name}: routing events {[(e.outcome, e.to_path) for e in trail]}, "
                        f"expected one {expected}")  # fmt: skip
    return problems


def files_in_step_folders(tree: Tree) -> dict[Path, str]:
    """{path: sha256} of every file in the folders files travel through (not 1_disposisi).

    A kill while a notice is being written leaves its hidden temp file (`.kinerja-*.tmp`,
    ignored by the service); the rerun writes the notice again, so the temp is not counted.
    """
    found = {}
    codes = sorted(path.name for path in tree.inbox.iterdir() if path.is_dir())
    for code in codes:
        for folder in [*Folder, SUPERSEDED_FOLDER]:
            if folder is Folder.DISPOSITION or not tree.folder(code, folder).is_dir():
                continue
            for path in tree.folder(code, folder).iterdir():
                hidden_temp = path.name.startswith(".kinerja-") and path.suffix == ".tmp"
                if path.is_file() and not hidden_temp:
                    found[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
