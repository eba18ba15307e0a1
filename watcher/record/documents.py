"""The log projected into documents: one division's report for one period, saved in versions.

A document's identity is the workbook's metadata (division, year, period); every distinct content
(SHA-256) recorded for it is a version, numbered in the order the log first saw it. `project` turns
the events into one state per document: its current version, where it stands in the SOP and whom it
waits for, the approval in force, its returns, and where each version's copy lies. The service (to
supersede a waiting version and to refuse a stale move), `kinerja status`, the status page and the
reports all read this one projection, so they cannot disagree.

Rules (pure, from the events oldest first):
- The current version is the one in the document's latest step event.
- The approval in force is the latest approval; a return of the approved version logged after it
  withdraws it and the document is *reopened* until it is approved again. A newer version that is
  still waiting (or was returned) leaves the approval of the older one in force.
- Events the service logs for a superseded copy or a stale move are not steps: they change no state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from watcher.record.store import Event, Outcome, Store
from watcher.sop.model import Sop, StepKind

# Outcomes that move a document through the SOP (and make their version the current one).
STEP_OUTCOMES = frozenset({
    Outcome.VALID, Outcome.INVALID, Outcome.APPROVED, Outcome.FORWARDED, Outcome.RETURNED,
    Outcome.OPEN,
})  # fmt: skip
# Outcomes that only say where a copy went.
PLACE_OUTCOMES = STEP_OUTCOMES | {
    Outcome.DUPLICATE, Outcome.SUPERSEDED, Outcome.STALE, Outcome.RECEIVED, Outcome.MOVED,
}  # fmt: skip
RETURN_NOTE_MARK = "Catatan: "

Key = tuple[str, int, int]  # (division, year, period index)
StepOf = Callable[[str], int | None]  # the SOP step of a path below the root, if any


@dataclass(frozen=True)
class Approval:
    """The approved version of one division's workbook for one period, as logged."""

    division: str
    year: int
    quarter: int
    file_hash: str
    path: str  # where the checker put it, relative to the root
    at_utc: datetime
    actor: str | None
    event_id: int


@dataclass(frozen=True)
class Version:
    file_hash: str
    number: int  # 1, 2, ... in the order the log first saw the contents
    first_at: datetime
    path: str | None  # where its copy was last put, relative to the root (None: nowhere known)
    step: int | None  # the step of its last step event
    outcome: Outcome | None  # that event's outcome
    name: str = ""  # the file name it was last saved or put under


@dataclass(frozen=True)
class Return:
    at_utc: datetime
    step: int
    actor: str
    file_hash: str
    note: str


@dataclass(frozen=True)
class Document:
    division: str
    year: int
    period: int
    versions: tuple[Version, ...]
    current: Version
    approval: Approval | None  # in force
    reopened: Approval | None = None  # the approval a return withdrew, until approved again
    returns: tuple[Return, ...] = ()
    last_event_id: int = 0
    # step number -> the version last put into one of that step's folders
    at_step: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.division, self.year, self.period)

    def version(self, file_hash: str) -> Version | None:
        return next((v for v in self.versions if v.file_hash == file_hash), None)

    @property
    def is_open(self) -> bool:
        """The current version is still open in a spreadsheet program (a lock beside it)."""
        return self.current.outcome is Outcome.OPEN

    @property
    def pending(self) -> bool:
        """A newer version than the approved one is on its way (or sent back)."""
        return self.approval is not None and self.current.file_hash != self.approval.file_hash


@dataclass
class _Draft:
    versions: dict[str, Version] = field(default_factory=dict)
    current: str = ""
    approval: Approval | None = None
    reopened: Approval | None = None
    returns: list[Return] = field(default_factory=list)
    last_event_id: int = 0
    at_step: dict[int, str] = field(default_factory=dict)


def document_key(event: Event) -> Key | None:
    if event.division and event.year and event.quarter:
        return (event.division, event.year, event.quarter)
    return None


def project(events: Iterable[Event], step_of: StepOf = lambda _: None) -> dict[Key, Document]:
    """Every document's state from the log's events, oldest first (pure); `step_of` tells which
    step's folder a path is in (for `Document.at_step`)."""
    drafts: dict[Key, _Draft] = {}
    for event in events:
        _take(drafts, event, step_of)
    return {key: _document(key, draft) for key, draft in drafts.items() if draft.current}


