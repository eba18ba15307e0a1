"""Moves the service has recorded are synced per batch: each folder once, whatever the count."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from watcher.record import durable
from watcher.record.durable import FolderSyncs, move_no_overwrite


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders fsynced, in order (the real fsync still runs)."""
    done: list[Path] = []
    real = durable.fsync_dir

    def recording(folder: Path) -> None:
        real(folder)
        done.append(folder)

    monkeypatch.setattr(durable, "fsync_dir", recording)
    return done


def test_a_batch_of_moves_syncs_each_folder_once_when_flushed(
    tmp_path: Path, synced: list[Path]
) -> None:
    inbox, outbox = tmp_path / "3_bahan", tmp_path / "4_laporan"
    inbox.mkdir()
    for number in range(20):
        (inbox / f"RA_{number}.xlsx").write_bytes(b"x")
    outbox.mkdir()
    later = FolderSyncs()

    for number in range(20):
        move_no_overwrite(inbox / f"RA_{number}.xlsx", outbox / f"RA_{number}.xlsx", later=later)
    assert synced == []  # nothing synced yet; every file has moved
    assert len(os.listdir(outbox)) == 20 and os.listdir(inbox) == []

    later.flush()
    assert sorted(synced) == sorted([inbox, outbox])
    later.flush()
    assert len(synced) == 2  # flushed once


def test_a_move_alone_syncs_both_folders_at_once(tmp_path: Path, synced: list[Path]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.xlsx").write_bytes(b"x")
    move_no_overwrite(tmp_path / "a" / "f.xlsx", tmp_path / "b" / "f.xlsx")
    assert set(synced) >= {tmp_path / "a", tmp_path / "b"}
    with pytest.raises(FileExistsError):
        (tmp_path / "a" / "g.xlsx").write_bytes(b"y")
        move_no_overwrite(tmp_path / "a" / "g.xlsx", tmp_path / "b" / "f.xlsx")
    assert (tmp_path / "b" / "f.xlsx").read_bytes() == b"x"
