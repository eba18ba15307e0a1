"""The SOP's calendar run by the service: dispositions on the 10th (caught up once), warnings and
lateness once per step round, e-mail through a real local SMTP server, and the service itself.

The clock is injected everywhere: a test moves it and runs the job, nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from support.service_run import running_service
from support.sop010 import Folder

from watcher.masterdata.model import MasterData
from watcher.masterdata.sample import sample_master
from watcher.record.store import Event, Outcome, Store
from watcher.reports.status import StatusPage
from watcher.service.config import ConfigError, EmailConfig, load_config
from watcher.service.issuing import IssueStatus
from watcher.service.jobs import OfficeJobs, ensure_dispositions, sweep
from watcher.service.mailer import send_mail
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.service.watch import MasterSource, ServiceOptions
from watcher.sop.load import load_sop

WITA = ZoneInfo("Asia/Makassar")
SOP = load_sop()
ISSUED_TEXT = "Buku kerja rencana aksi dan disposisi diterbitkan."
LATE_NOTE = "Terlambat: seharusnya diterbitkan Sabtu, 10 Oktober 2026 pukul 07.30 WITA."


def w(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


class Clock:
    """The one clock of a test: the store, the jobs and the service read it; the test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def office(tmp_path: Path) -> tuple[Tree, MasterData]:
    """`kinerja init`: the folders and the sample master workbook (2026), nothing issued."""
    tree = Tree(tmp_path / "kantor")
    return tree, init_tree(tree).master


def disposition_files(tree: Tree, master: MasterData) -> dict[Path, bytes]:
    return {
        path: path.read_bytes()
        for division in master.divisions
        for path in tree.folder(division.code, Folder.DISPOSITION).iterdir()
    }


# --- the 10th: issue once, catch up once ---------------------------------------------------


def test_catch_up_after_the_service_was_down_over_the_10th(
    office: tuple[Tree, MasterData],
) -> None:
    tree, master = office
    codes = {division.code for division in master.divisions}
    # Down from Friday to Monday 12 October 10:00: the third quarter's dispositions, due
    # Saturday 10 October 07:30, do not exist yet. 150 office minutes late (Mon 07:30-10:00).
    clock = Clock(w(2026, 10, 12, 10))
    with Store(tree.store_path, now=clock) as store:
        issued = ensure_dispositions(tree, store, master, SOP, clock)
        recorded = store.events()
    assert {item.division for item in issued} == codes
    assert len(issued) == 2 * len(codes) and {i.status for i in issued} == {IssueStatus.CREATED}
    assert [e.outcome for e in recorded] == [Outcome.ISSUED] * len(codes)
    for event in recorded:
        assert (event.year, event.quarter, event.step) == (2026, 3, 2)
        assert event.at_utc == datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
        assert event.message == f"{ISSUED_TEXT} {LATE_NOTE}"
        assert event.to_path == (
            f"inbox/{event.division}/1_disposisi/Rencana_Aksi_{event.division}_2026_TW3.xlsx"
        )
    files = disposition_files(tree, master)
    assert len(files) == 2 * len(codes)

    # Restarted at 10:05, and again at 13:00: nothing more is issued or recorded.
    for restart in (w(2026, 10, 12, 10, 5), w(2026, 10, 12, 13)):
        clock.moment = restart
        with Store(tree.store_path, now=clock) as store:
            assert ensure_dispositions(tree, store, master, SOP, clock) == []
            assert store.events() == recorded
    assert disposition_files(tree, master) == files


def test_nothing_is_issued_before_the_10th(office: tuple[Tree, MasterData]) -> None:
    tree, master = office
    clock = Clock(w(2026, 10, 5, 9))  # Monday 5 October: the 10th has not come
    with Store(tree.store_path, now=clock) as store:
        assert ensure_dispositions(tree, store, master, SOP, clock) == []
        assert store.events() == []
    assert disposition_files(tree, master) == {}


