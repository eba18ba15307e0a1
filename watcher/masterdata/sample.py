"""The sample master data shipped for the Disdukcapil of Kabupaten Jeneponto."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any, Final

from watcher.masterdata.model import (
    Aggregation,
    BudgetLine,
    Division,
    Indicator,
    MasterData,
    Polarity,
    Settings,
)


def sample_master() -> MasterData:
    """Build the sample from `data/contoh_data_induk.toml` (a text file, easy to review)."""
    source = resources.files("watcher") / "data" / "contoh_data_induk.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    divisions, indicators = _divisions_and_indicators(data)
    budget = tuple(
        BudgetLine(row["bidang"], row["program"], float(row["pagu"]), float(row["realisasi"]))
        for row in data.get("anggaran", ())
    )
    return MasterData(_settings(data["pengaturan"]), divisions, indicators, budget=budget)


# The sample's [pengaturan] keys (Indonesian, like the master workbook's labels) and the
# `Settings` field each fills; the file holds every one of them.
SETTING_KEYS: Final = {
    "nama_instansi": "office_name", "alamat": "office_address", "kepala_dinas": "head_name",
    "nip_kepala_dinas": "head_nip", "kasubag_perencanaan": "planning_head_name",
    "nip_kasubag_perencanaan": "planning_head_nip", "tahun": "year", "zona_waktu": "timezone",
    "ambang_kendala": "follow_up_threshold", "ambang_peringatan": "warning_share",
}  # fmt: skip
_PERCENT_FIELDS: Final = frozenset({"follow_up_threshold", "warning_share"})


def _settings(raw: dict[str, Any]) -> Settings:
    fields = {name: raw[key] for key, name in SETTING_KEYS.items()}
    return Settings(**{name: float(v) if name in _PERCENT_FIELDS else v
                       for name, v in fields.items()})  # fmt: skip


def _divisions_and_indicators(
    data: dict[str, Any],
) -> tuple[tuple[Division, ...], tuple[Indicator, ...]]:
    divisions = tuple(
        Division(d["kode"], d["nama"], d["kabid"], d["nip_kabid"], d["kasubag"], d["nip_kasubag"])
        for d in data["bidang"]
    )
    goals = {d["kode"]: d["sasaran"] for d in data["bidang"]}
    extra = data.get("indikator_tambahan", {})
    indicators = tuple(
        Indicator(
            code=code,
            division=division,
            goal=goals[division],
            name=name,
            definition=definition,
            unit=unit,
            polarity=Polarity(polarity),
            aggregation=Aggregation(aggregation),
            annual_target=float(annual),
            quarter_targets=tuple(float(t) for t in quarters),  # type: ignore[arg-type]
            renstra_target=_optional(extra.get(code, {}).get("renstra")),
            previous_realisation=_optional(extra.get(code, {}).get("tahun_lalu")),
        )
        for code, division, name, definition, unit, polarity, aggregation, annual, quarters in data[
            "indikator"
        ]["baris"]
    )
    return divisions, indicators


def _optional(value: float | None) -> float | None:
    return float(value) if value is not None else None
