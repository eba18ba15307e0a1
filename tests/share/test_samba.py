"""The office's real path: a Samba share, the clerks and the Kabid as Unix users, the watcher on
the server side of the share.

A real `smbd` serves a kinerja root on a loopback port, configured with exactly what `kinerja
samba-config` prints (the share section, the audit line for [global], the permission script);
the people work through `smbclient` as their own accounts, the way Windows Explorer and Excel
do (a copy is a `put`, Excel's save is a temp file and two renames, the Kabid's decision is a
rename). Needs root (to create users) and Debian's `samba`, `smbclient` and `acl`; CI installs
them and sets KINERJA_REQUIRE_SAMBA=1, so there a missing piece fails instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import FAST, fill, running_service, wait_for
from support.sop010 import Folder

from watcher.record.durable import write_text_atomic
from watcher.record.store import Event, Outcome, Store
from watcher.record.verify import verify_tree
from watcher.service.pipeline import owner_of
from watcher.service.tree import Tree
from watcher.share.samba import (
    ShareSettings,
    all_groups,
    audit_log_level,
    missing_vfs_modules,
    permission_script,
    samba_modules_dir,
    smb_conf,
)

CODE = "DAFDUK"
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
REPORT_TEXT = {"kendala": "Server SIAK lambat", "follow_up": "Koordinasi dengan Dukcapil pusat"}
ROLES = {  # person -> the groups (besides "pengguna") the office's IT person puts them in
    "analis": ("bidang-dafduk",),
    "kasubag": ("bidang-dafduk",),
    "kabid": ("kabid-dafduk",),
    "capil": ("bidang-capil",),
    "rencana": ("perencanaan",),
}
DENIED = "NT_STATUS_ACCESS_DENIED"
NOTE = "Realisasi DAF-03 belum sesuai data SIAK"


def _require(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("KINERJA_REQUIRE_SAMBA") == "1":
        pytest.fail(f"{reason} (KINERJA_REQUIRE_SAMBA=1 mewajibkannya)")
    pytest.skip(reason)


@dataclass
class Share:
    """A running share: the tree on the server, the settings it was made from, its people."""

    tree: Tree
    settings: ShareSettings
    port: int
    users: dict[str, str]  # role -> Unix account (the Samba password is the account name)
    desk: Path  # the clerks' own PCs: local files they fill in

    def run(self, role: str, commands: str) -> str:
        """Run smbclient commands as `role`; returns what smbclient printed."""
        user = self.users[role]
        done = subprocess.run(
            ["smbclient", f"//127.0.0.1/{self.settings.share}", "-p", str(self.port),
             "-U", f"{user}%{user}", "-m", "SMB3", "-c", commands],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return done.stdout + done.stderr

    def put(self, role: str, local: Path, folder: str, name: str) -> str:
        return self.run(role, f'cd "{folder}"; put "{local}" "{name}"')

    def get(self, role: str, remote: str, local: Path) -> Path:
        output = self.run(role, f'get "{remote}" "{local}"')
        assert local.exists(), output
        return local

    def rename(self, role: str, source: str, target: str) -> str:
        return self.run(role, f'rename "{source}" "{target}"')

    def excel_save(self, role: str, local: Path, folder: str, name: str) -> str:
        """Excel's save over a share: a hex temp file, the old file aside, the temp renamed."""
        return self.run(role, f'cd "{folder}"; put "{local}" A1B2C3D4; rename "{name}" B2C3D4E5;'
                              f' rename A1B2C3D4 "{name}"; del B2C3D4E5')  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _global_section(base: Path, settings: ShareSettings, port: int) -> str:
    samba = base / "samba"
    private = {name: samba / name for name in ("private", "lock", "state", "cache", "pid")}
    for folder in private.values():
        folder.mkdir(parents=True, exist_ok=True)
    return f"""[global]
   server role = standalone server
   workgroup = KANTOR
   smb ports = {port}
   interfaces = 127.0.0.1
   bind interfaces only = yes
   private dir = {private["private"]}
   lock directory = {private["lock"]}
   state directory = {private["state"]}
   cache directory = {private["cache"]}
   pid directory = {private["pid"]}
   ncalrpc dir = {samba / "ncalrpc"}
   passdb backend = tdbsam:{private["private"] / "passdb.tdb"}
   log file = {samba / "smbd.log"}
   {audit_log_level(settings)}
   load printers = no
   disable spoolss = yes
   map to guest = never
   server min protocol = SMB2
"""


