"""The console as a person at the server reads it: Indonesian outcome words with the time and
its zone, and Ctrl-C that stops any command without a traceback. Real subprocesses, real
signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import fill, wait_for
from support.sop010 import Folder

from watcher.errors import EXIT_INTERRUPTED
from watcher.record.store import Event, Outcome
from watcher.service.console import outcome_line
from watcher.service.pipeline import Handled
from watcher.service.tree import Tree
from watcher.sop.load import load_sop, sample_sop_path

SOP_010 = load_sop()
MONTHLY = load_sop(sample_sop_path("sop_contoh_bulanan.toml"))

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="Ctrl-C as SIGINT to a process, and /proc: Linux only"
)
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}"  # local time and its UTC offset


class Kinerja:
    """`python -m watcher ARGS` running, its output lines collected as they come."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "watcher", *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line.rstrip("\n"))

    def said(self, pattern: str, *, stream: str = "out") -> bool:
        lines = self.out if stream == "out" else self.err
        return any(re.search(pattern, line) for line in list(lines))

    def loaded(self, library: str) -> bool:
        """The process has mapped one of `library`'s compiled modules (it is importing it)."""
        maps = Path(f"/proc/{self.process.pid}/maps").read_text(encoding="utf-8", errors="replace")
        return f"/{library}/" in maps

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C, as a person at the console presses it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def __enter__(self) -> Kinerja:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:  # a failed test: no process is left behind
            self.process.kill()
            self.process.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()  # type: ignore[union-attr]


def test_the_watch_console_says_what_became_of_each_file_with_time_and_zone(
    tmp_path: Path,
) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    with Kinerja("watch", "--root", str(tree.root)) as watch:
        _watch_two_files(tree, watch)
    assert watch.out[-1] == "Layanan berhenti."
    assert not any("Traceback" in line or "routed" in line for line in watch.err), watch.err


def _watch_two_files(tree: Tree, watch: Kinerja) -> None:
    wait_for(lambda: watch.said("^Mengawasi .* Tekan Ctrl-C"), timeout=60, what="watching")
    fill(tree.folder("DAFDUK", Folder.DISPOSITION) / NAME,
         tree.folder("DAFDUK", Folder.MATERIAL) / NAME,
         realisations=[99.1, "sembilan puluh", 1100, 1.2])  # fmt: skip
    (tree.folder("PIAK", Folder.REPORT) / "catatan.xlsx").write_text("bukan buku kerja")
    bounced = (
        rf"^{STAMP} inbox/DAFDUK/3_bahan/{NAME}: tidak valid, dikembalikan untuk perbaikan "
        rf"-> inbox/DAFDUK/3_bahan/perlu_perbaikan/{NAME}$"
    )
    junk = rf"^{STAMP} inbox/PIAK/4_laporan/catatan.xlsx: ditolak -> inbox/PIAK/4_laporan/perlu"
    wait_for(lambda: watch.said(bounced, stream="err") and watch.said(junk, stream="err"),
             timeout=60, what=f"both outcomes on the console: {watch.err}")  # fmt: skip
    assert watch.interrupt() == 0  # Ctrl-C is how the service is stopped: a clean stop


def test_ctrl_c_stops_the_demo_without_a_traceback(tmp_path: Path) -> None:
    with Kinerja("demo", "--root", str(tmp_path / "demo")) as demo:
        wait_for(lambda: demo.said("^== "), timeout=90, what="the tour under way")
        assert demo.interrupt() == EXIT_INTERRUPTED
    assert "Dihentikan dengan Ctrl-C." in demo.err, demo.err
    assert not any("Traceback" in line for line in demo.err), demo.err


@pytest.mark.parametrize(
    ("sop", "outcome", "step", "words"),
    [
        pytest.param(SOP_010, Outcome.APPROVED, 5, "disetujui Kabid", id="010-approved"),
        pytest.param(SOP_010, Outcome.RETURNED, 5, "dikembalikan oleh Kabid", id="010-returned"),
        pytest.param(MONTHLY, Outcome.APPROVED, 3, "disetujui Sekretaris", id="first-check"),
        pytest.param(
            MONTHLY, Outcome.RETURNED, 4, "dikembalikan oleh Kepala Dinas", id="final-check"
        ),
        pytest.param(MONTHLY, Outcome.APPROVED, 9, "disetujui pemeriksa", id="unknown-step"),
    ],
)
def test_a_checkers_decision_on_the_console_names_the_sops_checker(
    sop, outcome: Outcome, step: int, words: str
) -> None:
    event = Event(outcome=outcome, division="PIAK", step=step, from_path="a.xlsx", to_path="b")
    assert outcome_line("a.xlsx", Handled.ROUTED, [event], sop) == f"a.xlsx: {words} -> b"
