"""`kinerja samba-config`: the Samba share, and folder permissions that make approvals trustworthy.

The model, in one place (the test of the share runs exactly what this module prints):
- one share over the working root; every user is in the group `<prefix>-pengguna`;
- the service account owns every folder and runs `kinerja watch`;
- per division, `<prefix>-bidang-<kode>` (Analis Data, Kasubag) writes only its own step
  folders (`3_bahan`, `4_laporan` and their `perlu_perbaikan`), and `<prefix>-kabid-<kode>`
  (the Kabid) alone writes `5_pemeriksaan` and its `disetujui` / `dikembalikan`: a file that
  appears there was put there by the Kabid, and Samba's audit log says which account did it;
- `<prefix>-perencanaan` reads every division and edits the master data; everyone reads the
  master data (the Excel add-in checks against it) and outbox/;
- `arsip/` (originals, event log, health file) is the service's alone.
Permissions are POSIX ACLs on each folder; its *default* ACL is what a new file there gets, and
the service gives a file it moves the default ACL of its new folder (`watcher.share.acl`), so a
report under review or approved is read-only for the clerks, its owner included. Samba is told not
to map or change any of it (`nt acl support = no`), so nobody can loosen it from Windows.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from watcher.errors import UsageError
from watcher.share.audit import PREFIX as AUDIT_PREFIX
from watcher.sop.load import load_sop
from watcher.sop.model import Sop, StepKind
from watcher.sop.workflow import SUPERSEDED_FOLDER, Role, places, purpose

DEFAULT_AUDIT_LOG = Path("/var/log/samba/kinerja-audit.log")
_NAME = re.compile(r"[a-z_][a-z0-9_-]*")
_MAX_GROUP = 32  # Linux (shadow-utils) limit on group names
STAFF_ROLES = (Role.SUBMIT, Role.FIX)  # written by the division's staff
# The Debian package of each VFS module the share uses: `samba` only *recommends*
# samba-vfs-modules, so an install with --no-install-recommends lacks full_audit, and then smbd
# refuses every connection to the share (NT_STATUS_BAD_NETWORK_NAME) without saying why.
VFS_PACKAGES = {"full_audit": "samba-vfs-modules"}
_VFS_OBJECTS = re.compile(r"^\s*vfs objects\s*=\s*(.+)$", re.MULTILINE)
_MODULES_DIR = re.compile(r"^\s*MODULESDIR:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True, kw_only=True)
class ShareSettings:
    root: Path
    divisions: tuple[str, ...]  # division codes from the master data
    sop: Sop = field(default_factory=load_sop)  # the tree's: its folders and who checks there
    share: str = "kinerja"
    service_user: str = "kinerja"
    prefix: str = "kinerja"  # of every group name
    audit_log: Path = DEFAULT_AUDIT_LOG

    def group(self, role: str, code: str = "") -> str:
        """`<prefix>-pengguna`, `<prefix>-bidang-dafduk`, `<prefix>-kabid-dafduk`, ..."""
        slug = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
        return "-".join(part for part in (self.prefix, role, slug) if part)


@dataclass(frozen=True)
class FolderRule:
    """Who may do what in one folder. Keys are ACL qualifiers: "g:<group>" or "u:<user>".

    `folder`: permissions on the folder itself (r-x list and open, rwx also create, rename
    and delete in it). `files`: permissions on the files in it (rw- or r--); `owner` is what
    the owner of a file there gets until the service handles it, after which the owner gets
    what their role gives them (`watcher.share.acl`). The folder's default ACL is `files` with x
    added wherever r is, so a subfolder the service makes stays usable; a file never gets x.
    """

    path: str  # relative to the root, "" for the root itself
    purpose: str  # Indonesian
    folder: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    owner: str = "rw-"
    recursive: bool = False  # also every folder and file below (archive, generated reports)


def check_settings(settings: ShareSettings) -> None:
    """UsageError when a name cannot be a Linux user or group name, or two groups collide."""
    names = [settings.service_user, *all_groups(settings)]
    for name in names:
        if not _NAME.fullmatch(name) or len(name) > _MAX_GROUP:
            raise UsageError(
                f"Nama '{name}' tidak dapat dipakai sebagai nama pengguna/grup Linux (huruf kecil, "
                f"angka, '-' atau '_', paling banyak {_MAX_GROUP} karakter). Pakai --group-prefix "
                "yang lebih pendek atau kode bidang yang lebih pendek."
            )
    if len(set(names)) != len(names):
        raise UsageError("Dua kode bidang menghasilkan nama grup yang sama; bedakan kodenya.")
    if not settings.root.is_absolute():
        raise UsageError(f"Folder kerja harus berupa jalur absolut: {settings.root}")


def all_groups(settings: ShareSettings) -> list[str]:
    """Every group the permissions use, in the order the script creates them."""
    groups = [settings.group("pengguna"), settings.group("perencanaan")]
    checkers = dict.fromkeys(checker_role(s.actor) for s in settings.sop.of_kind(StepKind.CHECK))
    for code in settings.divisions:
        groups += [settings.group("bidang", code), *(settings.group(c, code) for c in checkers)]
    return groups


def checker_role(actor: str) -> str:
    """The group role of a check step's actor: "Kabid" -> "kabid", "Kepala Dinas" ->
    "kepala-dinas"."""
    return re.sub(r"[^a-z0-9]+", "-", actor.lower()).strip("-")


def folder_rules(settings: ShareSettings) -> list[FolderRule]:
    """The permission of every folder of the tree, parents before children."""
    everyone = f"g:{settings.group('pengguna')}"
    planning = f"g:{settings.group('perencanaan')}"
    rules = [
        FolderRule("", "folder kerja (berkas pengaturan: layanan saja)", {everyone: "r-x"}),
        FolderRule("inbox", "folder bidang", {everyone: "r-x"}),
    ]
    for code in settings.divisions:
        approver = checker_role(settings.sop.final_check.actor)
        staff = f"g:{settings.group('bidang', code)}"
        kabid = f"g:{settings.group(approver, code)}"
        readers = {staff: "r-x", kabid: "r-x", planning: "r-x"}
        read_files = {staff: "r--", kabid: "r--", planning: "r--"}
        base = f"inbox/{code}"
        rules.append(FolderRule(base, f"bidang {code} (PETUNJUK.txt)", readers, read_files))
        for place in places(settings.sop):
            where, what = f"{base}/{place.folder}", purpose(settings.sop, place)
            if place.role is Role.ISSUED:
                rules.append(FolderRule(where, f"{what} (terbitan layanan)", readers, read_files))
            elif place.role in STAFF_ROLES:
                rules.append(FolderRule(
                    where, f"{what} (ditulis staf bidang)",
                    {**readers, staff: "rwx"}, {staff: "rw-", kabid: "rw-", planning: "r--"},
                ))  # fmt: skip
            else:
                checker = f"g:{settings.group(checker_role(place.step.actor), code)}"
                rules.append(FolderRule(
                    where, f"{what} (hanya {place.step.actor} yang menulis)",
                    {**readers, checker: "rwx"},
                    {staff: "r--", checker: "rw-", planning: "r--"}, owner="r--",
                ))  # fmt: skip
        rules.append(FolderRule(f"{base}/{SUPERSEDED_FOLDER}", "versi lama (terbitan layanan)",
                                readers, read_files))  # fmt: skip
    outbox = FolderRule("outbox", "laporan dan halaman status: dibaca semua",
                        {everyone: "r-x"}, {everyone: "r--"}, recursive=True)  # fmt: skip
    # Everyone reads the master data: the Excel add-in checks a workbook against it on the PC.
    master = FolderRule("data_induk", "data induk: dibaca semua, diubah Perencanaan",
                        {everyone: "r-x", planning: "rwx"},
                        {everyone: "r--", planning: "rw-"})  # fmt: skip
    archive = FolderRule("arsip", "arsip asli, log kejadian, kesehatan: layanan saja",
                         recursive=True)  # fmt: skip
    return [*rules, outbox, master, archive]


def _acl(entries: dict[str, str], owner: str) -> str:
    return ",".join([f"u::{owner}", "g::---", "o::---"] + [f"{k}:{v}" for k, v in entries.items()])


def _with_x(perms: str) -> str:
    return perms[:2] + ("x" if perms[0] == "r" else "-")


def acl_specs(rule: FolderRule, service_user: str) -> tuple[str, str]:
    """(folder ACL with its default ACL, ACL of the files already in it) for `setfacl --set`."""
    files = {f"u:{service_user}": "rw-", **rule.files}
    folder = _acl(rule.folder, "rwx")
    default = _acl({k: _with_x(v) for k, v in files.items()}, _with_x(rule.owner))
    default = ",".join(f"d:{entry}" for entry in default.split(","))
    return f"{folder},{default}", _acl(files, rule.owner)


def audit_log_level(settings: ShareSettings) -> str:
    """The [global] line that sends the audit records, and only them, to their own file."""
    return f"log level = 0 full_audit:1@{settings.audit_log}"


def smb_conf(settings: ShareSettings) -> str:
    """The share's section of smb.conf, and the one line [global] needs for the audit log."""
    check_settings(settings)
    sop = settings.sop
    return f"""\
# --- kinerja: SOP {sop.number} {sop.name} (dibuat oleh 'kinerja samba-config') ---
# Di bagian [global], log audit Samba ditulis ke berkas tersendiri yang dibaca layanan kinerja
# (tambahkan di ujung baris 'log level' yang sudah ada, atau tambahkan baris ini):
#   {audit_log_level(settings)}

[{settings.share}]
   comment = {sop.name} (SOP {sop.number})
   path = {settings.root}
   valid users = @{settings.group("pengguna")}
   read only = no
   browseable = yes
   # Izin per folder adalah ACL POSIX yang dipasang skrip izin; Samba tidak mengubahnya
   # dan tidak mengizinkan siapa pun mengubahnya dari Windows.
   inherit acls = yes
   nt acl support = no
   create mask = 0666
   directory mask = 0777
   map archive = no
   # Folder bidang lain dan arsip tidak terlihat oleh yang tidak berhak membacanya.
   hide unreadable = yes
   # Catatan siapa memindahkan berkas (persetujuan dan pengembalian pemeriksa) untuk log
   # kejadian kinerja.
   vfs objects = full_audit
   full_audit:prefix = {AUDIT_PREFIX}
   full_audit:success = renameat
   full_audit:failure = none
   full_audit:syslog = false
"""


