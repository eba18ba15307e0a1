"""The `kinerja` command line: Indonesian argparse, then one command from `commands.py`.

Everything a user reads here is Indonesian. Exit codes: 0 success, 1 a problem in the user's
data, 2 unusable input or arguments, 130 stopped with Ctrl-C. No traceback reaches a user (set
KINERJA_DEBUG=1 to see it), not even for a Ctrl-C: the commands (and the heavy libraries they
import) are loaded inside `main`'s guard.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from watcher import __version__
from watcher.command_args import with_common
from watcher.errors import EXIT_INTERRUPTED, EXIT_UNUSABLE, KinerjaError

log = logging.getLogger(__name__)

# argparse speaks English; its few messages are translated here rather than shown as they are.
_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.*)", r"argumen wajib belum diisi: \1"),
    (r"unrecognized arguments: (.*)", r"argumen tidak dikenal: \1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"argumen \1: pilihan \2 tidak ada (pilih dari \3)",
    ),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"argumen \1: nilai \3 tidak valid"),
    (r"argument (.*?): expected one argument", r"argumen \1: perlu satu nilai"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"perintah \1 tidak ada (pilih dari \2)"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Penggunaan: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        wants_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "argumen"
        self._optionals.title = "opsi"
        if wants_help:
            self.add_argument(
                "-h", "--help", action="help", help="tampilkan bantuan ini lalu keluar"
            )

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            message = re.sub(pattern, replacement, message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"{self.prog}: kesalahan: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from watcher.commands import COMMANDS  # here, not at the top: see the module's docstring

    parser = _Parser(
        prog="kinerja",
        description="kinerja: pengumpulan data kinerja menurut SOP kantor, melalui buku kerja "
        "Excel.",
        epilog="Kode keluar: 0 berhasil, 1 ada masalah pada data, 2 masukan tidak dapat dipakai, "
        "130 dihentikan dengan Ctrl-C.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"kinerja {__version__}",
        help="tampilkan versi lalu keluar",
    )
    commands = parser.add_subparsers(dest="command", title="perintah", metavar="PERINTAH")
    commands.required = True
    for command in COMMANDS.values():
        sub = commands.add_parser(command.name, help=command.help, description=command.description)
        sub.set_defaults(run=command.run)
        with_common(sub)
        if command.arguments is not None:
            command.arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A console or redirect in a legacy code page (cp1252) must not turn a file name with
        # "ñ" or "中" into a crash: print what the encoding can, escape the rest.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    logging.basicConfig(level=os.environ.get("KINERJA_LOG", "WARNING"), format="%(message)s")
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except KinerjaError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Dihentikan dengan Ctrl-C.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("KINERJA_DEBUG"):
            raise
        log.debug("unexpected error", exc_info=True)
        print(
            f"Terjadi kesalahan tak terduga: {exc}. Jalankan ulang dengan KINERJA_DEBUG=1 "
            "untuk rinciannya.",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
