"""``python -m digital_jilin template --out FILE.xlsx``: a data-entry workbook for new figures.

Sheet ``observations`` has exactly the columns of the observations schema, so a filled copy is
read by ``validate`` and by the loader as it is. Everything in it comes from the data folder:
the example row is its first observation, the drop-down lists are its catalog, the schema's
enumerations and the regions it already has, and the instructions are the schema's descriptions.
"""

from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from digital_jilin.load import PATTERN_HELP, Dataset, load_dataset
from digital_jilin.schema import Field, Resource, resources

SHEET_HELP = "说明"
SHEET_LISTS = "lists"
SHEET_INDICATORS = "指标"
SHEET_SOURCES = "来源"
LAST_ROW = 1_048_576  # lists and formats apply to every row Excel has
PROVINCE = "吉林省"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
FREE_TEXT_WIDTH = {"category": 14, "quote": 48, "note": 30}  # room to type, not just the example
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Chinese labels for the instructions only; the column names themselves come from the schema.
LABELS_ZH = {
    "indicator": "指标",
    "region": "地区",
    "category": "分类",
    "period": "时期",
    "kind": "类型",
    "value": "数值",
    "comparator": "比较符",
    "low": "下限",
    "high": "上限",
    "source": "来源",
    "quote": "原文",
    "note": "备注",
}
# Which columns get a drop-down list, and whether a value outside it is refused or only warned.
LISTS = {
    "indicator": "stop",
    "kind": "stop",
    "comparator": "stop",
    "region": "warning",  # a new city is allowed: it becomes its own series
    "source": "stop",
}
STEPS = [
    "每行填写一个数值（一条观测值）。第 2 行是示例，取自现有数据的第一条观测值，可覆盖或删除。",
    "列名（第 1 行）不要修改；indicator、kind、comparator、region、source 列可从下拉列表选择。",
    "value 填基本单位的数字：5.5万个 → 55000，85% → 85；“以上、超过、约、近”等限定词写在 comparator 列。",
    "范围（如 1-2家）：comparator 填 ~，low 和 high 填两端，value 等于 low。",
    "period 填 YYYY、YYYY-MM 或 YYYY-MM-DD（如 2024、2024-06、2024-06-30）；目标值填截止时间。",
    "quote 填来源原文中读出该数值的文字（不超过 60 字）。",
    "新指标或新来源：先在 data/indicators.csv 或 data/sources.csv 中加一行。新地区可直接输入。",
    "保存后检查：python -m digital_jilin validate 本文件.xlsx",
]


# --- cells -----------------------------------------------------------------------------------


def put(ws: Worksheet, row: int, col: int, value):
    """Write one cell; text that Excel would take for a formula stays text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ws.cell(row=row, column=col)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl would write '=…' as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def display_width(text: str) -> int:
    """Columns a text needs: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def fit_widths(ws: Worksheet, columns: dict[int, list], least: int = 8, most: int = 60) -> None:
    for col, texts in columns.items():
        width = max((display_width(t) for t in texts if t is not None), default=least)
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, least), most)


