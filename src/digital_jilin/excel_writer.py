"""Write :class:`~digital_jilin.excel_table.Table` objects into one workbook, applying the rules.

The rules are those of the UK Government Analysis Function guidance on releasing statistics in
spreadsheets, as gptables applies them: a cover, a contents sheet linking every sheet, a notes
sheet; one table per sheet with its title in A1 and its single header row (units and
``[note N]`` markers in the header); Excel tables with meaningful names; no merged cells, no blank
cells inside a table; text that could be read as a formula is stored as text.

openpyxl's write-only mode streams each row to a temporary file, so memory does not grow with
the number of rows; everything a sheet needs (names, note numbers, splits, widths) is therefore
planned before the first row is written.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XLTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from digital_jilin.excel_table import (
    BOOL,
    DATE,
    EXCEL_MAX_ROWS,
    NOT_APPLICABLE,
    NUMBER,
    SHEET_LINK,
    SHORTHANDS,
    URL,
    Column,
    Table,
    check_sheet_name,
    display_width,
    part_sheet_name,
)

COVER_SHEET, CONTENTS_SHEET, NOTES_SHEET = "封面", "目录", "注释"
CONTINUED = "_continued"  # the writer's own note, on every sheet of a split table
CONTINUED_TEXT = (
    "该表的行数超过一个工作表的上限，按原顺序分为几个工作表连续存放；"
    "每个工作表标题下注明它所含的行号，合并各部分即得完整的表。"
)
# Leading characters that make spreadsheet programs (or a later CSV import) evaluate a cell.
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # characters in one cell; openpyxl would cut longer text silently
CHUNK = 1_000  # rows converted at a time: their cells are what the write holds in memory
WIDTH_SAMPLE = 2_000  # rows looked at to size columns; a long table needs no exact fit
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "yyyy-mm-dd"
TABLE_STYLE = "TableStyleLight9"  # banding only; no meaning is carried by colour
_HTTP = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Link:
    """A cover line that is an external link."""

    text: str
    url: str


@dataclass
class Cover:
    """The cover sheet: a title and sections of lines (text, dates or links), all in column A."""

    title: str
    sections: list[tuple[str, list]] = field(default_factory=list)


@dataclass
class _Part:
    """One worksheet of one table."""

    table: Table
    sheet: str
    table_name: str
    part: int
    parts: int
    start: int  # first data row (0-based, in table.data)
    stop: int
    preamble: list[str] = field(default_factory=list)  # title first

    @property
    def header_row(self) -> int:
        return len(self.preamble) + 1

    @property
    def rows(self) -> int:
        return self.stop - self.start


# --- planning ------------------------------------------------------------------------------


def _markers(keys, numbering: dict[str, int]) -> str:
    return "".join(f" [note {numbering[k]}]" for k in keys)


def header_text(col: Column, numbering: dict[str, int]) -> str:
    unit = f"（{col.unit}）" if col.unit else ""
    return f"{col.header}{unit}{_markers(col.notes, numbering)}"


def _number_notes(tables: list[Table], split: set[str], notes: dict[str, str]) -> dict[str, int]:
    """Number notes in the order a reader meets them (title first, then headers, sheet by sheet)."""
    numbering: dict[str, int] = {}
    for t in tables:
        keys = list(t.notes) + ([CONTINUED] if t.name in split else [])
        keys += [k for c in t.columns for k in c.notes]
        for k in keys:
            if k != CONTINUED and k not in notes:
                raise ValueError(f"table {t.name}: note {k!r} has no text")
            numbering.setdefault(k, len(numbering) + 1)
    return numbering


def _preamble(t: Table, numbering: dict[str, int], n: int, part=None) -> list[str]:
    """Lines above the header. ``part`` = (k, parts, first, last) for a split table."""
    title_notes = list(t.notes) + ([CONTINUED] if part else [])
    lines = [t.title + _markers(title_notes, numbering)]
    lines += list(t.description)
    if t.source:
        lines.append(f"来源：{t.source}")
    uses_notes = any(c.notes for c in t.columns) or t.notes
    used = t.shorthands_used()
    if (uses_notes or used) and n:
        marks = "、".join(m for m in SHORTHANDS if m in used)
        lines.append(
            "标题和表头中的 [note N] 指向“注释”工作表中的注释"
            + (f"；{marks} 等标记代替空白单元格，含义也见该工作表" if marks else "")
            + "。"
        )
    if part:
        k, parts, first, last = part
        lines.append(
            f"本表共 {n:,} 行数据，分 {parts} 个工作表存放；"
            f"本工作表为第 {k} 部分，含第 {first:,} 至 {last:,} 行。"
        )
    if n == 0:
        lines.append("本工作表暂无数据。")
    else:
        # Said before the table so a screen reader announces it; +2: this line and the header.
        lines.append(f"本工作表含一个表格，表头在第 {len(lines) + 2} 行，其下每行一条记录。")
    return lines


def _plan_table(t: Table, numbering, max_rows: int, split: bool) -> list[_Part]:
    n = len(t.data)
    if not split:
        lines = _preamble(t, numbering, n)
        return [_Part(t, t.sheet, t.name, 1, 1, 0, n, lines)]
    # The part line does not change the preamble's length, so any part's preamble sizes them all.
    probe = _preamble(t, numbering, n, (1, 2, 1, n))
    capacity = max_rows - len(probe) - 1
    if capacity < 1:
        raise ValueError(f"max_rows={max_rows} leaves no room for data under the title and header")
    parts = math.ceil(n / capacity)
    out = []
    for k in range(1, parts + 1):
        start, stop = (k - 1) * capacity, min(k * capacity, n)
        lines = _preamble(t, numbering, n, (k, parts, start + 1, stop))
        name = t.name if k == 1 else f"{t.name}_{k}"
        out.append(_Part(t, part_sheet_name(t.sheet, k), name, k, parts, start, stop, lines))
    return out


def _needs_split(t: Table, numbering, max_rows: int) -> bool:
    fits = len(_preamble(t, numbering, len(t.data))) + 1 + len(t.data) <= max_rows
    if not fits and not t.splittable:
        raise ValueError(f"table {t.name} must fit on one sheet of {max_rows:,} rows")
    return not fits


def plan(tables: list[Table], notes: dict[str, str], max_rows: int) -> tuple[list[_Part], dict]:
    """Every data sheet to write, in order, and the note numbering they share."""
    # Which tables split depends on preamble length, which depends on note numbers (their width
    # is irrelevant: one line each), so a first numbering without splits decides the splits.
    numbering = _number_notes(tables, set(), notes)
    split = {t.name for t in tables if _needs_split(t, numbering, max_rows)}
    numbering = _number_notes(tables, split, notes)
    parts = [p for t in tables for p in _plan_table(t, numbering, max_rows, t.name in split)]
    seen: dict[str, str] = {}
    for name in [COVER_SHEET, CONTENTS_SHEET, NOTES_SHEET] + [p.sheet for p in parts]:
        check_sheet_name(name)
        if name.lower() in seen:
            raise ValueError(f"two sheets would be named {name!r}")
        seen[name.lower()] = name
    tnames = [p.table_name.lower() for p in parts]
    if len(set(tnames)) != len(tnames):
        raise ValueError("two tables share a name")
    for t in tables:
        headers = [header_text(c, numbering) for c in t.columns]
        if len(set(headers)) != len(headers):
            raise ValueError(f"table {t.name}: two columns share a header")
    return parts, numbering


def sheet_location(sheet: str) -> str:
    """An internal hyperlink target: the sheet's A1, quoted as Excel and LibreOffice expect."""
    return "'" + sheet.replace("'", "''") + "'!A1"


