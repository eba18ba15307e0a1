"""A model-based test of the real service: random sequences of what people and attackers do.

Each run copies a freshly issued office into a temp folder and starts `python -m watcher watch`
on it as a subprocess (rescan every second). Hypothesis then plays a sequence of steps: the
Analis Data saves material (valid, invalid, junk), the Kasubag edits and re-saves the report,
the Kabid approves or returns it, clerks save twice, delete and rename, the Kabid tidies, an
attacker plants links, FIFOs, folders and long names, and the service is killed and restarted.

After every step the test waits until the service is idle (`model_office.wait_idle`: every
regular file in a watched folder acknowledged in the event log and the service's own log, and
nothing changing) and checks what a user would check:

1. every file that entered the inbox is in exactly one place the model allows for it (moved
   on, returned with its notice, refused with its notice, or where it was put); none is lost,
   none is in two places, and no file appears that nobody saved;
2. the original bytes of every regular file handled are in `arsip/berkas/`;
3. no human step is skipped: a file rests in `5_pemeriksaan/` only with bytes the Kasubag saved
   in `4_laporan/` (not the bytes the service delivered there), and in `disetujui/` only with
   bytes the Kabid moved there;
4. the service is alive (unless the step killed it) and its health file says so;
5. `kinerja verify` exits 0.

The model does not predict the service's every move: each step says which places are allowed
for the files it touched (e.g. a renamed report may stay or be sent back with feedback, never
go on to the Kabid); after the step the model takes the place it observes as the file's new one.

Subsets of the steps run as separate tests, so that one failure (the first symlink stopping
the service) does not hide the others: the people's steps alone (`people`), and with one more
group each: `untidy` (clerks who resend and rename, a Kabid who tidies), `kills` (SIGKILL, also
mid-handling, and SIGTERM, each followed by a restart), `links` (symlinks, hard links),
`specials` (a FIFO, a folder named `.xlsx`), `names` (250-byte file names). Pick one with
`-k people`. `KINERJA_MODEL_EXAMPLES` (default 4), `KINERJA_MODEL_STEPS` (6) and
`KINERJA_MODEL_SHRINK_SECONDS` (20) change the size; the examples are derandomized, so a run
is the same on every machine, and a failure prints its steps (Hypothesis' "Falsifying example",
with one "step N: ..." line per step and what each person did).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis.internal.conjecture.engine as hypothesis_engine
import pytest
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from model_office import (
    CODES,
    JUNK,
    LONG_QUIET,
    OLD,
    REPORT_TEXT,
    SHORT_QUIET,
    Entry,
    Idle,
    Material,
    ServiceProcess,
    archived_copies,
    edited,
    fresh_office,
    lstat_kind,
    material_bytes,
    save_atomically,
    sha256,
    short,
    status_approved,
    stored_events,
    tagged,
    template_office,
    verify_exit_code,
    wait_idle,
    walk_no_follow,
)
from support.sop010 import RETURN_SUFFIX, Folder

from watcher.record.documents import project
from watcher.reports.gather import current_approvals
from watcher.service.notices import DUPLICATE_SUFFIX, STALE_SUFFIX, SUPERSEDED_SUFFIX
from watcher.service.tree import Tree
from watcher.validation.feedback import FEEDBACK_SUFFIX, REFUSAL_SUFFIX, feedback_name

# Hypothesis' first example is all zeros (here: quiet moments) and its second has no step; the
# others are random. So 4 examples are 2 random days of the office per subset.
EXAMPLES = int(os.environ.get("KINERJA_MODEL_EXAMPLES", "4"))
STEPS = int(os.environ.get("KINERJA_MODEL_STEPS", "6"))
# A failing sequence is shrunk for at most this long (Hypothesis' own limit is 5 minutes; each
# try here replays real service steps). The shortest sequence found by then is printed, after
# Hypothesis' warning that it "spent more than five minutes" (its text, whatever the limit).
SHRINK_SECONDS = int(os.environ.get("KINERJA_MODEL_SHRINK_SECONDS", "20"))
LONG_NAME_BYTES = 250
STATUS_EVERY = 4  # `kinerja status --json` runs every this many steps (and on approvals)

# What must lie beside a file in its place: the service's notice for the person who acts next.
FEEDBACK, REFUSAL, RETURN = "feedback", "refusal", "return"
SUPERSEDED, STALE, DUPLICATE = "superseded", "stale", "duplicate"
NOTICE_SUFFIXES = {
    FEEDBACK: (FEEDBACK_SUFFIX,),
    REFUSAL: (f"{REFUSAL_SUFFIX}.txt", f"{REFUSAL_SUFFIX}.html"),
    RETURN: (RETURN_SUFFIX,),
    SUPERSEDED: (SUPERSEDED_SUFFIX,),  # beside a copy a newer version replaced (versi_lama)
    STALE: (STALE_SUFFIX,),  # where a checker put an older version
    DUPLICATE: (DUPLICATE_SUFFIX,),  # where identical bytes were saved again
}
# The SOP step of each step folder: a newer version replaces the copies at its step and before.
STEP_OF = {Folder.MATERIAL: 3, Folder.MATERIAL_FIX: 3, Folder.REPORT: 4, Folder.REPORT_FIX: 4,
           Folder.REVIEW: 5, Folder.APPROVED: 5, Folder.RETURNED: 5}  # fmt: skip
F = TypeVar("F", bound=Callable[..., None])
# place -> the notice required there (None: no notice; a tuple: any one of them)
Allowed = dict[Folder | str, str | tuple[str, ...] | None]
FIX_FOLDERS = (Folder.MATERIAL_FIX, Folder.REPORT_FIX)
PLANTED_IN = (Folder.MATERIAL, Folder.REPORT)  # where the attacker plants links and FIFOs
RENAMED_IN = (Folder.REPORT, Folder.APPROVED, Folder.MATERIAL_FIX)  # where a clerk renames


@dataclass(frozen=True)
class Action:
    """One kind of step: the group that enables it, when it can be taken, its arguments."""

    name: str
    group: str
    when: Callable[[Any], object] | None
    arguments: dict[str, st.SearchStrategy[Any]]


def action(group: str, *, when: Callable[[Any], object] | None = None,
           **arguments: st.SearchStrategy[Any]) -> Callable[[F], F]:  # fmt: skip
    """Register a method as a step of `group`. One Hypothesis rule (`OfficeMachine.step`)
    draws a group, then one of its steps that can be taken: Hypothesis' own rule choice
    switches whole rules off per example (swarm testing), which leaves a handful of examples
    with a handful of kinds of steps."""

    def register(method: F) -> F:
        method.action = Action(method.__name__, group, when, arguments)  # type: ignore[attr-defined]
        return method

    return register


@dataclass
class Doc:
    """One file a person saved into the inbox, followed through its versions."""

    number: int
    code: str
    variant: str | None  # a `Material` variant; None for junk
    data: bytes
    path: Path  # where it rests (after the last idle look) or was just put
    allowed: Allowed  # where it may rest after the next idle look
    inbox: Path
    gone: bool = False  # removed by a person
    follow_up: bool = False  # the Kasubag has filled tindak lanjut in an earlier version
    first: tuple[str, str] = ("", "")  # (name, sha) it was first saved with
    unread: bool = False  # refused without being read (a hard link): nothing to archive
    report_valid: bool = False  # a report the Kasubag saved that is valid at the Kabid's step
    locked: Path | None = None  # an owner lock beside it: still open in a spreadsheet program
    displaced: bool = False  # a person moved it out of disetujui

    @property
    def version(self) -> bool:
        """A version of its division's document (junk and unread links are not)."""
        return self.variant is not None and not self.unread

    @property
    def sha(self) -> str:
        return sha256(self.data)

    @property
    def folder(self) -> Folder | str | None:
        return folder_of(self.inbox, self.path)

    def allowed_text(self) -> str:
        return ", ".join(f"{where}{f' + {n}' if n else ''}" for where, n in self.allowed.items())


