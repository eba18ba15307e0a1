"""The back-off of failing files, and how the health file shows them: pure, clock as parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watcher.service.backoff import Backoff
from watcher.service.health import judge

START = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
FILE = Path("inbox/DAFDUK/3_bahan/laporan.xlsx")


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def backoff(clock: Clock) -> Backoff:
    return Backoff(first_seconds=10, cap_seconds=600, monotonic=clock, now=lambda: START)


@pytest.mark.parametrize(
    ("failures", "next_try"),
    [(1, 10), (2, 20), (3, 40), (6, 320), (7, 600), (20, 600)],
    ids=["first", "doubles", "doubles-again", "sixth", "capped", "stays-capped"],
)
def test_the_wait_doubles_up_to_the_cap(failures: int, next_try: float) -> None:
    clock = Clock()
    waits = backoff(clock)
    for _ in range(failures):
        waits.failed(FILE, "disk penuh", signature=(1,))
        assert waits.due() == []
    assert waits.next_due_in() == next_try
    clock.seconds = next_try
    assert waits.due() == [FILE]


def test_a_failure_is_new_once_per_file_and_cause() -> None:
    waits = backoff(Clock())
    assert waits.failed(FILE, "disk penuh") is True
    assert waits.failed(FILE, "disk penuh") is False
    assert waits.failed(FILE, "tidak ada izin") is True  # a new cause is recorded again
    assert waits.failed(FILE.with_name("lain.xlsx"), "tidak ada izin") is True
    recovered = waits.succeeded(FILE)
    assert recovered is not None and recovered.cause == "tidak ada izin"
    assert waits.succeeded(FILE) is None  # the recovery is told once


def test_a_changed_file_or_a_released_cause_is_tried_at_once() -> None:
    waits = backoff(Clock())
    waits.failed(FILE, "tidak ada izin", signature=(1, 0o000))
    assert waits.holding(FILE, (1, 0o000))
    assert not waits.holding(FILE, (1, 0o644))  # permissions fixed: try now
    other = FILE.with_name("lain.xlsx")
    waits.failed(other, "data induk tidak ada", kind="master", signature=(2,))
    assert waits.holding(other, (2,))
    waits.release("master")
    assert waits.due() == [other]


def test_the_health_verdict_lists_the_waiting_files_with_their_reasons() -> None:
    waits = backoff(Clock())
    waits.failed(FILE, "tidak ada izin membaca atau memindahkan berkas")
    fields = {
        "hidup": True, "pid": 1, "host": "lain", "mode": "native", "mulai_utc": START.isoformat(),
        "denyut_utc": START.isoformat(), "menunggu": waits.waiting(),
    }  # fmt: skip
    verdict = judge(fields, now=START + timedelta(seconds=30))
    assert verdict.alive
    assert "Berkas menunggu  : 1 (dicoba lagi otomatis)" in verdict.text
    assert f"{FILE}: tidak ada izin membaca atau memindahkan berkas" in verdict.text
