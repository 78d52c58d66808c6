"""A table for the Excel appendix: title, description, notes, columns and data, nothing written yet.

Modelled on gptables' ``GPTable``: the content says what to show; ``excel_writer`` alone applies
the spreadsheet rules (layout, formats, safety, splitting), so every sheet follows them alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

# Shorthand for empty cells, as the Analysis Function guidance uses them: a table has no blank
# cells, and every shorthand used is explained on the notes sheet.
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
SHORTHANDS = {
    NOT_AVAILABLE: "数据不可得：来源文件未给出该项，或尚无实际数据。",
    NOT_APPLICABLE: "不适用：该项对本行没有意义（如非区间数值的下限和上限、没有分项的总数、没有备注）。",
}

# Column kinds the writer knows how to format.
TEXT, NUMBER, DATE, BOOL, SHEET_LINK, URL = "text", "number", "date", "bool", "sheet_link", "url"
KINDS = (TEXT, NUMBER, DATE, BOOL, SHEET_LINK, URL)

# Excel's own limits.
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.]*")
_LOOKS_LIKE_CELL = re.compile(r"([A-Za-z]{1,3}[0-9]+|[RrCc]([0-9]+)?|[Rr][0-9]+[Cc][0-9]+)")


@dataclass(frozen=True)
class Column:
    """One column: where its values come from and how its header reads.

    ``unit`` goes into the header as （unit）; ``notes`` are keys of the workbook's notes and become
    ``[note N]`` markers in the header; ``missing`` is the shorthand written for an empty value.
    """

    key: str
    header: str
    kind: str = TEXT
    unit: str = ""
    notes: tuple[str, ...] = ()
    missing: str = NOT_APPLICABLE

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")


@dataclass
class Table:
    """One table for one worksheet (or several, when it is longer than a sheet allows)."""

    sheet: str  # worksheet name; continuation sheets add a suffix
    name: str  # Excel table name: ASCII, meaningful, unique in the workbook
    title: str
    columns: list[Column]
    data: pd.DataFrame
    description: list[str] = field(default_factory=list)  # lines between title and table
    notes: tuple[str, ...] = ()  # notes about the whole table, marked after the title
    source: str = ""
    splittable: bool = True  # cover-like tables (contents, notes) must fit on one sheet

    def __post_init__(self):
        check_sheet_name(self.sheet)
        check_table_name(self.name)
        missing = [c.key for c in self.columns if c.key not in self.data.columns]
        if missing:
            raise ValueError(f"table {self.name}: no data for columns {missing}")

    def shorthands_used(self) -> set[str]:
        """The shorthand markers this table will write, found without writing it."""
        used = set()
        for col in self.columns:
            values = self.data[col.key]
            empty = values.isna()
            if not (is_numeric_dtype(values) or is_datetime64_any_dtype(values)):
                empty = empty | values.astype(str).eq("")  # optional text is "" when empty
            if empty.any():
                used.add(col.missing)
        return used & set(SHORTHANDS)


def check_sheet_name(name: str) -> str:
    """Raise unless Excel accepts ``name`` as a worksheet name."""
    if not name or len(name) > SHEET_NAME_MAX:
        raise ValueError(f"sheet name {name!r}: 1 to {SHEET_NAME_MAX} characters")
    if _BAD_SHEET_CHARS.search(name) or name[0] == "'" or name[-1] == "'":
        raise ValueError(f"sheet name {name!r}: no []:*?/\\ and no apostrophe at either end")
    if name.lower() == "history":  # reserved by Excel
        raise ValueError("sheet name 'History' is reserved by Excel")
    return name


def check_table_name(name: str) -> str:
    """Raise unless Excel accepts ``name`` as a table (defined) name."""
    if not _TABLE_NAME.fullmatch(name) or _LOOKS_LIKE_CELL.fullmatch(name) or len(name) > 255:
        raise ValueError(f"table name {name!r}: letters, digits, _ and . only, not a cell address")
    return name


def part_sheet_name(base: str, part: int) -> str:
    """The name of continuation sheet ``part`` (1 = the base name), kept within 31 characters."""
    if part == 1:
        return base
    suffix = f"_{part}"
    return base[: SHEET_NAME_MAX - len(suffix)] + suffix


def display_width(text: str) -> int:
    """Columns a text needs: East Asian wide and ambiguous characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)
