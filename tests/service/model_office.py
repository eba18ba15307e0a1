"""The office of the model-based test: its workbooks, the real service as a process, and a
look at the tree that says when the service is idle and where every file rests.

Nothing here decides what is right; `test_model_service.py` holds the model and its invariants.
This module only builds what people save, runs `python -m watcher watch` and observes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from support.hostile_files import CASES
from support.office import issued_office
from support.service_run import fill
from support.sop010 import Folder
from test_crash import ServiceProcess as StartedService
from test_crash import distinct

from watcher.masterdata.load import load_master
from watcher.record.store import Event, Store, utc_now
from watcher.service.health import health_path, judge
from watcher.service.notices import is_service_notice
from watcher.service.stability import is_ignored
from watcher.service.tree import Tree
from watcher.service.versions import FEEDBACK_MARK
from watcher.sop.model import RuleSet
from watcher.sop.workflow import SUPERSEDED_FOLDER
from watcher.validation.rules import Expectation
from watcher.validation.validate import validate_bytes
from watcher.workbook.layout import rencana_aksi_layout

REPO = Path(__file__).resolve().parents[2]
CODES = ("DAFDUK", "CAPIL")  # two divisions in play: never all five approved (no step-6 build)
# Fast but honest timings: a rescan every second is the net under a lost event. The deadline
# sweep is pushed out of the way (its notices go to the division folder, not a step folder).
SERVICE_TOML = "[layanan]\npindai_ulang = 1\nsapu_peringatan = 600\n"
# Fix folders are watched too: a clerk's correction saved there is resubmitted.
WATCHED = (Folder.MATERIAL, Folder.REPORT, Folder.REVIEW, Folder.APPROVED, Folder.RETURNED,
           Folder.MATERIAL_FIX, Folder.REPORT_FIX)  # fmt: skip
# Where a copy a newer version replaced (or a stale copy a checker moved) rests: not watched.
OLD = SUPERSEDED_FOLDER
STEP_FOLDERS = (*WATCHED, OLD)
START_TIMEOUT = 20.0
IDLE_TIMEOUT = 12.0  # a healthy service handles a step's few files in well under a second
SHORT_QUIET = 0.15  # the tree and the log unchanged this long, once every file is acknowledged
# A link, FIFO or folder leaves no trace in the log when ignored: wait past the service's quiet
# period (0.5 s) and one full rescan (1 s) with nothing changing.
LONG_QUIET = 2.2
REPORT_TEXT = {"kendala": "Server SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}


# --- what people save ----------------------------------------------------------------------


class Material:
    """The Analis Data's material variants; `valid` and `complete` say how the service must
    route it at step 3 and, unedited, at step 4 (checked once by `check_samples`)."""

    HALF = "half"  # every realisation 50: valid material, capaian < 100 (needs kendala at step 4)
    ON_TARGET = "on_target"  # realisation = quarterly target: capaian 100, valid at step 4 as is
    TEXT = "text"  # a word where a number belongs: invalid
    EMPTY = "empty"  # no realisation at all: invalid

    ALL = (HALF, ON_TARGET, TEXT, EMPTY)
    VALID = frozenset({HALF, ON_TARGET})
    COMPLETE = frozenset({ON_TARGET})  # valid at step 4 without a Kasubag's kendala


def issued_workbook(tree: Tree, code: str) -> Path:
    return tree.folder(code, Folder.DISPOSITION) / f"Rencana_Aksi_{code}_2026_TW3.xlsx"


def _targets(source: Path) -> list[object]:
    layout = rencana_aksi_layout()
    sheet = load_workbook(source)[layout.main_sheet]
    first, letter = layout.rows["first_data"], layout.column("target").letter
    rows = [row for row in range(first, first + 200) if sheet[f"B{row}"].value]
    return [sheet[f"{letter}{row}"].value for row in rows]


@functools.cache
def material_bytes(template: Path, code: str, variant: str) -> bytes:
    """The division's issued workbook filled as `variant` (cached: built once per session)."""
    tree = Tree(template)
    source = issued_workbook(tree, code)
    count = len(_targets(source))
    values: list[object] = {
        Material.HALF: [50] * count,
        Material.ON_TARGET: _targets(source),
        Material.TEXT: ["sembilan puluh", *[50] * (count - 1)],
        Material.EMPTY: [None] * count,
    }[variant]
    work = template.parent / "isian" / f"{code}-{variant}.xlsx"
    return fill(source, work, realisations=values).read_bytes()