@pytest.mark.parametrize(
    ("moment", "note"),
    [
        # At opening time on Saturday the 10th itself: on time.
        pytest.param(w(2026, 10, 10, 7, 30), "", id="sat-10th-at-opening"),
        # Saturday afternoon and Sunday: no office time has passed since 07:30 on Saturday.
        pytest.param(w(2026, 10, 11, 20), "", id="sunday-evening"),
        # Steps 1-2 allow 15 + 15 office minutes: Mon 07:55 (25 min) is still on time ...
        pytest.param(w(2026, 10, 12, 7, 55), "", id="monday-07h55-within-30-office-minutes"),
        # ... Mon 08:01 (31 min) is late.
        pytest.param(w(2026, 10, 12, 8, 1), LATE_NOTE, id="monday-08h01-late"),
    ],
)
def test_the_lateness_note_counts_office_time(
    office: tuple[Tree, MasterData], moment: datetime, note: str
) -> None:
    tree, master = office
    clock = Clock(moment)
    with Store(tree.store_path, now=clock) as store:
        assert ensure_dispositions(tree, store, master, SOP, clock)
        messages = {e.message for e in store.events(outcome=Outcome.ISSUED)}
    assert messages == {f"{ISSUED_TEXT} {note}".rstrip()}


def test_the_10th_of_january_asks_for_the_previous_years_fourth_quarter(
    office: tuple[Tree, MasterData],
) -> None:
    tree, master = office
    # Sunday 10 January 2027 07:30 was the moment; Monday 11 January (450 min) and Tuesday
    # 07:30-09:00 (90 min) have passed: issued late, for the fourth quarter of 2026.
    clock = Clock(w(2027, 1, 12, 9))
    with Store(tree.store_path, now=clock) as store:
        ensure_dispositions(tree, store, master, SOP, clock)
        events = store.events(outcome=Outcome.ISSUED)
    assert {(e.year, e.quarter) for e in events} == {(2026, 4)}
    assert all(
        e.message.endswith("seharusnya diterbitkan Minggu, 10 Januari 2027 pukul 07.30 WITA.")
        for e in events
    )


# --- the sweep: warnings and lateness once per step round ----------------------------------


def one_division(master: MasterData, code: str = "DAFDUK") -> MasterData:
    return dataclasses.replace(master, divisions=(master.division(code),))


