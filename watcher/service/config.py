"""Service configuration for the office's IT person: `<root>/kinerja.toml` (optional).

The master workbook holds the office's data; this file holds how the service runs and where it
may send e-mail. It is not in the shared Excel workbook because it may name an SMTP account.

    [layanan]
    polling = 0            # detik; 0 = pemberitahuan sistem (native)
    pindai_ulang = 30      # detik antara pemindaian ulang penuh
    sapu_peringatan = 5    # menit antara pemeriksaan peringatan/keterlambatan

    [email]                # opsional: peringatan juga dikirim lewat e-mail
    host = "smtp.kantor.go.id"
    port = 587
    starttls = true
    pengirim = "kinerja@kantor.go.id"
    penerima = ["perencanaan@kantor.go.id"]
    pengguna = "kinerja"          # opsional
    sandi_env = "KINERJA_SMTP_PASSWORD"  # variabel lingkungan yang memuat sandinya, atau
    # sandi_berkas = "/etc/kinerja/sandi-smtp"  # berkas berisi sandinya, di luar folder kerja

    [pusat]                # opsional: kirim log kejadian ke basis data pusat kabupaten
    kredensial = "/etc/kinerja/pusat.toml"   # berkas dari pengelola pusat, di luar folder kerja
    kirim_tiap = 15        # menit antara pengiriman (bila jaringan ada)

The file is often edited in Notepad: it is read as UTF-8 with or without a byte order mark,
UTF-16 with one (Notepad's "Unicode"), or else in the Windows code page (ANSI, cp1252). A key
or section this module does not know is an error that names it and its line: a misspelt
`pollling` silently left at its default would leave polling off on a share that sends no events.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from watcher.errors import Problem, ProblemsError

CONFIG_NAME = "kinerja.toml"
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "layanan": ("polling", "pindai_ulang", "sapu_peringatan"),
    "email": ("host", "port", "starttls", "pengirim", "penerima", "pengguna", "sandi_env",
              "sandi_berkas"),
    "pusat": ("kredensial", "kirim_tiap"),
}  # fmt: skip
# Byte order marks Notepad writes, and the encoding each announces.
_BOMS: Final = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_HEADER: Final = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")


class ConfigError(ProblemsError):
    title = "Konfigurasi layanan tidak valid"


@dataclass(frozen=True)
class EmailConfig:
    host: str
    port: int = 25
    starttls: bool = False
    sender: str = "kinerja@localhost"
    recipients: tuple[str, ...] = ()
    user: str = ""
    password_env: str = ""  # the environment variable that holds the SMTP password, or
    password_file: str = ""  # a file outside the working tree that holds it


@dataclass(frozen=True)
class Config:
    polling: float | None = None
    rescan_seconds: float = 30.0
    sweep_minutes: float = 5.0
    email: EmailConfig | None = None
    central_credentials: str = ""  # the centre's credentials file, outside the tree
    push_minutes: float = 15.0
    source: str = field(default="", compare=False)


def load_config(root: Path) -> Config:
    """Read `<root>/kinerja.toml` if present; defaults otherwise."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return Config()
    text = read_config_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [Problem(f"penulisan TOML salah: {exc}")]) from exc
    lines = text.splitlines()
    problems = unknown_keys(data, lines)
    service = data.get("layanan", {})
    polling = _number(service, "polling", 0.0, problems, lines)
    central = data.get("pusat", {})
    config = Config(
        polling=polling or None,
        rescan_seconds=_number(service, "pindai_ulang", 30.0, problems, lines) or 30.0,
        sweep_minutes=_number(service, "sapu_peringatan", 5.0, problems, lines) or 5.0,
        email=_email(data.get("email"), problems, lines, root),
        central_credentials=_credentials(central, problems, lines, root),
        push_minutes=_number(central, "kirim_tiap", 15.0, problems, lines, "pusat") or 15.0,
        source=str(path),
    )
    if problems:
        raise ConfigError(str(path), problems)
    return config


def read_config_text(path: Path) -> str:
    """The file's text as Notepad may have saved it (see the module's docstring)."""
    raw = path.read_bytes()
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    try:
        if encoding is not None:
            return raw.decode(encoding)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252")  # Notepad's "ANSI" on a Western or Indonesian Windows
    except UnicodeDecodeError as exc:
        problem = Problem(
            f"bukan teks UTF-8, UTF-16 atau ANSI (cp1252): byte {raw[exc.start]:#04x} di posisi "
            f"{exc.start}. Simpan ulang di Notepad dengan Encoding UTF-8."
        )
        raise ConfigError(str(path), [problem]) from exc


