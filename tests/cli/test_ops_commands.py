"""The operations commands as the CLI runs them: arguments parsed, Indonesian text, exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support.office import issued_office

from watcher.errors import UsageError
from watcher.ops_commands import (
    cmd_health,
    cmd_samba_config,
    cmd_verify,
    health_arguments,
    samba_config_arguments,
    verify_arguments,
    watch_operation_arguments,
)
from watcher.record.store import Event, Outcome, Store

Arguments = Callable[[argparse.ArgumentParser], None]


def _parse(arguments: Arguments, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path)
    parser.add_argument("--sop", type=Path)
    arguments(parser)
    return parser.parse_args(list(argv))


def test_samba_config_prints_the_share(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    args = _parse(samba_config_arguments, "--root", str(tree.root), "--part", "script")
    assert cmd_samba_config(args) == 0
    script = capsys.readouterr().out
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    for code in ("sekretariat", "dafduk", "capil", "piak", "pdip"):
        assert f"kinerja-kabid-{code}" in script
    args = _parse(samba_config_arguments, "--root", str(tree.root), "--share", "data_kinerja",
                  "--group-prefix", "knj")  # fmt: skip
    cmd_samba_config(args)
    everything = capsys.readouterr().out
    assert "[data_kinerja]" in everything and f"path = {tree.root}" in everything
    assert "valid users = @knj-pengguna" in everything


def test_verify_says_intact_or_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    with Store(tree.store_path) as store:
        store.append(Event(outcome=Outcome.STARTED, message="Layanan mulai."))
        head = store.head()
    assert cmd_verify(_parse(verify_arguments, "--root", str(tree.root))) == 0
    assert "Log kejadian utuh: 1 kejadian" in capsys.readouterr().out
    anchor = f"{head[0]}:{'0' * 64}"
    assert cmd_verify(_parse(verify_arguments, "--root", str(tree.root), "--anchor", anchor)) == 1
    assert f"baris #{head[0]} memiliki hash lain" in capsys.readouterr().out
    with pytest.raises(UsageError):
        cmd_verify(_parse(verify_arguments, "--root", str(tree.root), "--anchor", "kemarin"))


def test_health_without_a_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree, _ = issued_office(tmp_path / "kantor")
    assert cmd_health(_parse(health_arguments, "--root", str(tree.root))) == 1
    assert "belum pernah berjalan" in capsys.readouterr().out
    assert cmd_health(_parse(health_arguments, "--root", str(tree.root), "--json")) == 1
    assert json.loads(capsys.readouterr().out)["hidup"] is False


def test_watch_takes_a_log_file_and_an_audit_log() -> None:
    args = _parse(watch_operation_arguments, "--log-file", "log/kinerja.log",
                  "--audit-log", "/var/log/samba/kinerja-audit.log")  # fmt: skip
    assert args.log_file == Path("log/kinerja.log")
    assert args.audit_log == Path("/var/log/samba/kinerja-audit.log")
