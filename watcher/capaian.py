"""Capaian (achievement) of an indicator, recomputed from target and realisation.

Pure functions. The rencana aksi workbook carries the same rules as Excel formulas
(`excel_formula`) so clerks see capaian live; values cached in a submitted file are never
trusted: kinerja always recomputes with `capaian`.
"""

from __future__ import annotations

from watcher.master import Polarity


def capaian(target: float | None, realisation: float | None, polarity: Polarity) -> float | None:
    """Achievement in percent, or None when it cannot be assessed (no realisation, zero target).

    Higher is better: realisation / target x 100. Lower is better: (2 x target - realisation) /
    target x 100 (PermenPAN-RB 8/2021, "kondisi khusus").
    """
    if target is None or realisation is None or target == 0:
        return None
    if polarity is Polarity.HIGHER_IS_BETTER:
        return realisation / target * 100
    return (2 * target - realisation) / target * 100


def excel_formula(polarity: Polarity, target_cell: str, realisation_cell: str) -> str:
    """The same rule as `capaian` as an Excel formula; blank while it cannot be assessed."""
    t, r = target_cell, realisation_cell
    value = f"{r}/{t}*100" if polarity is Polarity.HIGHER_IS_BETTER else f"(2*{t}-{r})/{t}*100"
    return f'=IF(OR({r}="",NOT(ISNUMBER({r}))),"",IF({t}=0,"Tidak dapat dinilai",{value}))'
