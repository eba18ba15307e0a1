"""`kinerja samba-config`: the share definition and the permission script it generates.

The real share built from this text is tested in test_samba.py (as root); these run anywhere.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from watcher.errors import UsageError
from watcher.samba import (
    ShareSettings,
    acl_specs,
    all_groups,
    audit_log_level,
    folder_rules,
    permission_script,
    samba_config_text,
    smb_conf,
)
from watcher.tree import Folder

CODE = "DAFDUK"


def _folder(folder: Folder) -> str:
    return f"inbox/{CODE}/{folder.value}"


def _settings(**changes: object) -> ShareSettings:
    values: dict[str, object] = {"root": Path("/srv/kinerja"), "divisions": ("SEKRETARIAT", CODE)}
    return ShareSettings(**{**values, **changes})  # type: ignore[arg-type]


def test_groups_follow_the_master_datas_divisions() -> None:
    assert all_groups(_settings()) == [
        "kinerja-pengguna", "kinerja-perencanaan", "kinerja-bidang-sekretariat",
        "kinerja-kabid-sekretariat", "kinerja-bidang-dafduk", "kinerja-kabid-dafduk",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"prefix": "kinerja-dinas-kependudukan"}, "paling banyak 32"),
        ({"divisions": ("PIAK", "piak")}, "nama grup yang sama"),
        ({"service_user": "Kinerja"}, "huruf kecil"),
        ({"root": Path("kantor")}, "jalur absolut"),
    ],
    ids=["too-long", "collision", "uppercase-user", "relative-root"],
)
def test_names_linux_cannot_take_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        smb_conf(_settings(**changes))


def test_only_the_kabid_writes_where_decisions_are_made() -> None:
    settings = _settings()
    rules = {rule.path: rule for rule in folder_rules(settings)}
    folder_acl, file_acl = acl_specs(rules[_folder(Folder.APPROVED)], "kinerja")
    assert "g:kinerja-kabid-dafduk:rwx" in folder_acl
    assert "g:kinerja-bidang-dafduk:r-x" in folder_acl
    assert file_acl.split(",")[:3] == ["u::r--", "g::---", "o::---"]  # not even the owner
    assert "g:kinerja-kabid-dafduk:rw-" in file_acl and "u:kinerja:rw-" in file_acl
    assert "d:g:kinerja-kabid-dafduk:rwx" in folder_acl  # default: x only matters for folders
    step_acl, _ = acl_specs(rules[_folder(Folder.MATERIAL)], "kinerja")
    assert "g:kinerja-bidang-dafduk:rwx" in step_acl and "g:kinerja-kabid-dafduk:r-x" in step_acl


def test_the_generated_text_is_a_share_and_a_valid_script() -> None:
    settings = _settings()
    conf = smb_conf(settings)
    lines = (
        "[kinerja]", "path = /srv/kinerja", "valid users = @kinerja-pengguna",
        "nt acl support = no", "vfs objects = full_audit", audit_log_level(settings),
    )  # fmt: skip
    assert [line for line in lines if line not in conf] == []
    script = permission_script(settings)
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    assert samba_config_text(settings, "script") == script
    everything = samba_config_text(settings)
    assert conf in everything and script in everything and "smbpasswd -a" in everything
