"""The operations commands of `kinerja`: verify, health, samba-config, demo (and two options of
watch). Each `cmd_*` takes the parsed arguments (with the common `--root` and `--sop`), prints
Indonesian text and returns the exit code; each `*_arguments` adds the command's own options.
Library errors travel up to `cli.main` as for every other command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from watcher.command_args import json_argument, print_json, tree_of
from watcher.demo.tour import run_demo
from watcher.errors import EXIT_DATA, KinerjaError
from watcher.masterdata.load import load_master
from watcher.record.verify import parse_anchor, verify_tree
from watcher.service.health import MAX_AGE_SECONDS, health_report
from watcher.share.samba import (
    DEFAULT_AUDIT_LOG,
    ShareSettings,
    missing_vfs_modules,
    samba_config_text,
    samba_modules_dir,
    smb_conf,
    vfs_modules,
)
from watcher.sop.tree_sop import resolve_sop


def cmd_verify(args: argparse.Namespace) -> int:
    anchor = parse_anchor(args.anchor) if args.anchor else None
    result = verify_tree(tree_of(args), anchor=anchor)
    if args.json:
        print_json(result.json())
    else:
        print(result.text())
    return result.exit_code


def verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--anchor",
        metavar="ID:HASH",
        help="pastikan baris ID log masih memiliki HASH ini (kepala rantai yang dicatat dulu)",
    )
    json_argument(parser)


def cmd_health(args: argparse.Namespace) -> int:
    verdict = health_report(tree_of(args), max_age=args.max_age)
    if args.json:
        print_json(verdict.json())
    else:
        print(verdict.text)
    return verdict.exit_code


def health_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-age",
        type=float,
        default=MAX_AGE_SECONDS,
        metavar="DETIK",
        help=f"tanda hidup lebih tua dari ini berarti layanan macet (bawaan {MAX_AGE_SECONDS:g})",
    )
    json_argument(parser)


def cmd_samba_config(args: argparse.Namespace) -> int:
    tree = tree_of(args)
    master = load_master(tree.master_path)
    settings = ShareSettings(
        root=tree.root,
        divisions=tuple(division.code for division in master.divisions),
        sop=resolve_sop(tree, args.sop),
        share=args.share,
        service_user=args.service_user,
        prefix=args.group_prefix,
        audit_log=args.audit_log,
    )
    text = samba_config_text(settings, args.part)
    if args.part != "script":
        _check_vfs_modules(smb_conf(settings))
    print(text, end="")
    return 0


def _check_vfs_modules(conf: str) -> None:
    """Refuse a share whose modules this machine lacks; warn when there is no Samba to ask."""
    modules_dir = samba_modules_dir()
    if modules_dir is None:
        print("Peringatan: Samba (smbd) tidak ditemukan di mesin ini, jadi modul VFS "
              f"({', '.join(vfs_modules(conf))}) tidak dapat diperiksa. Di server, pasang: "
              "apt-get install samba samba-vfs-modules smbclient acl", file=sys.stderr)  # fmt: skip
        return
    missing = missing_vfs_modules(conf, modules_dir)
    if missing:
        raise SambaModulesMissing("\n".join(missing))


class SambaModulesMissing(KinerjaError):
    """The generated share loads a Samba module that is not installed on this machine."""

    exit_code = EXIT_DATA


def samba_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--share", default="kinerja", metavar="NAMA",
                        help="nama berbagi Samba (bawaan: kinerja)")  # fmt: skip
    parser.add_argument("--service-user", default="kinerja", metavar="AKUN",
                        help="akun Linux yang menjalankan layanan (bawaan: kinerja)")  # fmt: skip
    parser.add_argument("--group-prefix", default="kinerja", metavar="AWALAN",
                        help="awalan nama grup Linux (bawaan: kinerja)")  # fmt: skip
    parser.add_argument("--audit-log", type=Path, default=DEFAULT_AUDIT_LOG, metavar="BERKAS",
                        help=f"log audit Samba (bawaan: {DEFAULT_AUDIT_LOG})")  # fmt: skip
    parser.add_argument(
        "--part",
        choices=("all", "conf", "script"),
        default="all",
        help="conf: bagian smb.conf saja; script: skrip izin saja (untuk | sudo bash); "
        "all: keduanya beserta panduan pengguna (bawaan)",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    run_demo(args.root, echo=lambda text: print(text, flush=True), sop_path=args.sop)
    return 0


def watch_operation_arguments(parser: argparse.ArgumentParser) -> None:
    """`kinerja watch --log-file FILE --audit-log FILE` (see `watcher.service.logfile`,
    `watcher.share.audit`)."""
    parser.add_argument(
        "--log-file",
        type=Path,
        metavar="BERKAS",
        help="tulis log layanan ke BERKAS, dirotasi otomatis (5 berkas x 5 MB); untuk Windows",
    )
    parser.add_argument(
        "--audit-log",
        type=Path,
        metavar="BERKAS",
        help="log audit Samba (full_audit) untuk mencatat siapa memindahkan berkas, misalnya "
        f"{DEFAULT_AUDIT_LOG}",
    )