def edited(data: bytes, *, kendala: str = "", follow_up: str = "", note: str = "") -> bytes:
    """The workbook `data` opened in Excel, edited (kendala, tindak lanjut on every indicator
    row, the Kabid's note) and saved."""
    layout = rencana_aksi_layout()
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[layout.main_sheet]
    first = layout.rows["first_data"]
    rows = [row for row in range(first, first + 200) if sheet[f"B{row}"].value]
    for row in rows:
        if kendala:
            sheet[f"{layout.column('kendala').letter}{row}"] = kendala
        if follow_up:
            sheet[f"{layout.column('follow_up').letter}{row}"] = follow_up
    if note:
        sheet[f"{layout.note_column}{layout.note_row(len(rows))}"] = note
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tagged(data: bytes, tag: str) -> bytes:
    """`data` with bytes of its own (a zip comment or a text line): each save has its own hash."""
    return distinct(data, tag)


# Junk and hostile regular files the Analis Data (or an attacker) saves into 3_bahan.
JUNK = {
    "random_bytes": (".xlsx", CASES["random_bytes"]),
    "zip_bomb": (".xlsx", CASES["zip_bomb"]),
    "legacy_xls": (".xls", CASES["legacy_xls"]),
    "pdf": (".pdf", CASES["pdf"]),
}


def check_samples(template: Path) -> None:
    """The variants are what the model says they are, by the service's own validation."""
    master = load_master(Tree(template).master_path)
    for code in CODES:

        def valid(data: bytes, step: int, code: str = code) -> bool:
            rules = RuleSet.MATERIAL if step == 3 else RuleSet.REPORT
            expect = Expectation(
                step=step, rules=rules, division=code, open_periods=frozenset({(2026, 3)})
            )
            return validate_bytes(data, master, expect, name="x.xlsx").valid

        for variant in Material.ALL:
            data = material_bytes(template, code, variant)
            assert valid(data, 3) == (variant in Material.VALID), (code, variant)
            if variant in Material.VALID:
                assert valid(data, 4) == (variant in Material.COMPLETE), (code, variant)
                assert valid(edited(data, **REPORT_TEXT), 4), (code, variant)
                partial = edited(data, kendala=REPORT_TEXT["kendala"])
                assert valid(partial, 4) == (variant in Material.COMPLETE), (code, variant)


def save_atomically(path: Path, data: bytes) -> None:
    """Save as Excel and copy tools do: a temp file the service ignores, renamed into place."""
    temp = path.with_name(f"~tmp{path.name[:40]}.partial")
    temp.write_bytes(data)
    temp.replace(path)


# --- the office's tree -----------------------------------------------------------------------


@functools.cache
def template_office(base: Path) -> Path:
    """`kinerja init` + `kinerja issue` once per session; every run copies it (fast)."""
    root = base / "kantor"
    issued_office(root)
    (root / "kinerja.toml").write_text(SERVICE_TOML, encoding="utf-8")
    check_samples(root)
    return root


def fresh_office(template: Path, target: Path) -> Tree:
    shutil.copytree(template, target, symlinks=True)
    return Tree(target.resolve())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One directory entry in a step folder, as `lstat` sees it (links are not followed)."""

    path: Path
    kind: str  # "file", "symlink", "fifo", "dir", "other"
    signature: tuple[int, int, int]  # inode, size, mtime_ns
    sha: str | None = None  # regular files only
    own_feedback: bool = False  # a feedback workbook the service wrote (its hash logged)

    @property
    def is_notice(self) -> bool:
        """The service's own notice: a text notice by its name, a feedback workbook by its
        logged hash (a clerk's corrected feedback copy is a submission, not a notice)."""
        return is_service_notice(self.path.name) or self.own_feedback


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISDIR(mode):
        return "dir"
    return "other"


def lstat_kind(path: Path) -> str:
    """The kind of entry at `path`, the link itself if it is one; FileNotFoundError if none."""
    return _kind(path.lstat().st_mode)


def step_entries(tree: Tree, notices: frozenset[str] = frozenset()) -> dict[Path, Entry]:
    """Every entry directly in a division's step folders (not 1_disposisi), links unfollowed.

    The service's own hidden temp files (`.kinerja-*.tmp`) and our `~tmp...partial` are
    skipped: they are ignored by name and never a resting place. `notices`: the hashes of the
    feedback workbooks the service logged (Outcome.NOTICE).
    """
    found: dict[Path, Entry] = {}
    for code in CODES:
        for folder in STEP_FOLDERS:
            directory = tree.folder(code, folder)
            try:
                names = os.listdir(directory)
            except FileNotFoundError:
                continue
            for name in names:
                path = directory / name
                if is_ignored(path):
                    continue
                try:
                    info = path.lstat()
                    kind = _kind(info.st_mode)
                    digest = sha256(path.read_bytes()) if kind == "file" else None
                except FileNotFoundError:
                    continue  # moved while we looked: the next look sees it settled
                signature = (info.st_ino, info.st_size, info.st_mtime_ns)
                own = digest in notices and FEEDBACK_MARK in name
                found[path] = Entry(path, kind, signature, digest, own)
    return found


def watched(tree: Tree, path: Path) -> bool:
    return any(path.parent == tree.folder(code, folder) for code in CODES for folder in WATCHED)


def read_events(tree: Tree) -> list[dict[str, object]]:
    """The event log, read-only (the service keeps writing; WAL lets us read meanwhile)."""
    if not tree.store_path.exists():
        return []
    uri = f"file:{tree.store_path}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM events ORDER BY id")]


