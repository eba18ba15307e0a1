"""The rencana aksi workbook layout, read from `workbook_templates/rencana_aksi.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from openpyxl.utils import get_column_letter

from watcher.sop.model import Sop
from watcher.sop.period import Period

METADATA_KIND = "rencana_aksi"
CHECKER = "{pemeriksa}"  # in the note's label: the SOP's final checker
TEXT_MAX_LENGTH = 2000  # kendala / tindak lanjut: enough for a paragraph, bounded for reports


@dataclass(frozen=True)
class LayoutColumn:
    key: str
    header: str
    width: int
    kind: str  # fixed | number | choice | text | formula
    letter: str
    index: int  # 1-based
    choices: tuple[str, ...] = ()

    def title(self, period: Period, index: int) -> str:
        return self.header.replace("{periode}", period.short_label(index))

    @property
    def is_input(self) -> bool:
        return self.kind in ("number", "choice", "text")


@dataclass(frozen=True)
class Layout:
    version: str
    password: str
    main_sheet: str
    metadata_sheet: str
    rows: dict[str, int]
    note_label: str  # a pattern: "Catatan {pemeriksa}"
    note_column: str
    note_label_column: str
    columns: tuple[LayoutColumn, ...]
    by_key: dict[str, LayoutColumn]

    def column(self, key: str) -> LayoutColumn:
        return self.by_key[key]

    @property
    def last_letter(self) -> str:
        return self.columns[-1].letter

    def data_row(self, position: int) -> int:
        """Sheet row of the indicator at 0-based `position`."""
        return self.rows["first_data"] + position

    def note_row(self, indicator_count: int) -> int:
        return self.rows["first_data"] + indicator_count - 1 + self.rows["note_offset"]

    def note_title(self, sop: Sop) -> str:
        """The note's label in a workbook issued under `sop`: "Catatan Kabid" for SOP 010."""
        return self.note_label.replace(CHECKER, sop.final_check.actor)

    def is_note_title(self, text: object) -> bool:
        """Whether a cell reads as the note's label under any SOP ("Catatan Kabid", "Catatan
        Kepala Dinas"): a tree may switch its SOP while workbooks issued under the old one are
        still out, and the label only marks where the table ends."""
        words = str(text).strip()
        before, placeholder, after = self.note_label.partition(CHECKER)
        if not placeholder:
            return words == self.note_label
        return (
            len(words) > len(before) + len(after)
            and words.startswith(before)
            and words.endswith(after)
        )


@cache
def rencana_aksi_layout() -> Layout:
    source = resources.files("workbook_templates") / "rencana_aksi.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    columns = tuple(
        LayoutColumn(
            key=raw["key"],
            header=raw["header"],
            width=int(raw["width"]),
            kind=raw["kind"],
            letter=get_column_letter(index),
            index=index,
            choices=tuple(raw.get("choices", ())),
        )
        for index, raw in enumerate(data["columns"], start=1)
    )
    return Layout(
        version=data["version"],
        password=data["protection_password"],
        main_sheet=data["sheets"]["main"],
        metadata_sheet=data["sheets"]["metadata"],
        rows={key: int(value) for key, value in data["rows"].items()},
        note_label=data["note"]["label"],
        note_column=data["note"]["column"],
        note_label_column=data["note"]["label_column"],
        columns=columns,
        by_key={column.key: column for column in columns},
    )
