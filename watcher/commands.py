"""The commands of `kinerja`: thin calls into the library, printing Indonesian results.

Each command is registered in `COMMANDS` with its help text and its own arguments; the library's
typed errors travel up to `cli.main`, which turns them into a message and an exit code.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from watcher.central.commands import (
    central_sender,
    cmd_kirim,
    cmd_pusat,
    kirim_arguments,
    pusat_arguments,
)
from watcher.central.push import push_problems, read_state
from watcher.command_args import json_argument, print_json, sop_of, tree_of
from watcher.desk.excel_setup import describe_setup, excel_setup, excel_setup_arguments
from watcher.errors import EXIT_DATA, EXIT_UNUSABLE, MasterDataError, MissingFileError, UsageError
from watcher.masterdata.load import load_master
from watcher.ops_commands import (
    cmd_demo,
    cmd_health,
    cmd_samba_config,
    cmd_verify,
    health_arguments,
    samba_config_arguments,
    verify_arguments,
    watch_operation_arguments,
)
from watcher.record.store import Store
from watcher.reports.auto import ReportListener
from watcher.reports.commands import check_index, run_annual, run_export, run_period
from watcher.reports.status import StatusPage, snapshot, snapshot_json, snapshot_text
from watcher.service.config import load_config
from watcher.service.health import waiting_report
from watcher.service.issuing import issue_quarter
from watcher.service.logfile import log_to_file, stamp_console
from watcher.service.mailer import send_mail
from watcher.service.setup_tree import init_tree
from watcher.service.tree import Tree
from watcher.service.watch import MasterSource, Service, ServiceOptions
from watcher.sop.calendar import cuti_bersama_notice
from watcher.sop.model import DEFAULT_STANDARD, Sop, Step
from watcher.sop.tree_sop import install_sop
from watcher.validation.report_text import result_json, result_text
from watcher.validation.validate import expectation_for, validate_file


def cmd_init(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    result = init_tree(tree, sop_of(args))
    if result.sample_master_written:
        print(f"Contoh data induk dibuat: {tree.master_path}")
    print(
        f"Folder kerja siap di {tree.root} ({len(result.master.divisions)} bidang); "
        f"{len(result.created)} folder/berkas baru."
    )
    for division in result.master.divisions:
        print(f"  {tree.division_dir(division.code)}  {division.name}")
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    sop = sop_of(args)
    master = init_tree(tree, sop).master
    year, quarter = sop.period.collected_on(datetime.now(UTC).date())
    year, quarter = args.year or year, args.quarter or quarter
    if not 1 <= quarter <= sop.period.count:
        raise UsageError(f"--quarter harus 1-{sop.period.count} untuk periode "
                         f"{sop.period.kind.value} SOP ini.")  # fmt: skip
    with Store(tree.store_path) as store:
        results = issue_quarter(
            tree,
            master,
            sop,
            year=year,
            quarter=quarter,
            now=lambda: datetime.now(UTC),
            store=store,
        )
    print(f"{sop.period.label(quarter)} tahun {year}:")
    for result in results:
        print(f"  [{result.status.value}] {result.path}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    sop = sop_of(args)
    init_tree(tree, sop)
    if args.polling is not None and args.polling <= 0:
        raise UsageError("--polling harus lebih dari 0 detik.")
    config = load_config(tree.root)
    polling = args.polling if args.polling is not None else config.polling
    options = ServiceOptions(
        polling=polling,
        rescan_seconds=config.rescan_seconds,
        sweep_minutes=config.sweep_minutes,
        audit_log=args.audit_log,
    )
    email = config.email
    mail = (lambda subject, body: send_mail(email, subject, body)) if email else None
    master = MasterSource(tree.master_path)
    now = lambda: datetime.now(UTC)  # noqa: E731 - the service's one real clock
    listeners = [
        StatusPage(tree.status_page, master, sop, now, attention=lambda: attention(tree)),
        ReportListener(tree, master, sop, now=now),
    ]
    sender = central_sender(tree, sop, master, config, now)
    if sender is not None:
        listeners.append(sender)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    logging.getLogger("watcher").setLevel(logging.INFO)
    stamp_console()
    mode = f"polling tiap {polling:g} detik" if polling else "pemberitahuan sistem"
    service = Service(tree, options, now=now, listeners=listeners, sop=sop, mail=mail)
    handler = log_to_file(args.log_file) if args.log_file else None
    try:
        ready = f"Mengawasi {tree.inbox} ({mode}). Tekan Ctrl-C untuk berhenti."
        if sender is not None:
            ready += f" Log dikirim ke pusat tiap {config.push_minutes:g} menit."

        def on_ready() -> None:
            if sender is not None:
                sender.start()
            print(ready, flush=True)

        service.run(stop, on_ready=on_ready)
    finally:
        if sender is not None:
            sender.stop()
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
    print("Layanan berhenti.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    master = load_master(tree.master_path)
    if not tree.store_path.exists():
        raise MissingFileError(
            "Belum ada log kejadian. Jalankan 'kinerja issue' atau 'kinerja watch' dulu."
        )
    sop = sop_of(args)
    period = _status_period(args, sop)
    with Store(tree.store_path) as store:
        view = snapshot(store, master, sop, datetime.now(UTC), period)
    waiting = waiting_report(tree)
    if args.json:
        print_json({**snapshot_json(view), "menunggu": waiting, "pusat": read_state(tree)})
    else:
        print("\n".join([snapshot_text(view), *attention(tree)]))
    return 0


def attention(tree: Tree) -> list[str]:
    """What `kinerja status` and the status page warn of: files the running service holds
    back, history it lost, and a push to the centre that keeps failing."""
    return [*waiting_report(tree), *push_problems(tree)]


def _status_period(args: argparse.Namespace, sop: Sop) -> tuple[int, int] | None:
    """`--year`/`--quarter` of `kinerja status`: both, or neither (the period still open)."""
    if args.year is None and args.quarter is None:
        return None
    if args.year is None or args.quarter is None:
        raise UsageError(f"Sebutkan --year dan --quarter bersama (nomor {sop.period.noun} "
                         f"1-{sop.period.count}), atau tanpa keduanya.")  # fmt: skip
    check_index(sop.period, args.quarter)
    return args.year, args.quarter


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, metavar="TAHUN",
                        help="tahun periode (bawaan: periode yang masih berjalan)")  # fmt: skip
    parser.add_argument("--quarter", "--periode", type=int, metavar="PERIODE",
                        help="nomor periode SOP dalam tahun, misalnya triwulan 1-4 atau bulan "
                        "1-12 (bersama --year)")  # fmt: skip
    json_argument(parser)


def cmd_master(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    try:
        master = load_master(tree.master_path)
    except MasterDataError as exc:
        if not args.json:
            raise
        problems = [{"lembar": p.sheet, "sel": p.cell, "pesan": p.message} for p in exc.problems]
        print_json({"berkas": str(tree.master_path), "baik": False, "masalah": problems})
        return exc.exit_code
    if args.json:
        divisions = [{"kode": d.code, "nama": d.name,
                      "jumlah_indikator": len(master.indicators_of(d.code))}
                     for d in master.divisions]  # fmt: skip
        print_json({"berkas": str(tree.master_path), "baik": True,
                    "instansi": master.settings.office_name, "tahun": master.settings.year,
                    "bidang": divisions, "masalah": []})  # fmt: skip
        return 0
    print(f"Data induk baik: {tree.master_path}")
    print(f"  {master.settings.office_name}, tahun {master.settings.year}")
    for division in master.divisions:
        print(
            f"  {division.code}: {division.name} ({len(master.indicators_of(division.code))} "
            "indikator)"
        )
    year = master.settings.year
    notice = cuti_bersama_notice((year, year + 1), master.settings.day_overrides)
    if notice:
        print(f"Peringatan: {notice}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    master, sop = load_master(tree.master_path), sop_of(args)
    if args.step is not None and args.step not in {s.number for s in sop.flow}:
        numbers = ", ".join(str(s.number) for s in sop.flow)
        raise UsageError(f"--step {args.step} bukan langkah kirim/periksa SOP ini ({numbers}).")
    today = datetime.now(UTC).date()
    results = []
    for path in args.files:
        expect = expectation_for(path, tree, master, sop=sop, step=args.step, today=today)
        results.append((path, validate_file(path, master, expect)))
    if args.json:
        print_json([result_json(path, result) for path, result in results])
    else:
        for path, result in results:
            print(result_text(path, result))
    if any(result.refused for _, result in results):
        return EXIT_UNUSABLE
    return EXIT_DATA if any(not result.valid for _, result in results) else 0


PERIOD_REPORTS = ("periode", "quarterly", "triwulan")  # the SOP's period, whatever it is
ANNUAL_REPORTS = ("annual", "tahunan", "lkjip")


def cmd_report(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    if args.kind in PERIOD_REPORTS:
        if args.quarter is None:
            period = sop_of(args).period
            raise UsageError(
                f"Laporan {period.kind.value} perlu --quarter 1-{period.count} (nomor "
                f"{period.noun} dalam tahun)."
            )
        written = run_period(tree, args.year, args.quarter, sop_path=args.sop)
    else:
        written = run_annual(tree, args.year, sop_path=args.sop)
    if args.json:
        print_json({"berkas": [str(path) for path in written]})
        return 0
    print("Laporan ditulis:")
    for path in written:
        print(f"  {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    written = run_export(tree_of(args), args.year, sop_path=args.sop)
    print("Data kinerja ditulis (satu baris per bidang, indikator, periode dan tahun):")
    for path in written:
        print(f"  {path}")
    return 0


def cmd_excel_setup(args: argparse.Namespace) -> int:
    path = excel_setup(tree_of(args).root, python=args.python, out=args.out, step=args.langkah)
    print(describe_setup(path))
    return 0


def cmd_sop(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    if args.pasang is not None:
        with Store(tree.store_path) as store:
            sop = install_sop(tree, store, args.pasang)
        init_tree(tree, sop)
        print(f"SOP {sop.number} {sop.name} dipasang di {tree.sop_path} (dicatat di log).")
    else:
        sop = sop_of(args)
    print(f"SOP {sop.number} {sop.name} ({sop.source})")
    print(f"  Periode: {sop.period.kind.value}, diterbitkan tanggal {sop.period.issue_day} "
          "bulan sesudah periode berakhir")  # fmt: skip
    for step in sop.steps:
        print(f"  {step.number}. [{step.actor}] ({step.kind.value}) {step.activity}")
        print(f"       mutu baku {standards_text(step)}{_folders_text(step)}")
    print(f"Peringatan: {sop.warning}")
    print(f"Pencatatan: {sop.record_keeping}")
    return 0


def standards_text(step: Step) -> str:
    return ", ".join(
        str(s) if name == DEFAULT_STANDARD else f"{s} ({name})"
        for name, s in step.standards.items()
    )


def _folders_text(step: Step) -> str:
    folders = [f for f in (step.folder, step.fix_folder, step.approved_folder,
                           step.returned_folder) if f]  # fmt: skip
    if not folders:
        return ""
    base, subs = folders[0], folders[1:]
    shown = ", ".join([base, *(f"{base}/{sub}" for sub in subs)])
    back = f"; dikembalikan ke langkah {step.return_to}" if step.return_to else ""
    return f"; folder {shown}{back}"


def _sop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pasang",
        type=Path,
        metavar="BERKAS",
        help="pasang SOP dari BERKAS untuk folder kerja ini (tercatat di log)",
    )


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="BERKAS", help="buku kerja .xlsx yang diperiksa"
    )
    parser.add_argument(
        "--step",
        type=int,
        metavar="LANGKAH",
        help="periksa dengan aturan langkah ini (nomor langkah kirim/periksa SOP); bawaan: "
        "menurut folder",
    )
    json_argument(parser)


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind", choices=PERIOD_REPORTS + ANNUAL_REPORTS, metavar="JENIS",
        help="periode/quarterly/triwulan (laporan periode SOP: triwulan, bulanan, ...) atau "
        "annual/tahunan/lkjip (LKjIP)",
    )  # fmt: skip
    parser.add_argument("--year", type=int, required=True, metavar="TAHUN", help="tahun laporan")
    parser.add_argument("--quarter", "--periode", type=int, metavar="PERIODE",
                        help="nomor periode SOP dalam tahun, misalnya triwulan 1-4 atau bulan "
                        "1-12 (untuk laporan periode)")  # fmt: skip
    json_argument(parser)


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year", type=int, action="append", metavar="TAHUN",
        help="tahun yang diekspor (boleh diulang); bawaan: semua tahun yang ada persetujuannya",
    )  # fmt: skip


def _watch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--polling",
        type=float,
        metavar="DETIK",
        help="periksa folder tiap DETIK detik (untuk folder jaringan yang tidak memberi "
        "pemberitahuan); bawaan: pemberitahuan sistem",
    )
    watch_operation_arguments(parser)


def _issue_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year", type=int, metavar="TAHUN", help="tahun data (bawaan: periode yang baru berakhir)"
    )
    parser.add_argument(
        "--quarter",
        "--periode",
        type=int,
        choices=range(1, 13),
        metavar="PERIODE",
        help="nomor periode SOP dalam tahun, misalnya triwulan 1-4 (bawaan: periode yang baru "
        "berakhir)",
    )


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    description: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            "init",
            "buat folder kerja kantor dan contoh data induk",
            "Membuat folder inbox/outbox/arsip per bidang dan langkah SOP, serta contoh data "
            "induk bila belum ada. Aman dijalankan berulang: tidak ada berkas yang ditimpa.",
            cmd_init,
        ),
        Command(
            "issue",
            "terbitkan buku kerja rencana aksi dan disposisi periode",
            "Menulis buku kerja rencana aksi terisi dan lembar disposisi untuk setiap bidang ke "
            "folder langkah terbit SOP. Buku kerja yang sudah ada tidak pernah ditimpa.",
            cmd_issue,
            _issue_arguments,
        ),
        Command(
            "watch",
            "jalankan layanan pengawas folder (tugas utama)",
            "Mengawasi folder inbox: setiap buku kerja yang disimpan diperiksa, diarsipkan, "
            "dicatat, lalu dipindahkan ke folder langkah berikutnya atau dikembalikan dengan "
            "hasil validasinya. Berjalan sampai dihentikan (Ctrl-C atau SIGTERM).",
            cmd_watch,
            _watch_arguments,
        ),
        Command(
            "status",
            "tampilkan posisi setiap bidang terhadap mutu baku waktu",
            "Untuk setiap bidang: langkah sekarang, sejak kapan, batas waktu, sisa waktu atau "
            "keterlambatan (dalam jam kerja), dan berapa kali dikembalikan.",
            cmd_status,
            _status_arguments,
        ),
        Command(
            "validate",
            "periksa buku kerja yang dikirim (keamanan berkas dan isinya)",
            "Memeriksa buku kerja seperti yang dilakukan layanan: keamanan berkas, templat, "
            "target terhadap data induk, realisasi, dan aturan langkah kirim SOP (bahan atau "
            "laporan). Kode keluar 0 bila valid (peringatan boleh), 1 bila isinya bermasalah, 2 "
            "bila berkas ditolak.",
            cmd_validate,
            _validate_arguments,
        ),
        Command(
            "report",
            "susun laporan periode SOP atau LKjIP tahunan (langkah susun)",
            "Menyusun laporan dari buku kerja yang disetujui pada pemeriksaan terakhir SOP "
            "(salinan arsipnya, bukan berkas yang masih bisa disunting) ke folder outbox, dalam "
            ".xlsx dan PDF.",
            cmd_report,
            _report_arguments,
        ),
        Command(
            "ekspor",
            "ekspor data kinerja sebagai satu tabel (CSV dan xlsx)",
            "Menulis satu tabel rapi ke outbox/data: satu baris per bidang, indikator, periode "
            "SOP (misalnya TW I-IV atau Januari-Desember, dan Tahunan) dan tahun, dengan target, "
            "realisasi, capaian, predikat, status, waktu persetujuan dan SHA-256 versinya; "
            "angkanya sama dengan laporan. "
            "CSV memakai pemisah ';' dan koma desimal agar langsung terbuka di Excel berbahasa "
            "Indonesia; xlsx siap untuk tabel pivot.",
            cmd_export,
            _export_arguments,
        ),
        Command(
            "verify",
            "periksa keutuhan log kejadian dan arsip",
            "Memeriksa rantai hash log kejadian (baris yang diubah atau dihapus) dan setiap "
            "salinan asli di arsip terhadap SHA-256 yang tercatat. Kode keluar 0 bila utuh, 1 "
            "bila ada yang diubah, dihapus atau hilang.",
            cmd_verify,
            verify_arguments,
        ),
        Command(
            "health",
            "periksa apakah layanan pengawas hidup",
            "Membaca arsip/kesehatan.json: hidup (kode 0), atau berhenti, mati, macet atau belum "
            "pernah berjalan (kode 1), beserta waktu pemindaian dan kejadian terakhir.",
            cmd_health,
            health_arguments,
        ),
        Command(
            "samba-config",
            "cetak berbagi Samba dan skrip izin folder",
            "Mencetak bagian smb.conf, skrip izin (ACL per folder: hanya pemeriksa langkah "
            "periksa SOP yang menulis di folder setuju/kembali) dan panduan pengguna untuk "
            "bidang-bidang di data induk.",
            cmd_samba_config,
            samba_config_arguments,
        ),
        Command(
            "demo",
            "tur satu periode SOP penuh (sekitar satu menit)",
            "Memutar satu periode SOP (bawaan: triwulan III SOP 010) dengan layanan dan berkas "
            "sungguhan di folder baru (atau --root kosong) dan menunjukkan tempat melihat "
            "hasilnya.",
            cmd_demo,
        ),
        Command(
            "excel-setup",
            "tulis pengaturan add-in Excel di komputer petugas",
            "Menulis xlwings.conf (interpreter Python, folder bersama, langkah) untuk add-in "
            "Kinerja (tombol Periksa dan Kirim), agar tidak perlu disunting tangan.",
            cmd_excel_setup,
            excel_setup_arguments,
        ),
        Command(
            "master",
            "periksa data induk dan tampilkan ringkasannya",
            "Memeriksa buku kerja data induk; semua masalah ditampilkan sekaligus beserta "
            "lembar dan selnya.",
            cmd_master,
            json_argument,
        ),
        Command(
            "sop",
            "tampilkan atau pasang SOP folder kerja ini",
            "Menampilkan SOP yang dipakai folder kerja (langkah, jenis, pelaksana, folder, "
            "mutu baku). Dengan --pasang BERKAS: memeriksa berkas SOP, lalu memasangnya sebagai "
            "SOP folder kerja ini (salinan dan hash-nya dicatat di log).",
            cmd_sop,
            _sop_arguments,
        ),
        Command(
            "kirim",
            "kirim log dan laporan disetujui ke basis data pusat",
            "Mengirim setiap kejadian yang belum ada di pusat (per kelompok; yang sudah ada tidak "
            "digandakan), profil kantor (SOP dan data induk) dan bacaan laporan yang disetujui. "
            "Aman diulang kapan saja; log kantor tetap sumber kebenarannya. Kantor tanpa "
            "jaringan menulis berkas bertanda tangan dengan --bundel BERKAS, untuk diimpor "
            "pusat dengan kinerja pusat impor.",
            cmd_kirim,
            kirim_arguments,
        ),
        Command(
            "pusat",
            "kelola basis data pusat (PostgreSQL)",
            "Untuk pengelola TI pusat: siapkan basis data, daftarkan wilayah dan kantor, dan "
            "periksa kiriman kantor. Lihat kinerja pusat PERINTAH --help.",
            cmd_pusat,
            pusat_arguments,
        ),
    )
}
