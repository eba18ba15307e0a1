"""`kinerja demo`: a newcomer's tour of one whole period of the SOP, in about half a minute.

Everything is real except the people and the calendar: a fresh working tree with the sample
master data, the real service in a thread watching real folders, real workbooks filled in and
saved by "clerks" the way Excel saves them, the checkers moving files, the real event log,
archive, status page and the period's report (SOP 010: the third quarter's). The office's
clock is simulated (it jumps from the disposition day across the week), so the time standards
and the status page show realistic working hours; each step is printed in Indonesian as it
happens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.demo.office import (
    DemoClock,
    disposition_moment,
    fill_workbook,
    realisations,
    service_thread,
    wait_until,
)
from watcher.errors import UsageError
from watcher.masterdata.model import MasterData, period_target
from watcher.record.store import Event, Outcome, Store
from watcher.record.verify import verify_tree
from watcher.reports.auto import ReportListener
from watcher.reports.status import StatusPage, snapshot, snapshot_text
from watcher.service.issuing import issue_quarter
from watcher.service.notices import return_suffix
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree, workbook_file_name
from watcher.service.watch import Listener, MasterSource, Service, ServiceOptions
from watcher.sop.indonesian import long_datetime
from watcher.sop.load import load_sop
from watcher.sop.model import RuleSet, Sop, Step, StepKind
from watcher.sop.workflow import (
    SUPERSEDED_FOLDER,
    Role,
    fix_place,
    intake_place,
    issue_place,
    place_of,
)
from watcher.validation.validate import expectation_for, validate_file

TIMEOUT = 60.0  # seconds any one step may take before the tour gives up
BOUNCED = "DAFDUK"  # the division whose material has an error, and whose checker returns once
OPTIONS = ServiceOptions(quiet_seconds=0.3, rescan_seconds=2.0, retry_seconds=0.5,
                         office_jobs=False)  # fmt: skip
KENDALA = ("Server SIAK sering tidak dapat diakses pada pertengahan periode.",
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
    index: int  # the period played
    zone: ZoneInfo
    timeout: float = TIMEOUT
    day: int = 0

    def say(self, text: str) -> None:
        self.echo(text)

    def act(self, title: str, *, at: str, next_day: bool = False) -> None:
        """A new scene at `at` (HH:MM, office time), on the next working day if asked."""
        self.day += 1 if next_day else 0
        hours, minutes = (int(part) for part in at.split(":"))
        start = self.clock.start.astimezone(self.zone)
        moment = (start + timedelta(days=self.day)).replace(hour=hours, minute=minutes)
        self.clock.set(moment)
        self.echo(f"\n== {title} ({long_datetime(moment)}) ==")

    def name(self, code: str) -> str:
        return workbook_file_name(code, self.year, self.index, self.sop.period)

    def at(self, code: str, folder: str) -> Path:
        return self.tree.folder(code, folder) / self.name(code)

    def events(self, outcome: Outcome, code: str | None = None) -> list[Event]:
        with Store(self.tree.store_path) as store:
            return store.events(outcome=outcome, division=code)

    def wait(self, condition: Callable[[], object], what: str) -> None:
        wait_until(condition, what, timeout=self.timeout)

    @property
    def bounced(self) -> str:
        codes = [division.code for division in self.master.divisions]
        return BOUNCED if BOUNCED in codes else codes[0]


def demo_period(sop: Sop) -> int:
    """The period the tour plays: the third quarter, or the matching period of another SOP."""
    return max(1, sop.period.count * 3 // 4)


def run_demo(root: Path | None = None, *, echo: Callable[[str], None],
             timeout: float = TIMEOUT, sop_path: Path | None = None) -> Tree:  # fmt: skip
    """Play one period of the SOP (SOP 010, or `sop_path`) in `root` (a new temporary folder if
    None); return the tree."""
    tree = _prepare(root)
    sop = load_sop(sop_path)
    master = init_tree(tree, sop).master
    year, index = master.settings.year, demo_period(sop)
    start = disposition_moment(sop.period.issue_date(year, index), master.settings)
    zone = ZoneInfo(master.settings.timezone)
    tour = Tour(tree, master, sop, DemoClock(start), echo, year, index, zone, timeout)
    tour.say(f"Demo kinerja: SOP {sop.number} {sop.name}, {sop.period.label(index)} {year}, "
             f"{len(master.divisions)} bidang, di {tree.root}")  # fmt: skip
    _dispositions(tour)
    listeners = _report_listeners(tour)
    service = Service(tree, OPTIONS, now=tour.clock.now, listeners=listeners, sop=tour.sop)
    with service_thread(service, timeout=timeout):
        tour.say("Layanan pengawas folder berjalan (kinerja watch).")
        _first_submission(tour)
        for step in sop.flow[1:]:
            _play(tour, step)
        _period_report(tour)
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
    steps = tour.sop.of_kind(StepKind.ISSUE)
    numbers = "-".join(dict.fromkeys(str(s.number) for s in (steps[0], steps[-1])))
    # At the scheduled moment itself: the first issue step's standard (SOP 010: 15 minutes)
    # runs from the office's opening, so a later scene made every division late at step 1.
    opening = f"{tour.clock.start.astimezone(tour.zone):%H:%M}"
    tour.act(f"Langkah {numbers}: {steps[0].actor} mendisposisikan pengumpulan data kinerja",
             at=opening)  # fmt: skip
    with Store(tour.tree.store_path, now=tour.clock.now) as store:
        issued = issue_quarter(tour.tree, tour.master, tour.sop, year=tour.year,
                               quarter=tour.index, now=tour.clock.now, store=store)  # fmt: skip
    for item in issued:
        if item.path.name == tour.name(item.division):
            tour.say(f"  {item.division:<12} rencana aksi dan disposisi di {item.path.parent}")


def _values(tour: Tour, code: str) -> list[float]:
    return realisations(tour.master.indicators_of(code), tour.sop.period, tour.index)


def _first_submission(tour: Tour) -> None:
    step, code, issue = tour.sop.flow[0], tour.bounced, issue_place(tour.sop).folder
    tour.act(f"Langkah {step.number}: {step.actor} {code} menyimpan {step.output.lower()}, ada "
             "salah ketik", at="13:30")  # fmt: skip
    values: list[object] = list(_values(tour, code))
    values[0] = "sembilan puluh delapan"
    fill_workbook(tour.at(code, issue), tour.at(code, step.folder), values=values)
    bounced = tour.tree.folder(code, fix_place(tour.sop, step).folder) / tour.name(code)
    tour.wait(bounced.exists, "pengembalian berkas yang salah")
    expect = expectation_for(bounced, tour.tree, tour.master, sop=tour.sop, step=step.number,
                             today=tour.clock.now().date())  # fmt: skip
    for finding in validate_file(bounced, tour.master, expect).errors:
        tour.say(f"  Dikembalikan ke {bounced.parent.name}: {finding}")
    tour.say("  Di sebelahnya ada salinan bertanda '... - HASIL VALIDASI.xlsx'.")

    # A report's rules ask for kendala where a target is missed (the first indicator here).
    rows = range(max(len(tour.master.indicators_of(d.code)) for d in tour.master.divisions))
    kendala = dict.fromkeys(rows, KENDALA) if tour.sop.rules_at(step) is RuleSet.REPORT else None
    tour.act(f"Langkah {step.number}: berkas diperbaiki dan dikirim ulang; bidang lain menyusul",
             at="14:30")  # fmt: skip
    for division in tour.master.divisions:
        source = bounced if division.code == code else tour.at(division.code, issue)
        fill_workbook(source, tour.at(division.code, step.folder),
                      values=_values(tour, division.code), kendala=kendala)  # fmt: skip
        tour.clock.advance(minutes=20)
    _await_next(tour, step, [d.code for d in tour.master.divisions])
    tour.wait(lambda: not bounced.exists(), "salinan lama dirapikan")
    tour.say(
        f"  Salinan yang salah dipindahkan ke {SUPERSEDED_FOLDER}, dengan catatan "
        "'... - DIGANTI.txt' yang menyebut versi penggantinya."
    )


def _play(tour: Tour, step: Step) -> None:
    """One later step of the flow, for every division: a submission or a check (the first check
    returns the bounced division's file once, which comes back through the steps between)."""
    codes = [division.code for division in tour.master.divisions]
    if step.kind is StepKind.SUBMIT:
        tour.act(f"Langkah {step.number}: {step.actor} menyusun {step.output.lower()}",
                 at="09:00", next_day=True)  # fmt: skip
        _submit(tour, step, codes)
        return
    if step == tour.sop.of_kind(StepKind.CHECK)[0]:
        _return_once(tour, step)
    tour.act(f"Langkah {step.number}: {step.actor} menyetujui laporan setiap bidang", at="09:00",
             next_day=True)  # fmt: skip
    _approve(tour, step, codes)


def _submit(tour: Tour, step: Step, codes: list[str]) -> None:
    for code in codes:
        path = tour.at(code, step.folder)
        fill_workbook(path, path, kendala={0: KENDALA})
        tour.clock.advance(minutes=15)
    _await_next(tour, step, codes)


def _approve(tour: Tour, step: Step, codes: list[str]) -> None:
    approved = f"{step.folder}/{step.approved_folder}"
    for code in codes:
        tour.at(code, step.folder).rename(tour.at(code, approved))
        tour.clock.advance(minutes=10)
    if tour.sop.after(step) is not None:
        _await_next(tour, step, codes)
        return
    tour.wait(lambda: len(tour.events(Outcome.APPROVED)) >= len(codes), "persetujuan semua")
    for event in tour.events(Outcome.APPROVED):
        tour.say(f"  {event.division:<12} disetujui: {event.to_path}")


def _return_once(tour: Tour, check: Step) -> None:
    code, sop = tour.bounced, tour.sop
    tour.act(f"Langkah {check.number}: {check.actor} {code} mengembalikan laporan dengan catatan",
             at="13:30", next_day=True)  # fmt: skip
    review = tour.at(code, check.folder)
    before = len(tour.events(Outcome.VALID, code))
    fill_workbook(review, review, note=NOTE)  # the checker types the note, saves in place ...
    tour.wait(lambda: len(tour.events(Outcome.VALID, code)) > before, "catatan terbaca")
    review.rename(tour.at(code, f"{check.folder}/{check.returned_folder}"))  # ... and returns it
    target = sop.step(check.return_to)
    back, notices = tour.at(code, target.folder), tour.tree.folder(code, target.folder).glob
    pattern = f"*{return_suffix(check.actor)}"
    tour.wait(lambda: back.exists() and any(notices(pattern)), "pengembalian laporan")
    notice = next(notices(pattern))
    tour.say(f'  Laporan kembali ke {target.folder} dengan {notice.name}: "{NOTE}"')
    tour.act(f"Langkah {target.number}: {target.actor} {code} memperbaiki dan mengirim ulang",
             at="14:30")  # fmt: skip
    fill_workbook(back, back, values=_fixed_values(tour, code))
    _await_next(tour, target, [code])
    for step in sop.flow[sop.flow.index(target) + 1 : sop.flow.index(check)]:
        (_submit if step.kind is StepKind.SUBMIT else _approve)(tour, step, [code])  # again
    tour.say(f"  Laporan perbaikan valid dan kembali menunggu {check.actor} di {check.folder}.")


def _fixed_values(tour: Tour, code: str) -> list[float]:
    """Every target met: what the corrected report says."""
    return [period_target(i, tour.sop.period, tour.index) for i in tour.master.indicators_of(code)]


def _await_next(tour: Tour, step: Step, codes: list[str]) -> None:
    following = tour.sop.after(step)
    assert following is not None
    folder = intake_place(tour.sop, following).folder
    paths = [tour.at(code, folder) for code in codes]
    tour.wait(lambda: all(path.exists() for path in paths), f"diteruskan ke {folder}")
    tour.say(f"  {len(paths)} bidang: diteruskan ke {following.actor} ({folder}).")


def _report_listeners(tour: Tour) -> list[Listener]:
    """The status page, and step 6 as the service does it: the report once all are approved."""
    master = MasterSource(tour.tree.master_path)
    return [
        StatusPage(tour.tree.status_page, master, tour.sop, tour.clock.now),
        ReportListener(tour.tree, master, tour.sop, now=tour.clock.now),
    ]


def _period_report(tour: Tour) -> None:
    step = tour.sop.compile_step
    if step is None:
        return
    tour.say(f"\n== Langkah {step.number}: laporan {tour.sop.period.kind.value} untuk "
             f"{step.actor} ==")  # fmt: skip
    tour.wait(lambda: _compiled(tour, step.number), "penyusunan laporan periode")
    tour.say("  Layanan menyusunnya sendiri begitu laporan terakhir disetujui (atau: kinerja "
             f"report periode --year {tour.year} --quarter {tour.index}).")  # fmt: skip
    for event in _compiled(tour, step.number):
        if event.outcome is Outcome.REPORT_BUILT:
            tour.say(f"  {tour.tree.root / (event.to_path or '')}")
        else:
            tour.say(f"  Gagal: {event.message}")


def _compiled(tour: Tour, number: int) -> list[Event]:
    """The period's compile-step events once its report (xlsx and PDF, or an error) is done."""
    with Store(tour.tree.store_path) as store:
        found = [e for e in store.events(year=tour.year, quarter=tour.index) if e.step == number]
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
    final, first = tour.sop.final_check, tour.sop.flow[0]
    approved = place_of(tour.sop, final, Role.APPROVE).folder
    fix = fix_place(tour.sop, first).folder
    places = [
        ("Halaman status (buka di peramban)", tree.status_page),
        (f"Laporan {tour.sop.period.kind.value}", tree.period_reports(tour.sop.period)),
        ("Laporan yang disetujui", tree.folder(tour.bounced, approved)),
        ("Umpan balik validasi", tree.folder(tour.bounced, fix)),
        ("Salinan asli setiap versi", tree.archive_files),
        ("Log kejadian (SQLite)", tree.store_path),
    ]
    for label, path in places:
        tour.say(f"  {label:<34}: {path}")
    tour.say(f"  Perintah: kinerja status --root {tree.root}   kinerja verify --root {tree.root}")
    tour.say(f"Folder demo tetap ada; hapus bila tidak diperlukan lagi: {tree.root}")
