"""Submissions already read in this process, so a rebuild reads only what is new.

The service rebuilds a period's report after every approval, and the LKjIP reads the same
approvals again; each approved workbook would be read (safety layer, calamine, rules) every
time. A submission is remembered under its approval (division, period, file hash, path, time
and event), for the master data and SOP objects it was read with: a new master data version
or SOP is a new object, and everything is read afresh under it. The archived bytes are still
checked against their SHA-256 at every build (`gather`); only the reading is not repeated.
The memory is bounded (`part_memo.Memo`): 4,096 submissions, the LKjIP of 1,000 divisions, at
about 17 KiB each for 40 indicator rows (~70 MB); `part_memo.forget_all` empties it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from watcher.masterdata.model import MasterData
from watcher.record.documents import Approval
from watcher.sop.model import Sop
from watcher.validation.part_memo import Memo
from watcher.workbook.layout import Layout

if TYPE_CHECKING:
    from watcher.reports.gather import Submission

_READ: Memo[tuple[MasterData, Sop, Layout, Submission]] = Memo(4096)


def _key(approval: Approval) -> bytes:
    return hashlib.sha256(repr(approval).encode("utf-8")).digest()


def remembered(master: MasterData, sop: Sop, layout: Layout,
               approval: Approval) -> Submission | None:  # fmt: skip
    """The submission read for `approval` under these very objects, if it was."""
    entry = _READ.get(_key(approval))
    if entry is None:
        return None
    read_master, read_sop, read_layout, submission = entry
    if read_master is not master or read_sop is not sop or read_layout is not layout:
        return None
    return submission


def remember(master: MasterData, sop: Sop, layout: Layout, submission: Submission) -> None:
    _READ.put(_key(submission.approval), (master, sop, layout, submission))
