"""Where every division stands: `kinerja status [--json]` and `outbox/status.html`.

One live quarter (the third of 2026, issued on Saturday 10 October 07:30) seen on Tuesday
13 October 2026 at 09:00 WITA, with the five divisions at different steps:

- SEKRETARIAT: material Mon 09:00, report Mon 11:00, approved Mon 11:40.
- DAFDUK: material Mon 09:00, report Mon 11:00, returned Mon 14:00; step 4 again (round 2) from
  Mon 14:00, due Tue 14:00: 120 (Mon 14:00-16:00) + 90 (Tue 07:30-09:00) = 210 of 450 office
  minutes used, 240 left.
- CAPIL: nothing since the disposition; step 3 from Sat 07:30 was due Tue 07:30 (450 min, all of
  Monday); 450 + 90 = 540 used: 90 minutes late.
- PIAK: material Mon 10:00; step 4 due Tue 10:00; 120 + 180 + 90 = 390 of 450 used (87 %):
  warning, 60 left.
- PDIP: material Mon 09:00, report Tue 08:30; step 5 (1 Jam) due Tue 09:30; 30 of 60 used.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support.service_run import wait_for

from watcher.masterdata.sample import sample_master
from watcher.record.store import Event, Outcome, Store
from watcher.reports.status import (
    DivisionStatus,
    Snapshot,
    StatusPage,
    render_html,
    snapshot,
    snapshot_json,
    snapshot_text,
    write_status_page,
)
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.sop.load import load_sop
from watcher.sop.sla import StepState

WITA = ZoneInfo("Asia/Makassar")
SOP = load_sop()
MASTER = sample_master()
NOW = datetime(2026, 10, 13, 9, 0, tzinfo=WITA)


def w(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


V, R, A = Outcome.VALID, Outcome.RETURNED, Outcome.APPROVED
LIVE_QUARTER: dict[str, list[tuple[datetime, Outcome, int]]] = {
    "SEKRETARIAT": [(w(2026, 10, 12, 9), V, 3), (w(2026, 10, 12, 11), V, 4),
                    (w(2026, 10, 12, 11, 40), A, 5)],
    "DAFDUK": [(w(2026, 10, 12, 9), V, 3), (w(2026, 10, 12, 11), V, 4),
               (w(2026, 10, 12, 14), R, 5)],
    "CAPIL": [],
    "PIAK": [(w(2026, 10, 12, 10), V, 3)],
    "PDIP": [(w(2026, 10, 12, 9), V, 3), (w(2026, 10, 13, 8, 30), V, 4)],
}  # fmt: skip


def record_live_quarter(path: Path) -> None:
    """The event log of the live quarter, each event at its own time."""
    clock = Clock(w(2026, 10, 10, 7, 30))
    with Store(path, now=clock) as store:
        for code in LIVE_QUARTER:
            store.append(Event(outcome=Outcome.ISSUED, division=code, year=2026, quarter=3,
                               step=2))  # fmt: skip
        happened = sorted((when, code, outcome, step)
                          for code, rows in LIVE_QUARTER.items()
                          for when, outcome, step in rows)  # fmt: skip
        for when, code, outcome, step in happened:
            clock.moment = when
            store.append(Event(outcome=outcome, division=code, year=2026, quarter=3, step=step))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Store]:
    record_live_quarter(tmp_path / "log.sqlite3")
    with Store(tmp_path / "log.sqlite3") as store:
        yield store


@pytest.fixture
def view(live: Store) -> Snapshot:
    return snapshot(live, MASTER, SOP, NOW)


# --- JSON -----------------------------------------------------------------------------------

ROW_FIELDS = {
    "kode", "nama", "langkah_sekarang", "status", "sejak_utc", "batas_waktu_utc",
    "sisa_menit_kerja", "terlambat_menit_kerja", "jumlah_dikembalikan", "langkah",
    "versi_terkini", "menunggu", "masih_dibuka", "disetujui_versi", "disetujui_pada",
    "dibuka_kembali", "versi_baru_menunggu",
}  # fmt: skip
STEP_FIELDS = {
    "langkah", "mutu_baku", "status", "mulai_utc", "selesai_utc", "batas_waktu_utc",
    "menit_kerja_terpakai", "menit_kerja_diizinkan", "putaran",
}  # fmt: skip
STATES = {state.value for state in StepState}

# (kode, langkah_sekarang, status, sejak_utc, batas_waktu_utc, sisa, terlambat, dikembalikan);
# WITA is UTC+8: Sat 10 Oct 07:30 WITA = 9 Oct 23:30 UTC.
EXPECTED_ROWS = [
    ("SEKRETARIAT", None, "disetujui", None, None, None, None, 0),
    ("DAFDUK", 4, "berjalan", "2026-10-12T06:00:00+00:00", "2026-10-13T06:00:00+00:00",
     240, None, 1),
    ("CAPIL", 3, "terlambat", "2026-10-09T23:30:00+00:00", "2026-10-12T23:30:00+00:00",
     None, 90, 0),
    ("PIAK", 4, "peringatan", "2026-10-12T02:00:00+00:00", "2026-10-13T02:00:00+00:00",
     60, None, 0),
    ("PDIP", 5, "berjalan", "2026-10-13T00:30:00+00:00", "2026-10-13T01:30:00+00:00",
     30, None, 0),
]  # fmt: skip


def test_snapshot_json_shows_each_division_truthfully(view: Snapshot) -> None:
    document = json.loads(json.dumps(snapshot_json(view)))  # plain JSON types only
    assert document["instansi"] == MASTER.settings.office_name
    assert (document["tahun"], document["triwulan"]) == (2026, 3)
    assert document["dibuat_utc"] == "2026-10-13T01:00:00+00:00"
    rows = document["bidang"]
    assert [set(row) for row in rows] == [ROW_FIELDS] * 5
    observed = [
        (r["kode"], r["langkah_sekarang"], r["status"], r["sejak_utc"], r["batas_waktu_utc"],
         r["sisa_menit_kerja"], r["terlambat_menit_kerja"], r["jumlah_dikembalikan"])
        for r in rows
    ]  # fmt: skip
    assert observed == EXPECTED_ROWS
    assert rows[1]["nama"] == "Pelayanan Pendaftaran Penduduk"
    # DAFDUK step by step; steps 4 and 5 are in their second round after the return.
    assert rows[1]["langkah"] == [
        {"langkah": 1, "mutu_baku": "15 Menit", "status": "selesai",
         "mulai_utc": "2026-10-09T23:30:00+00:00", "selesai_utc": "2026-10-09T23:30:00+00:00",
         "batas_waktu_utc": "2026-10-11T23:45:00+00:00", "menit_kerja_terpakai": 0,
         "menit_kerja_diizinkan": 15, "putaran": 1},
        {"langkah": 2, "mutu_baku": "15 Menit", "status": "selesai",
         "mulai_utc": "2026-10-09T23:30:00+00:00", "selesai_utc": "2026-10-09T23:30:00+00:00",
         "batas_waktu_utc": "2026-10-11T23:45:00+00:00", "menit_kerja_terpakai": 0,
         "menit_kerja_diizinkan": 15, "putaran": 1},
        {"langkah": 3, "mutu_baku": "1 Hari", "status": "selesai",
         "mulai_utc": "2026-10-09T23:30:00+00:00", "selesai_utc": "2026-10-12T01:00:00+00:00",
         "batas_waktu_utc": "2026-10-12T23:30:00+00:00", "menit_kerja_terpakai": 90,
         "menit_kerja_diizinkan": 450, "putaran": 1},
        {"langkah": 4, "mutu_baku": "1 Hari", "status": "berjalan",
         "mulai_utc": "2026-10-12T06:00:00+00:00", "selesai_utc": None,
         "batas_waktu_utc": "2026-10-13T06:00:00+00:00", "menit_kerja_terpakai": 210,
         "menit_kerja_diizinkan": 450, "putaran": 2},
        {"langkah": 5, "mutu_baku": "1 Jam", "status": "belum_mulai", "mulai_utc": None,
         "selesai_utc": None, "batas_waktu_utc": None, "menit_kerja_terpakai": None,
         "menit_kerja_diizinkan": None, "putaran": 2},
    ]  # fmt: skip
    for row in rows:
        assert [step["langkah"] for step in row["langkah"]] == [1, 2, 3, 4, 5]
        assert all(set(step) == STEP_FIELDS and step["status"] in STATES for step in row["langkah"])
    # Step 6 waits for the last approval.
    assert document["laporan_triwulan"] == {
        "langkah": 6, "mutu_baku": "1 Hari", "status": "belum_mulai", "mulai_utc": None,
        "selesai_utc": None, "batas_waktu_utc": None, "menit_kerja_terpakai": None,
        "menit_kerja_diizinkan": None, "putaran": 1,
    }  # fmt: skip


def test_snapshot_text_reads_like_the_status_page(view: Snapshot) -> None:
    lines = snapshot_text(view).splitlines()
    assert lines[0] == (
        f"{MASTER.settings.office_name} - Triwulan III 2026 "
        "(per Selasa, 13 Oktober 2026 pukul 09.00 WITA)"
    )
    assert lines[1] == "  SEKRETARIAT  disetujui Kabid (dikembalikan 0 kali)"
    assert lines[3] == (
        "  CAPIL        langkah 3 (terlambat), sejak Sabtu, 10 Oktober 2026 pukul 07.30 WITA, "
        "batas Selasa, 13 Oktober 2026 pukul 07.30 WITA, terpakai 9 j 00 m dari 7 j 30 m, "
        "dikembalikan 0 kali"
    )
    assert "dikembalikan 1 kali" in lines[2] and "(berjalan, tepat waktu)" in lines[2]
    assert lines[-1] == "  Langkah 6: Laporan Triwulan (Kasubag Perencanaan, 1 Hari): belum mulai"


def test_kinerja_status_json_as_a_subprocess(tmp_path: Path) -> None:
    # The command reads the real clock: only the structure is checked.
    tree = Tree(tmp_path / "kantor")
    init_tree(tree)
    record_live_quarter(tree.store_path)
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "status", "--root", str(tree.root), "--json"],
        capture_output=True, text=True, timeout=120, env=environment,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["tahun"], document["triwulan"]) == (2026, 3)
    assert [row["kode"] for row in document["bidang"]] == list(LIVE_QUARTER)
    for row in document["bidang"]:
        assert set(row) == ROW_FIELDS
        assert row["status"] in STATES | {"disetujui"}
        assert all(set(step) == STEP_FIELDS for step in row["langkah"])
    assert set(document["laporan_triwulan"]) == STEP_FIELDS
    text = subprocess.run(
        [sys.executable, "-m", "watcher", "status", "--root", str(tree.root)],
        capture_output=True, text=True, timeout=120, env=environment,
    )  # fmt: skip
    assert text.returncode == 0 and "Triwulan III 2026" in text.stdout


# --- the HTML page --------------------------------------------------------------------------


class Page(HTMLParser):
    """What a check of the page needs: tags, URL attributes, and the table's cells."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[tuple[str | None, str]]] = []  # (class, text) per body cell
        self.in_body = False
        self.cell: list[str] | None = None
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag == "td" and self.in_body:
            self.rows[-1].append((dict(attrs).get("class"), ""))
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            css, _ = self.rows[-1][-1]
            self.rows[-1][-1] = (css, " ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self.cell is not None:
            self.cell.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


EXPECTED_CELLS = {
    "SEKRETARIAT": ["selesai"] * 5,
    "DAFDUK": ["selesai", "selesai", "selesai", "berjalan", "belum_mulai"],
    "CAPIL": ["selesai", "selesai", "terlambat", "belum_mulai", "belum_mulai"],
    "PIAK": ["selesai", "selesai", "selesai", "peringatan", "belum_mulai"],
    "PDIP": ["selesai", "selesai", "selesai", "selesai", "berjalan"],
}


def test_the_page_shows_a_matrix_of_divisions_and_steps(view: Snapshot) -> None:
    page = Page(render_html(view))
    assert len(page.rows) == len(MASTER.divisions)
    for row, (code, states) in zip(page.rows, EXPECTED_CELLS.items(), strict=True):
        (name_class, name), *steps, (_, returns), _version, _files = row
        assert name_class == "nama" and name.startswith(code)
        assert [css for css, _ in steps] == states, code
        assert returns == ("1 kali" if code == "DAFDUK" else "0 kali")
    capil_step3 = page.rows[2][3][1]
    assert capil_step3.startswith("terlambat terpakai 9 j 00 m dari 7 j 30 m (1 Hari)")
    assert "batas Selasa, 13 Oktober 2026 pukul 07.30 WITA" in capil_step3
    assert "putaran ke-2" in page.rows[1][4][1]
    assert f"Peringatan SOP: {SOP.warning}" in page.text
    assert "Diperbarui Selasa, 13 Oktober 2026 pukul 09.00 WITA." in page.text
    headers = [t for t in page.text.split("Langkah ")[1:6]]
    assert [h.split()[0] for h in headers] == ["1", "2", "3", "4", "5"]
    assert "15 Menit" in headers[0] and "1 Jam" in headers[4]


def test_the_page_needs_no_server_and_no_internet(view: Snapshot) -> None:
    html = render_html(view)
    page = Page(html)
    tag_names = {tag for tag, _ in page.tags}
    assert "style" in tag_names  # inline CSS
    assert not tag_names & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in page.tags:
        for name in ("src", "href", "action", "data"):
            assert name not in attrs, attrs
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html


def test_user_text_is_escaped(view: Snapshot) -> None:
    hostile = dataclasses.replace(
        view,
        office="<script>alert(1)</script> Dinas",
        divisions=tuple(
            DivisionStatus(d.code, "<b>Bidang</b> & <i>Seksi</i>", d.progress)
            for d in view.divisions
        ),
    )
    html = render_html(hostile)
    page = Page(html)
    assert not {tag for tag, _ in page.tags} & {"script", "b", "i"}
    assert "&lt;b&gt;Bidang&lt;/b&gt; &amp; &lt;i&gt;Seksi&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Dinas" in html
    assert "<b>Bidang</b> & <i>Seksi</i>" in page.text  # shown as typed


def test_the_page_is_replaced_atomically(tmp_path: Path, live: Store) -> None:
    tree = Tree(tmp_path / "kantor")
    clock = Clock(NOW)
    written = write_status_page(tree.status_page, live, MASTER, SOP, clock)
    assert written == tree.status_page
    first = tree.status_page.stat().st_ino
    assert "pukul 09.00 WITA" in tree.status_page.read_text(encoding="utf-8")
    # The service's listener re-renders after events: a new file renamed over the old one.
    clock.moment = w(2026, 10, 13, 9, 30)
    StatusPage(tree.status_page, lambda: MASTER, SOP, clock)(live, [])
    assert tree.status_page.stat().st_ino != first
    assert "Diperbarui Selasa, 13 Oktober 2026 pukul 09.30 WITA" in tree.status_page.read_text(
        encoding="utf-8"
    )
    assert [p.name for p in tree.outbox.iterdir()] == ["status.html"]  # no temp file left


# --- headless Chromium ----------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--no-default-browser-check",
)  # fmt: skip