def archived_copies(tree: Tree, digest: str) -> list[Path]:
    folder = tree.archive_files / digest[:2]
    return sorted(folder.glob(f"{digest}*")) if folder.is_dir() else []


# --- the service as a process ----------------------------------------------------------------


class ServiceDied(AssertionError):
    """Invariant 4: the service must stay alive."""


class ServiceProcess(StartedService):
    """The service as test_crash.py starts it, once its "Mengawasi" line is printed."""

    def __init__(self, tree: Tree, logs: Path) -> None:
        super().__init__(tree, logs)
        self.tree = tree
        deadline = time.monotonic() + START_TIMEOUT
        while "Mengawasi" not in self.out.read_text(errors="replace"):
            if not self.running:
                raise ServiceDied(f"the service did not start: {self.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no 'Mengawasi' line in {START_TIMEOUT} s: {self.stderr()}")
            time.sleep(0.02)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.err.read_text(errors="replace")

    def stderr(self, lines: int = 12) -> str:
        """The service's last log lines (without the list of issued workbooks it starts with)."""
        kept = [line for line in self.log().splitlines() if not line.startswith("Diterbitkan:")]
        return "\n".join(short(line, 400) for line in kept[-lines:])

    def terminate(self) -> int:
        """SIGTERM, as an administrator stops it; the exit code (killed after 15 s)."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"SIGTERM did not stop the service: {self.stderr()}") from None

    def blocked_on_fifo(self) -> list[str]:
        """Why the service hangs on a FIFO, if it does: a thread waiting in the kernel for a
        FIFO's writer (which never comes), or a FIFO under the root held open."""
        found = []
        for wchan in Path(f"/proc/{self.pid}/task").glob("*/wchan"):
            with contextlib.suppress(OSError):
                if wchan.read_text().strip() == "wait_for_partner":
                    found.append(f"thread {wchan.parent.name} waits in open() of a FIFO")
        for fd in Path(f"/proc/{self.pid}/fd").glob("*"):
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith(str(self.tree.root)) and stat.S_ISFIFO(os.stat(fd).st_mode):
                    found.append(f"holds the FIFO {target} open")
        return found

    def health(self) -> list[str]:
        """Problems with the health file (invariant 4): a running service must be told alive,
        with its own PID; one stopped by SIGTERM must be told stopped, not dead or alive."""
        try:
            fields = json.loads(health_path(self.tree).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [f"health file unreadable: {exc}"]
        problems = []
        if fields.get("pid") != self.pid:
            problems.append(f"health file names PID {fields.get('pid')}, service is {self.pid}")
        verdict = judge(fields, now=utc_now())
        if self.running and not verdict.alive:
            problems.append(f"health file says: {verdict.text}")
        if not self.running and fields.get("hidup") is not False:
            problems.append(f"stopped cleanly, but the health file says: {verdict.text}")
        return problems


@dataclass
class Idle:
    """The observed state once the service is idle."""

    entries: dict[Path, Entry]
    events: list[dict[str, object]]


def parked_places(tree: Tree, events: list[dict[str, object]]) -> set[tuple[str, str]]:
    """(to_path, file_hash) of every event that put bytes somewhere: the service knows them; a
    workbook still open is known where it lies (Outcome.OPEN: from_path) while its owner lock
    is beside it; once the lock is gone the service still has to move it."""
    found = {(str(e["to_path"]), str(e["file_hash"])) for e in events if e["to_path"]}
    held = [e for e in events if e["outcome"] == "open"]
    found |= {(str(e["from_path"]), str(e["file_hash"])) for e in held
              if still_locked(tree.root / str(e["from_path"]))}  # fmt: skip
    return found


def still_locked(path: Path) -> bool:
    """An owner lock beside `path` (LibreOffice's `.~lock.<name>#`, Excel's `~$<name>`)."""
    return any(os.path.lexists(path.with_name(lock))
               for lock in (f".~lock.{path.name}#", f"~${path.name}"))  # fmt: skip


def unread_places(events: list[dict[str, object]]) -> set[str]:
    """Where the service put an entry it refused unread (no hash: a hard link, a link)."""
    return {str(e["to_path"]) for e in events if e["to_path"] and not e["file_hash"]}


def notice_hashes(events: list[dict[str, object]]) -> frozenset[str]:
    return frozenset(str(e["file_hash"]) for e in events if e["outcome"] == "notice")


def wait_idle(tree: Tree, service: ServiceProcess, *, log_from: int,
              before: dict[Path, tuple[int, int, int]], quiet: float) -> Idle:  # fmt: skip
    """Until the service has acknowledged every regular file in a folder it watches and nothing
    has changed for `quiet` seconds; fails at once if it died or blocks on a FIFO.

    Acknowledged: the event log has put these bytes at this path (a parked file, an approval),
    and, when the file is new or changed since `before` (the last idle look), the service's log
    has a line "<path>: ..." written after `log_from`: it has looked at this very version.
    """
    deadline = time.monotonic() + IDLE_TIMEOUT
    last: object = None
    stable_since = time.monotonic()
    fifo_since: dict[str, float] = {}  # a FIFO is opened (non-blocking) for an instant: fine
    while True:
        if not service.running:
            raise ServiceDied(f"service exited with {service.process.returncode}: "
                              f"{service.stderr()}")  # fmt: skip
        fifo = service.blocked_on_fifo()
        fifo_since = {found: fifo_since.get(found, time.monotonic()) for found in fifo}
        stuck = [found for found, since in fifo_since.items() if time.monotonic() - since > 1.0]
        if stuck:
            raise AssertionError(f"the service hangs on a FIFO: {stuck}")
        events = read_events(tree)
        entries = step_entries(tree, notice_hashes(events))
        log = service.log()
        recent = log[log_from:]
        known, unread = parked_places(tree, events), unread_places(events)
        waiting = []
        for path, entry in entries.items():
            if entry.kind != "file" or entry.is_notice or not watched(tree, path):
                continue
            rel = path.relative_to(tree.root).as_posix()
            # a console line "<time> <zone> <path>: <what became of it>"
            # (watcher/service/console.py)
            seen = before.get(path) == entry.signature or f" {rel}: " in recent
            if ((rel, entry.sha) not in known and rel not in unread) or not seen:
                waiting.append(rel)
        state = (sorted((p, e.signature) for p, e in entries.items()), len(events), len(log))
        now = time.monotonic()
        if state != last:
            last, stable_since = state, now
        if not waiting and now - stable_since >= quiet:
            return Idle(entries, events)
        if now > deadline:
            raise AssertionError(
                f"service not idle after {IDLE_TIMEOUT} s; files not handled: "
                f"{[short(rel) for rel in waiting]}\n"
                f"service log tail:\n{service.stderr()}"
            )
        time.sleep(0.05)


def short(name: str, keep: int = 70) -> str:
    """A long file name shortened for a message (the 250-byte names of the attacker)."""
    return name if len(name) <= keep else f"{name[: keep - 25]}...{name[-20:]}"


def verify_exit_code(tree: Tree) -> tuple[int, str]:
    """`python -m watcher verify --root ROOT`, in this process (the same `main`)."""
    from watcher.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["verify", "--root", str(tree.root)])
    return code, out.getvalue()


def walk_no_follow(root: Path) -> Iterator[tuple[Path, str]]:
    """Every entry under `root` (links unfollowed) with its kind."""
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            try:
                yield path, lstat_kind(path)
            except FileNotFoundError:
                continue


def status_approved(tree: Tree) -> set[str]:
    """The divisions `kinerja status --json` shows approved (run as a subprocess)."""
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "status", "--root", str(tree.root), "--json"],
        capture_output=True, text=True, timeout=60, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0, f"kinerja status --json exited {done.returncode}: {done.stderr}"
    rows = json.loads(done.stdout)["bidang"]
    return {row["kode"] for row in rows if row["disetujui_versi"] is not None}


def stored_events(tree: Tree) -> list[Event]:
    """The log's events as the store gives them (for the projection and the reports)."""
    if not tree.store_path.exists():
        return []
    with Store(tree.store_path, keep_anchor=False) as store:
        return store.events()
