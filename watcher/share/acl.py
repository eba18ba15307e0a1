"""A file moved by the service takes the permissions of the folder it lands in.

On the office's Samba share, who may write where is set with POSIX ACLs per folder (see
`watcher.share.samba`): a new file gets its folder's default ACL from the kernel. A *moved* file
keeps the ACL it was created with, so a report created in `4_laporan` (writable by the whole
division) would stay writable by every clerk after the service moved it to `5_pemeriksaan` and the
Kabid moved it on to `disetujui`. `adopt_folder_permissions` gives the file the ACL a new file in
its folder would get, which makes a report under review writable only by the Kabid.

A file's owner gets exactly the rights their role has in that folder (the named user and group
entries that match them), not the owner's usual extra: a clerk who made a report cannot change
it once it is under review, while a Kabid who saves his own note there can keep editing it.

Changing the ACL of a file someone else owns needs CAP_FOWNER (the systemd unit grants exactly
that) or root. Where there is nothing to adopt (no default ACL, a file system without ACLs,
Windows) nothing happens; a failure is logged and never stops the routing of files.
"""

from __future__ import annotations

import errno
import functools
import logging
import operator
import os
import struct
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

ACCESS_ACL = "system.posix_acl_access"
DEFAULT_ACL = "system.posix_acl_default"
_HEADER = struct.Struct("<I")  # posix_acl_xattr_header: a_version
_ENTRY = struct.Struct("<HHI")  # posix_acl_xattr_entry: e_tag, e_perm, e_id
_VERSION = 2
_EXECUTE = 0x1
USER_OBJ, USER, GROUP, MASK = 0x01, 0x02, 0x08, 0x10  # ACL entry tags (GROUP_OBJ is 0x04)
_NOTHING_TO_ADOPT = {errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOENT}
Entry = tuple[int, int, int]  # tag, permission bits (r=4 w=2 x=1), user or group id
_warned_permission = False  # the advice is logged once per process, then at debug level


def file_acl_from_default(default_acl: bytes, *, owner_role: Callable[[list[Entry]], int | None]
                          = lambda entries: None) -> bytes:  # fmt: skip
    """A folder's default ACL (xattr bytes) as the access ACL of a file: no execute bits.

    A new file is created with mode 0666, which the kernel intersects with the default ACL;
    clearing the execute bits gives the same result for a file that already exists.
    `owner_role`, given the entries, says what the owner's role allows (None: keep the
    default's owner entry).
    """
    (version,) = _HEADER.unpack_from(default_acl)
    if version != _VERSION or (len(default_acl) - _HEADER.size) % _ENTRY.size:
        raise ValueError(f"unknown POSIX ACL xattr format (version {version})")
    entries = [
        (tag, perm & ~_EXECUTE, ident)
        for tag, perm, ident in _ENTRY.iter_unpack(default_acl[_HEADER.size :])
    ]
    role = owner_role(entries)
    if role is not None:
        entries = [(tag, role if tag == USER_OBJ else perm, i) for tag, perm, i in entries]
    return default_acl[: _HEADER.size] + b"".join(_ENTRY.pack(*entry) for entry in entries)


def role_of(uid: int) -> Callable[[list[Entry]], int | None]:
    """What the named entries give the user `uid` by name or group; None if none names them."""

    def role(entries: list[Entry]) -> int | None:
        import pwd  # POSIX only, as ACLs are

        try:
            account = pwd.getpwuid(uid)
            groups = set(os.getgrouplist(account.pw_name, account.pw_gid))
        except (KeyError, OSError):
            return None  # an unknown account: the folder's default owner entry
        mask = next((perm for tag, perm, _ in entries if tag == MASK), 0x7)
        named = {(USER, uid)} | {(GROUP, group) for group in groups}
        allowed = [perm for tag, perm, ident in entries if (tag, ident) in named]
        return functools.reduce(operator.or_, allowed) & mask if allowed else None

    return role


def adopt_folder_permissions(path: Path, *, folder: Path | None = None) -> bool:
    """Give `path` the ACL a new file in `folder` (its own by default) would get; True if done.

    The service calls it just before moving a file into `folder`, so the file never sits in
    its new folder with the permissions of the old one.

    Never raises: a missing default ACL, a file system without ACLs, a vanished file or
    another OS are "nothing to adopt"; a refusal (no CAP_FOWNER) is logged.
    """
    if not hasattr(os, "setxattr"):
        return False
    try:
        default_acl = os.getxattr(folder or path.parent, DEFAULT_ACL)
        acl = file_acl_from_default(default_acl, owner_role=role_of(path.stat().st_uid))
        os.setxattr(path, ACCESS_ACL, acl, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EACCES):
            _permission_refused(path)
        elif exc.errno not in _NOTHING_TO_ADOPT:
            log.warning("Izin folder tidak dapat diterapkan pada %s: %s", path, exc)
        return False
    except ValueError as exc:
        log.warning("ACL folder %s tidak dikenali: %s", folder or path.parent, exc)
        return False
    return True


def _permission_refused(path: Path) -> None:
    global _warned_permission
    if _warned_permission:
        log.debug("no permission to adopt the folder ACL for %s", path)
        return
    _warned_permission = True
    log.warning(
        "Layanan tidak berhak mengubah izin berkas %s, jadi berkas yang dipindahkan tetap "
        "memakai izin folder asalnya. Jalankan layanan dengan AmbientCapabilities=CAP_FOWNER "
        "(lihat deploy/kinerja.service).",
        path,
    )
