"""`kinerja kirim` (an office sends its record; `--bundel` writes it to a signed file instead,
which `kinerja pusat impor` reads at the centre) and `kinerja pusat ...` (the centre's IT person
sets up the central database, registers regions and offices, checks what arrived).

The centre's administrator connection comes from `--alamat` or `KINERJA_PUSAT_ADMIN` (a libpq
URI; its password may stay in PGPASSFILE). An office's comes from its credentials file
(`watcher.central.credentials`). Subcommands of `pusat` are listed in `PUSAT`, each with its
arguments, so `kinerja pusat --help` shows them all.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from watcher.central.centre import Centre
from watcher.central.credentials import (
    ENV_NAME,
    Credentials,
    credentials_path,
    credentials_text,
    load_credentials,
)
from watcher.central.sender import CentralSender
from watcher.central.signing import new_private_key, public_key_of
from watcher.command_args import sop_of, tree_of
from watcher.errors import EXIT_DATA, UsageError
from watcher.masterdata.load import load_master
from watcher.masterdata.model import MasterData
from watcher.record.durable import atomic_writer
from watcher.record.store import Store
from watcher.service.config import Config, load_config
from watcher.service.tree import Tree
from watcher.sop.model import Sop

ADMIN_ENV = "KINERJA_PUSAT_ADMIN"


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def admin_url(args: argparse.Namespace) -> str:
    url = getattr(args, "alamat", None) or os.environ.get(ADMIN_ENV, "")
    if not url:
        raise UsageError(
            f"Alamat basis data pusat belum disebut: beri --alamat postgresql://... atau isi "
            f"variabel lingkungan {ADMIN_ENV} (sandi boleh di PGPASSFILE)."
        )
    return url


def office_credentials(args: argparse.Namespace) -> Credentials:
    """The office's credentials: `--kredensial`, else $KINERJA_PUSAT_KREDENSIAL, else
    kinerja.toml's `[pusat] kredensial`."""
    tree = tree_of(args)
    given = getattr(args, "kredensial", None)
    path = given or credentials_path(tree.root, load_config(tree.root).central_credentials)
    if path is None:
        raise UsageError(
            "Kantor ini belum punya kredensial pusat. Minta berkasnya ke pengelola pusat "
            f"(kinerja pusat daftar-kantor), simpan di luar folder kerja, lalu sebutkan di "
            f'kinerja.toml ([pusat] kredensial = "...") atau di variabel {ENV_NAME}.'
        )
    return load_credentials(tree.root, path)


def central_sender(tree: Tree, sop: Sop, master: Callable[[], MasterData], config: Config,
                   now: Callable[[], datetime]) -> CentralSender | None:  # fmt: skip
    """The background sender of `kinerja watch`, when this office has centre credentials with
    an address (else None: the office works offline, as it always could)."""
    path = credentials_path(tree.root, config.central_credentials)
    if path is None:
        return None
    credentials = load_credentials(tree.root, path)
    if not credentials.url:
        return None
    return CentralSender(tree, sop, master, credentials, every_seconds=config.push_minutes * 60,
                         now=now)  # fmt: skip


def cmd_kirim(args: argparse.Namespace) -> int:
    from watcher.central.push import push

    tree = tree_of(args)
    credentials = office_credentials(args)
    if args.bundel is not None:
        return _write_bundle(args, credentials)
    if args.sejak is not None:
        raise UsageError("--sejak hanya untuk kinerja kirim --bundel BERKAS.")
    if not credentials.url:
        raise UsageError(
            f"Kredensial {credentials.source} tidak berisi alamat pusat; kantor tanpa jaringan "
            "mengirim lewat berkas: kinerja kirim --bundel BERKAS."
        )
    sop, master = sop_of(args), load_master(tree.master_path)
    with Store(tree.store_path) as store, Centre(credentials.url) as centre:
        result = push(tree, store, centre, credentials.office_id, sop=sop, master=master,
                      now=lambda: datetime.now(UTC))  # fmt: skip
    print(result.text())
    return 0