NOTICES = {
    "W3": "PERINGATAN - Langkah 3 - TW3 2026.txt",
    "L3": "TERLAMBAT - Langkah 3 - TW3 2026.txt",
    "W4": "PERINGATAN - Langkah 4 - TW3 2026.txt",
    "W5": "PERINGATAN - Langkah 5 - TW3 2026.txt",
    "L5": "TERLAMBAT - Langkah 5 - TW3 2026.txt",
}
W, L = Outcome.WARNING, Outcome.LATE
# (sweep at, events the office produced just before it, alerts expected from this sweep)
# fmt: off
TIMELINE: list[tuple[datetime, list[tuple[datetime, Outcome, int]], list[tuple[Outcome, int]]]] = [
    # Issued Sat 10 Oct 07:30; step 3 is due Tue 13 Oct 07:30 (450 office minutes).
    (w(2026, 10, 12, 9), [], []),  # 90 of 450 min
    (w(2026, 10, 12, 14, 29), [], []),  # 359 min: 79.8 %
    (w(2026, 10, 12, 14, 30), [], [(W, 3)]),  # 360 min: 80 %
    (w(2026, 10, 12, 15), [], []),  # raised already
    (w(2026, 10, 13, 7, 30), [], []),  # at the deadline: still a warning
    (w(2026, 10, 13, 7, 31), [], [(L, 3)]),  # 451 > 450
    (w(2026, 10, 13, 9), [], []),
    # The material arrives Tue 10:00 (late), the report Tue 11:00: step 4 never warned.
    (w(2026, 10, 13, 11), [(w(2026, 10, 13, 10), Outcome.VALID, 3),
                           (w(2026, 10, 13, 11), Outcome.VALID, 4)], []),
    (w(2026, 10, 13, 11, 50), [], [(W, 5)]),  # step 5: 50 of 60 min, due 12:00
    # The Kabid returns it at 11:55: round 2 of step 4, due Wed 14 Oct 11:55.
    (w(2026, 10, 13, 13), [(w(2026, 10, 13, 11, 55), Outcome.RETURNED, 5)], []),  # 5 min
    (w(2026, 10, 14, 10, 30), [], [(W, 4)]),  # 5 + 180 + 180 = 365 of 450: 81 %
    (w(2026, 10, 14, 10, 35), [], []),  # once per round, even if round 1 never warned
    # Corrected at Wed 11:00: round 2 of step 5, due 12:00, may warn again.
    (w(2026, 10, 14, 11, 50), [(w(2026, 10, 14, 11), Outcome.VALID, 4)], [(W, 5)]),
    (w(2026, 10, 14, 11, 55), [], []),
    (w(2026, 10, 14, 13, 1), [], [(L, 5)]),  # 60 + 1 > 60
    (w(2026, 10, 14, 15), [], []),
    # Approved at 15:30: the quarter is closed for this office, nothing more to sweep.
    (w(2026, 10, 14, 15, 30), [(w(2026, 10, 14, 15, 30), Outcome.APPROVED, 5)], []),
    (w(2026, 10, 20, 9), [], []),
]
# fmt: on
# The notice files present after each sweep of the timeline.
NOTICES_AFTER = [
    set(),
    set(),
    {"W3"},
    {"W3"},
    {"W3"},
    {"W3", "L3"},
    {"W3", "L3"},
    {"W3", "L3"},
    {"W3", "L3", "W5"},
    {"W3", "L3", "W5"},
    {"W3", "L3", "W5", "W4"},
    {"W3", "L3", "W5", "W4"},
    *[{"W3", "L3", "W5", "W4"}] * 2,
    *[{"W3", "L3", "W5", "W4", "L5"}] * 4,
]  # fmt: skip


def test_sweep_warns_and_marks_lateness_once_per_step_round(tmp_path: Path) -> None:
    tree, master = Tree(tmp_path / "kantor"), one_division(sample_master())
    clock = Clock(w(2026, 10, 10, 7, 30))
    folder = tree.division_dir("DAFDUK")
    with Store(tree.store_path, now=clock) as store:
        store.append(Event(outcome=Outcome.ISSUED, division="DAFDUK", year=2026, quarter=3,
                           step=2))  # fmt: skip
        for (moment, happened, expected), notices in zip(TIMELINE, NOTICES_AFTER, strict=True):
            for when, outcome, step in happened:
                clock.moment = when
                store.append(Event(outcome=outcome, division="DAFDUK", year=2026, quarter=3,
                                   step=step))  # fmt: skip
            clock.moment = moment
            before = len(store.events())
            alerts = sweep(tree, store, master, SOP, clock)
            label = f"sweep at {moment:%a %d %b %H:%M}"
            assert [(a.outcome, a.timing.step) for a in alerts] == expected, label
            new = store.events()[before:]
            assert [(e.outcome, e.step) for e in new] == expected, label
            assert all(e.at_utc == moment and e.division == "DAFDUK" for e in new), label
            present = {p.name for p in folder.iterdir()} if folder.exists() else set()
            assert present == {NOTICES[key] for key in notices}, label
        late = store.events(outcome=Outcome.LATE)
    assert [(e.step, e.message) for e in late] == [
        (3, "TERLAMBAT: langkah 3 bidang DAFDUK Triwulan III 2026 (1 Hari) batas waktunya "
            "Selasa, 13 Oktober 2026 pukul 07.30 WITA."),
        (5, "TERLAMBAT: langkah 5 bidang DAFDUK Triwulan III 2026 (1 Jam) batas waktunya "
            "Rabu, 14 Oktober 2026 pukul 12.00 WITA."),
    ]  # fmt: skip
    notice = (folder / NOTICES["L3"]).read_bytes().decode("utf-8")
    assert notice == (
        f"{late[0].message}\r\n\r\nPeringatan SOP: Keterlambatan Penyampaian Data Kinerja Akan "
        "Mempengaruhi Pelaporan Kinerja Secara Keseluruhan\r\n"
    )
    assert not [p for p in folder.iterdir() if p.name.startswith(".kinerja-")]


