"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, postgres on a free
loopback port, stopped and removed afterwards. Never a system service.

initdb refuses to run as root, and CI runs as root: then every server program runs as the
`postgres` user (which Debian's package creates), in a folder that user owns. Logins over TCP
use passwords (scram-sha-256), so the tests log in as each office's own role as an office would.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SUPERUSER = "postgres"


def pg_bin_dir() -> Path | None:
    """Debian's /usr/lib/postgresql/<major>/bin, the newest one installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))  # fmt: skip
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgCluster:
    bin_dir: Path
    folder: Path
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    _log: Path = field(init=False)

    def __post_init__(self) -> None:
        self._log = self.folder / "server.log"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        self._own(pwfile)
        options = ("-A", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync")
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                  *options)  # fmt: skip
        pwfile.unlink()
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                "max_connections = 200\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nshared_buffers = 64MB\n"
            )

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SUPERUSER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> None:
        """Start the server (on the same port as before); nothing to do when it runs."""
        if self.data.is_dir() and self.running():
            return
        self.port = self.port or _free_port()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self._log), "-w", "-t", "60",
                  "-o", f"-p {self.port}", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode "immediate" is a crash (no checkpoint, clients cut off)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, database: str = "postgres", *, user: str = SUPERUSER,
            password: str | None = None) -> str:  # fmt: skip
        secret = self.password if password is None else password
        return f"postgresql://{user}:{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"kab_{secrets.token_hex(4)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return name

    def terminate(self, database: str, *, user: str | None = None, busy: bool = False,
                  pid: int | None = None) -> int:  # fmt: skip
        """pg_terminate_backend every other connection to `database` (of `user`; only those in
        a transaction with `busy`; only `pid`); how many. Waits until each one has exited."""
        query = (
            "SELECT coalesce(sum(pg_terminate_backend(pid, 10000)::int), 0) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND (%s::text IS NULL OR usename = %s) AND (NOT %s OR xact_start IS NOT NULL)"
            " AND (%s::int IS NULL OR pid = %s)"
        )
        with psycopg.connect(self.url(), autocommit=True) as db:
            row = db.execute(query, (database, user, user, busy, pid, pid)).fetchone()
        return int(row[0]) if row else 0


@contextlib.contextmanager
def running_cluster():  # type: ignore[no-untyped-def]
    """A started cluster, removed on exit; None when PostgreSQL is not installed."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="kinerja-pg-"))
    folder.chmod(0o755)
    cluster = PgCluster(bin_dir, folder)
    cluster._own(folder)
    try:
        cluster.init()
        for attempt in range(3):  # a free port can be taken before postgres binds it
            try:
                cluster.start()
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
                cluster.port = 0
                time.sleep(0.2)
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
