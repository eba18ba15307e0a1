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
    sandi_env = "KINERJA_SMTP_PASSWORD"  # nama variabel lingkungan yang memuat sandinya
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watcher.errors import Problem, ProblemsError

CONFIG_NAME = "kinerja.toml"


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
    password_env: str = ""


@dataclass(frozen=True)
class Config:
    polling: float | None = None
    rescan_seconds: float = 30.0
    sweep_minutes: float = 5.0
    email: EmailConfig | None = None
    source: str = field(default="", compare=False)


def load_config(root: Path) -> Config:
    """Read `<root>/kinerja.toml` if present; defaults otherwise."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [Problem(f"penulisan TOML salah: {exc}")]) from exc
    problems: list[Problem] = []
    service = data.get("layanan", {})
    polling = _number(service, "polling", 0.0, problems, "layanan")
    config = Config(
        polling=polling or None,
        rescan_seconds=_number(service, "pindai_ulang", 30.0, problems, "layanan") or 30.0,
        sweep_minutes=_number(service, "sapu_peringatan", 5.0, problems, "layanan") or 5.0,
        email=_email(data.get("email"), problems),
        source=str(path),
    )
    if problems:
        raise ConfigError(str(path), problems)
    return config


def _number(
    table: dict[str, Any], key: str, default: float, problems: list[Problem], section: str
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(
            Problem(f"harus angka 0 atau lebih, tertulis {value!r}", cell=f"{section}.{key}")
        )
        return default
    return float(value)


def _email(table: Any, problems: list[Problem]) -> EmailConfig | None:
    if table is None:
        return None
    if not isinstance(table, dict) or not str(table.get("host", "")).strip():
        problems.append(Problem("isian 'host' wajib diisi", cell="email.host"))
        return None
    recipients = table.get("penerima", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        problems.append(
            Problem(
                f"harus alamat atau daftar alamat, tertulis {recipients!r}", cell="email.penerima"
            )
        )
        recipients = []
    elif not recipients:
        problems.append(Problem("isi minimal satu alamat penerima", cell="email.penerima"))
    port = table.get("port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problems.append(Problem(f"port {port!r} tidak valid", cell="email.port"))
        port = 25
    starttls = table.get("starttls", False)
    if not isinstance(starttls, bool):  # bool("false") would be True
        problems.append(
            Problem(f"harus true atau false, tertulis {starttls!r}", cell="email.starttls")
        )
        starttls = False
    return EmailConfig(
        host=str(table["host"]).strip(),
        port=port,
        starttls=starttls,
        sender=str(table.get("pengirim", "kinerja@localhost")),
        recipients=tuple(str(r) for r in recipients),
        user=str(table.get("pengguna", "")),
        password_env=str(table.get("sandi_env", "")),
    )
