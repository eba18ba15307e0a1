"""What an office sends beside its events, as JSON: the readings of each approved version and the
office's profile (its name, SOP file and master workbook), so the centre computes the office's
figures under the office's own rules, with the same code as the office's reports.

Each document is identified by the SHA-256 of its canonical JSON (`content_hash`): sending it
twice stores it once, and a reviewer can recompute the hash from the stored body.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from watcher.masterdata.codec import master_to_json
from watcher.masterdata.model import MasterData
from watcher.reports.gather import Reading, Submission

SUBMISSIONS, PROFILES = "submissions", "profiles"


@dataclass(frozen=True)
class Document:
    """One JSON document for the centre, with the hash that identifies it."""

    body: str
    content_hash: str

    @classmethod
    def of(cls, value: dict[str, Any]) -> Document:
        body = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return cls(body, hashlib.sha256(body.encode("utf-8")).hexdigest())


def submission_document(submission: Submission) -> Document:
    """The readings of one approved version (`reports.gather.read_submission`)."""
    approval = submission.approval
    return Document.of(
        {
            "bidang": approval.division,
            "tahun": approval.year,
            "periode": approval.quarter,
            "sha256": approval.file_hash,
            "catatan": submission.kabid_note,
            "bacaan": {code: asdict(reading) for code, reading in submission.readings.items()},
        }
    )


def readings_of(body: dict[str, Any]) -> tuple[dict[str, Reading], str]:
    """(readings by indicator code, the checker's note) of a submission document."""
    readings = {code: Reading(**values) for code, values in body["bacaan"].items()}
    return readings, str(body.get("catatan", ""))


def profile_document(master: MasterData, sop_toml: bytes, master_xlsx: bytes, version: str
                     ) -> Document:  # fmt: skip
    """The office's rules as of now: its SOP file and master workbook, byte for byte, and the
    values its loader read from that workbook (`masterdata.codec`), which the centre reads."""
    return Document.of(
        {
            "nama_kantor": master.settings.office_name,
            "data_induk": master_to_json(master),
            "sop_toml": base64.b64encode(sop_toml).decode("ascii"),
            "sop_sha256": hashlib.sha256(sop_toml).hexdigest(),
            "data_induk_xlsx": base64.b64encode(master_xlsx).decode("ascii"),
            "data_induk_sha256": hashlib.sha256(master_xlsx).hexdigest(),
            "versi_kinerja": version,
        }
    )


def profile_files(body: dict[str, Any]) -> tuple[bytes, bytes]:
    """(SOP file, master workbook) of a profile document, checked against their hashes."""
    sop = base64.b64decode(body["sop_toml"], validate=True)
    master = base64.b64decode(body["data_induk_xlsx"], validate=True)
    if hashlib.sha256(sop).hexdigest() != body["sop_sha256"]:
        raise ValueError("SOP file does not match its hash")
    if hashlib.sha256(master).hexdigest() != body["data_induk_sha256"]:
        raise ValueError("master workbook does not match its hash")
    return sop, master
