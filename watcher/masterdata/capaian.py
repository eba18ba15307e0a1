"""Capaian (achievement) of an indicator, recomputed from target and realisation, and predikat.

Pure functions. The rencana aksi workbook carries the same rules as Excel formulas
(`excel_formula`) so clerks see capaian live; values cached in a submitted file are never
trusted: kinerja always recomputes with `capaian`.

The options an office sets per indicator in the master workbook (all optional):
- the formula for lower-is-better indicators: (2T-R)/T (default) or T/R;
- a cap (for instance 120): a higher capaian is reported as the cap.
And for the whole office (sheet Pengaturan, `CapaianRules`):
- a zero target: met (R >= 0, or R <= 0 when lower is better) is 100 and missed is 0
  (default), or it cannot be assessed;
- a floor (default 0): a lower capaian, as (2T-R)/T gives when R > 2T, is reported as the floor.
A missing target or realisation cannot be assessed ("tidak dapat dinilai").

Capaian is rounded to 2 decimals (half up, on the decimal digits as typed: 90.005 is 90.01)
before anything else looks at it, so the predikat is that of the value printed: 90.004 prints
as 90,00 and is not "> 90".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from watcher.masterdata.model import (
    DEFAULT_BANDS,
    CapaianRules,
    Indicator,
    MinimalFormula,
    Polarity,
    PredikatBand,
    ZeroTarget,
)

NOT_ASSESSABLE = "Tidak dapat dinilai"
DEFAULT_RULES = CapaianRules()
_CENT = Decimal("0.01")


def capaian(
    target: float | None,
    realisation: float | None,
    polarity: Polarity,
    *,
    formula: MinimalFormula = MinimalFormula.SPECIAL,
    cap: float | None = None,
    rules: CapaianRules = DEFAULT_RULES,
) -> float | None:
    """Achievement in percent rounded to 2 decimals, or None when it cannot be assessed.

    Higher is better: realisation / target x 100. Lower is better: (2 x target - realisation) /
    target x 100 (PermenPAN-RB 8/2021, "kondisi khusus"), or target / realisation x 100. With
    T/R a realisation of 0 (the best possible) has no finite capaian: it is the cap when one is
    set, else not assessable. A zero target follows `rules.zero_target`; the result is then
    limited from below by `rules.floor` and from above by `cap`.
    """
    if target is None or realisation is None:
        return None
    t, r = _exact(target), _exact(realisation)
    if t == 0:
        if rules.zero_target is ZeroTarget.NOT_ASSESSABLE:
            return None
        met = r >= 0 if polarity is Polarity.HIGHER_IS_BETTER else r <= 0
        value = Decimal(100 if met else 0)
    elif polarity is Polarity.HIGHER_IS_BETTER:
        value = r / t * 100
    elif formula is MinimalFormula.SPECIAL:
        value = (2 * t - r) / t * 100
    elif r == 0:
        return cap
    else:
        value = t / r * 100
    if rules.floor is not None:
        value = max(value, _exact(rules.floor))
    if cap is not None:
        value = min(value, _exact(cap))
    return round_percent(value)


def round_percent(value: float | Decimal) -> float:
    """2 decimals, half away from zero, on the decimal digits (90.005 -> 90.01, like Excel)."""
    exact = value if isinstance(value, Decimal) else _exact(value)
    return float(exact.quantize(_CENT, rounding=ROUND_HALF_UP))


def mean_capaian(values: Iterable[float | None]) -> float | None:
    """The mean of the assessable capaian values, rounded as printed; None when there is none."""
    known = [_exact(v) for v in values if v is not None]
    return round_percent(sum(known, Decimal(0)) / len(known)) if known else None


def indicator_capaian(
    indicator: Indicator,
    target: float | None,
    realisation: float | None,
    rules: CapaianRules = DEFAULT_RULES,
) -> float | None:
    """`capaian` with the indicator's own polarity, formula and cap, and the office's rules."""
    return capaian(
        target,
        realisation,
        indicator.polarity,
        formula=indicator.minimal_formula,
        cap=indicator.cap,
        rules=rules,
    )


def zero_target_text(rules: CapaianRules) -> str:
    """How a zero target is assessed, in the words of the reports."""
    if rules.zero_target is ZeroTarget.NOT_ASSESSABLE:
        return "tidak dapat dinilai"
    return "capaian 100 bila terpenuhi (Maksimal: R >= 0; Minimal: R <= 0), selain itu 0"


def formula_text(rules: CapaianRules, period: str = "triwulan") -> str:
    """The reports' legend: every rule a reviewer needs to recompute a row from its own cells;
    `period` names one of the SOP's periods ("triwulan", "bulan")."""
    floor = (
        "Capaian negatif dilaporkan apa adanya."
        if rules.floor is None
        else f"Capaian di bawah {_shown(rules.floor)} (rumus (2T-R)/T bila R > 2T) dilaporkan "
        f"{_shown(rules.floor)}."
    )
    return (
        "Capaian dihitung ulang dari target dan realisasi pada baris yang sama: Maksimal = "
        "R/T x 100; Minimal = (2T-R)/T x 100 atau T/R x 100 sesuai data induk. "
        f"Target 0: {zero_target_text(rules)}. {floor} Capaian di atas Batas Capaian "
        f"indikator (data induk) dilaporkan sebesar batas itu. Capaian s.d. {period} dan "
        f"tahunan: Kumulatif = jumlah realisasi / jumlah target {period} yang ada datanya; "
        f"Posisi Akhir = realisasi dan target {period} terakhir yang ada datanya; {period} "
        "tanpa data disebut di keterangan. Capaian dibulatkan 2 desimal; predikat ditentukan "
        "dari angka yang tercetak."
    )