def contents_table(parts: list[_Part], cover_title: str, notes_rows: int) -> Table:
    rows = [(COVER_SHEET, f"封面：{cover_title}、版本日期和来源文件", float("nan"))]
    rows.append((NOTES_SHEET, "注释与标记说明", float(notes_rows)))
    for p in parts:
        what = p.table.title if p.parts == 1 else f"{p.table.title}（第 {p.part}/{p.parts} 部分）"
        rows.append((p.sheet, what, float(p.rows)))
    data = pd.DataFrame(rows, columns=["sheet", "what", "rows"])
    return Table(
        sheet=CONTENTS_SHEET,
        name="contents",
        title="目录",
        columns=[
            Column("sheet", "工作表", SHEET_LINK),
            Column("what", "内容"),
            Column("rows", "数据行数", NUMBER, missing=NOT_APPLICABLE),
        ],
        data=data,
        description=["每个工作表一行；点击工作表名称即可跳转。"],
        splittable=False,
    )


def notes_table(notes: dict[str, str], numbering: dict[str, int], used: set[str]) -> Table:
    rows = [
        (f"[note {n}]", CONTINUED_TEXT if k == CONTINUED else notes[k])
        for k, n in numbering.items()
    ]
    rows += [(m, text) for m, text in SHORTHANDS.items() if m in used]
    return Table(
        sheet=NOTES_SHEET,
        name="notes",
        title="注释与标记",
        columns=[Column("mark", "注释编号或标记"), Column("text", "说明")],
        data=pd.DataFrame(rows, columns=["mark", "text"]),
        description=[
            "标题和表头中的 [note N] 指向本表同编号的注释；方括号标记代替空白单元格。",
            "状态、类型等都以文字写出，不以颜色表示。",
        ],
        splittable=False,
    )


