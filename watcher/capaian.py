"""Capaian (achievement) of an indicator, recomputed from target and realisation, and predikat.

Pure functions. The rencana aksi workbook carries the same rules as Excel formulas
(`excel_formula`) so clerks see capaian live; values cached in a submitted file are never
trusted: kinerja always recomputes with `capaian`.

The options an office sets per indicator in the master workbook (all optional):
- the formula for lower-is-better indicators: (2T-R)/T (default) or T/R;
- a cap (for instance 120): a higher capaian is reported as the cap.
A zero or missing target, or a missing realisation, cannot be assessed ("tidak dapat dinilai").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from watcher.master import DEFAULT_BANDS, Indicator, MinimalFormula, Polarity, PredikatBand

NOT_ASSESSABLE = "Tidak dapat dinilai"


def capaian(
    target: float | None,
    realisation: float | None,
    polarity: Polarity,
    *,
    formula: MinimalFormula = MinimalFormula.SPECIAL,
    cap: float | None = None,
) -> float | None:
    """Achievement in percent, or None when it cannot be assessed (no realisation, zero target).

    Higher is better: realisation / target x 100. Lower is better: (2 x target - realisation) /
    target x 100 (PermenPAN-RB 8/2021, "kondisi khusus"), or target / realisation x 100. With
    T/R a realisation of 0 (the best possible) has no finite capaian: it is the cap when one is
    set, else not assessable. `cap` limits the result from above; nothing limits it from below
    (a lower-is-better realisation above twice its target gives a negative (2T-R)/T, shown as is).
    """
    if target is None or realisation is None or target == 0:
        return None
    if polarity is Polarity.HIGHER_IS_BETTER:
        value = realisation / target * 100
    elif formula is MinimalFormula.SPECIAL:
        value = (2 * target - realisation) / target * 100
    elif realisation == 0:
        return cap
    else:
        value = target / realisation * 100
    return min(value, cap) if cap is not None else value


def indicator_capaian(
    indicator: Indicator, target: float | None, realisation: float | None
) -> float | None:
    """`capaian` with the indicator's own polarity, formula and cap."""
    return capaian(
        target,
        realisation,
        indicator.polarity,
        formula=indicator.minimal_formula,
        cap=indicator.cap,
    )


def excel_formula(
    polarity: Polarity,
    target_cell: str,
    realisation_cell: str,
    *,
    formula: MinimalFormula = MinimalFormula.SPECIAL,
    cap: float | None = None,
) -> str:
    """The same rule as `capaian` as an Excel formula; blank while it cannot be assessed."""
    t, r = target_cell, realisation_cell
    if polarity is Polarity.HIGHER_IS_BETTER:
        value = f"{r}/{t}*100"
    elif formula is MinimalFormula.SPECIAL:
        value = f"(2*{t}-{r})/{t}*100"
    else:
        zero = f"{cap:g}" if cap is not None else f'"{NOT_ASSESSABLE}"'
        value = f"IF({r}=0,{zero},{t}/{r}*100)"
    if cap is not None:
        value = f"MIN({value},{cap:g})"
    return f'=IF(OR({r}="",NOT(ISNUMBER({r}))),"",IF({t}=0,"{NOT_ASSESSABLE}",{value}))'


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