def _write_bundle(args: argparse.Namespace, credentials: Credentials) -> int:
    """`kinerja kirim --bundel BERKAS`: the signed file an office without a network sends."""
    from watcher.central.bundle import encode, gather, write_bundle
    from watcher.central.push import office_documents

    tree, out = tree_of(args), Path(args.bundel)
    sop, master = sop_of(args), load_master(tree.master_path)
    with Store(tree.store_path) as store:
        documents = office_documents(tree, store, sop, master)
        bundle = gather(store, credentials.office_id, documents, since=args.sejak or 0,
                        now=lambda: datetime.now(UTC))  # fmt: skip
    data = encode(bundle, credentials.signing_key)
    write_bundle(out, data)
    print(f"Ditulis ke {out} ({len(data) / 1024:.0f} KB): {bundle.text()}.")
    print(f"Bawa berkas itu ke pusat (flashdisk atau surel); di sana: kinerja pusat impor {out}")
    return 0


def _since(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"--sejak harus nomor kejadian (0 atau lebih): {text!r}")
    return int(text)


def kirim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kredensial", type=Path, metavar="BERKAS",
                        help=f"berkas kredensial pusat (bawaan: ${ENV_NAME}, atau [pusat] "
                        "kredensial di kinerja.toml)")  # fmt: skip
    parser.add_argument("--bundel", type=Path, metavar="BERKAS",
                        help="tanpa jaringan: tulis bundel bertanda tangan ke BERKAS (untuk "
                        "flashdisk atau surel); pusat mengimpornya dengan kinerja pusat "
                        "impor")  # fmt: skip
    parser.add_argument("--sejak", type=_since, metavar="N",
                        help="dengan --bundel: hanya kejadian sesudah nomor N (bawaan: semua; "
                        "mengimpor ulang aman)")  # fmt: skip


def cmd_setup(args: argparse.Namespace) -> int:
    with Centre(admin_url(args)) as centre:
        applied = centre.migrate()
        database = centre.database
    if applied:
        print(f"Basis data pusat {database} disiapkan: {', '.join(applied)}.")
    else:
        print(f"Basis data pusat {database} sudah mutakhir; tidak ada migrasi baru.")
    return 0


def cmd_add_region(args: argparse.Namespace) -> int:
    kind = "provinsi" if args.provinsi else "kabupaten"
    with Centre(admin_url(args)) as centre:
        role, password = centre.add_region(args.kode, args.nama, kind=kind, parent=args.induk)
    print(f"{kind.capitalize()} {args.kode} ({args.nama}) terdaftar. Peran baca: {role}")
    print(f"Sandi peran (catat sekarang, tidak ditampilkan lagi): {password}")
    return 0


def cmd_add_office(args: argparse.Namespace) -> int:
    private_key = new_private_key()
    with Centre(admin_url(args)) as centre:
        role, password = centre.add_office(args.kode, args.nama, region=args.wilayah,
                                           public_key=public_key_of(private_key))  # fmt: skip
        url = office_url(admin_url(args), role, password)
    text = credentials_text(args.kode, url, private_key)
    out: Path = args.keluar
    with atomic_writer(out, mode=0o600) as stream:
        stream.write(text.encode("utf-8"))
    print(f"Kantor {args.kode} ({args.nama}) terdaftar di {args.wilayah}; peran {role}.")
    print(f"Kredensialnya ditulis ke {out}: bawa ke komputer kantor itu, simpan di luar folder "
          "kerja, lalu sebutkan di kinerja.toml ([pusat] kredensial).")  # fmt: skip
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from watcher.central.audit import audit, audit_text

    with Centre(admin_url(args)) as centre:
        chains = audit(centre)
    print(audit_text(chains))
    return 0 if all(chain.sound for chain in chains) else EXIT_DATA


def cmd_import(args: argparse.Namespace) -> int:
    from watcher.central.bundle_import import import_file

    with Centre(admin_url(args)) as centre:
        result = import_file(centre, args.berkas)
    print(result.text())
    return EXIT_DATA if result.quarantined else 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    _admin_argument(parser)
    parser.add_argument("berkas", type=Path, metavar="BERKAS",
                        help="bundel dari kinerja kirim --bundel")  # fmt: skip


