"""`kinerja verify`: each way of tampering with the record is caught, with its own message.

The tamperer works as one would: raw sqlite3 on the log (dropping the append-only triggers
first), an editor or `rm` on the archive.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder

from watcher.errors import MissingFileError, UsageError
from watcher.record.archive import archived_path
from watcher.record.store import HASHED_FIELDS, Event, Outcome, Store, chain_bytes, chain_hash
from watcher.record.verify import Tampering, parse_anchor, verify_tree
from watcher.service.tree import Tree


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """An office whose service has handled two workbooks: one valid, one bounced."""
    tree, _ = issued_office(tmp_path_factory.mktemp("verify") / "kantor")
    with running_service(tree):
        for code, values in (("DAFDUK", None), ("PIAK", [1, "dua", 3, 4])):
            name = f"Rencana_Aksi_{code}_2026_TW3.xlsx"
            fill(tree.folder(code, Folder.DISPOSITION) / name,
                 tree.folder(code, Folder.MATERIAL) / name, realisations=values)  # fmt: skip
        wait_for(lambda: len(_events(tree, Outcome.VALID, Outcome.INVALID)) == 2, what="handled")
    return tree


@pytest.fixture
def office(processed: Tree, tmp_path: Path) -> Tree:
    """A fresh copy to tamper with."""
    return Tree(Path(shutil.copytree(processed.root, tmp_path / "kantor")))


def _events(tree: Tree, *outcomes: Outcome) -> list[Event]:
    with Store(tree.store_path) as store:
        return [e for e in store.events() if not outcomes or e.outcome in outcomes]


def _raw(tree: Tree, *statements: str) -> None:
    db = sqlite3.connect(tree.store_path)
    try:
        for statement in statements:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


def _archived(tree: Tree) -> Path:
    [valid] = _events(tree, Outcome.VALID)
    return archived_path(tree.archive_files, valid.file_hash)


def test_an_untouched_record_is_reported_intact(office: Tree) -> None:
    result = verify_tree(office)
    assert result.ok and result.exit_code == 0
    assert result.events == len(_events(office)) and result.files == 2
    text = result.text()
    assert "Log kejadian utuh" in text and "Arsip utuh: 2 berkas" in text
    head_id, head_hash = result.head
    assert f"--anchor {head_id}:{head_hash}" in text


def test_an_edited_row_is_caught(office: Tree) -> None:
    _raw(office, "DROP TRIGGER events_no_update",
         "UPDATE events SET message = 'Laporan disetujui Kabid.' WHERE id = 3")  # fmt: skip
    result = verify_tree(office)
    [finding] = result.findings
    assert (finding.kind, finding.event_id) == (Tampering.ROW_CHANGED, 3)
    assert "Baris log kejadian #3 telah DIUBAH" in result.text()
    assert result.exit_code == 1


def test_an_edited_row_with_its_hash_recomputed_is_caught(office: Tree) -> None:
    db = sqlite3.connect(office.store_path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM events WHERE id = 2").fetchone())
    row["actor"] = "kabid_palsu"
    values = {name: row[name] for name in HASHED_FIELDS}
    forged = chain_hash(row["prev_hash"], values)
    db.execute("DROP TRIGGER events_no_update")
    db.execute(  # the forger rewrites the row's kept bytes too
        "UPDATE events SET actor = ?, row_hash = ?, raw = ? WHERE id = 2",
        ("kabid_palsu", forged, chain_bytes(values)),
    )
    db.commit()
    db.close()
    [finding] = verify_tree(office).findings
    assert (finding.kind, finding.event_id) == (Tampering.ROW_CHANGED, 2)
    assert "#2 telah DIUBAH dan hash-nya dihitung ulang" in finding.message


@pytest.mark.parametrize(
    ("where", "missing"),
    [("id = 2", "#2"), ("id >= (SELECT MAX(id) - 1 FROM events)", "#")],
    ids=["a-middle-row", "the-newest-rows"],
)
def test_a_deleted_row_is_caught(office: Tree, where: str, missing: str) -> None:
    top = len(_events(office))
    _raw(office, "DROP TRIGGER events_no_delete", f"DELETE FROM events WHERE {where}")
    [finding] = verify_tree(office).findings
    assert finding.kind is Tampering.ROWS_DELETED
    assert "telah DIHAPUS" in finding.message and missing in finding.message
    if where.startswith("id >="):
        assert f"#{top - 1}, #{top}" in finding.message


def test_an_edited_archived_file_is_caught(office: Tree) -> None:
    copy = _archived(office)
    copy.chmod(0o644)  # archived copies are read-only; a tamperer changes that first
    copy.write_bytes(copy.read_bytes() + b"\0")  # one byte more: no longer the same file
    [finding] = verify_tree(office).findings
    assert (finding.kind, finding.path) == (Tampering.FILE_CHANGED, copy)
    assert f"Salinan arsip {copy} telah DIUBAH" in finding.message


def test_a_deleted_archived_file_is_caught(office: Tree) -> None:
    copy = _archived(office)
    copy.unlink()
    [finding] = verify_tree(office).findings
    assert finding.kind is Tampering.FILE_MISSING
    assert "HILANG" in finding.message and copy.name[:12] in finding.message


def test_a_rewritten_log_is_caught_by_the_anchor(office: Tree) -> None:
    anchor = verify_tree(office).head
    _raw(office, "DROP TRIGGER events_no_delete", "DELETE FROM events",
         "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'events'")  # fmt: skip
    with Store(office.store_path) as store:  # a brand-new, self-consistent chain
        for _ in range(anchor[0]):
            store.append(Event(outcome=Outcome.STARTED, message="Layanan mulai."))
    assert verify_tree(office).ok  # the chain alone cannot tell
    [finding] = verify_tree(office, anchor=anchor).findings
    assert finding.kind is Tampering.ANCHOR_MISMATCH
    assert f"baris #{anchor[0]} memiliki hash lain" in finding.message


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("12:" + "a" * 64, True),
        ("12:" + "A" * 64, True),
        ("12:abc", False),
        ("x:" + "a" * 64, False),
    ],
)
def test_an_anchor_is_id_colon_hash(text: str, valid: bool) -> None:
    if valid:
        assert parse_anchor(text) == (12, "a" * 64)
        return
    with pytest.raises(UsageError, match="Jangkar"):
        parse_anchor(text)


def test_a_root_without_a_log_is_not_verified(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="Log kejadian tidak ditemukan"):
        verify_tree(Tree(tmp_path))
    assert not (tmp_path / "arsip").exists()  # verifying never creates a log