# --- cells ---------------------------------------------------------------------------------


class _Styles:
    """Prototype style arrays, built once: a styled cell copies one instead of looking it up."""

    def __init__(self, ws):
        def proto(**attrs):
            c = _cell(ws, None)
            for k, v in attrs.items():
                setattr(c, k, v)
            return c._style

        self.title = proto(font=Font(bold=True, size=14))
        self.heading = proto(font=Font(bold=True, size=12))
        self.header = proto(font=Font(bold=True))
        self.quoted = proto(quotePrefix=True)  # Excel keeps it text even when edited
        self.date = proto(number_format=DATE_FORMAT)
        # Underlined as well as blue: a link is not signalled by colour alone.
        self.link = proto(font=Font(color="0563C1", underline="single"))
        self._numbers: dict[int, object] = {}
        self._proto = proto

    def number(self, decimals: int):
        if decimals not in self._numbers:
            fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
            self._numbers[decimals] = self._proto(number_format=fmt)
        return self._numbers[decimals]


def _cell(ws, style):
    # A position is needed only for openpyxl's messages; append() assigns the real one.
    return Cell(ws, row=1, column=1, style_array=style)


def _clean_text(s: str) -> str:
    if "\r" in s:
        # XML readers turn a bare CR into LF anyway; say so by storing the line break as LF.
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if ILLEGAL_CHARACTERS_RE.search(s):
        s = ILLEGAL_CHARACTERS_RE.sub("\ufffd", s)  # control characters XML cannot hold
    if len(s) > MAX_TEXT:
        raise ValueError(
            f"a cell text of {len(s):,} characters exceeds Excel's {MAX_TEXT:,}: {s[:40]}…"
        )
    return s


def text_cell(ws, styles: _Styles, s: str, style=None):
    """A string that stays a string: never a formula, never an error code."""
    s = _clean_text(s)
    if style is None and not s.startswith(RISKY_START) and s not in ERROR_CODES:
        return s  # openpyxl stores plain text as text; a bare str is the cheap path
    c = _cell(ws, style if style is not None else styles.quoted)
    c.value = s
    c.data_type = "s"  # after the value: openpyxl would have made "=…" a formula
    return c


def _decimals(v: float) -> int:
    s = f"{abs(v):.6f}".rstrip("0")
    return len(s) - s.index(".") - 1


def number_cell(ws, styles: _Styles, v: float):
    if not math.isfinite(v):
        raise ValueError(f"{v} cannot be written to a spreadsheet")
    d = _decimals(v)
    c = _cell(ws, styles.number(d))
    c.value = int(v) if d == 0 and abs(v) < 2**53 else float(v)
    return c


