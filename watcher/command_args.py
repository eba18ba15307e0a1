"""The options every `kinerja` command shares, and what they name: `--root`, `--sop`, `--json`.

Each command module reads the working tree and the SOP through `tree_of` and `sop_of`, so the
defaults (`$KINERJA_ROOT`, else the current folder; the tree's SOP) are decided in one place.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from watcher.service.tree import Tree, default_root
from watcher.sop.model import Sop
from watcher.sop.tree_sop import resolve_sop


def with_common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options every command shares."""
    parser.add_argument(
        "--root",
        type=Path,
        metavar="FOLDER",
        help="folder kerja kinerja (bawaan: $KINERJA_ROOT, atau folder saat ini)",
    )
    parser.add_argument(
        "--sop",
        type=Path,
        metavar="BERKAS",
        help="berkas SOP (TOML) untuk folder kerja baru; bawaan: SOP 010 Pengumpulan Data "
        "Kinerja. Folder kerja yang sudah punya SOP memakai SOP-nya (ganti: kinerja sop --pasang)",
    )
    return parser


def json_argument(parser: argparse.ArgumentParser) -> None:
    """`--json`: the command prints one JSON document instead of text, for other programs."""
    parser.add_argument("--json", action="store_true", help="keluaran JSON untuk program lain")


def print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def tree_of(args: argparse.Namespace) -> Tree:
    """The working tree `--root` names (absolute)."""
    return Tree((args.root or default_root()).resolve())


def sop_of(args: argparse.Namespace) -> Sop:
    """The tree's SOP (`watcher.sop.tree_sop`); `--sop` sets it for a tree that has none yet."""
    return resolve_sop(tree_of(args), args.sop)