def vfs_modules(conf: str) -> list[str]:
    """The VFS modules a piece of smb.conf loads, in order ("vfs objects = a b")."""
    return [name for line in _VFS_OBJECTS.findall(conf) for name in line.split()]


def missing_vfs_modules(conf: str, modules_dir: Path) -> list[str]:
    """Indonesian lines, one per module `conf` loads that is not under `modules_dir/vfs/`."""
    return [
        f"Modul VFS Samba '{name}' tidak terpasang ({modules_dir / 'vfs' / name}.so tidak ada): "
        f"pasang paket {VFS_PACKAGES.get(name, 'yang menyediakannya')} "
        f"(apt-get install {VFS_PACKAGES.get(name, 'samba-vfs-modules')}); tanpa modul ini "
        "Samba menolak setiap sambungan ke berbagi ini."
        for name in vfs_modules(conf)
        if not (modules_dir / "vfs" / f"{name}.so").is_file()
    ]


def samba_modules_dir() -> Path | None:
    """Where this machine's smbd loads its modules from (`smbd -b`), or None without smbd."""
    smbd = shutil.which("smbd") or next(
        (p for p in ("/usr/sbin/smbd", "/sbin/smbd") if Path(p).is_file()), None
    )
    if smbd is None:
        return None
    try:
        built = subprocess.run([smbd, "-b"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = _MODULES_DIR.search(built)
    return Path(found.group(1)) if found else None


def permission_script(settings: ShareSettings) -> str:
    """A bash script (run as root, safe to repeat) that creates the groups and sets every ACL."""
    check_settings(settings)
    lines = [
        "#!/usr/bin/env bash",
        "# Izin folder kinerja untuk berbagi Samba (dibuat oleh 'kinerja samba-config').",
        "# Jalankan sebagai root setelah 'kinerja init'; aman dijalankan ulang (misalnya setelah",
        "# bidang baru ditambahkan di data induk). Pemilik berkas tidak diubah.",
        "set -euo pipefail",
        f"ROOT={shlex.quote(str(settings.root))}",
        f"SVC={shlex.quote(settings.service_user)}",
        'command -v setfacl >/dev/null || { echo "setfacl tidak ada: apt-get install acl" >&2;'
        " exit 1; }",
        'id -u "$SVC" >/dev/null 2>&1 || { echo "Akun layanan $SVC belum ada (lihat'
        ' deploy/README.md)" >&2; exit 1; }',
        '[ -d "$ROOT/inbox" ] || { echo "$ROOT belum berisi folder kinerja: jalankan kinerja'
        ' init dulu" >&2; exit 1; }',
        "",
        "# Grup (yang sudah ada dibiarkan)",
        f"for group in {' '.join(all_groups(settings))}; do",
        '  getent group "$group" >/dev/null || groupadd "$group"',
        "done",
        "",
        "# atur FOLDER ACL_FOLDER ACL_BERKAS [-R]: folder milik layanan, ACL folder dan bawaannya,",
        "# lalu ACL berkas yang sudah ada di dalamnya (dengan -R: juga semua subfolder).",
        "atur() {",
        '  local folder="$ROOT/$1" dirs=(-maxdepth 0) files=(-maxdepth 1)',
        '  [ -d "$folder" ] || { echo "lewati (tidak ada): $folder" >&2; return 0; }',
        '  if [ "${4:-}" = -R ]; then dirs=(); files=(); fi',
        '  find "$folder" "${dirs[@]}" -type d -exec chown "$SVC:" {} + \\',
        '    -exec setfacl --set "$2" {} +',
        '  find "$folder" "${files[@]}" -type f -exec setfacl --set "$3" {} +',
        "}",
        "",
    ]
    for rule in folder_rules(settings):
        folder_acl, file_acl = acl_specs(rule, settings.service_user)
        lines.append(f"# {rule.path or '.'}: {rule.purpose}")
        args = [rule.path or ".", folder_acl, file_acl] + (["-R"] if rule.recursive else [])
        lines.append("atur " + " ".join(shlex.quote(arg) for arg in args))
    lines += ["", 'echo "Izin folder kinerja terpasang di $ROOT."', ""]
    return "\n".join(lines)


def users_guide(settings: ShareSettings) -> str:
    """How to add the people (comments, to print with the rest)."""
    first = settings.divisions[0] if settings.divisions else "KODE"
    sop = settings.sop
    submitters = " / ".join(dict.fromkeys(s.actor for s in sop.of_kind(StepKind.SUBMIT)))
    checkers = dict.fromkeys(s.actor for s in sop.of_kind(StepKind.CHECK))
    compiler = sop.compile_step.actor if sop.compile_step else "bagian perencanaan"
    roles = [
        (settings.group("pengguna"), "semua orang"),
        (settings.group("bidang", first), f"{submitters} {first}"),
        *(
            (settings.group(checker_role(actor), first), f"{actor} {first}, juga Plt-nya")
            for actor in checkers
        ),
        (settings.group("perencanaan"), compiler),
    ]
    width = max(len(group) for group, _ in roles)
    lines = [
        "# Pengguna: satu akun Linux + kata sandi Samba per orang, lalu grup sesuai perannya.",
        "#   useradd --no-create-home --shell /usr/sbin/nologin NAMA",
        "#   smbpasswd -a NAMA",
        *(f"#   usermod -aG {group:<{width}} NAMA   ({who})" for group, who in roles),
        "# Layanan: systemctl restart smbd, lalu jalankan kinerja watch dengan",
        f"#   --audit-log {settings.audit_log}",
    ]
    return "\n".join(lines) + "\n"


def samba_config_text(settings: ShareSettings, part: str = "all") -> str:
    """What `kinerja samba-config` prints: "conf", "script" or "all" (both, and the guide)."""
    if part == "conf":
        return smb_conf(settings)
    if part == "script":
        return permission_script(settings)
    return "\n".join([
        "# ===== 1. Tambahkan ke /etc/samba/smb.conf =====",
        smb_conf(settings),
        "# ===== 2. Skrip izin folder: kinerja samba-config --part script | sudo bash =====",
        permission_script(settings),
        "# ===== 3. Pengguna dan grup =====",
        users_guide(settings),
    ])  # fmt: skip
