"""`kinerja demo`: a newcomer's tour of one whole quarter, in about half a minute.

Everything is real except the people and the calendar: a fresh working tree with the sample
master data, the real service in a thread watching real folders, real workbooks filled in and
saved by "clerks" the way Excel saves them, the Kabid moving files, the real event log, archive,
status page and quarterly report. The office's clock is simulated (it jumps from the
disposition day across the week), so the time standards and the status page show realistic
working hours; each step is printed in Indonesian as it happens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.demo_office import (
    DemoClock,
    disposition_moment,
    fill_workbook,
    realisations,
    service_thread,
    wait_until,
)
from watcher.errors import UsageError
from watcher.indonesian import long_datetime
from watcher.issuing import issue_quarter
from watcher.master import MasterData, quarter_name
from watcher.reports.auto import ReportListener
from watcher.service import Listener, MasterSource, Service, ServiceOptions
from watcher.setup_tree import init_tree
from watcher.sop import Sop, load_sop
from watcher.status import StatusPage, snapshot, snapshot_text
from watcher.store import Event, Outcome, Store
from watcher.tree import Folder, Tree, workbook_file_name
from watcher.validation.validate import expectation_for, validate_file
from watcher.verify import verify_tree

QUARTER = 3
TIMEOUT = 60.0  # seconds any one step may take before the tour gives up
BOUNCED = "DAFDUK"  # the division whose material has an error, and whose Kabid returns once
OPTIONS = ServiceOptions(quiet_seconds=0.3, rescan_seconds=2.0, retry_seconds=0.5,
                         office_jobs=False)  # fmt: skip
KENDALA = ("Server SIAK sering tidak dapat diakses pada pertengahan triwulan.",
           "Koordinasi dengan Ditjen Dukcapil dan jadwal input ulang.")  # fmt: skip
NOTE = "Realisasi indikator pertama belum sesuai rekap SIAK; mohon dicek dan diperbaiki."


@dataclass
class Tour:
    tree: Tree
    master: MasterData
    sop: Sop
    clock: DemoClock
    echo: Callable[[str], None]
    year: int
    zone: ZoneInfo
    timeout: float = TIMEOUT
    desk: dict[str, Path] = field(default_factory=dict)  # division -> its current workbook

    def say(self, text: str) -> None:
        self.echo(text)

    def act(self, title: str, *, day: int, at: str) -> None:
        """A new scene, `day` days after the disposition at `at` (HH:MM, office time)."""
        hours, minutes = (int(part) for part in at.split(":"))
        start = self.clock.start.astimezone(self.zone)
        moment = (start + timedelta(days=day)).replace(hour=hours, minute=minutes)
        self.clock.set(moment)
        self.echo(f"\n== {title} ({long_datetime(moment)}) ==")

    def name(self, code: str) -> str:
        return workbook_file_name(code, self.year, QUARTER)

    def at(self, code: str, folder: Folder) -> Path:
        return self.tree.folder(code, folder) / self.name(code)

    def events(self, outcome: Outcome, code: str | None = None) -> list[Event]:
        with Store(self.tree.store_path) as store:
            return store.events(outcome=outcome, division=code)

    def wait(self, condition: Callable[[], object], what: str) -> None:
        wait_until(condition, what, timeout=self.timeout)


def run_demo(root: Path | None = None, *, echo: Callable[[str], None],
             timeout: float = TIMEOUT) -> Tree:  # fmt: skip
    """Play one quarter in `root` (a new temporary folder if None); return the tree."""
    tree = _prepare(root)
    master = init_tree(tree).master
    year = master.settings.year
    start = disposition_moment(year, QUARTER, master.settings)
    zone = ZoneInfo(master.settings.timezone)
    tour = Tour(tree, master, load_sop(), DemoClock(start), echo, year, zone, timeout)
    tour.say(f"Demo kinerja: SOP 010 Pengumpulan Data Kinerja, Triwulan {quarter_name(QUARTER)} "
             f"{year}, {len(master.divisions)} bidang, di {tree.root}")  # fmt: skip
    _dispositions(tour)
    listeners = _report_listeners(tour)
    service = Service(tree, OPTIONS, now=tour.clock.now, listeners=listeners, sop=tour.sop)
    with service_thread(service, timeout=timeout):
        tour.say("Layanan pengawas folder berjalan (kinerja watch).")
        _material(tour)
        _reports(tour)
        _review(tour)
        _quarterly_report(tour)
    _closing(tour)
    return tree


def _prepare(root: Path | None) -> Tree:
    if root is None:
        return Tree(Path(tempfile.mkdtemp(prefix="kinerja-demo-")))
    root = root.resolve()
    if root.exists() and any(root.iterdir()):
        raise UsageError(
            f"Folder {root} tidak kosong. Demo memerlukan folder baru atau kosong agar tidak "
            "tercampur dengan data kantor."
        )
    root.mkdir(parents=True, exist_ok=True)
    return Tree(root)


def _dispositions(tour: Tour) -> None:
    tour.act("Langkah 1-2: Kabid mendisposisikan pengumpulan data kinerja", day=0, at="08:00")
    with Store(tour.tree.store_path, now=tour.clock.now) as store:
        issued = issue_quarter(tour.tree, tour.master, tour.sop, year=tour.year, quarter=QUARTER,
                               now=tour.clock.now, store=store)  # fmt: skip
    for item in issued:
        if item.path.name == tour.name(item.division):
            tour.say(f"  {item.division:<12} rencana aksi dan disposisi di {item.path.parent}")


def _material(tour: Tour) -> None:
    tour.act(
        f"Langkah 3: Analis Data {BOUNCED} menyimpan bahan, ada salah ketik", day=0, at="13:30"
    )
    code = BOUNCED
    values: list[object] = list(realisations(tour.master.indicators_of(code), QUARTER))
    values[0] = "sembilan puluh delapan"
    fill_workbook(tour.at(code, Folder.DISPOSITION), tour.at(code, Folder.MATERIAL), values=values)
    bounced = tour.tree.folder(code, Folder.MATERIAL_FIX) / tour.name(code)
    tour.wait(bounced.exists, "pengembalian bahan yang salah")
    expect = expectation_for(bounced, tour.tree, tour.master, step=3, today=tour.clock.now().date())
    for finding in validate_file(bounced, tour.master, expect).errors:
        tour.say(f"  Dikembalikan ke {bounced.parent.name}: {finding}")
    tour.say("  Di sebelahnya ada salinan bertanda '... - HASIL VALIDASI.xlsx'.")

    tour.act(
        "Langkah 3: bahan diperbaiki dan dikirim ulang; bidang lain menyusul", day=0, at="14:30"
    )
    for division in tour.master.divisions:
        source = bounced if division.code == code else tour.at(division.code, Folder.DISPOSITION)
        values = realisations(tour.master.indicators_of(division.code), QUARTER)
        fill_workbook(source, tour.at(division.code, Folder.MATERIAL), values=values)
        tour.clock.advance(minutes=20)
    bounced.unlink()
    _await_all(tour, Folder.REPORT, "bahan diteruskan ke Kasubag (4_laporan)")


def _reports(tour: Tour) -> None:
    tour.act("Langkah 4: Kasubag menyusun laporan (kendala dan tindak lanjut)", day=1, at="09:00")
    for division in tour.master.divisions:
        report = tour.at(division.code, Folder.REPORT)
        fill_workbook(report, report, kendala={0: KENDALA})
        tour.clock.advance(minutes=15)
    _await_all(tour, Folder.REVIEW, "laporan diteruskan ke Kabid (5_pemeriksaan)")


def _review(tour: Tour) -> None:
    code = BOUNCED
    tour.act(f"Langkah 5: Kabid {code} mengembalikan laporan dengan catatan", day=1, at="13:30")
    review = tour.at(code, Folder.REVIEW)
    fill_workbook(review, review, note=NOTE)  # the Kabid types the note, saves in place ...
    tour.wait(lambda: len(tour.events(Outcome.VALID, code)) == 3, "catatan Kabid terbaca")
    review.rename(tour.at(code, Folder.RETURNED))  # ... and moves the file to dikembalikan
    notices = tour.tree.folder(code, Folder.REPORT).glob
    back = tour.at(code, Folder.REPORT)  # recorded, then the notice, then the move: wait for all
    tour.wait(lambda: back.exists() and any(notices("* - DIKEMBALIKAN KABID.txt")),
              "pengembalian oleh Kabid")  # fmt: skip
    notice = next(notices("* - DIKEMBALIKAN KABID.txt"))
    tour.say(f'  Laporan kembali ke 4_laporan dengan {notice.name}: "{NOTE}"')

    tour.act(f"Langkah 4: Kasubag {code} memperbaiki dan mengirim ulang", day=1, at="14:30")
    report = tour.at(code, Folder.REPORT)
    values = [indicator.target(QUARTER) for indicator in tour.master.indicators_of(code)]
    fill_workbook(report, report, values=values)
    tour.wait(review.exists, "laporan perbaikan sampai di 5_pemeriksaan")
    tour.say("  Laporan perbaikan valid dan kembali menunggu Kabid di 5_pemeriksaan.")

    tour.act("Langkah 5: setiap Kabid menyetujui laporan bidangnya", day=2, at="09:00")
    for division in tour.master.divisions:
        tour.at(division.code, Folder.REVIEW).rename(tour.at(division.code, Folder.APPROVED))
        tour.clock.advance(minutes=10)
    count = len(tour.master.divisions)
    tour.wait(lambda: len(tour.events(Outcome.APPROVED)) == count, "persetujuan semua Kabid")
    for event in tour.events(Outcome.APPROVED):
        tour.say(f"  {event.division:<12} disetujui: {event.to_path}")


def _await_all(tour: Tour, folder: Folder, what: str) -> None:
    paths = [tour.at(division.code, folder) for division in tour.master.divisions]
    tour.wait(lambda: all(path.exists() for path in paths), what)
    tour.say(f"  Semua {len(paths)} bidang: {what}.")


def _report_listeners(tour: Tour) -> list[Listener]:
    """The status page, and step 6 as the service does it: the report once all are approved."""
    master = MasterSource(tour.tree.master_path)
    return [
        StatusPage(tour.tree.status_page, master, tour.sop, tour.clock.now),
        ReportListener(tour.tree, master, tour.sop, now=tour.clock.now),
    ]


def _quarterly_report(tour: Tour) -> None:
    tour.say("\n== Langkah 6: laporan triwulan untuk Kasubag Perencanaan ==")
    tour.wait(lambda: _step6(tour), "penyusunan laporan triwulan")
    tour.say("  Layanan menyusunnya sendiri begitu laporan terakhir disetujui "
             "(atau: kinerja report quarterly).")  # fmt: skip
    for event in _step6(tour):
        if event.outcome is Outcome.REPORT_BUILT:
            tour.say(f"  {tour.tree.root / (event.to_path or '')}")
        else:
            tour.say(f"  Gagal: {event.message}")


def _step6(tour: Tour) -> list[Event]:
    """The quarter's step-6 events once its report (xlsx and PDF, or an error) is done."""
    with Store(tour.tree.store_path) as store:
        found = [e for e in store.events(year=tour.year, quarter=QUARTER) if e.step == 6]
    pdf = any((e.to_path or "").endswith(".pdf") for e in found)
    return found if pdf or any(e.outcome is Outcome.ERROR for e in found) else []


def _closing(tour: Tour) -> None:
    tree = tour.tree
    with Store(tree.store_path) as store:
        view = snapshot(store, tour.master, tour.sop, tour.clock.now())
    tour.say("\n== Posisi setiap bidang terhadap mutu baku waktu (kinerja status) ==")
    tour.say(snapshot_text(view))
    tour.say("\n== Keutuhan catatan (kinerja verify) ==")
    tour.say(verify_tree(tree).text())
    tour.say("\n== Tempat melihat hasilnya ==")
    places = [
        ("Halaman status (buka di peramban)", tree.status_page),
        ("Laporan triwulan", tree.quarterly_reports),
        ("Laporan yang disetujui", tree.folder(BOUNCED, Folder.APPROVED)),
        ("Umpan balik validasi", tree.folder(BOUNCED, Folder.MATERIAL_FIX)),
        ("Salinan asli setiap versi", tree.archive_files),
        ("Log kejadian (SQLite)", tree.store_path),
    ]
    for label, path in places:
        tour.say(f"  {label:<34}: {path}")
    tour.say(f"  Perintah: kinerja status --root {tree.root}   kinerja verify --root {tree.root}")
    tour.say(f"Folder demo tetap ada; hapus bila tidak diperlukan lagi: {tree.root}")
