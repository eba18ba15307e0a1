"""The SOP a tree was set up with is recorded in the tree and used by every later command.

Played as an office's IT person would: `kinerja init --sop FILE`, later commands without
`--sop`, a different `--sop` refused, an explicit switch logged, a copy edited by hand noticed.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from watcher.cli import main
from watcher.errors import EXIT_UNUSABLE
from watcher.record import store as store_module
from watcher.record.store import (
    GENESIS_HASH,
    HASHED_FIELDS,
    MIGRATIONS,
    Event,
    Outcome,
    Store,
    chain_hash,
    format_utc,
)
from watcher.service.tree import Tree
from watcher.service.watch import Service, ServiceOptions
from watcher.sop.load import default_sop_path, sample_sop_path
from watcher.sop.tree_sop import SopChangedError, check_recorded

MONTHLY = sample_sop_path("sop_contoh_bulanan.toml")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_tree_keeps_the_sop_it_was_set_up_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ("--root", str(tmp_path))
    assert _run(capsys, "init", "--sop", str(MONTHLY), *root)[0] == 0
    tree = Tree(tmp_path)
    assert tree.sop_path.read_bytes() == MONTHLY.read_bytes()
    assert (tree.division_dir("DAFDUK") / "03_verifikasi" / "lolos").is_dir()
    assert not (tree.division_dir("DAFDUK") / "3_bahan").exists()
    guide = (tree.division_dir("DAFDUK") / "PETUNJUK.txt").read_text(encoding="utf-8")
    assert "Sekretaris" in guide and "03_verifikasi\\lolos" in guide

    code, text = _run(capsys, "sop", *root)  # no --sop: the tree's own
    assert code == 0 and "003/SEKR" in text and "Kepala Dinas" in text

    code, text = _run(capsys, "issue", "--sop", str(default_sop_path()), *root)
    assert code == EXIT_UNUSABLE
    assert "memakai SOP 003/SEKR" in text and "kinerja sop --pasang" in text


def test_switching_the_sop_is_explicit_and_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ("--root", str(tmp_path))
    assert _run(capsys, "init", *root)[0] == 0
    code, text = _run(capsys, "sop", "--pasang", str(MONTHLY), *root)
    assert code == 0 and "dipasang" in text
    tree = Tree(tmp_path)
    with Store(tree.store_path) as store:
        recorded = store.events(outcome=Outcome.SOP_SET)
    digest = __import__("hashlib").sha256(MONTHLY.read_bytes()).hexdigest()
    assert len(recorded) == 1 and digest in recorded[0].message
    assert (tree.division_dir("PIAK") / "02_data_bidang" / "perbaiki").is_dir()


def test_a_copy_edited_by_hand_stops_the_service_at_start(tmp_path: Path) -> None:
    assert main(["init", "--root", str(tmp_path)]) == 0
    tree = Tree(tmp_path)
    with Store(tree.store_path) as store:
        check_recorded(tree, store)  # the first start records the copy's hash
    edited = tree.sop_path.read_text(encoding="utf-8").replace('waktu = "1 Jam"', 'waktu = "8 Jam"')
    tree.sop_path.write_text(edited, encoding="utf-8")
    service = Service(tree, ServiceOptions(office_jobs=False))
    with pytest.raises(SopChangedError, match="berubah sejak dicatat"):
        service.run(threading.Event())


def test_a_log_of_sop_010_migrates_and_its_chain_still_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An office's existing log (steps 1-6, quarters 1-4) takes any SOP's steps and periods."""
    path = tmp_path / "log.sqlite3"
    with monkeypatch.context() as patch:  # the log as the previous version left it
        patch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:3])
        Store(path, keep_anchor=False).close()
        old = _old_rows(path, steps=(2, 3, 5))
        with pytest.raises(sqlite3.IntegrityError):
            raw = sqlite3.connect(path)
            raw.execute("INSERT INTO events (at_utc, outcome, step, prev_hash, row_hash) "
                        "VALUES ('x', 'valid', 9, 'p', 'r')")  # fmt: skip
        raw.close()
    with Store(path, keep_anchor=False) as store:
        assert [name for name, _ in store.applied_migrations()][-1] == MIGRATIONS[-1].name
        assert store.events() == old  # ids, times and hashes unchanged
        store.append(Event(outcome=Outcome.VALID, division="DAFDUK", year=2026, quarter=11,
                           step=9))  # fmt: skip
        assert store.verify_chain() is None
        assert [(e.quarter, e.step) for e in store.events()][-1] == (11, 9)


def _old_rows(path: Path, *, steps: tuple[int, ...]) -> list[Event]:
    """Rows as a previous version appended them (no `raw` column): the same hash chain."""
    db = sqlite3.connect(path)
    prev, events = GENESIS_HASH, []
    for number, step in enumerate(steps, start=1):
        event = Event(outcome=Outcome.VALID, division="DAFDUK", year=2026, quarter=3, step=step,
                      at_utc=datetime(2026, 10, 12, number, tzinfo=UTC), id=number)  # fmt: skip
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        values.update(at_utc=format_utc(event.at_utc), outcome=event.outcome.value)
        row_hash = chain_hash(prev, values)
        db.execute(
            f"INSERT INTO events ({', '.join(HASHED_FIELDS)}, prev_hash, row_hash) VALUES "
            f"({', '.join('?' * len(HASHED_FIELDS))}, ?, ?)",
            (*values.values(), prev, row_hash),
        )
        events.append(dataclasses.replace(event, prev_hash=prev, row_hash=row_hash))
        prev = row_hash
    db.commit()
    db.close()
    return events