def test_sweep_without_an_issued_quarter_does_nothing(tmp_path: Path) -> None:
    tree, master = Tree(tmp_path / "kantor"), sample_master()
    clock = Clock(w(2026, 10, 20, 9))
    with Store(tree.store_path, now=clock) as store:
        assert sweep(tree, store, master, SOP, clock) == []
        assert store.events() == []
    assert not tree.inbox.exists()


# --- OfficeJobs: failures are recorded, never raised; e-mail is optional --------------------


def test_a_failing_job_becomes_an_error_event(tmp_path: Path) -> None:
    # January 2028 asks for the fourth quarter of 2027, but the master data is still 2026.
    tree, master = Tree(tmp_path / "kantor"), sample_master()
    clock = Clock(w(2028, 1, 12, 10))
    with Store(tree.store_path, now=clock) as store:
        jobs = OfficeJobs(tree, store, lambda: master, SOP, clock)
        jobs.periodic()
        clock.moment = w(2028, 1, 12, 10, 5)
        jobs.periodic()  # the next sweep, same failure: not recorded again
        events = store.events()
    assert [e.outcome for e in events] == [Outcome.ERROR]
    assert events[0].message.startswith("Tugas penerbitan disposisi gagal: Data induk bermasalah")
    assert "tahun 2026, bukan 2027" in events[0].message


def test_a_division_folder_that_cannot_be_written_does_not_block_the_others(
    tmp_path: Path,
) -> None:
    # DAFDUK's folder is a file (a share mounted wrong, a clerk's mistake): its notice cannot be
    # written, so its warning is not recorded and comes again at the next sweep; CAPIL's does.
    tree = Tree(tmp_path / "kantor")
    master = dataclasses.replace(
        sample_master(), divisions=tuple(sample_master().division(c) for c in ("DAFDUK", "CAPIL"))
    )
    clock = Clock(w(2026, 10, 10, 7, 30))
    tree.inbox.mkdir(parents=True)
    tree.division_dir("DAFDUK").write_text("bukan folder", encoding="utf-8")
    with Store(tree.store_path, now=clock) as store:
        for code in ("DAFDUK", "CAPIL"):
            store.append(Event(outcome=Outcome.ISSUED, division=code, year=2026, quarter=3,
                               step=2))  # fmt: skip
        clock.moment = w(2026, 10, 12, 14, 30)  # step 3 at 80 % for both
        jobs = OfficeJobs(tree, store, lambda: master, SOP, clock)
        jobs.periodic()
        assert [(e.division, e.step) for e in store.events(outcome=Outcome.WARNING)] == [
            ("CAPIL", 3)
        ]
        assert (tree.division_dir("CAPIL") / NOTICES["W3"]).exists()
        tree.division_dir("DAFDUK").unlink()  # repaired
        clock.moment = w(2026, 10, 12, 14, 40)
        jobs.periodic()
        assert [(e.division, e.step) for e in store.events(outcome=Outcome.WARNING)] == [
            ("CAPIL", 3), ("DAFDUK", 3)
        ]  # fmt: skip
        assert (tree.division_dir("DAFDUK") / NOTICES["W3"]).exists()


