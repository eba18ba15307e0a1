"""The deployment files: the systemd units and the Windows task run real kinerja commands."""

from __future__ import annotations

import argparse
import configparser
import contextlib
import re
import shlex
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from watcher.cli import build_parser
from watcher.ops_commands import health_arguments, watch_operation_arguments

DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy"
TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def _kinerja(argv: list[str]) -> argparse.Namespace:
    """Parse a kinerja command line with the real CLI (plus the operations options)."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    extra = {"watch": watch_operation_arguments, "health": health_arguments}
    for name, arguments in extra.items():
        sub = commands.choices.get(name)
        if sub is None:  # not yet registered
            sub = commands.add_parser(name)
            sub.add_argument("--root", type=Path)
        with contextlib.suppress(argparse.ArgumentError):  # already wired by the CLI
            arguments(sub)
    return parser.parse_args(argv)


def test_the_service_unit_restarts_runs_unprivileged_and_needs_only_cap_fowner() -> None:
    service = _unit("kinerja.service")["Service"]
    assert service["Restart"] == "on-failure" and service["User"] == "kinerja"
    assert service["AmbientCapabilities"] == service["CapabilityBoundingSet"] == "CAP_FOWNER"
    assert service["ReadWritePaths"] == service["WorkingDirectory"] == "/srv/kinerja"
    program, *argv = shlex.split(service["ExecStart"])
    assert program == "/opt/kinerja/venv/bin/kinerja"
    args = _kinerja(argv)
    assert (args.command, args.root) == ("watch", Path("/srv/kinerja"))
    assert args.audit_log == Path("/var/log/samba/kinerja-audit.log")
    assert service["SupplementaryGroups"] == "adm"  # /var/log/samba is root:adm 0750 on Debian
    assert _unit("kinerja.service")["Unit"]["StartLimitIntervalSec"] == "0"


def test_the_health_check_restarts_only_an_active_stuck_service() -> None:
    service = _unit("kinerja-health.service")["Service"]
    assert "is-active" in service["ExecCondition"]
    command = re.search(r"'(.*)'", service["ExecStart"]).group(1)  # type: ignore[union-attr]
    check, restart = command.split(" || ")
    _, *argv = shlex.split(check)
    assert _kinerja(argv).command == "health" and restart.endswith("restart kinerja.service")
    assert _unit("kinerja-health.timer")["Timer"]["OnUnitActiveSec"] == "5min"


def test_the_windows_task_starts_at_boot_forever_and_runs_the_wrapper() -> None:
    text = (DEPLOY / "windows" / "kinerja-task.xml").read_text(encoding="utf-8")
    task = ElementTree.fromstring(text.split("?>", 1)[1])  # the declaration says UTF-16
    assert task.find(f"{TASK}Triggers/{TASK}BootTrigger") is not None
    settings = task.find(f"{TASK}Settings")
    assert settings is not None
    assert settings.findtext(f"{TASK}ExecutionTimeLimit") == "PT0S"
    assert settings.find(f"{TASK}RestartOnFailure") is not None
    arguments = task.findtext(f"{TASK}Actions/{TASK}Exec/{TASK}Arguments") or ""
    assert "jalankan-kinerja.ps1" in arguments and "{{FOLDER_KERJA}}" in arguments
    wrapper = (DEPLOY / "windows" / "jalankan-kinerja.ps1").read_text(encoding="utf-8")
    listed = re.search(r"\$argumen = @\((.*)\)", wrapper).group(1)  # type: ignore[union-attr]
    words = [w.strip().strip('"') for w in listed.split(",")]
    argv = [w if not w.startswith("$") else "C:/x" for w in words]
    assert _kinerja(argv).command == "watch"


def _commands_in(name: str) -> set[str]:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    if name.endswith(".ps1"):
        return set(re.findall(r"& \$kinerja ([a-z][a-z-]*)", text))
    code = "\n".join(re.findall(r"```.*?```|`[^`\n]+`", text, re.S))  # code, not prose
    return set(re.findall(r"(?:kinerja|\$K)[ \t]+([a-z][a-z-]*)", code))


@pytest.mark.parametrize("name", ["README.md", "windows/pasang-kinerja.ps1"])
def test_the_docs_use_only_commands_that_exist(name: str) -> None:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    known = set(commands.choices) | {"verify", "health", "samba-config", "demo"}
    used = _commands_in(name)
    assert used and used <= known, used - known