def folder_of(inbox: Path, path: Path) -> Folder | str | None:
    """The step folder (or versi_lama) `path` lies directly in (None: elsewhere)."""
    try:
        parts = path.parent.relative_to(inbox).parts
    except ValueError:
        return None
    if parts[1:] == (OLD,):
        return OLD
    try:
        return Folder("/".join(parts[1:]))
    except ValueError:
        return None


@dataclass
class Oddity:
    """Something that is not a regular file, planted by an attacker in a step folder."""

    kind: str  # "symlink", "fifo", "dir"
    path: Path
    what: str


@dataclass
class Record:
    """What people did, as far as the invariants need it."""

    kasubag_saved: set[str] = field(default_factory=set)  # bytes the Kasubag saved in 4_laporan
    kabid_approved: set[str] = field(default_factory=set)  # bytes the Kabid moved to disetujui
    handled: dict[str, bytes] = field(default_factory=dict)  # every version the service saw
    outside: dict[Path, bytes] = field(default_factory=dict)  # files outside the root


class OfficeMachine(RuleBasedStateMachine):
    """The office and its service; `groups` says which kinds of steps this test plays."""

    groups: frozenset[str] = frozenset()
    template: Path
    base: Path

    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="run-", dir=self.base))
        self.tree: Tree = fresh_office(self.template, self.work / "kantor")
        self.desk = self.work / "meja"
        self.desk.mkdir()
        self.docs: list[Doc] = []
        self.oddities: list[Oddity] = []
        self.record = Record()
        self.services = 0
        self.service: ServiceProcess | None = None
        self.log_from = 0
        self.last_look: dict[Path, tuple[int, int, int]] = {}
        self.counter = 0
        self.steps = 0
        # The document rules' memory, by division: the version that last reached the Kabid's
        # step (a checker's move of another one is stale) and the approval in force.
        self.at_check: dict[str, str] = {}
        self.approved: dict[str, str] = {}
        self.newcomer: Doc | None = None  # the version this step saved or a checker moved
        self.expected: list[tuple[Path, str]] = []  # notices this step must leave (path, kind)
        self.only_if_checked = False  # the newcomer may be left alone (parked): see the log
        self.status_checked: dict[str, str] | None = None  # the approvals status was last run at

    # -- the service ------------------------------------------------------------------------

    def start(self) -> None:
        self.services += 1
        self.service = ServiceProcess(self.tree, self.work / f"layanan-{self.services}")
        self.log_from, self.last_look, self.fresh = 0, {}, True

    @initialize()
    def service_starts(self) -> None:
        self.start()
        self.settle()

    def teardown(self) -> None:
        if self.service is not None:
            self.service.kill()
        shutil.rmtree(self.work, ignore_errors=True)

    def enabled(self, group: str) -> bool:
        return group == "people" or group in self.groups

    @classmethod
    @functools.cache
    def actions(cls) -> tuple[Action, ...]:
        """Every registered step, people's first (shrinking moves toward the first)."""
        found = [getattr(getattr(cls, name), "action", None) for name in dir(cls)]
        found = [a for a in found if isinstance(a, Action)]
        return tuple(
            sorted(found, key=lambda a: (a.name != "nobody_acts", ORDER.index(a.group), a.name))
        )

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One step of a person, an attacker or the administrator, then settle and check."""
        possible = [
            a for a in self.actions() if self.enabled(a.group) and (a.when is None or a.when(self))
        ]
        # The group first, then a step of it: a subset's own steps are half of all steps.
        groups = [group for group in ORDER if any(a.group == group for a in possible)]
        group = data.draw(st.sampled_from(groups), label="who")
        names = [a.name for a in possible if a.group == group]
        name = data.draw(st.sampled_from(names), label="step")
        [chosen] = [a for a in possible if a.name == name]
        arguments = {
            key: data.draw(strategy, label=key) for key, strategy in chosen.arguments.items()
        }
        shown = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
        note(f"step {self.steps + 1}: {chosen.name}({shown})")
        self.steps += 1
        getattr(self, chosen.name)(**arguments)

    def next_number(self) -> int:
        self.counter += 1
        return self.counter

    def live(self, *folders: Folder) -> list[Doc]:
        return [d for d in self.docs if not d.gone and d.folder in folders]

    def pick(self, docs: list[Doc], index: int) -> Doc:
        return docs[index % len(docs)]

    def place(self, doc: Doc, folder: Folder, name: str | None = None) -> Path:
        return self.tree.folder(doc.code, folder) / (name or doc.path.name)

    def move(self, doc: Doc, target: Path, allowed: Allowed, who: str) -> None:
        note(f"{who} moves {doc.path.relative_to(self.tree.root)} -> "
             f"{target.relative_to(self.tree.root)}")  # fmt: skip
        assert not target.exists(), f"the person would overwrite {target}"
        doc.path.rename(target)
        doc.path, doc.allowed = target, allowed

    def resave(self, doc: Doc, data: bytes, allowed: Allowed, who: str) -> None:
        """Someone saves new bytes over `doc` where it is (Excel: a temp file, then a rename)."""
        note(f"{who} saves {len(data)} bytes over {doc.path.relative_to(self.tree.root)}")
        save_atomically(doc.path, data)
        doc.data, doc.allowed = data, allowed

    # -- nobody ------------------------------------------------------------------------------

    @action("people")
    def nobody_acts(self) -> None:
        """A quiet moment: the service must leave everything where it is. Listed first, so
        that Hypothesis' first, all-zero example is cheap, and shrinking replaces a step that
        does not matter by this one."""
        self.settle()

    # -- the Analis Data --------------------------------------------------------------------

    def new_doc(self, code: str, variant: str | None, data: bytes, name: str,
                allowed: Allowed) -> Doc:  # fmt: skip
        number = self.next_number()
        data = tagged(data, f"model-{number}")
        path = self.tree.folder(code, Folder.MATERIAL) / name
        doc = Doc(number, code, variant, data, path, allowed, self.tree.inbox,
                  first=(name, sha256(data)))  # fmt: skip
        self.docs.append(doc)
        return doc

    @action("people", code=st.sampled_from(CODES), variant=st.sampled_from(Material.ALL))
    def analis_saves_material(self, code: str, variant: str) -> None:
        doc = self.material(code, variant, f"Bahan_{code}_{self.counter + 1:02d}.xlsx")
        save_atomically(doc.path, doc.data)
        self.newcomer = doc
        self.settle()

    @action("people", code=st.sampled_from(CODES), variant=st.sampled_from(Material.ALL))
    def analis_saves_while_open(self, code: str, variant: str) -> None:
        """Saved with the workbook still open (LibreOffice's lock beside it): checked, its
        feedback written at once, but it stays until the workbook is closed."""
        doc = self.material(code, variant, f"Bahan_{code}_{self.counter + 1:02d}.xlsx")
        doc.locked = doc.path.with_name(f".~lock.{doc.path.name}#")
        doc.locked.write_text("kasubag,pc-01,01.12.2026 09:00,\n", encoding="utf-8")
        save_atomically(doc.path, doc.data)
        doc.allowed = {Folder.MATERIAL: FEEDBACK if variant not in Material.VALID else None}
        self.settle()

    def locked(self) -> list[Doc]:
        return [d for d in self.docs if d.locked]

    @action("people", when=lambda self: self.locked(), index=st.integers(0, 99))
    def analis_closes_the_workbook(self, index: int) -> None:
        doc = self.pick(self.locked(), index)
        assert doc.locked is not None
        note(f"Analis Data closes {doc.path.name} (its lock file goes)")
        doc.locked.unlink()
        doc.locked = None
        if not doc.gone and doc.folder is Folder.MATERIAL:
            valid = doc.variant in Material.VALID
            doc.allowed = {Folder.REPORT: None} if valid else {Folder.MATERIAL_FIX: FEEDBACK}
            self.newcomer = doc
        self.settle()

    def material(self, code: str, variant: str, name: str) -> Doc:
        allowed: Allowed = (
            {Folder.REPORT: None} if variant in Material.VALID else {Folder.MATERIAL_FIX: FEEDBACK}
        )
        data = material_bytes(self.template, code, variant)
        doc = self.new_doc(code, variant, data, name, allowed)
        note(f"Analis Data saves {variant} material {doc.path.relative_to(self.tree.root)}")
        return doc

    @action("people", code=st.sampled_from(CODES), junk=st.sampled_from(sorted(JUNK)))
    def analis_saves_junk(self, code: str, junk: str) -> None:
        suffix, build = JUNK[junk]
        name = f"Lampiran_{code}_{self.counter + 1:02d}{suffix}"
        doc = self.new_doc(code, None, build(), name, {Folder.MATERIAL_FIX: REFUSAL})
        note(f"Analis Data saves {junk} as {doc.path.relative_to(self.tree.root)}")
        save_atomically(doc.path, doc.data)
        self.settle()

    # -- the Kasubag ------------------------------------------------------------------------

    def at_kasubag(self) -> list[Doc]:
        return [d for d in self.live(Folder.REPORT) if d.variant is not None]

    @action(
        "people",
        when=lambda self: self.at_kasubag(),
        index=st.integers(0, 99),
        complete=st.booleans(),
    )
    def kasubag_saves_report(self, index: int, complete: bool) -> None:
        """The Kasubag fills kendala (and, when `complete`, tindak lanjut) and saves."""
        doc = self.pick(self.at_kasubag(), index)
        text = REPORT_TEXT if complete else {"kendala": REPORT_TEXT["kendala"]}
        data = tagged(edited(doc.data, **text), f"model-{self.next_number()}")
        valid = complete or doc.follow_up or doc.variant in Material.COMPLETE
        doc.follow_up = doc.follow_up or complete
        self.record.kasubag_saved.add(sha256(data))
        allowed: Allowed = {Folder.REVIEW: None} if valid else {Folder.REPORT_FIX: FEEDBACK}
        self.resave(doc, data, allowed, f"Kasubag ({'complete' if complete else 'no follow-up'})")
        doc.report_valid, self.newcomer = valid, doc
        self.settle()

    @action("people", when=lambda self: self.at_kasubag(), index=st.integers(0, 99))
    def kasubag_saves_unchanged(self, index: int) -> None:
        """Excel saves the same bytes again (the Kasubag pressed Ctrl-S without a change)."""
        doc = self.pick(self.at_kasubag(), index)
        self.resave(doc, doc.data, {Folder.REPORT: doc.allowed.get(Folder.REPORT)}, "Kasubag")
        self.settle()

    def fixable(self, folder: Folder) -> list[Doc]:
        return [d for d in self.live(folder) if d.variant is not None]

    @action("people", when=lambda self: self.fixable(Folder.REPORT_FIX), index=st.integers(0, 99))
    def kasubag_fixes_a_returned_report(self, index: int) -> None:
        """From 4_laporan/perlu_perbaikan: fills tindak lanjut, saves it into 4_laporan, and
        deletes the old copy (the feedback workbook stays)."""
        doc = self.pick(self.fixable(Folder.REPORT_FIX), index)
        data = tagged(edited(doc.data, **REPORT_TEXT), f"model-{self.next_number()}")
        self.record.kasubag_saved.add(sha256(data))
        target = self.tree.folder(doc.code, Folder.REPORT) / doc.path.name
        note(f"Kasubag fixes {doc.path.relative_to(self.tree.root)}, saves it as "
             f"{target.relative_to(self.tree.root)}")  # fmt: skip
        # The old copy goes first: the fixed version would move it to versi_lama meanwhile.
        doc.path.unlink()
        save_atomically(target, data)
        doc.path, doc.data, doc.allowed, doc.follow_up = target, data, {Folder.REVIEW: None}, True
        doc.report_valid, self.newcomer = True, doc
        self.settle()

    @action("people", when=lambda self: self.fixable(Folder.MATERIAL_FIX), index=st.integers(0, 99))
    def analis_saves_a_correction_in_the_fix_folder(self, index: int) -> None:
        """The feedback copy beside the returned material, corrected and saved where it is:
        resubmitted from 3_bahan/perlu_perbaikan."""
        old = self.pick(self.fixable(Folder.MATERIAL_FIX), index)
        name = feedback_name(old.path.name)
        doc = self.new_doc(old.code, Material.HALF, material_bytes(self.template, old.code,
                           Material.HALF), name, {Folder.REPORT: None})  # fmt: skip
        doc.path = old.path.with_name(name)
        note(f"Analis Data saves a corrected copy as {doc.path.relative_to(self.tree.root)}")
        save_atomically(doc.path, doc.data)
        self.newcomer = doc
        self.settle()

    @action("people", when=lambda self: self.fixable(Folder.MATERIAL_FIX), index=st.integers(0, 99))
    def analis_fixes_returned_material(self, index: int) -> None:
        """From 3_bahan/perlu_perbaikan: realisations fixed, saved into 3_bahan under the same
        name; the old copy deleted."""
        old = self.pick(self.fixable(Folder.MATERIAL_FIX), index)
        note(f"Analis Data deletes {old.path.relative_to(self.tree.root)} and saves it fixed")
        old.path.unlink()
        old.gone = True
        doc = self.material(old.code, Material.HALF, old.path.name)
        save_atomically(doc.path, doc.data)
        self.newcomer = doc
        self.settle()

    # -- the Kabid --------------------------------------------------------------------------

    @action("people", when=lambda self: self.live(Folder.REVIEW), index=st.integers(0, 99))
    def kabid_approves(self, index: int) -> None:
        self.checker_puts(self.pick(self.live(Folder.REVIEW), index), Folder.APPROVED, "Kabid")
        self.settle()

    def checker_puts(self, doc: Doc, folder: Folder, who: str, name: str | None = None) -> None:
        """A copy moved into disetujui or dikembalikan: stale unless it is the version that
        reached the Kabid last (then it goes to versi_lama, a notice where it was put)."""
        target = self.place(doc, folder, name)
        stale = doc.version and self.at_check.get(doc.code) not in (None, doc.sha)
        allowed: Allowed
        if stale:
            allowed = {OLD: None}
            self.expected.append((target, STALE))
        elif folder is Folder.APPROVED:
            self.record.kabid_approved.add(doc.sha)
            allowed = {Folder.APPROVED: None} if doc.report_valid else {Folder.REPORT_FIX: FEEDBACK}
        else:
            allowed = {Folder.REPORT: RETURN}
        if doc.folder is Folder.APPROVED and folder is not Folder.APPROVED:
            doc.displaced = True
        self.move(doc, target, allowed, who)
        self.newcomer = None if stale else doc

    @action("people", when=lambda self: self.old_reports(), index=st.integers(0, 99),
            approve=st.booleans())  # fmt: skip
    def kabid_moves_an_old_copy(self, index: int, approve: bool) -> None:
        """The Kabid finds a copy in versi_lama and approves or returns it."""
        doc = self.pick(self.old_reports(), index)
        self.checker_puts(doc, Folder.APPROVED if approve else Folder.RETURNED, "Kabid")
        self.settle()

    def old_reports(self) -> list[Doc]:
        return [d for d in self.live(OLD) if d.sha in self.record.kasubag_saved]

    def approved_reports(self) -> list[Doc]:
        return [d for d in self.live(Folder.APPROVED) if d.sha in self.record.kasubag_saved]

    @action("people", when=lambda self: self.approved_reports(), index=st.integers(0, 99))
    def kabid_withdraws_the_approval(self, index: int) -> None:
        """The approved version moved into dikembalikan on purpose: the document reopens."""
        doc = self.pick(self.approved_reports(), index)
        self.checker_puts(doc, Folder.RETURNED, "Kabid")
        self.settle()

    @action("people", when=lambda self: self.approved_reports(), index=st.integers(0, 99))
    def kasubag_corrects_after_approval(self, index: int) -> None:
        """A newer report after the approval: it waits for the Kabid, the approval stays."""
        old = self.pick(self.approved_reports(), index)
        number = self.next_number()
        data = tagged(edited(old.data, **REPORT_TEXT), f"model-{number}")
        name = f"Laporan_{old.code}_revisi_{number:02d}.xlsx"
        doc = Doc(number, old.code, old.variant, data, self.tree.folder(old.code, Folder.REPORT)
                  / name, {Folder.REVIEW: None}, self.tree.inbox, follow_up=True,
                  first=(name, sha256(data)), report_valid=True)  # fmt: skip
        self.docs.append(doc)
        self.record.kasubag_saved.add(doc.sha)
        note(f"Kasubag saves a corrected report {doc.path.relative_to(self.tree.root)}")
        save_atomically(doc.path, data)
        self.newcomer = doc
        self.settle()

    @action("people", when=lambda self: self.copies(), index=st.integers(0, 99))
    def clerk_saves_an_identical_copy(self, index: int) -> None:
        """The same bytes as a copy the service put in 4_laporan or a fix folder, saved into
        3_bahan again: removed, with a notice."""
        doc = self.pick(self.copies(), index)
        again = self.tree.folder(doc.code, Folder.MATERIAL) / f"Salinan_{self.next_number()}.xlsx"
        note(f"clerk saves the bytes of {doc.path.name} again as {again.name}")
        save_atomically(again, doc.data)
        self.expected.append((again, DUPLICATE))
        self.settle()

    def copies(self) -> list[Doc]:
        folders = (Folder.REPORT, Folder.MATERIAL_FIX)
        return [d for d in self.live(*folders) if d.version and d.first == (d.path.name, d.sha)]

    @action(
        "people",
        when=lambda self: self.live(Folder.REVIEW),
        index=st.integers(0, 99),
        with_note=st.booleans(),
    )
    def kabid_returns(self, index: int, with_note: bool) -> None:
        doc = self.pick(self.live(Folder.REVIEW), index)
        back = self.place(doc, Folder.RETURNED)
        allowed: Allowed = {Folder.REPORT: RETURN}
        if with_note:  # opens it, writes the Catatan Kabid, saves it into dikembalikan
            data = tagged(
                edited(doc.data, note="Data TW lalu belum cocok"), f"model-{self.next_number()}"
            )
            note(f"Kabid writes a note and saves it as {back.relative_to(self.tree.root)}")
            save_atomically(back, data)
            doc.path.unlink()
            doc.path, doc.data, doc.allowed = back, data, allowed
            self.newcomer = doc  # new contents: never stale
        else:
            self.checker_puts(doc, Folder.RETURNED, "Kabid")
        self.settle()

    # -- clerks -----------------------------------------------------------------------------

    @action("untidy", when=lambda self: self.resendable(), index=st.integers(0, 99))
    def clerk_saves_the_same_bytes_again(self, index: int) -> None:
        """The material already with the Kasubag is saved into 3_bahan once more, unchanged."""
        doc = self.pick(self.resendable(), index)
        again = self.tree.folder(doc.code, Folder.MATERIAL) / doc.path.name
        note(f"clerk saves {doc.path.name} into 3_bahan again, same bytes")
        save_atomically(again, doc.data)  # the model: still one file, where it was
        self.expected.append((again, DUPLICATE))
        self.settle()

    def resendable(self) -> list[Doc]:
        return [d for d in self.at_kasubag() if d.first == (d.path.name, d.sha)]

    @action(
        "people", when=lambda self: [d for d in self.docs if not d.gone], index=st.integers(0, 99)
    )
    def clerk_deletes(self, index: int) -> None:
        doc = self.pick([d for d in self.docs if not d.gone], index)
        note(f"clerk deletes {doc.path.relative_to(self.tree.root)}")
        doc.path.unlink()
        if doc.locked is not None:
            doc.locked.unlink()
            doc.locked = None
        doc.gone = True
        self.settle()

    # -- people who move and rename (group "untidy") ------------------------------------------

    @action("untidy", when=lambda self: self.live(*RENAMED_IN), index=st.integers(0, 99))
    def clerk_renames(self, index: int) -> None:
        """A clerk renames a file in its folder ("... final.xlsx"): same bytes, new name."""
        doc = self.pick(self.live(*RENAMED_IN), index)
        folder = doc.folder
        target = doc.path.with_name(f"{doc.path.stem} final{doc.path.suffix}")
        if folder is Folder.APPROVED:  # a checker's act: approved again, or stale
            self.checker_puts(doc, Folder.APPROVED, "clerk", target.name)
            self.settle()
            return
        allowed: Allowed = {folder: None}  # a notice beside it keeps the old name
        if folder is Folder.REPORT:
            allowed = self.moved_by_hand(doc)
        self.move(doc, target, allowed, "clerk")
        if folder is Folder.MATERIAL_FIX:
            self.newcomer = doc  # checked again where it is (fix folders are watched)
        self.settle()

    @action(
        "untidy",
        when=lambda self: self.live(Folder.APPROVED),
        index=st.integers(0, 99),
        to_review=st.booleans(),
    )
    def kabid_tidies_an_approved_report(self, index: int, to_review: bool) -> None:
        """The Kabid changes his mind: back to 5_pemeriksaan, or into dikembalikan."""
        doc = self.pick(self.live(Folder.APPROVED), index)
        if to_review:
            doc.displaced = True
            self.move(doc, self.place(doc, Folder.REVIEW), {Folder.REVIEW: None}, "Kabid")
            self.newcomer, self.only_if_checked = doc, True  # under its old name: parked
        else:
            self.checker_puts(doc, Folder.RETURNED, "Kabid")
        self.settle()

    @action("untidy", when=lambda self: self.at_kasubag(), index=st.integers(0, 99))
    def kabid_takes_a_report_from_4_laporan(self, index: int) -> None:
        """The Kabid drags a file the Kasubag has not touched into 5_pemeriksaan himself."""
        doc = self.pick(self.at_kasubag(), index)
        self.move(doc, self.place(doc, Folder.REVIEW), self.moved_by_hand(doc), "Kabid")
        self.newcomer = doc
        self.settle()

    def moved_by_hand(self, doc: Doc) -> Allowed:
        """Where a report may rest that someone moved or renamed without saving it: with the
        Kasubag, or sent back with feedback; with the Kabid only if the Kasubag saved it. Bytes
        the Kasubag never saved may be the step-3 material itself, which comes back refused as
        not compiled (a DITOLAK note) rather than with feedback."""
        if doc.sha in self.record.kasubag_saved:
            return {Folder.REPORT: None, Folder.REPORT_FIX: FEEDBACK, Folder.REVIEW: None}
        return {Folder.REPORT: None, Folder.REPORT_FIX: (FEEDBACK, REFUSAL)}

    # -- the attacker (groups "links", "specials", "names") -----------------------------------

    def outside_file(self, data: bytes) -> Path:
        path = self.desk / f"rahasia-{self.next_number()}.xlsx"
        path.write_bytes(data)
        self.record.outside[path] = data
        return path

    def plant(self, kind: str, path: Path, what: str) -> None:
        note(f"attacker plants {what} at {path.relative_to(self.tree.root)}")
        self.oddities.append(Oddity(kind, path, what))

    @action("links", code=st.sampled_from(CODES), folder=st.sampled_from(PLANTED_IN))
    def attacker_links_a_file_outside_the_root(self, code: str, folder: Folder) -> None:
        """A symlink to a workbook outside the root: the service must not take the file in."""
        target = self.outside_file(material_bytes(self.template, code, Material.ON_TARGET))
        self.symlink(code, folder, target, f"a symlink to {target}")

    @action("links", code=st.sampled_from(CODES), folder=st.sampled_from(PLANTED_IN))
    def attacker_plants_a_dangling_symlink(self, code: str, folder: Folder) -> None:
        self.symlink(code, folder, self.desk / "tidak-ada.xlsx", "a dangling symlink")

    def symlink(self, code: str, folder: Folder, target: Path, what: str) -> None:
        link = self.tree.folder(code, folder) / f"Tautan_{self.next_number()}.xlsx"
        link.symlink_to(target)
        self.plant("symlink", link, what)
        self.settle(quiet=LONG_QUIET)

    @action(
        "specials",
        code=st.sampled_from(CODES),
        folder=st.sampled_from(PLANTED_IN),
    )
    def attacker_plants_a_fifo(self, code: str, folder: Folder) -> None:
        fifo = self.tree.folder(code, folder) / f"Pipa_{self.next_number()}.xlsx"
        os.mkfifo(fifo)
        self.plant("fifo", fifo, "a FIFO")
        self.settle(quiet=LONG_QUIET)

    @action("specials", code=st.sampled_from(CODES))
    def attacker_makes_a_folder_named_xlsx(self, code: str) -> None:
        folder = self.tree.folder(code, Folder.MATERIAL) / f"Map_{self.next_number()}.xlsx"
        folder.mkdir()
        self.plant("dir", folder, "a folder named .xlsx")
        self.settle(quiet=LONG_QUIET)

    @action("links", code=st.sampled_from(CODES))
    def attacker_hard_links_a_file(self, code: str) -> None:
        """A hard link to a workbook outside the root: refused unread (reading it would read
        a file outside the root), so its bytes are not archived."""
        number = self.next_number()
        data = tagged(material_bytes(self.template, code, Material.HALF), f"model-{number}")
        source = self.outside_file(data)
        link = self.tree.folder(code, Folder.MATERIAL) / f"Taut_Keras_{number}.xlsx"
        os.link(source, link)
        note(f"attacker hard-links {source} as {link.relative_to(self.tree.root)}")
        allowed: Allowed = {Folder.MATERIAL_FIX: REFUSAL}
        self.docs.append(Doc(number, code, Material.HALF, data, link, allowed, self.tree.inbox,
                             first=(link.name, sha256(data)), unread=True))  # fmt: skip
        self.settle()

    @action("names", code=st.sampled_from(CODES), workbook=st.booleans())
    def analis_saves_a_250_byte_name(self, code: str, workbook: bool) -> None:
        stem = f"Bahan_{code}_{self.counter + 1:02d}_"
        suffix = ".xlsx"
        name = stem + "x" * (LONG_NAME_BYTES - len(stem) - len(suffix)) + suffix
        if workbook:
            doc = self.material(code, Material.HALF, name)
            self.newcomer = doc
        else:
            doc = self.new_doc(code, None, JUNK["random_bytes"][1](), name,
                               {Folder.MATERIAL_FIX: REFUSAL})  # fmt: skip
            note(f"Analis Data saves random bytes as a {LONG_NAME_BYTES}-byte name")
        save_atomically(doc.path, doc.data)
        self.settle()

    # -- the administrator (group "kills") ----------------------------------------------------

    @action("kills", term=st.booleans())
    def service_is_stopped_and_restarted(self, term: bool) -> None:
        assert self.service is not None
        if term:
            note("administrator stops the service with SIGTERM and starts it again")
            code = self.service.terminate()
            assert code == 0, f"SIGTERM: exit code {code}: {self.service.stderr()}"
            stopped = self.service.health()
            assert not stopped, f"after SIGTERM: {stopped}"
        else:
            note("the service is killed with SIGKILL and started again")
            self.service.kill()
        self.start()
        self.settle()

    @action(
        "kills",
        code=st.sampled_from(CODES),
        variant=st.sampled_from(Material.ALL),
        delay_ms=st.integers(0, 150),
    )
    def service_is_killed_while_handling(self, code: str, variant: str, delay_ms: int) -> None:
        doc = self.material(code, variant, f"Bahan_{code}_{self.counter + 1:02d}.xlsx")
        save_atomically(doc.path, doc.data)
        self.newcomer = doc
        time.sleep(delay_ms / 1000)  # part of the scenario: the moment of the power cut
        note(f"the service is killed with SIGKILL {delay_ms} ms later and started again")
        assert self.service is not None
        self.service.kill()
        self.start()
        self.settle()

    # -- waiting and checking -----------------------------------------------------------------

    def settle(self, *, quiet: float = SHORT_QUIET) -> None:
        """Wait until the service is idle, take what it did as the model's new state, check."""
        assert self.service is not None
        if self.oddities and self.fresh:
            quiet = LONG_QUIET  # a fresh service looks at the planted oddities once more
        self.fresh = False
        idle = wait_idle(self.tree, self.service, log_from=self.log_from, before=self.last_look,
                         quiet=quiet)  # fmt: skip
        self.log_from = len(self.service.log())
        self.last_look = {path: entry.signature for path, entry in idle.entries.items()}
        problems = self.places(idle) + self.archived() + self.no_step_skipped(idle)
        problems += self.documents(idle)
        problems += self.oddities_kept(idle) + self.outside_untouched()
        problems += [f"service: {p}" for p in self.service.health()]
        code, text = verify_exit_code(self.tree)
        if code != 0:
            problems.append(f"kinerja verify exited {code}:\n{text}")
        assert not problems, "\n  ".join(["invariants broken:", *problems])

    def places(self, idle: Idle) -> list[str]:
        """Invariant 1: each document in exactly one allowed place, its notice beside it; the
        copies this step's version replaced in versi_lama with their DIGANTI notice."""
        by_sha: dict[str, list[Entry]] = {}
        for entry in idle.entries.values():
            if entry.kind == "file" and not entry.is_notice and entry.sha:
                by_sha.setdefault(entry.sha, []).append(entry)
        root, problems = self.tree.root, []
        before = {doc.number: doc.folder for doc in self.docs}
        located: list[tuple[Doc, Entry]] = []
        for doc in self.docs:
            found = by_sha.pop(doc.sha, [])
            name = f"#{doc.number} {short(doc.path.name)}"
            if doc.gone:
                problems += [
                    f"{name} was deleted, but is at {e.path.relative_to(root)}" for e in found
                ]
                continue
            if len(found) != 1:
                where = [str(e.path.relative_to(root)) for e in found]
                problems.append(f"{name} ({doc.allowed_text()}) is in {len(found)} places: {where}")
                continue
            [entry] = found
            if not doc.unread:
                self.record.handled[doc.sha] = doc.data
            doc.path = entry.path
            located.append((doc, entry))
        self.document_rules(idle, before)
        for doc, entry in located:
            name = f"#{doc.number} {short(doc.path.name)}"
            if doc.folder not in doc.allowed:
                problems.append(f"{name} rests in {doc.folder}, allowed: {doc.allowed_text()}")
                continue
            notice = doc.allowed[doc.folder]
            either = notice if isinstance(notice, tuple) else (notice,)
            if notice and not any(notice_beside(entry.path, one, idle) for one in either):
                problems.append(f"{name} in {doc.folder}: its {notice} notice is missing")
            doc.allowed = {doc.folder: notice}
        for path, kind in self.expected:
            if not notice_beside(path, kind, idle):
                problems.append(f"no {kind} notice for {short(path.name)} in {path.parent.name}")
        self.expected = []
        for entries in by_sha.values():
            problems += [f"unexpected file {e.path.relative_to(root)}" for e in entries]
        return problems

    def document_rules(self, idle: Idle, before: dict[int, Folder | str | None]) -> None:
        """The step's newcomer (a version saved, or moved by a checker), where the service put
        it, replaces the older versions of its document: a valid one those at its step and the
        steps before (the approved copy only when it is approved itself), an invalid one those in
        its own fix folder. They must move into versi_lama, with a DIGANTI notice."""
        doc, self.newcomer = self.newcomer, None
        only_if_checked, self.only_if_checked = self.only_if_checked, False
        if doc is None or doc.gone or not doc.version or doc.folder is None:
            return
        arrival = doc.folder
        if only_if_checked and not checked_at(idle, self.tree, doc):
            return
        progress = arrival in (Folder.REPORT, Folder.REVIEW, Folder.APPROVED)
        invalid = arrival in FIX_FOLDERS and notice_beside(doc.path, FEEDBACK, idle)
        if not (progress or invalid):
            return
        if arrival in (Folder.REVIEW, Folder.APPROVED):
            self.at_check[doc.code] = doc.sha
            doc.report_valid = True
        if arrival is Folder.APPROVED:
            self.approved[doc.code] = doc.sha
        returned = arrival is Folder.REPORT and before.get(doc.number) is Folder.RETURNED
        if returned and self.approved.get(doc.code) == doc.sha:
            del self.approved[doc.code]  # a deliberate return of the approved version
        for other in self.docs:
            where = before.get(other.number)
            if (other is doc or other.gone or not other.version or other.code != doc.code
                    or other.sha == doc.sha or where not in STEP_OF):  # fmt: skip
                continue
            if progress:
                replaced = STEP_OF[where] <= STEP_OF[arrival] and (
                    where is not Folder.APPROVED or arrival is Folder.APPROVED
                )
            else:
                replaced = where == arrival
            if replaced:
                other.allowed = {OLD: SUPERSEDED}

    def documents(self, idle: Idle) -> list[str]:
        """The issue's document invariants, from the log's projection (each division has one
        document here: 2026, TW III): (a) no two versions of it wait in one step folder;
        (b) `kinerja status --json` shows approved what the projection approves, (c) the
        reports' approvals and the model agree with the projection on what is approved; (d) the
        approved version's copy is in disetujui."""
        events = stored_events(self.tree)
        documents = {d.division: d for d in project(events).values()}
        approvals = {code: d.approval.file_hash for code, d in documents.items() if d.approval}
        problems = []
        for code, document in documents.items():
            versions = {v.file_hash for v in document.versions}
            for folder in (Folder.MATERIAL_FIX, Folder.REPORT, Folder.REVIEW, Folder.APPROVED):
                directory = self.tree.folder(code, folder)
                waiting = [e for e in idle.entries.values() if e.path.parent == directory
                           and not e.is_notice and e.sha in versions]  # fmt: skip
                if len(waiting) > 1:
                    names = [short(e.path.name) for e in waiting]
                    problems.append(f"{code}: {len(waiting)} versions wait in {folder}: {names}")
        # (b) `kinerja status --json` shows approved exactly what the projection approves. A
        # subprocess costs a second (it loads the master data): it runs when the approvals change
        # and every few steps.
        if approvals != self.status_checked or self.steps % STATUS_EVERY == 0:
            self.status_checked = dict(approvals)
            shown = status_approved(self.tree) & set(CODES)
            if shown != set(approvals):
                problems.append(f"kinerja status shows {sorted(shown)} approved, the projection "
                                f"{sorted(approvals)}")  # fmt: skip
        reported = {division: a.file_hash for (division, _), a in current_approvals(events).items()}
        if reported != approvals:
            problems.append(f"the reports' approvals {reported} != the projection's {approvals}")
        if self.approved != approvals:
            problems.append(f"approved by the model {self.approved}, by the projection {approvals}")
        for code, digest in approvals.items():
            kept = [d for d in self.docs if d.sha == digest and not d.gone and not d.displaced]
            there = [e for e in idle.entries.values() if e.sha == digest
                     and e.path.parent == self.tree.folder(code, Folder.APPROVED)]  # fmt: skip
            if kept and not there:
                problems.append(f"{code}: the approved version {digest[:12]} is not in disetujui")
        return problems

    def archived(self) -> list[str]:
        """Invariant 2: the original bytes of every version handled are in the archive."""
        problems = []
        for sha, data in self.record.handled.items():
            copies = archived_copies(self.tree, sha)
            if not any(copy.read_bytes() == data for copy in copies):
                problems.append(f"original bytes {sha[:12]} not in arsip/berkas ({copies})")
        return problems

    def no_step_skipped(self, idle: Idle) -> list[str]:
        """Invariant 3: 5_pemeriksaan only after a Kasubag save; disetujui only by the Kabid."""
        problems = []
        for path, entry in idle.entries.items():
            if entry.kind != "file" or entry.is_notice:
                continue
            folder = folder_of(self.tree.inbox, path)
            rel = path.relative_to(self.tree.root)
            if folder is Folder.REVIEW and entry.sha not in self.record.kasubag_saved:
                problems.append(f"{rel} waits for the Kabid, but the Kasubag never saved it")
            if folder is Folder.APPROVED and entry.sha not in self.record.kabid_approved:
                problems.append(f"{rel} is approved, but the Kabid never moved it there")
        return problems

    def oddities_kept(self, idle: Idle) -> list[str]:
        """Invariant 1 for links, FIFOs and folders: where planted, or quarantined with a
        notice; never moved on to the next step, never gone."""
        problems = []
        for odd in self.oddities:
            rel = odd.path.relative_to(self.tree.root)
            try:
                if lstat_kind(odd.path) == odd.kind:
                    continue
            except FileNotFoundError:
                pass
            moved = [(p, k) for p, k in walk_no_follow(self.tree.root)
                     if k == odd.kind and p.name.startswith(odd.path.stem)]  # fmt: skip
            if not moved:
                problems.append(f"{odd.what} planted at {rel} is gone")
                continue
            for path, _ in moved:
                folder = path.parent
                fix = any(
                    folder == self.tree.folder(code, f) for code in CODES for f in FIX_FOLDERS
                )
                if not fix and folder.is_relative_to(self.tree.inbox):
                    problems.append(f"{odd.what} planted at {rel} moved on to "
                                    f"{path.relative_to(self.tree.root)}")  # fmt: skip
                elif fix and not notice_beside(path, REFUSAL, idle):
                    problems.append(f"{odd.what} quarantined at {path} without a notice")
        return problems

    def outside_untouched(self) -> list[str]:
        problems = []
        for path, data in self.record.outside.items():
            if not path.is_file() or path.read_bytes() != data:
                problems.append(f"a file outside the root was changed or moved: {path}")
        return problems


def notice_beside(path: Path, notice: str, idle: Idle) -> bool:
    """A notice of this kind next to `path`, named after it (long names are shortened; a
    notice whose name was taken is "... (2).txt")."""
    stem = path.name.rsplit(".", 1)[0][:20]
    names = [re.sub(r" \(\d+\)(\.\w+)$", r"\1", p.name)
             for p in idle.entries if p.parent == path.parent]  # fmt: skip
    return all(
        any(name.startswith(stem) and name.endswith(suffix) for name in names)
        for suffix in NOTICE_SUFFIXES[notice]
    )


def checked_at(idle: Idle, tree: Tree, doc: Doc) -> bool:
    """The service checked `doc` where it lies (a step event from there), not parked it."""
    relative = doc.path.relative_to(tree.root).as_posix()
    return any(e["from_path"] == relative and e["file_hash"] == doc.sha
               and e["outcome"] in ("valid", "approved") for e in idle.events)  # fmt: skip


# Simplest first: shrinking moves toward the first step kinds.
ORDER = ("people", "untidy", "kills", "links", "specials", "names")
# Each test plays the people's steps plus one group, so that one failure (the first symlink
# stopping the service) hides no other.
SUBSETS = {
    "people": frozenset(),
    "untidy": frozenset({"untidy"}),  # clerks who resend, rename, and a Kabid who tidies
    "kills": frozenset({"kills"}),  # SIGKILL (also mid-handling) and SIGTERM, then restart
    "links": frozenset({"links"}),  # symlinks (outside the root, dangling) and hard links
    "specials": frozenset({"specials"}),  # a FIFO, a folder named .xlsx
    "names": frozenset({"names"}),  # 250-byte file names
}


@pytest.fixture(scope="module")
def model_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_office(tmp_path_factory.mktemp("model-template"))


@pytest.mark.parametrize("subset", list(SUBSETS))
def test_the_office_through_random_days(
    subset: str, model_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hypothesis_engine, "MAX_SHRINKING_SECONDS", SHRINK_SECONDS)
    machine = type(
        f"Office_{subset}",
        (OfficeMachine,),
        {"groups": SUBSETS[subset], "template": model_template, "base": tmp_path},
    )
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