def _sh(*command: str, stdin: str | None = None) -> None:
    subprocess.run(command, input=stdin, text=True, check=True, capture_output=True, timeout=60)


def _start_smbd(conf: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        # Its own session: on stopping, smbd signals its whole process group.
        smbd = subprocess.Popen(
            ["smbd", "--foreground", "--no-process-group", "-s", str(conf)],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def listening() -> bool:
        assert smbd.poll() is None, f"smbd stopped: {log.read_text(errors='replace')}"
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout=30, what="smbd listening")
    return smbd


@pytest.fixture(scope="module")
def share() -> Iterator[Share]:
    _require(os.geteuid() == 0, "perlu root untuk membuat pengguna Unix bagi uji Samba")
    for program in ("smbd", "smbclient", "smbpasswd", "setfacl", "useradd"):
        _require(shutil.which(program) is not None,
                 f"{program} tidak terpasang: apt-get install samba smbclient acl")  # fmt: skip
    modules_dir = samba_modules_dir()
    _require(modules_dir is not None, "smbd -b tidak menyebut MODULESDIR")
    missing = missing_vfs_modules(smb_conf(ShareSettings(root=Path("/"), divisions=())),
                                  modules_dir)  # type: ignore[arg-type]  # fmt: skip
    _require(not missing, " ".join(missing))
    base = Path(tempfile.mkdtemp(prefix="kinerja-samba-", dir="/tmp"))
    base.chmod(0o711)  # smbd works as each user: they must be able to pass through
    prefix = f"kt{secrets.token_hex(2)}"
    users = {role: f"{prefix}-{role}" for role in ROLES}
    tree, _ = issued_office(base / "kantor")
    settings = ShareSettings(
        root=tree.root, divisions=("SEKRETARIAT", "DAFDUK", "CAPIL", "PIAK", "PDIP"),
        service_user=f"{prefix}-svc", prefix=prefix, audit_log=base / "samba" / "audit.log",
    )  # fmt: skip
    port, smbd, made_groups = _free_port(), None, False
    try:
        _sh("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
            "--user-group", settings.service_user)  # fmt: skip
        made_groups = True
        _sh("bash", "-s", stdin=permission_script(settings))
        for role, user in users.items():
            groups = ",".join(f"{prefix}-{group}" for group in ROLES[role])
            _sh("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--no-user-group",
                "--gid", f"{prefix}-pengguna", "--groups", groups, user)  # fmt: skip
        conf = base / "samba" / "smb.conf"
        conf.write_text(_global_section(base, settings, port) + "\n" + smb_conf(settings))
        for user in users.values():
            _sh("smbpasswd", "-c", str(conf), "-a", "-s", user, stdin=f"{user}\n{user}\n")
        smbd = _start_smbd(conf, port, base / "samba" / "smbd.stdout")
        desk = base / "meja"
        desk.mkdir()
        yield Share(tree, settings, port, users, desk)
    finally:
        if smbd is not None:
            _stop(smbd)
        for user in [*users.values(), settings.service_user]:
            subprocess.run(["userdel", user], capture_output=True)
        if made_groups:
            for group in all_groups(settings):
                subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _stop(smbd: subprocess.Popen[bytes]) -> None:
    """Stop smbd and every child it forked (one per connection, running as that user): a user
    with a process left cannot be deleted."""
    group = smbd.pid  # its own session: the process group has the leader's id
    os.killpg(group, signal.SIGTERM)
    smbd.wait(timeout=20)

    def gone() -> bool:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        return False

    try:
        wait_for(gone, timeout=10, what="smbd's children stopped")
    except AssertionError:
        os.killpg(group, signal.SIGKILL)


def _events(tree: Tree) -> list[Event]:
    lifecycle = (Outcome.STARTED, Outcome.STOPPED, Outcome.SOP_SET)
    with Store(tree.store_path) as store:
        return [e for e in store.events(division=CODE) if e.outcome not in lifecycle]


def _folder(folder: Folder) -> str:
    return f"inbox/{CODE}/{folder.value}"


def _file(folder: Folder) -> str:
    return f"{_folder(folder)}/{NAME}"


def test_a_quarter_over_the_share_records_who_did_what(share: Share) -> None:
    tree, desk = share.tree, share.desk
    review = tree.folder(CODE, Folder.REVIEW) / NAME
    options = replace(FAST, audit_log=share.settings.audit_log)
    with running_service(tree, options):
        # Step 3: the Analis Data copies the issued workbook to the PC, fills it, copies it back.
        issued = share.get("analis", _file(Folder.DISPOSITION), desk / "issued.xlsx")
        material = fill(issued, desk / "analis" / NAME)
        share.put("analis", material, _folder(Folder.MATERIAL), NAME)
        wait_for((tree.folder(CODE, Folder.REPORT) / NAME).exists, what="material -> 4_laporan")

        # Step 4: the Kasubag opens it from the share and saves it with Excel.
        report = share.get("kasubag", _file(Folder.REPORT), desk / "report.xlsx")
        share.excel_save("kasubag", fill(report, desk / "kasubag" / NAME, **REPORT_TEXT),
                         _folder(Folder.REPORT), NAME)  # fmt: skip
        wait_for(review.exists, what="report -> 5_pemeriksaan")
        assert not _may_write(share, "kasubag", review)  # under review: not even its author

        # Step 5: the Kabid writes a note with Excel (and may go on editing his own save) ...
        noted = fill(share.get("kabid", _file(Folder.REVIEW), desk / "review.xlsx"),
                     desk / "kabid" / NAME, note=NOTE, **REPORT_TEXT)  # fmt: skip
        share.excel_save("kabid", noted, _folder(Folder.REVIEW), NAME)
        wait_for(lambda: len(_events(tree)) == 3, what="the Kabid's note seen")
        assert _may_write(share, "kabid", review) and not _may_write(share, "kasubag", review)

        # ... and returns it by moving it; the Kasubag corrects it; it comes back.
        share.rename("kabid", _file(Folder.REVIEW), _file(Folder.RETURNED))
        back = tree.folder(CODE, Folder.REPORT) / NAME
        wait_for(lambda: back.exists() and not review.exists(), what="returned to 4_laporan")
        notice = back.with_name(f"{back.stem} - DIKEMBALIKAN KABID.txt")
        assert NOTE in notice.read_text(encoding="utf-8")
        corrected = fill(report, desk / "kasubag2" / NAME,
                         realisations=[99.3, 98.9, 1250, 1.4], **REPORT_TEXT)  # fmt: skip
        share.excel_save("kasubag", corrected, _folder(Folder.REPORT), NAME)
        wait_for(lambda: review.exists() and len(_events(tree)) == 5, what="corrected in review")

        # Nobody but the Kabid may decide, nor change the report under review.
        assert DENIED in share.rename("kasubag", _file(Folder.REVIEW), _file(Folder.APPROVED))
        assert DENIED in share.put("kasubag", corrected, _folder(Folder.REVIEW), NAME)
        share.rename("kabid", _file(Folder.REVIEW), _file(Folder.APPROVED))
        wait_for(lambda: any(e.outcome is Outcome.APPROVED for e in _events(tree)), what="approval")

    approved, users = tree.folder(CODE, Folder.APPROVED) / NAME, share.users
    assert [(e.outcome.value, e.actor) for e in _events(tree)] == [
        ("valid", users["analis"]),  # saved (copied) by the Analis Data: the file's owner
        ("valid", users["kasubag"]),  # saved by the Kasubag's Excel
        ("valid", users["kabid"]),  # the Kabid's note, saved in place
        ("returned", users["kabid"]),  # a rename by the Kabid: from Samba's audit log
        ("valid", users["kasubag"]),
        ("approved", users["kabid"]),  # a rename again, of the Kasubag's file
    ]
    assert owner_of(approved) == users["kasubag"]  # a rename kept the owner; the log knows better
    assert DENIED in share.put("kasubag", corrected, _folder(Folder.APPROVED), NAME)
    assert verify_tree(tree).ok


def _may_write(share: Share, role: str, path: Path) -> bool:
    """The kernel's answer for that person (Samba asks the same, working as them)."""
    user = share.users[role]
    check = ["setpriv", "--reuid", user, "--regid", f"{share.settings.prefix}-pengguna",
             "--init-groups", "test", "-w", str(path)]  # fmt: skip
    return subprocess.run(check, capture_output=True).returncode == 0


@pytest.mark.parametrize(
    ("role", "folder", "allowed"),
    [
        ("analis", _folder(Folder.MATERIAL), True),
        ("analis", _folder(Folder.REPORT_FIX), True),
        ("analis", _folder(Folder.DISPOSITION), False),
        ("analis", _folder(Folder.REVIEW), False),
        ("analis", _folder(Folder.APPROVED), False),
        ("analis", _folder(Folder.RETURNED), False),
        ("analis", "inbox/CAPIL/3_bahan", False),
        ("analis", "outbox", False),
        ("analis", "data_induk", False),
        ("kabid", _folder(Folder.APPROVED), True),
        ("kabid", _folder(Folder.RETURNED), True),
        ("kabid", _folder(Folder.MATERIAL), False),
        ("capil", "inbox/CAPIL/3_bahan", True),
        ("capil", _folder(Folder.MATERIAL), False),
        ("rencana", "data_induk", True),
        ("rencana", _folder(Folder.MATERIAL), False),
    ],
    ids=lambda value: str(value).replace("/", "."),
)
def test_who_may_write_where(share: Share, role: str, folder: str, allowed: bool) -> None:
    local = share.desk / "bukan_laporan.txt"
    local.write_text("uji izin\n", encoding="utf-8")
    output = share.put(role, local, folder, "uji_izin.txt")
    written = share.tree.root / folder / "uji_izin.txt"
    try:
        assert written.exists() == allowed, output
        if not allowed:
            assert "NT_STATUS_" in output, output  # refused by the share (denied, or hidden)
    finally:
        written.unlink(missing_ok=True)


def test_everyone_reads_outbox_and_master_data_and_only_their_own_division(share: Share) -> None:
    page = share.tree.outbox / "status_uji.html"
    write_text_atomic(page, "<p>status</p>")  # written by the service, as the status page is
    master = "data_induk/data_induk_kinerja.xlsx"  # the Excel add-in checks against it
    try:
        for role in ("analis", "capil", "kabid", "rencana"):
            got = share.get(role, "outbox/status_uji.html", share.desk / f"status_{role}.html")
            assert got.read_text() == "<p>status</p>"
            share.get(role, master, share.desk / f"induk_{role}.xlsx")
    finally:
        page.unlink()
    assert "NT_STATUS_" in share.run("capil", f'get "{_folder(Folder.DISPOSITION)}/{NAME}" x')
    assert "NT_STATUS_" in share.run("analis", "get arsip/log_kinerja.sqlite3 x")
    listing = share.run("analis", "ls inbox/*")
    assert CODE in listing and "CAPIL" not in listing  # other divisions are not even shown


def test_the_service_account_needs_only_cap_fowner(share: Share) -> None:
    """What the systemd unit grants: read and move every file by the ACLs, and CAP_FOWNER to
    give a moved file its new folder's permissions (it owns the folders, not the files)."""
    local = share.desk / "punya_analis.txt"
    local.write_text("milik analis\n", encoding="utf-8")
    fix = _folder(Folder.MATERIAL_FIX)
    share.put("analis", local, fix, "punya_analis.txt")
    clerk_file = share.tree.root / fix / "punya_analis.txt"
    service = ["setpriv", "--reuid", share.settings.service_user, "--regid",
               share.settings.service_user, "--init-groups"]  # fmt: skip
    try:
        _sh(*service, "cat", str(clerk_file))
        moved = share.tree.folder(CODE, Folder.MATERIAL_FIX) / "pindah.txt"
        _sh(*service, "mv", str(clerk_file), str(moved))
        clerk_file = moved
        acl = "u::r--,g::---,o::---,m::r--"
        with pytest.raises(subprocess.CalledProcessError):
            _sh(*service, "setfacl", "--set", acl, str(clerk_file))
        _sh(*service, "--inh-caps", "+fowner", "--ambient-caps", "+fowner",
            "setfacl", "--set", acl, str(clerk_file))  # fmt: skip
    finally:
        clerk_file.unlink(missing_ok=True)
