"""Who put a file where it is (Samba's audit log), and the permissions a moved file takes on."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from watcher.share.acl import adopt_folder_permissions, file_acl_from_default
from watcher.share.audit import AuditEntry, AuditLog, ShareActors, parse_line

ROOT = "/srv/kinerja/inbox/DAFDUK"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"  kinerja-audit|kabid|10.0.0.5|renameat|ok|{ROOT}/a.xlsx|{ROOT}/b.xlsx\n",
            AuditEntry("kabid", "10.0.0.5", "renameat", True, (f"{ROOT}/a.xlsx", f"{ROOT}/b.xlsx")),
        ),
        (
            "Nov 25 10:00:01 server smbd_audit[812]: kinerja-audit|ani|10.0.0.7|rename|ok|/x|/y",
            AuditEntry("ani", "10.0.0.7", "rename", True, ("/x", "/y")),
        ),
        (
            "  kinerja-audit|budi|10.0.0.8|create_file|fail (denied)|0x10000|file|open|/z",
            AuditEntry("budi", "10.0.0.8", "create_file", False, ("0x10000", "file", "open", "/z")),
        ),
        ("[2026/11/25 15:36:09.764983,  1] ../../source3/modules/vfs_full_audit.c:643", None),
        ("  kinerja-audit|terpotong", None),
    ],
    ids=["debug-file", "syslog", "failure", "header", "truncated"],
)
def test_audit_lines_are_read_from_the_marker_on(line: str, expected: AuditEntry | None) -> None:
    assert parse_line(line) == expected


def _rename(log: Path, user: str, source: Path, target: Path, result: str = "ok") -> None:
    with log.open("a", encoding="utf-8") as stream:
        stream.write("[2026/11/25 15:36:09.764983,  1] ../../source3/modules/vfs_full_audit.c\n")
        stream.write(f"  kinerja-audit|{user}|127.0.0.1|renameat|{result}|{source}|{target}\n")


def test_the_log_is_followed_across_partial_lines_and_rotation(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    follower = AuditLog(path)
    assert follower.new_entries() == []  # Samba has written nothing yet
    path.write_text("  kinerja-audit|a|ip|renameat|ok|/1|/2\n  kinerja-audit|b|ip|rena")
    assert [entry.user for entry in follower.new_entries()] == ["a"]
    with path.open("a") as stream:
        stream.write("meat|ok|/3|/4\n")
    assert [entry.user for entry in follower.new_entries()] == ["b"]
    assert follower.new_entries() == []
    path.rename(tmp_path / "audit.log.old")  # Samba's rotation at "max log size"
    path.write_text("  kinerja-audit|c|ip|renameat|ok|/5|/6\n")
    assert [entry.user for entry in follower.new_entries()] == ["c"]


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    review, approved = tmp_path / "5_pemeriksaan", tmp_path / "5_pemeriksaan" / "disetujui"
    approved.mkdir(parents=True)
    return tmp_path / "audit.log", review, approved


def test_a_rename_names_the_kabid_and_a_new_file_its_owner(
    folders: tuple[Path, Path, Path],
) -> None:
    log, review, approved = folders
    actors = ShareActors(log, owner=lambda path: "pemilik")
    report = approved / "laporan.xlsx"
    report.write_bytes(b"v1")
    _rename(log, "kasubag", review / "laporan.xlsx", approved / "laporan.xlsx", result="fail")
    assert actors(report) == "pemilik"  # a refused rename moved nothing
    _rename(log, "kabid", review / "laporan.xlsx", approved / "laporan.xlsx")
    assert actors(report) == "kabid"
    assert actors(report) == "kabid"  # a retry of the same file: the same answer
    report.unlink()
    report.write_bytes(b"versi 2")  # another file under the same name, saved there later
    os.utime(report, ns=(10**18, 10**18))  # (the same inode number may well be reused)
    assert actors(report) == "pemilik"


def test_a_file_renamed_away_forgets_who_put_it_there(folders: tuple[Path, Path, Path]) -> None:
    log, review, approved = folders
    actors = ShareActors(log, owner=lambda path: "pemilik")
    _rename(log, "kabid", review / "a.xlsx", approved / "a.xlsx")
    _rename(log, "kabid", approved / "a.xlsx", review / "a.xlsx")  # changed his mind at once
    (review / "a.xlsx").write_bytes(b"x")
    assert actors(review / "a.xlsx") == "kabid"
    (approved / "a.xlsx").write_bytes(b"x")
    assert actors(approved / "a.xlsx") == "pemilik"


def _acl_bytes(*entries: tuple[int, int, int]) -> bytes:
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


def test_a_default_acl_becomes_a_file_acl_without_execute_bits() -> None:
    default = _acl_bytes((0x01, 7, 0xFFFFFFFF), (0x08, 5, 1001), (0x10, 7, 0xFFFFFFFF))
    assert file_acl_from_default(default) == _acl_bytes(
        (0x01, 6, 0xFFFFFFFF), (0x08, 4, 1001), (0x10, 6, 0xFFFFFFFF)
    )
    as_clerk = file_acl_from_default(default, owner_role=lambda entries: 4)  # role: read only
    assert as_clerk == _acl_bytes((0x01, 4, 0xFFFFFFFF), (0x08, 4, 1001), (0x10, 6, 0xFFFFFFFF))
    with pytest.raises(ValueError, match="version 3"):
        file_acl_from_default(struct.pack("<I", 3))


def _getfacl(path: Path) -> str:
    return subprocess.run(["getfacl", "--omit-header", "--absolute-names", str(path)],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


@pytest.mark.skipif(shutil.which("setfacl") is None, reason="setfacl tidak terpasang (paket acl)")
def test_a_moved_file_takes_the_permissions_of_its_new_folder(tmp_path: Path) -> None:
    review, kabid_desk, desk = (
        tmp_path / "5_pemeriksaan",
        tmp_path / "kabid",
        tmp_path / "4_laporan",
    )
    for folder in (review, kabid_desk, desk):
        folder.mkdir()
    stranger = _unused_gid()  # a group the file's owner (this test) is not in: the Kabid's
    defaults = "u::rwx,g::---,o::---,d:u::r-x,d:g::---,d:o::---,d:g:{}:rwx"
    subprocess.run(["setfacl", "--set", defaults.format(stranger), str(review)], check=True)
    subprocess.run(["setfacl", "--set", defaults.format(os.getgid()), str(kabid_desk)], check=True)
    report = desk / "laporan.xlsx"
    report.write_bytes(b"isi")
    assert adopt_folder_permissions(report) is False  # 4_laporan has no default ACL
    assert adopt_folder_permissions(report, folder=review) is True  # just before the move
    report = report.rename(review / "laporan.xlsx")
    acl = _getfacl(report)  # the owner has no role here: the folder's read-only owner entry
    assert "user::r--" in acl and f"group:{stranger}:rw-" in acl and "other::---" in acl
    report = report.rename(kabid_desk / "laporan.xlsx")
    assert adopt_folder_permissions(report) is True
    assert "user::rw-" in _getfacl(report)  # the owner's role (their group) may write here
    assert adopt_folder_permissions(review / "hilang.xlsx") is False  # vanished: nothing to do


def _unused_gid() -> int:
    import grp

    return next(gid for gid in range(54321, 60000) if gid not in {g.gr_gid for g in grp.getgrall()})
