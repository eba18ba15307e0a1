"""Indonesian display of dates and periods (no locale needed on the server)."""

from __future__ import annotations

from datetime import date, datetime

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ZONE_NAMES = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
              "Asia/Jayapura": "WIT"}  # fmt: skip


def long_date(day: date) -> str:
    """Senin, 12 Oktober 2026."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(moment: datetime) -> str:
    """Senin, 12 Oktober 2026 pukul 10.00 WITA (in the instant's own zone)."""
    zone = ZONE_NAMES.get(str(moment.tzinfo), moment.strftime("%Z"))
    return f"{long_date(moment.date())} pukul {moment:%H.%M} {zone}".rstrip()