def required(what: str, install: str) -> None:
    """Skip without `what`; fail instead when KINERJA_REQUIRE_CHROMIUM=1 (the CI sets it)."""
    reason = f"{what} tidak tersedia: {install}"
    if os.environ.get("KINERJA_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{reason} (KINERJA_REQUIRE_CHROMIUM=1 mewajibkannya)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        required("Chromium", "pasang dengan apt-get install chromium")
    return str(path)


@pytest.fixture
def page_file(tmp_path: Path, view: Snapshot) -> Path:
    path = tmp_path / "outbox" / "status.html"
    path.parent.mkdir()
    path.write_text(render_html(view), encoding="utf-8")
    return path


def test_chromium_renders_the_table(chromium: str, page_file: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profil'}", "--dump-dom",
         page_file.as_uri()],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Page(result.stdout)
    assert [row[0][1].split()[0] for row in dom.rows] == list(EXPECTED_CELLS)
    assert [[css for css, _ in row[1:6]] for row in dom.rows] == list(EXPECTED_CELLS.values())
    assert "Status Pengumpulan Data Kinerja (SOP 010)" in dom.text


@pytest.fixture
def devtools(chromium: str, tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium with a DevTools connection to its blank page (websocket-client)."""
    try:
        import websocket
    except ImportError:
        required("websocket-client", "pasang dengan pip install websocket-client")
    profile = tmp_path / "profil-devtools"
    log = (tmp_path / "chromium.log").open("wb")
    process = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "about:blank"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    connection = None
    try:
        active = profile / "DevToolsActivePort"

        def started() -> bool:
            return (active.exists() and "\n" in active.read_text()) or process.poll() is not None

        wait_for(started, timeout=60, what="Chromium DevTools port")
        assert process.poll() is None, (tmp_path / "chromium.log").read_text(errors="replace")
        port = int(active.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as reply:
            targets = json.load(reply)
        page = next(t for t in targets if t["type"] == "page")
        connection = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        yield connection
    finally:
        if connection is not None:
            connection.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        log.close()


class DevTools:
    """Commands and events over one DevTools websocket."""

    def __init__(self, connection: Any) -> None:
        self.connection, self.next_id, self.events = connection, 0, []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.connection.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.connection.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    def until(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(json.loads(self.connection.recv()))


def test_chromium_loads_the_page_with_no_failed_request(devtools: Any, page_file: Path) -> None:
    tools = DevTools(devtools)
    tools.call("Network.enable")
    tools.call("Page.enable")
    navigated = tools.call("Page.navigate", url=page_file.as_uri())
    assert "errorText" not in navigated, navigated
    tools.until("Page.loadEventFired")
    rows = tools.call("Runtime.evaluate", expression="document.querySelectorAll('tbody tr').length")
    assert rows["result"]["value"] == len(MASTER.divisions)
    requested = [
        e["params"]["request"]["url"]
        for e in tools.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    failed = [e["params"] for e in tools.events if e.get("method") == "Network.loadingFailed"]
    assert requested == [page_file.as_uri()]  # the page alone: no CSS, font, script or image
    assert failed == []


def test_a_snapshot_before_anything_is_issued_uses_the_clock(tmp_path: Path) -> None:
    # No events at all on Monday 5 October 2026: the quarter to show is the third (asked for
    # on the 10th), every division still before step 1.
    with Store(tmp_path / "log.sqlite3") as store:
        view = snapshot(store, MASTER, SOP, w(2026, 10, 5, 9))
    assert (view.year, view.quarter) == (2026, 3)
    for division in view.divisions:
        assert {s.state for s in division.progress.steps} == {StepState.NOT_STARTED}
    rows = snapshot_json(view)["bidang"]
    assert {(r["langkah_sekarang"], r["status"], r["sejak_utc"]) for r in rows} == {
        (1, "belum_mulai", None)
    }


def test_the_period_by_the_clock_is_read_in_the_office_zone(tmp_path: Path) -> None:
    # `kinerja status` passes a UTC clock: 30 September 21:00 UTC is 1 October 05:00 WITA,
    # when the office already asks for the third quarter.
    with Store(tmp_path / "log.sqlite3") as store:
        view = snapshot(store, MASTER, SOP, datetime(2026, 9, 30, 21, tzinfo=UTC))
    assert (view.year, view.quarter) == (2026, 3)


def test_snapshot_of_an_empty_master_renders(tmp_path: Path) -> None:
    master = dataclasses.replace(MASTER, divisions=())
    with Store(tmp_path / "log.sqlite3") as store:
        view = snapshot(store, master, SOP, NOW)
    assert Page(render_html(view)).rows == []
    assert snapshot_json(view)["bidang"] == []


def test_a_year_without_cuti_bersama_is_announced_on_the_page(tmp_path: Path) -> None:
    """In 2040 the holidays package knows no cuti bersama yet: the page and `kinerja status`
    tell the office to list them in the master workbook; 2026 and 2027 need no word."""
    with Store(tmp_path / "log.sqlite3") as store:
        later = snapshot(store, MASTER, SOP, w(2040, 10, 5, 9))
        now = snapshot(store, MASTER, SOP, w(2026, 10, 5, 9))

    assert "Cuti bersama tahun 2040, 2041 belum diketahui" in later.calendar_notice
    assert "Hari Libur Kantor" in render_html(later)
    assert "Cuti bersama tahun 2040" in snapshot_text(later)
    assert now.calendar_notice == "" and "Kalender kerja" not in render_html(now)


def test_an_issue_on_time_is_on_time_in_the_report_and_in_status(tmp_path: Path) -> None:
    """The quarterly PDF listed every division late at step 1 (the demo issued at 08:00, past
    the 15 minutes from opening) while the status text only showed the current step."""
    from support.reports_office import approved_office

    from watcher.masterdata.load import load_master
    from watcher.reports.gather import approvals_for
    from watcher.reports.period import approvals_through, period_html, period_report

    tree = approved_office(tmp_path)
    master = load_master(tree.master_path)
    built = w(2026, 10, 20, 9)
    with Store(tree.store_path) as store:
        found = approvals_through(approvals_for(store, 2026), 3)
        report = period_report(tree, store, master, SOP, (2026, 3), found, lambda: built)
        rows = snapshot_json(snapshot(store, master, SOP, built, (2026, 3)))["bidang"]
    assert "langkah 1" not in period_html(report)
    assert report.issues() == []
    assert {row["langkah"][0]["status"] for row in rows} == {"selesai"}
    assert {row["status"] for row in rows} == {"disetujui"}
