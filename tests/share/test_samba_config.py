"""`kinerja samba-config`: the share definition and the permission script it generates.

The real share built from this text is tested in test_samba.py (as root); these run anywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.office import issued_office
from support.sop010 import Folder

from watcher.errors import UsageError
from watcher.share.samba import (
    ShareSettings,
    acl_specs,
    all_groups,
    audit_log_level,
    folder_rules,
    missing_vfs_modules,
    permission_script,
    samba_config_text,
    samba_modules_dir,
    smb_conf,
    vfs_modules,
)

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


def test_the_share_names_the_modules_it_loads() -> None:
    assert vfs_modules(smb_conf(_settings())) == ["full_audit"]


def test_a_missing_vfs_module_is_named_with_its_debian_package(tmp_path: Path) -> None:
    conf = smb_conf(_settings())
    (tmp_path / "vfs").mkdir()
    [problem] = missing_vfs_modules(conf, tmp_path)
    assert "full_audit" in problem and "apt-get install samba-vfs-modules" in problem
    (tmp_path / "vfs" / "full_audit.so").write_bytes(b"\x7fELF")
    assert missing_vfs_modules(conf, tmp_path) == []


def _samba_config(root: Path, smbd_dir: Path) -> subprocess.CompletedProcess[str]:
    """`kinerja samba-config` with `smbd_dir` first on PATH (where `smbd -b` is looked up)."""
    env = {**os.environ, "PATH": f"{smbd_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", "watcher", "samba-config", "--root", str(root),
                           "--part", "conf"], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip


def test_samba_config_refuses_a_share_this_server_could_not_serve(tmp_path: Path) -> None:
    """An smbd whose module folder lacks full_audit (samba installed without its recommends):
    nothing is printed to append to smb.conf, and the message says which package to install."""
    tree, _ = issued_office(tmp_path / "kantor")
    modules = tmp_path / "modules"
    (modules / "vfs").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smbd = bin_dir / "smbd"  # answers `smbd -b` as Debian's smbd does, with our module folder
    smbd.write_text(f"#!/bin/sh\necho 'Paths:'\necho '   MODULESDIR: {modules}'\n")
    smbd.chmod(0o755)
    refused = _samba_config(tree.root, bin_dir)
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout == ""
    assert "samba-vfs-modules" in refused.stderr and "Traceback" not in refused.stderr
    (modules / "vfs" / "full_audit.so").write_bytes(b"\x7fELF")
    accepted = _samba_config(tree.root, bin_dir)
    assert accepted.returncode == 0, accepted.stderr
    assert "vfs objects = full_audit" in accepted.stdout


def test_this_machines_samba_has_every_module_the_share_loads() -> None:
    """Where Samba is installed (CI installs it), the generated share must be servable."""
    modules_dir = samba_modules_dir()
    if modules_dir is None:
        if os.environ.get("KINERJA_REQUIRE_SAMBA") == "1":
            pytest.fail("smbd tidak terpasang (KINERJA_REQUIRE_SAMBA=1 mewajibkannya)")
        pytest.skip("smbd tidak terpasang: apt-get install samba samba-vfs-modules")
    assert missing_vfs_modules(smb_conf(_settings()), modules_dir) == []