def office_url(admin: str, role: str, password: str) -> str:
    """The admin's URI with the office's role and password in place of the admin's."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = conninfo_to_dict(admin)
    parts.update(user=role, password=password)
    return make_conninfo(**{k: v for k, v in parts.items() if v is not None})


def _admin_argument(parser: argparse.ArgumentParser) -> None:
    help_text = f"alamat basis data pusat, postgresql://... (bawaan: ${ADMIN_ENV})"
    parser.add_argument("--alamat", metavar="URI", help=help_text)


def _region_arguments(parser: argparse.ArgumentParser) -> None:
    _admin_argument(parser)
    parser.add_argument("--kode", required=True, help="kode wilayah, misalnya 7304")
    parser.add_argument("--nama", required=True, help="nama, misalnya 'Kabupaten Jeneponto'")
    parser.add_argument("--provinsi", action="store_true", help="wilayah ini provinsi")
    parser.add_argument("--induk", metavar="KODE", help="kode provinsi induk kabupaten ini")


def _office_arguments(parser: argparse.ArgumentParser) -> None:
    _admin_argument(parser)
    parser.add_argument("--kode", required=True, help="kode kantor yang tetap, misalnya "
                        "7304.dukcapil")  # fmt: skip
    parser.add_argument("--nama", required=True, help="nama kantor")
    parser.add_argument("--wilayah", required=True, metavar="KODE", help="kode kabupatennya")
    parser.add_argument("--keluar", type=Path, required=True, metavar="BERKAS",
                        help="tempat menulis berkas kredensial kantor itu")  # fmt: skip


def cmd_report(args: argparse.Namespace) -> int:
    from watcher.central.consolidate import consolidate
    from watcher.central.consolidation_files import write_consolidation
    from watcher.central.iku import read_iku

    iku = read_iku(args.iku) if args.iku else None
    with Centre(admin_url(args)) as centre:
        result = consolidate(centre, args.wilayah, args.tahun, args.periode, iku=iku,
                             now=lambda: datetime.now(UTC))  # fmt: skip
    written = write_consolidation(result, args.keluar)
    print(f"{result.title} {result.region.name} ditulis: {', '.join(map(str, written))}")
    print(result.summary())
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _admin_argument(parser)
    parser.add_argument("--wilayah", required=True, metavar="KODE",
                        help="kode kabupaten atau provinsi yang dikonsolidasi")  # fmt: skip
    parser.add_argument("--tahun", required=True, type=int, metavar="TAHUN", help="misalnya 2026")
    parser.add_argument("--periode", required=True, type=int, metavar="N",
                        help="nomor periode SOP kantor, misalnya 3 untuk Triwulan III")  # fmt: skip
    parser.add_argument("--keluar", required=True, type=Path, metavar="FOLDER",
                        help="folder tempat menulis .xlsx dan .pdf")  # fmt: skip
    parser.add_argument("--iku", type=Path, metavar="BERKAS",
                        help="daftar IKU kabupaten (TOML) untuk kaskade indikator")  # fmt: skip


PUSAT: tuple[Subcommand, ...] = (
    Subcommand(
        "siapkan", "siapkan atau mutakhirkan basis data pusat (migrasi)", cmd_setup,
        _admin_argument,
    ),
    Subcommand(
        "daftar-wilayah", "daftarkan kabupaten atau provinsi", cmd_add_region, _region_arguments
    ),
    Subcommand(
        "daftar-kantor", "daftarkan kantor dan tulis berkas kredensialnya", cmd_add_office,
        _office_arguments,
    ),
    Subcommand(
        "periksa", "periksa ulang rantai setiap kantor dan kiriman yang dikarantina", cmd_audit,
        _admin_argument,
    ),
    Subcommand(
        "laporan", "susun laporan konsolidasi kabupaten/provinsi satu periode (.xlsx dan .pdf)",
        cmd_report, _report_arguments,
    ),
    Subcommand(
        "impor", "periksa tanda tangan bundel kantor tanpa jaringan, lalu simpan isinya",
        cmd_import, _import_arguments,
    ),
)  # fmt: skip


def pusat_arguments(parser: argparse.ArgumentParser) -> None:
    subcommands = parser.add_subparsers(dest="pusat", title="perintah pusat", metavar="PERINTAH")
    subcommands.required = True
    for sub in PUSAT:
        child = subcommands.add_parser(sub.name, help=sub.help, description=sub.help)
        child.set_defaults(run=sub.run)
        if sub.arguments is not None:
            sub.arguments(child)


def cmd_pusat(args: argparse.Namespace) -> int:  # replaced by the subcommand's own `run`
    raise UsageError("Sebutkan perintah pusat, misalnya: kinerja pusat siapkan.")