def _is_empty(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v == ""


def _column_cells(ws, styles: _Styles, col: Column, values: list) -> list:
    """Cells for one chunk of one column."""
    out = []
    for v in values:
        if _is_empty(v):
            out.append(col.missing)
        elif col.kind == NUMBER:
            out.append(number_cell(ws, styles, float(v)))
        elif col.kind == DATE:
            c = _cell(ws, styles.date)
            c.value = v.date() if isinstance(v, datetime) else v
            out.append(c)
        elif col.kind == BOOL:
            out.append("是" if v else "否")
        elif col.kind == SHEET_LINK:
            c = text_cell(ws, styles, str(v), styles.link)
            c.hyperlink = Hyperlink(ref="", location=sheet_location(str(v)), display=str(v))
            out.append(c)
        elif col.kind == URL and _HTTP.fullmatch(str(v)):  # only web links become live links
            c = text_cell(ws, styles, str(v), styles.link)
            c.hyperlink = Hyperlink(ref="", target=str(v))
            out.append(c)
        else:
            out.append(text_cell(ws, styles, str(v)))
    return out


def _shown(col: Column, v) -> str:
    """The text a cell shows, for sizing its column."""
    if _is_empty(v):
        return col.missing
    if col.kind == NUMBER:
        return f"{float(v):,.{_decimals(float(v))}f}" if math.isfinite(v) else ""
    if col.kind == DATE:
        return "0000-00-00"
    return str(v)


def column_widths(t: Table, numbering) -> list[float]:
    sample = t.data.head(WIDTH_SAMPLE)
    widths = []
    for col in t.columns:
        texts = [header_text(col, numbering)] + [_shown(col, v) for v in sample[col.key].tolist()]
        w = max(display_width(x) for x in texts) + 2
        widths.append(float(min(max(w, MIN_WIDTH), MAX_WIDTH)))
    return widths


# --- sheets --------------------------------------------------------------------------------


def _write_part(ws, styles: _Styles, p: _Part, numbering, widths) -> None:
    t = p.table
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append([text_cell(ws, styles, p.preamble[0], styles.title)])
    for line in p.preamble[1:]:
        ws.append([text_cell(ws, styles, line)])
    if p.rows == 0:
        return
    headers = [header_text(c, numbering) for c in t.columns]
    ws.append([text_cell(ws, styles, h, styles.header) for h in headers])
    for a in range(p.start, p.stop, CHUNK):
        chunk = t.data.iloc[a : min(a + CHUNK, p.stop)]
        cols = [_column_cells(ws, styles, c, chunk[c.key].tolist()) for c in t.columns]
        for row in zip(*cols, strict=True):
            ws.append(list(row))
    h = p.header_row
    ref = f"A{h}:{get_column_letter(len(headers))}{h + p.rows}"
    xt = XLTable(
        displayName=p.table_name,
        name=p.table_name,
        ref=ref,
        autoFilter=AutoFilter(ref=ref),
        tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True),
    )
    # Write-only sheets cannot read their header back, so the columns are named here.
    xt.tableColumns = [TableColumn(id=i, name=hd) for i, hd in enumerate(headers, 1)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In write-only mode")
        ws.add_table(xt)


def _write_cover(ws, styles: _Styles, cover: Cover) -> None:
    lines = [cover.title] + [str(x) for _, items in cover.sections for x in items]
    ws.column_dimensions["A"].width = float(min(max(display_width(x) for x in lines) + 2, 120))
    ws.append([text_cell(ws, styles, cover.title, styles.title)])
    for heading, items in cover.sections:
        ws.append([text_cell(ws, styles, heading, styles.heading)])
        for item in items:
            if isinstance(item, Link):
                c = text_cell(ws, styles, item.text, styles.link)
                c.hyperlink = Hyperlink(ref="", target=item.url)
            elif isinstance(item, date):
                c = _cell(ws, styles.date)
                c.value = item
            else:
                c = text_cell(ws, styles, str(item))
            ws.append([c])


def write_workbook(
    path: Path | str,
    *,
    cover: Cover,
    tables: list[Table],
    notes: dict[str, str],
    properties: dict[str, str],
    max_rows: int = EXCEL_MAX_ROWS,
) -> Path:
    """Write the workbook to ``path`` atomically: a failure leaves any earlier file untouched.

    ``notes``: note key → text (tables refer to keys; numbers follow reading order).
    ``properties``: document properties (title, creator, language, …).
    ``max_rows``: rows a sheet may hold; longer tables continue on further sheets.
    """
    path = Path(path)
    parts, numbering = plan(tables, notes, max_rows)
    used = set().union(*(t.shorthands_used() for t in tables)) if tables else set()
    notes_t = notes_table(notes, numbering, used | {NOT_APPLICABLE})  # contents uses [z]
    contents_t = contents_table(parts, cover.title, len(notes_t.data))
    fixed = [_plan_table(t, numbering, EXCEL_MAX_ROWS, False)[0] for t in (contents_t, notes_t)]

    wb = Workbook(write_only=True)
    wb.properties = DocumentProperties(**properties)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, so the rename is atomic; saved by openpyxl, so the umask applies.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        ws = wb.create_sheet(COVER_SHEET)
        styles = _Styles(ws)
        _write_cover(ws, styles, cover)
        for p in fixed + parts:
            ws = wb.create_sheet(p.sheet)
            _write_part(ws, styles, p, numbering, column_widths(p.table, numbering))
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        _discard(wb)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _discard(wb) -> None:
    """Finish the streams of an abandoned workbook now, not at garbage collection."""
    for ws in wb.worksheets:
        if not ws.closed:
            try:
                ws.close()
            except Exception:  # already failing: the first error is the one to report
                pass
