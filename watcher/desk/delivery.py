"""Kirim: put a clerk's workbook into its step folder on the shared folder, if the server would
accept it.

The bytes checked are the bytes sent: the copy the add-in saved (Excel's SaveCopyAs) goes through
the server's own `validate_bytes`, safety layer included (macros, external links and other things
cell values cannot show), with the expectation of the folder it is sent to. Only a valid copy is
written, under the standard file name, with the service's version suffix when the name is taken.
The write never replaces a file: a hidden temp file is synced, then linked to its name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watcher.desk.check import first_expectation, placement_of
from watcher.desk.locator import Placement, sending_step
from watcher.errors import KinerjaError
from watcher.masterdata.model import MasterData
from watcher.record.durable import create_new
from watcher.service.tree import Tree
from watcher.sop.model import Sop
from watcher.sop.tree_sop import resolve_sop
from watcher.validation.findings import Result
from watcher.validation.validate import expectation_for, validate_bytes

log = logging.getLogger(__name__)
_ATTEMPTS = 20  # names taken between choosing and linking (another clerk sending the same file)


class DeliveryError(KinerjaError):
    """The copy could not be placed on the shared folder (folder missing, not writable, ...)."""


@dataclass(frozen=True)
class Delivery:
    """What Kirim did: the verdict, the folder it aimed at, and where the copy went (if sent)."""

    result: Result
    placement: Placement | None
    path: Path | None = None
    sop: Sop | None = None  # the tree's, which names the step and the next person

    @property
    def sent(self) -> bool:
        return self.path is not None


def deliver(data: bytes, tree: Tree, master: MasterData, *, step: int, today: date,
            name: str = "") -> Delivery:  # fmt: skip
    """Validate the copy `data` as its target folder will; write it there only if valid.
    `step` is the submission this desk sends at (0: the SOP's first)."""
    sop = resolve_sop(tree)
    sending = sending_step(sop, step)
    first_pass = validate_bytes(data, master, first_expectation(sop, sending), name=name)
    target = placement_of(first_pass, tree, sop, sending.number)
    if target is None:  # refused, or the workbook does not say whose it is
        return Delivery(first_pass, None, sop=sop)
    if not target.folder.is_dir():
        raise DeliveryError(
            f"Folder tujuan {target.folder} tidak ditemukan. Periksa apakah folder bersama "
            "terhubung dan pengaturan 'Atur Folder' menunjuk ke folder kerja kinerja."
        )
    expect = expectation_for(target.path, tree, master, sop=sop, step=sending.number, today=today)
    result = validate_bytes(data, master, expect, name=target.file_name)
    if not result.valid:
        return Delivery(result, target, sop=sop)
    return Delivery(result, target, write_new(target, data), sop=sop)


def write_new(target: Placement, data: bytes) -> Path:
    """Write `data` at the target's first free name; never replaces an existing file."""
    for _ in range(_ATTEMPTS):
        path = target.free_path()
        try:
            if create_new(path, data):
                log.info("sent %s (%d bytes)", path, len(data))
                return path
        except OSError as exc:
            raise DeliveryError(
                f"Berkas tidak dapat disimpan ke {target.folder}: {exc.strerror or exc}. "
                "Periksa sambungan ke folder bersama dan izin menulis di folder itu."
            ) from exc
    raise DeliveryError(
        f"Tidak menemukan nama bebas untuk {target.file_name} di {target.folder}; coba lagi."
    )
