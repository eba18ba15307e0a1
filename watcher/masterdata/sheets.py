"""Layout of the master workbook (data induk): sheet names and column headers, in one place.

Both the writer (`master_writer.py`) and the loader (`master_loader.py`) use these, so the
workbook the planning section edits and the one kinerja reads can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

SETTINGS_SHEET = "Pengaturan"
HOURS_SHEET = "Jam Kerja"
OVERRIDES_SHEET = "Hari Libur Kantor"
DIVISIONS_SHEET = "Bidang"
INDICATORS_SHEET = "Indikator"
BANDS_SHEET = "Predikat"  # optional: predikat bands (default: the usual LKjIP bands)
BUDGET_SHEET = "Anggaran"  # optional: budget per division and program for the LKjIP


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool = True
    note: str = ""


@dataclass(frozen=True)
class SettingRow:
    key: str
    label: str
    required: bool
    note: str


SETTINGS: tuple[SettingRow, ...] = (
    SettingRow("office_name", "Nama Instansi", True, "Tampil di kop setiap buku kerja dan laporan"),
    SettingRow("office_address", "Alamat", False, "Alamat dan telepon kantor untuk kop"),
    SettingRow("head_name", "Nama Kepala Dinas", True, "Penanda tangan laporan"),
    SettingRow("head_nip", "NIP Kepala Dinas", False, ""),
    SettingRow("planning_head_name", "Nama Kasubag Perencanaan", True, "Penyusun laporan"),
    SettingRow("planning_head_nip", "NIP Kasubag Perencanaan", False, ""),
    SettingRow("year", "Tahun", True, "Tahun anggaran target di lembar Indikator"),
    SettingRow("timezone", "Zona Waktu", False, "Asia/Makassar (WITA), Asia/Jakarta (WIB), ..."),
    SettingRow(
        "follow_up_threshold",
        "Ambang Capaian Wajib Kendala (%)",
        False,
        "Capaian di bawah angka ini wajib diisi kendala dan tindak lanjut",
    ),
    SettingRow(
        "warning_share",
        "Ambang Peringatan Waktu (%)",
        False,
        "Peringatan dikirim saat waktu langkah mencapai persentase ini dari mutu baku",
    ),
    SettingRow(
        "zero_target",
        "Capaian Bila Target 0",
        False,
        "Tercapai 100, tidak 0 (bawaan): target 0 yang terpenuhi bercapaian 100, yang tidak 0; "
        "atau Tidak dapat dinilai",
    ),
    SettingRow(
        "capaian_floor",
        "Capaian Terendah (%)",
        False,
        "Capaian di bawah angka ini (rumus (2T-R)/T bisa negatif) dilaporkan sebesar angka ini; "
        "bawaan 0; tulis 'tanpa' untuk melaporkan apa adanya",
    ),
    SettingRow(
        "signing_place",
        "Tempat Penandatanganan",
        False,
        "Nama tempat di atas tanda tangan laporan; kosong = dari nama instansi (Jeneponto)",
    ),
)

NO_FLOOR = "tanpa"  # Capaian Terendah written so: capaian reported as computed, however low

HOURS_COLUMNS: tuple[Column, ...] = (
    Column("day", "Hari", 12),
    Column("start", "Jam Masuk", 12),
    Column("break_start", "Istirahat Mulai", 15, required=False),
    Column("break_end", "Istirahat Selesai", 16, required=False),
    Column("end", "Jam Pulang", 12),
)

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

OVERRIDE_COLUMNS: tuple[Column, ...] = (
    Column("day", "Tanggal", 14),
    Column("kind", "Jenis", 10, note="Libur = tambahan hari libur; Masuk = hari libur dibatalkan"),
    Column("note", "Keterangan", 50, required=False),
)
OVERRIDE_KINDS = ("Libur", "Masuk")

DIVISION_COLUMNS: tuple[Column, ...] = (
    Column("code", "Kode", 14, note="Huruf besar/angka, juga nama folder bidang"),
    Column("name", "Nama Bidang", 45),
    Column("head_name", "Nama Kabid", 32),
    Column("head_nip", "NIP Kabid", 22, required=False),
    Column("subhead_name", "Nama Kasubag/Kasubid", 32),
    Column("subhead_nip", "NIP Kasubag/Kasubid", 22, required=False),
)

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("code", "Kode", 12),
    Column("division", "Bidang", 14, note="Kode bidang dari lembar Bidang"),
    Column("goal", "Sasaran Strategis", 40),
    Column("name", "Indikator Kinerja", 50),
    Column("definition", "Definisi / Formula", 50, required=False),
    Column("unit", "Satuan", 12),
    Column("polarity", "Polaritas", 12, note="Maksimal = makin tinggi makin baik"),
    Column("aggregation", "Agregasi Triwulan", 16, note="Kumulatif atau Posisi Akhir"),
    Column("annual_target", "Target Tahunan", 14),
    Column("q1", "Target TW I", 12),
    Column("q2", "Target TW II", 12),
    Column("q3", "Target TW III", 12),
    Column("q4", "Target TW IV", 12),
    # Optional columns: older master workbooks without them still load with the defaults.
    Column(
        "minimal_formula",
        "Rumus Capaian Minimal",
        16,
        required=False,
        note="Hanya untuk polaritas Minimal: (2T-R)/T (bawaan) atau T/R",
    ),
    Column(
        "cap",
        "Batas Capaian (%)",
        14,
        required=False,
        note="Capaian di atas angka ini dilaporkan sebesar angka ini (misalnya 120); kosong = "
        "tanpa batas",
    ),
    Column("renstra_target", "Target Akhir Renstra", 14, required=False),
    Column(
        "previous_realisation",
        "Realisasi Tahun Lalu",
        14,
        required=False,
        note="Dipakai di LKjIP bila data tahun lalu belum tercatat di kinerja",
    ),
    Column(
        "lowest",
        "Realisasi Terendah",
        14,
        required=False,
        note="Realisasi di bawah angka ini dikembalikan ke bidang; kosong = 0",
    ),
    Column(
        "highest",
        "Realisasi Tertinggi",
        14,
        required=False,
        note="Realisasi di atas angka ini dikembalikan ke bidang; kosong = 100 untuk satuan %, "
        "tanpa batas untuk satuan lain (isi bila laju pertumbuhan atau indeks boleh melewatinya)",
    ),
    Column(
        "iku",
        "IKU Kabupaten",
        16,
        required=False,
        note="Kode IKU kabupaten yang didukung indikator ini (kaskade), misalnya IKU-03; "
        "kosong = tidak terkait",
    ),
)
# An IKU code as the kabupaten writes it: letters, digits, dot, dash, underscore, up to 30.
IKU_CODE = r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}"

BAND_COLUMNS: tuple[Column, ...] = (
    Column("label", "Predikat", 20),
    Column(
        "above",
        "Capaian Lebih Dari (%)",
        22,
        required=False,
        note="Capaian di atas angka ini mendapat predikat ini; satu baris dikosongkan untuk "
        "capaian selebihnya (predikat terendah)",
    ),
)

BUDGET_COLUMNS: tuple[Column, ...] = (
    Column("division", "Bidang", 14, note="Kode bidang dari lembar Bidang"),
    Column("program", "Program/Kegiatan", 60),
    Column("ceiling", "Pagu (Rp)", 18),
    Column("spent", "Realisasi (Rp)", 18),
)
