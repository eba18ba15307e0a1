"""The IKU cascade (pure): per kabupaten IKU, the office indicators whose master data links to it
(column IKU Kabupaten of the Indikator sheet), with each office's own figures for the period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from watcher.central.iku import Iku, IkuList
from watcher.masterdata.capaian import mean_capaian
from watcher.masterdata.model import Division, PredikatBand
from watcher.reports.figures import Line

NOT_LISTED = "(tidak ada di daftar IKU)"


@dataclass(frozen=True)
class LinkedLine:
    """One office indicator that supports an IKU, with the office's figures for the period."""

    office_id: str
    office_name: str
    division: Division
    line: Line
    bands: tuple[PredikatBand, ...]  # the office's own, for the predikat's colour
    approved: bool


@dataclass(frozen=True)
class CascadeRow:
    iku: Iku
    listed: bool  # in the kabupaten's IKU list (False: only the offices name it)
    lines: tuple[LinkedLine, ...]

    @property
    def average(self) -> float | None:
        """The mean capaian of the linked indicators this period (each as its office scores)."""
        return mean_capaian(linked.line.current.capaian for linked in self.lines)


OfficeLines = tuple[str, str, Sequence[tuple[Division, Line, bool]], tuple[PredikatBand, ...]]


def cascade(iku: IkuList | None, offices: Sequence[OfficeLines]) -> tuple[CascadeRow, ...]:
    """Rows in the list's order (an IKU without links is listed empty), then codes the offices
    link to that the list lacks; () when no office indicator links to any IKU."""
    linked: dict[str, list[LinkedLine]] = {}
    spelled: dict[str, str] = {}
    for office_id, office_name, lines, bands in offices:
        for division, line, approved in lines:
            code = line.indicator.iku
            if code:
                spelled.setdefault(code.upper(), code)
                linked.setdefault(code.upper(), []).append(
                    LinkedLine(office_id, office_name, division, line, bands, approved)
                )
    if not linked:
        return ()
    listed = iku.items if iku is not None else ()
    rows = [CascadeRow(item, True, tuple(linked.get(item.code.upper(), ()))) for item in listed]
    known = {item.code.upper() for item in listed}
    rows += [
        CascadeRow(
            Iku(spelled[code], NOT_LISTED if iku is not None else ""), False, tuple(linked[code])
        )
        for code in sorted(linked)
        if code not in known
    ]
    return tuple(rows)