def test_a_disposition_folder_that_cannot_be_written_becomes_an_error_event(
    office: tuple[Tree, MasterData],
) -> None:
    tree, master = office
    blocked = tree.folder("DAFDUK", Folder.DISPOSITION)
    blocked.rmdir()
    blocked.write_text("bukan folder", encoding="utf-8")
    clock = Clock(w(2026, 10, 12, 10))
    with Store(tree.store_path, now=clock) as store:
        jobs = OfficeJobs(tree, store, lambda: master, SOP, clock)
        jobs.periodic()  # does not raise: the service keeps running
        errors = store.events(outcome=Outcome.ERROR)
        assert len(errors) >= 1
        assert errors[0].message.startswith("Tugas penerbitan disposisi gagal:")
        blocked.unlink()
        blocked.mkdir()
        clock.moment = w(2026, 10, 12, 10, 5)
        jobs.periodic()
        issued = store.events(outcome=Outcome.ISSUED)
    assert sorted(e.division for e in issued) == sorted(d.code for d in master.divisions)


def test_a_broken_event_log_does_not_stop_the_jobs(tmp_path: Path) -> None:
    tree, master = Tree(tmp_path / "kantor"), sample_master()
    clock = Clock(w(2026, 10, 12, 10))
    store = Store(tree.store_path, now=clock)
    store.close()  # every read and write now fails with a StoreError
    OfficeJobs(tree, store, lambda: master, SOP, clock).periodic()


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on 127.0.0.1, in a thread."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


def test_warnings_are_mailed_through_the_smtp_server(
    tmp_path: Path, smtp_server: tuple[int, Mailbox]
) -> None:
    port, mailbox = smtp_server
    config = EmailConfig(host="127.0.0.1", port=port, sender="kinerja@disdukcapil.go.id",
                         recipients=("perencanaan@disdukcapil.go.id",))  # fmt: skip
    tree, master = Tree(tmp_path / "kantor"), one_division(sample_master())
    clock = Clock(w(2026, 10, 10, 7, 30))
    with Store(tree.store_path, now=clock) as store:
        store.append(Event(outcome=Outcome.ISSUED, division="DAFDUK", year=2026, quarter=3,
                           step=2))  # fmt: skip
        clock.moment = w(2026, 10, 12, 14, 30)  # step 3 at 80 %
        jobs = OfficeJobs(tree, store, lambda: master, SOP, clock,
                          mail=lambda subject, body: send_mail(config, subject, body))  # fmt: skip
        jobs.periodic()
    assert len(mailbox.envelopes) == 1
    envelope = mailbox.envelopes[0]
    assert envelope.mail_from == "kinerja@disdukcapil.go.id"
    assert envelope.rcpt_tos == ["perencanaan@disdukcapil.go.id"]
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    text = (
        "PERINGATAN: langkah 3 bidang DAFDUK Triwulan III 2026 (1 Hari) batas waktunya "
        "Selasa, 13 Oktober 2026 pukul 07.30 WITA."
    )
    assert message["Subject"] == f"[kinerja] {text[:120]}"
    assert message.get_content().strip() == text