def _exact(value: float) -> Decimal:
    """The decimal digits of a float as Python prints it (0.1 -> 0.1, not 0.1000000000000000055)."""
    return Decimal(repr(float(value)))


def _shown(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def excel_formula(
    polarity: Polarity,
    target_cell: str,
    realisation_cell: str,
    *,
    formula: MinimalFormula = MinimalFormula.SPECIAL,
    cap: float | None = None,
    rules: CapaianRules = DEFAULT_RULES,
) -> str:
    """The same rule as `capaian` as an Excel formula; blank while it cannot be assessed."""
    t, r = target_cell, realisation_cell

    def limited(expression: str) -> str:
        if rules.floor is not None:
            expression = f"MAX({expression},{rules.floor:g})"
        if cap is not None:
            expression = f"MIN({expression},{cap:g})"
        return f"ROUND({expression},2)"

    if polarity is Polarity.HIGHER_IS_BETTER:
        value = limited(f"{r}/{t}*100")
    elif formula is MinimalFormula.SPECIAL:
        value = limited(f"(2*{t}-{r})/{t}*100")
    else:
        zero = f"{cap:g}" if cap is not None else f'"{NOT_ASSESSABLE}"'
        value = f"IF({r}=0,{zero},{limited(f'{t}/{r}*100')})"
    if rules.zero_target is ZeroTarget.NOT_ASSESSABLE:
        on_zero = f'"{NOT_ASSESSABLE}"'
    else:
        met = f"{r}>=0" if polarity is Polarity.HIGHER_IS_BETTER else f"{r}<=0"
        on_zero = limited(f"IF({met},100,0)")
    return f'=IF(OR({r}="",NOT(ISNUMBER({r}))),"",IF({t}=0,{on_zero},{value}))'


def predikat(value: float | None, bands: Sequence[PredikatBand] = DEFAULT_BANDS) -> str | None:
    """The band a capaian falls in (strictly above its bound), or None when not assessable.

    Bands are tried from the highest bound down; the band without a bound takes the rest.
    """
    if value is None:
        return None
    bounded, rest = _ordered(tuple(bands))
    for above, label in bounded:
        if value > above:
            return label
    return rest


@cache
def _ordered(bands: tuple[PredikatBand, ...]) -> tuple[tuple[tuple[float, str], ...], str | None]:
    """The bounded bands highest first, and the label of the band without a bound."""
    bounded = sorted(((b.above, b.label) for b in bands if b.above is not None), reverse=True)
    rest = next((b.label for b in bands if b.above is None), None)
    return tuple(bounded), rest