def header_row(ws: Worksheet, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = put(ws, 1, col, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    ws.freeze_panes = "A2"


# --- the sheets ------------------------------------------------------------------------------


def list_values(res: Resource, ds: Dataset) -> dict[str, list[str]]:
    """The allowed values of each drop-down column, from the catalog, the schema and the data."""
    regions = sorted(set(ds.observations["region"]) - {PROVINCE, ""})
    fk = {f.field: f.resource for f in res.foreign_keys}
    values = {}
    for name in LISTS:
        f = res.field(name)
        if f.enum:
            values[name] = list(f.enum)
        elif name in fk:
            values[name] = list(getattr(ds, fk[name])["id"])
        elif name == "region":
            values[name] = [PROVINCE, *regions]
    return values


def write_lists(wb: Workbook, values: dict[str, list[str]]) -> dict[str, str]:
    """A hidden sheet with one column per list (lists can exceed the 255 characters Excel
    allows inline); returns each list's range reference."""
    ws = wb.create_sheet(SHEET_LISTS)
    refs = {}
    for col, (name, items) in enumerate(values.items(), start=1):
        put(ws, 1, col, name)
        for row, item in enumerate(items, start=2):
            put(ws, row, col, item)
        letter = get_column_letter(col)
        refs[name] = f"{quote_sheetname(SHEET_LISTS)}!${letter}$2:${letter}${len(items) + 1}"
    ws.sheet_state = "hidden"
    return refs


def _validation(f: Field, ref: str, style: str) -> DataValidation:
    label = LABELS_ZH.get(f.name, f.name)
    if style == "stop":
        error = f"请从下拉列表中选择{label}。"
        if f.name in ("indicator", "source"):
            error += f"新{label}须先加入 data/{f.name}s.csv。"
    else:
        error = f"不在现有{label}列表中；如确为新{label}，点“是”保留，它将作为单独的系列显示。"
    return DataValidation(
        type="list",
        formula1=ref,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle=style,
        errorTitle=f"{label} ({f.name})",
        error=error[:225],
        showInputMessage=True,
        promptTitle=f"{label} ({f.name})",
        prompt=f.description[:255],
    )


def write_observations(
    ws: Worksheet, res: Resource, ds: Dataset, values: dict[str, list[str]], refs: dict[str, str]
) -> None:
    names = res.field_names
    header_row(ws, names)
    widths: dict[int, list] = {}
    example = ds.observations.iloc[0] if len(ds.observations) else None
    for col, f in enumerate(res.fields, start=1):
        ws.cell(row=1, column=col).comment = Comment(f.description, "数字吉林", 120, 320)
        letter = get_column_letter(col)
        if f.type == "string":  # typed 2024-06 must stay text, not turn into a date
            ws.column_dimensions[letter].number_format = "@"
        cell = put(ws, 2, col, None if example is None else example[f.name])
        if f.type == "string":
            cell.number_format = "@"
        widths[col] = [f.name, cell.value, "x" * FREE_TEXT_WIDTH.get(f.name, 0)]
        widths[col] += values.get(f.name, [])
        if f.name in refs:
            dv = _validation(f, refs[f.name], LISTS[f.name])
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    if example is not None:
        ws.cell(row=2, column=1).comment = Comment(
            "示例行：取自现有数据的第一条观测值，可覆盖或删除。", "数字吉林", 80, 240
        )
    fit_widths(ws, widths, least=10, most=50)


def _allowed(f: Field, res: Resource) -> str:
    fk = {k.field: k.resource for k in res.foreign_keys}
    if f.enum:
        return " ".join(f.enum)
    if f.name in fk:
        sheet = SHEET_INDICATORS if fk[f.name] == "indicators" else SHEET_SOURCES
        return f"{fk[f.name]} 的 id，见「{sheet}」工作表"
    if f.pattern:
        return PATTERN_HELP.get(f.pattern, f.pattern).removeprefix("a valid ")
    if f.max_length:
        return f"不超过 {f.max_length} 字"
    return "数字（基本单位）" if f.type == "number" else ""


def write_help(ws: Worksheet, res: Resource, source_dir: Path) -> None:
    put(ws, 1, 1, "数字吉林统计报告书 · 新增观测值录入模板").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"列的定义来自 {source_dir / 'datapackage.json'}（observations 表）。")
    row = 4
    put(ws, row, 1, "填写步骤").font = HEADER_FONT
    for n, step in enumerate(STEPS, start=1):
        put(ws, row + n, 1, f"{n}. {step}")
    row += len(STEPS) + 2
    columns = ["列名", "中文", "必填", "类型", "允许值 / 格式", "说明"]
    for col, name in enumerate(columns, start=1):
        cell = put(ws, row, col, name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for f in res.fields:
        row += 1
        cells = [
            f.name,
            LABELS_ZH.get(f.name, ""),
            "是" if f.required else "",
            f.type,
            _allowed(f, res),
            f.description,
        ]
        for col, text in enumerate(cells, start=1):
            put(ws, row, col, text).alignment = WRAP
    for letter, width in zip("ABCDEF", (14, 8, 6, 8, 36, 90), strict=True):
        ws.column_dimensions[letter].width = width


def write_table(ws: Worksheet, frame: pd.DataFrame, columns: list[str]) -> None:
    """A reference table (the indicator catalog, the sources) to choose ids from."""
    header_row(ws, columns)
    widths = {i: [c] for i, c in enumerate(columns, start=1)}
    for r, record in enumerate(frame[columns].itertuples(index=False), start=2):
        for c, value in enumerate(record, start=1):
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            put(ws, r, c, value)
            widths[c].append(value)
    fit_widths(ws, widths)


def write_template(out: Path | str, data_dir: Path | str) -> Path:
    """Write the workbook to ``out`` (atomically: a reader never sees half a file)."""
    out, data_dir = Path(out), Path(data_dir)
    ds = load_dataset(data_dir)
    res = resources(data_dir)["observations"]
    wb = Workbook()
    ws = wb.active
    ws.title = res.name  # the loader reads the sheet named after the resource
    values = list_values(res, ds)
    refs = write_lists(wb, values)
    write_observations(ws, res, ds, values, refs)
    write_help(wb.create_sheet(SHEET_HELP), res, data_dir)
    indicator_cols = ["id", "name_zh", "unit_zh", "topic", "name_en", "description"]
    write_table(wb.create_sheet(SHEET_INDICATORS), ds.indicators, indicator_cols)
    write_table(wb.create_sheet(SHEET_SOURCES), ds.sources, ["id", "title", "publisher", "date"])
    wb.move_sheet(SHEET_LISTS, offset=len(wb.sheetnames))  # hidden, and last
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def main(args) -> int:
    out = write_template(args.out, args.data_dir)
    print(f"wrote {out}: fill the sheet 'observations', then run")
    print(f"  python -m digital_jilin validate {out}")
    return 0