class Projection:
    """The documents' state kept up to date from a log as it grows: the log is append-only, so
    each look applies only the events appended since the last one, and a document's thousandth
    version costs what its first did (`project` over the whole log gives the same documents)."""

    def __init__(self, step_of: StepOf) -> None:
        self.step_of = step_of
        self._drafts: dict[Key, _Draft] = {}
        self._last_id = 0

    def document(self, store: Store, key: Key) -> Document | None:
        for event in store.events(since_id=self._last_id):
            self._last_id = event.id or self._last_id
            _take(self._drafts, event, self.step_of)
        draft = self._drafts.get(key)
        return _document(key, draft) if draft is not None and draft.current else None


def _take(drafts: dict[Key, _Draft], event: Event, step_of: StepOf) -> None:
    key = document_key(event)
    if key is not None and event.file_hash and event.outcome in PLACE_OUTCOMES:
        _apply(drafts.setdefault(key, _Draft()), event, step_of)


def _apply(draft: _Draft, event: Event, step_of: StepOf) -> None:
    digest = event.file_hash or ""
    moment = event.at_utc or datetime.min
    known = draft.versions.get(digest)
    if known is None:
        known = Version(digest, len(draft.versions) + 1, moment, None, None, None)
    path = event.to_path or event.from_path or known.path
    known = replace(known, path=path, name=(path or "").rsplit("/", 1)[-1])
    if event.outcome in STEP_OUTCOMES:
        known = replace(known, step=event.step, outcome=event.outcome)
        draft.current = digest
    draft.versions[digest] = known
    arrived = step_of(path) if path else None
    if arrived is not None and event.outcome not in (Outcome.SUPERSEDED, Outcome.STALE):
        draft.at_step[arrived] = digest
    draft.last_event_id = event.id or draft.last_event_id
    if event.outcome is Outcome.APPROVED and event.id is not None:
        draft.approval = _approval(event, path or "")
        draft.reopened = None
    elif event.outcome is Outcome.RETURNED:
        draft.returns.append(Return(moment, event.step or 0, event.actor or "", digest,
                                    return_note(event.message)))  # fmt: skip
        if draft.approval is not None and draft.approval.file_hash == digest:
            draft.reopened, draft.approval = draft.approval, None


def _approval(event: Event, path: str) -> Approval:
    assert event.division and event.year and event.quarter and event.file_hash and event.at_utc
    return Approval(event.division, event.year, event.quarter, event.file_hash, path,
                    event.at_utc, event.actor, event.id or 0)  # fmt: skip


def _document(key: Key, draft: _Draft) -> Document:
    versions = tuple(draft.versions.values())  # numbered in the order they were first seen
    return Document(*key, versions, draft.versions[draft.current], draft.approval,
                    draft.reopened, tuple(draft.returns), draft.last_event_id,
                    dict(draft.at_step))  # fmt: skip


def return_message(actor: str, note: str) -> str:
    """The log message of a return (the note is read back by `return_note`)."""
    return f"Dikembalikan {actor} untuk diperbaiki. {RETURN_NOTE_MARK}{note or '(tanpa catatan)'}"


def return_note(message: str) -> str:
    _, mark, note = message.partition(RETURN_NOTE_MARK)
    return note if mark and note != "(tanpa catatan)" else ""


def waiting_for(sop: Sop, document: Document) -> str:
    """Whom the document waits for now, in the SOP's words ("" once approved)."""
    version = document.current
    if version.step is None or version.outcome is None:
        return ""
    step = sop.step(version.step)
    if version.outcome is Outcome.APPROVED:
        return ""
    if version.outcome is Outcome.RETURNED:
        return sop.step(step.return_to).actor
    if version.outcome is Outcome.INVALID:
        return (step if step.kind is StepKind.SUBMIT else sop.producer(step)).actor
    waits_here = version.outcome is Outcome.OPEN or (
        step.kind is StepKind.CHECK and version.outcome is Outcome.VALID
    )
    if waits_here:
        return step.actor
    following = sop.after(step)
    return following.actor if following is not None else ""


def approvals(documents: Iterable[Document]) -> dict[tuple[str, int], Approval]:
    """(division, period) -> the approval in force (one year's documents)."""
    return {(d.division, d.period): d.approval for d in documents if d.approval is not None}