def test_an_unreachable_smtp_server_returns_false(caplog: pytest.LogCaptureFixture) -> None:
    config = EmailConfig(host="127.0.0.1", port=free_port(), recipients=("a@b.go.id",))
    assert send_mail(config, "[kinerja] uji", "Isi pesan") is False
    assert "E-mail peringatan gagal dikirim lewat 127.0.0.1" in caplog.text


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param('[layanan]\npolling = "cepat"\n', "layanan.polling", id="polling-text"),
        pytest.param(
            "[layanan]\nsapu_peringatan = -5\n", "layanan.sapu_peringatan", id="sweep-negative"
        ),
        pytest.param(
            '[email]\nport = 25\npenerima = ["a@b.go.id"]\n', "email.host", id="email-without-host"
        ),
        pytest.param(
            '[email]\nhost = "smtp"\nport = "dua lima"\npenerima = ["a@b.go.id"]\n',
            "email.port",
            id="port-text",
        ),
        pytest.param('[email]\nhost = "smtp"\n', "email.penerima", id="no-recipient"),
        pytest.param(
            '[email]\nhost = "smtp"\npenerima = 5\n', "email.penerima", id="recipient-a-number"
        ),
        pytest.param(
            '[email]\nhost = "smtp"\npenerima = ["a@b.go.id"]\nstarttls = "tidak"\n',
            "email.starttls",
            id="starttls-text",
        ),
        pytest.param(
            '[layanan]\npolling = 0\n[email\nhost = "smtp"\n',
            "penulisan TOML salah",
            id="toml-syntax",
        ),
    ],
)
def test_a_broken_config_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    (tmp_path / "kinerja.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert field in raised.value.message
    assert str(tmp_path / "kinerja.toml") in raised.value.message


def test_a_good_config_is_read(tmp_path: Path) -> None:
    (tmp_path / "kinerja.toml").write_text(
        '[layanan]\npolling = 5\nsapu_peringatan = 2\n[email]\nhost = "smtp.kantor.go.id"\n'
        'port = 587\nstarttls = true\npenerima = "perencanaan@kantor.go.id"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert (config.polling, config.sweep_minutes, config.rescan_seconds) == (5.0, 2.0, 30.0)
    assert config.email == EmailConfig(
        host="smtp.kantor.go.id", port=587, starttls=True,
        recipients=("perencanaan@kantor.go.id",),
    )  # fmt: skip


# --- end to end: the real service with an injected clock ------------------------------------


def service_at(tree: Tree, clock: Clock) -> Any:
    """The real service with its office jobs and status page, run on `clock`."""
    options = ServiceOptions(quiet_seconds=0.2, rescan_seconds=2.0, retry_seconds=0.5,
                             office_jobs=True)  # fmt: skip
    page = StatusPage(tree.status_page, MasterSource(tree.master_path), SOP, clock)
    return running_service(tree, options, now=clock, listeners=[page], sop=SOP)


def test_the_service_catches_up_once_and_keeps_the_status_page(
    office: tuple[Tree, MasterData],
) -> None:
    tree, master = office
    codes = [division.code for division in master.divisions]
    clock = Clock(w(2026, 10, 12, 10))  # started on Monday 12 October 10:00, nothing issued
    with service_at(tree, clock):
        # The catch-up runs before the service reports ready.
        page = tree.status_page.read_text(encoding="utf-8")
    with Store(tree.store_path) as store:
        issued = store.events(outcome=Outcome.ISSUED)
    assert sorted(e.division for e in issued) == sorted(codes)
    assert all(e.message == f"{ISSUED_TEXT} {LATE_NOTE}" for e in issued)
    assert {e.at_utc for e in issued} == {datetime(2026, 10, 12, 2, 0, tzinfo=UTC)}
    files = disposition_files(tree, master)
    assert len(files) == 2 * len(codes)
    assert "Triwulan III Tahun 2026" in page and all(code in page for code in codes)
    assert "Senin, 12 Oktober 2026 pukul 10.00 WITA" in page  # the injected clock
    assert not list(tree.outbox.glob(".kinerja-*"))

    for restart in (w(2026, 10, 12, 10, 30), w(2026, 10, 12, 14, 45)):
        clock.moment = restart
        with service_at(tree, clock):
            pass
        with Store(tree.store_path) as store:
            assert store.events(outcome=Outcome.ISSUED) == issued
            assert store.events(outcome=Outcome.ERROR) == []
            assert store.events()[-1].outcome is Outcome.STOPPED
    assert disposition_files(tree, master) == files
    # At 14:45 step 3 of every division (from Mon 10:00, due Tue 10:00) has used
    # 10:00-12:00 (120) + 13:00-14:45 (105) = 225 of 450 min: no warning yet.
    page = tree.status_page.read_text(encoding="utf-8")
    assert "Senin, 12 Oktober 2026 pukul 14.45 WITA" in page
    assert 'class="peringatan"' not in page.split("<tbody>")[1]
