"""An office's credentials for the centre: a small TOML file outside the working tree (the tree
is shared with every clerk), named by `KINERJA_PUSAT_KREDENSIAL` or by `[pusat] kredensial` in
`kinerja.toml`. Never in the SOP or the master workbook.

    kantor = "7304.dukcapil"                         # the office's id in the centre's registry
    alamat = "postgresql://...@pusat.example:5432/kinerja_jeneponto"
    kunci_tanda_tangan = "<64 hex digits>"           # signs bundles (kinerja kirim --bundel)

`kinerja pusat daftar-kantor` writes this file for the IT person to carry to the office. The
password may also stay out of `alamat`, for libpq to find in PGPASSFILE or PGPASSWORD.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import UsageError

ENV_NAME = "KINERJA_PUSAT_KREDENSIAL"


@dataclass(frozen=True)
class Credentials:
    office_id: str
    url: str  # "" for an office that only sends bundles
    signing_key: str
    source: Path

    def text(self) -> str:
        return credentials_text(self.office_id, self.url, self.signing_key)


def credentials_text(office_id: str, url: str, signing_key: str) -> str:
    return (
        "# Kredensial kinerja pusat. Simpan di luar folder kerja kinerja, hanya dapat dibaca\n"
        '# layanan kinerja (chmod 600); sebutkan di kinerja.toml: [pusat] kredensial = "..."\n'
        f"kantor = {json.dumps(office_id)}\nalamat = {json.dumps(url)}\n"
        f"kunci_tanda_tangan = {json.dumps(signing_key)}\n"
    )


def credentials_path(root: Path, configured: str = "") -> Path | None:
    """The credentials file named by the environment, else by kinerja.toml; None if neither."""
    named = os.environ.get(ENV_NAME) or configured
    return Path(named).expanduser() if named else None


def load_credentials(root: Path, path: Path) -> Credentials:
    """Read and check the credentials file; UsageError (Indonesian) for anything wrong."""
    if path.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"Berkas kredensial pusat {path} berada di dalam folder kerja, yang dibagikan ke "
            "semua petugas. Pindahkan ke luar folder kerja (misalnya /etc/kinerja/)."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"Berkas kredensial pusat {path} tidak dapat dibaca: "
                         f"{exc.strerror or exc}.") from exc  # fmt: skip
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"Berkas kredensial pusat {path} bukan TOML yang benar: {exc}.") from exc
    office, url, key = (str(data.get(name, "")).strip()
                        for name in ("kantor", "alamat", "kunci_tanda_tangan"))  # fmt: skip
    missing = [name for name, value in (("kantor", office), ("kunci_tanda_tangan", key))
               if not value]  # fmt: skip
    if missing:
        raise UsageError(f"Berkas kredensial pusat {path}: isian {', '.join(missing)} kosong.")
    try:
        if len(bytes.fromhex(key)) != 32:
            raise ValueError
    except ValueError as exc:
        raise UsageError(f"Berkas kredensial pusat {path}: kunci_tanda_tangan harus 64 digit "
                         "heksadesimal.") from exc  # fmt: skip
    return Credentials(office, url, key, path)