def unknown_keys(data: dict[str, Any], lines: list[str]) -> list[Problem]:
    """A problem for every section and key the service does not know, with its line."""
    problems = []
    for section, table in data.items():
        if not isinstance(table, dict):  # a key above every [section]
            home = next((name for name, keys in KEYS.items() if section in keys), None)
            where = f"tulis di bawah [{home}]" if home else f"bagian: {', '.join(KEYS)}"
            problems.append(Problem(f"kunci '{section}' berada di luar bagian ({where})",
                                    cell=_where(lines, None, section)))  # fmt: skip
        elif section not in KEYS:
            problems.append(Problem(f"bagian [{section}] tidak dikenal{_hint(section, KEYS)}",
                                    cell=_where(lines, section)))  # fmt: skip
        else:
            problems += [
                Problem(f"kunci '{key}' tidak dikenal di bagian [{section}]"
                        f"{_hint(key, KEYS[section])}", cell=_where(lines, section, key))
                for key in table
                if key not in KEYS[section]
            ]  # fmt: skip
    return problems


def _hint(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; maksudnya '{close[0]}'?" if close else f" (yang dikenal: {', '.join(known)})"


def _where(lines: list[str], section: str | None, key: str | None = None) -> str:
    """Where `key` (or the header of `section`) is written: "baris 4: layanan.polling"."""
    name = f"{section}.{key}" if section and key else (key or f"[{section}]")
    current = None
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header is not None:
            current = header.group(1).strip("\"' ")
            if key is None and current == section:
                return f"baris {number}: {name}"
        elif key is not None and current == section and _assigns(line, key):
            return f"baris {number}: {name}"
    return name


def _assigns(line: str, key: str) -> bool:
    return re.match(rf"""\s*["']?{re.escape(key)}["']?\s*=""", line) is not None


def _number(
    table: dict[str, Any], key: str, default: float, problems: list[Problem], lines: list[str],
    section: str = "layanan",
) -> float:  # fmt: skip
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(Problem(f"harus angka 0 atau lebih, tertulis {value!r}",
                                cell=_where(lines, section, key)))  # fmt: skip
        return default
    return float(value)


def _credentials(table: dict[str, Any], problems: list[Problem], lines: list[str], root: Path
                 ) -> str:  # fmt: skip
    value = table.get("kredensial", "")
    where = _where(lines, "pusat", "kredensial")
    if not isinstance(value, str):
        problems.append(Problem(f"harus nama berkas, tertulis {value!r}", cell=where))
        return ""
    if value and Path(value).expanduser().resolve().is_relative_to(root.resolve()):
        problems.append(Problem("berkas kredensial harus di luar folder kerja (folder itu "
                                "dibagikan)", cell=where))  # fmt: skip
        return ""
    return value


def _email(table: Any, problems: list[Problem], lines: list[str], root: Path
           ) -> EmailConfig | None:  # fmt: skip
    if table is None:
        return None
    if not isinstance(table, dict) or not str(table.get("host", "")).strip():
        problems.append(Problem("isian 'host' wajib diisi", cell=_where(lines, "email", "host")))
        return None

    def problem(key: str, message: str) -> None:
        problems.append(Problem(message, cell=_where(lines, "email", key)))

    recipients = table.get("penerima", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        problem("penerima", f"harus alamat atau daftar alamat, tertulis {recipients!r}")
        recipients = []
    elif not recipients:
        problem("penerima", "isi minimal satu alamat penerima")
    port = table.get("port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problem("port", f"port {port!r} tidak valid")
        port = 25
    starttls = table.get("starttls", False)
    if not isinstance(starttls, bool):  # bool("false") would be True
        problem("starttls", f"harus true atau false, tertulis {starttls!r}")
        starttls = False
    password_file = str(table.get("sandi_berkas", ""))
    if password_file and "sandi_env" in table:
        problem("sandi_berkas", "isi salah satu saja: sandi_env atau sandi_berkas")
    elif password_file and Path(password_file).resolve().is_relative_to(root.resolve()):
        problem("sandi_berkas", "berkas sandi harus di luar folder kerja (folder itu dibagikan)")
    return EmailConfig(
        host=str(table["host"]).strip(),
        port=port,
        starttls=starttls,
        sender=str(table.get("pengirim", "kinerja@localhost")),
        recipients=tuple(str(r) for r in recipients),
        user=str(table.get("pengguna", "")),
        password_env=str(table.get("sandi_env", "")),
        password_file=password_file,
    )
