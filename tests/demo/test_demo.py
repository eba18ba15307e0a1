"""`kinerja demo`: the newcomer's tour plays a whole period quickly and leaves it to look at."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.sop010 import Folder

from watcher.demo.tour import BOUNCED, run_demo
from watcher.errors import UsageError
from watcher.record.store import Outcome, Store
from watcher.record.verify import verify_tree
from watcher.sop.load import sample_sop_path
from watcher.sop.workflow import SUPERSEDED_FOLDER


def test_the_demo_plays_a_whole_quarter(tmp_path: Path) -> None:
    printed: list[str] = []
    started = time.monotonic()
    tree = run_demo(tmp_path / "demo", echo=printed.append, timeout=60)
    assert time.monotonic() - started < 90  # "about a minute" on a slow machine
    text = "\n".join(printed)
    expected = ("Langkah 1-2", "bukan angka", "DIKEMBALIKAN KABID", "Langkah 6",
                "Log kejadian utuh", "Tempat melihat hasilnya", str(tree.status_page))  # fmt: skip
    assert [words for words in expected if words not in text] == []
    with Store(tree.store_path) as store:
        events = store.events()
    approved = {e.division for e in events if e.outcome is Outcome.APPROVED}
    assert len(approved) == 5
    assert [e.division for e in events if e.outcome is Outcome.RETURNED] == [BOUNCED]
    assert [e.division for e in events if e.outcome is Outcome.INVALID] == [BOUNCED]
    assert tree.status_page.exists()
    assert sorted(p.suffix for p in (tree.quarterly_reports / "2026_TW3").iterdir()) == [
        ".pdf", ".xlsx"
    ]  # fmt: skip
    # the bounced copy and its feedback were settled once the fixed version passed
    assert not any(tree.folder(BOUNCED, Folder.MATERIAL_FIX).iterdir())
    settled = sorted(p.name for p in tree.folder(BOUNCED, SUPERSEDED_FOLDER).iterdir())
    assert any(n.endswith(" - HASIL VALIDASI.xlsx") for n in settled), settled
    assert any(n.endswith(" - DIGANTI.txt") for n in settled), settled
    assert verify_tree(tree).ok


def test_the_demo_never_mixes_with_an_office_folder(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    with pytest.raises(UsageError, match="tidak kosong"):
        run_demo(tmp_path, echo=lambda text: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox"]


def test_the_demo_plays_a_period_of_another_sop(tmp_path: Path) -> None:
    """The shipped monthly sample: one submission, a Sekretaris who verifies (and returns once),
    a Kepala Dinas who approves, and the month's report; played by the real service in the
    SOP's own folders."""
    printed: list[str] = []
    sop_path = sample_sop_path("sop_contoh_bulanan.toml")
    tree = run_demo(tmp_path / "demo", echo=printed.append, timeout=60, sop_path=sop_path)
    text = "\n".join(printed)
    report = tree.outbox / "bulanan" / "2026_B09"
    expected = ("Bulan September 2026", "bukan angka", "DIKEMBALIKAN SEKRETARIS",
                "diteruskan ke Kepala Dinas (04_pengesahan)", "disetujui Kepala Dinas",
                "Langkah 5: laporan bulanan untuk Subbagian Program",
                str(report / "Laporan_Kinerja_B09_2026.pdf"),
                "Langkah 5: Laporan Bulanan (Subbagian Program, 2 Hari): selesai tepat waktu",
                "Log kejadian utuh")  # fmt: skip
    assert [words for words in expected if words not in text] == []
    assert sorted(p.name for p in report.iterdir()) == [
        "Laporan_Kinerja_B09_2026.pdf", "Laporan_Kinerja_B09_2026.xlsx"
    ]  # fmt: skip
    with Store(tree.store_path) as store:
        events = store.events()
    assert len({e.division for e in events if e.outcome is Outcome.APPROVED}) == 5
    assert len({e.division for e in events if e.outcome is Outcome.FORWARDED}) == 5
    assert {e.step for e in events if e.outcome is Outcome.APPROVED} == {4}
    assert [(e.division, e.step) for e in events if e.outcome is Outcome.RETURNED] == [(BOUNCED, 3)]
    approved = tree.folder(BOUNCED, "04_pengesahan/disetujui")
    assert [p.name for p in approved.iterdir()] == ["Rencana_Aksi_DAFDUK_2026_B09.xlsx"]
    assert verify_tree(tree).ok
