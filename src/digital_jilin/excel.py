"""The Excel appendix (附表): what the workbook holds, and ``python -m digital_jilin excel``.

This module decides the content — which tables, their titles, columns, notes and the cover;
``excel_writer`` applies the spreadsheet rules. Numbers keep the base units of the data (85% is
stored as 85 with the unit “%”), so a value copied from the workbook equals the value in the CSV.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd

from digital_jilin import PROJECT_ROOT
from digital_jilin.excel_table import (
    BOOL,
    DATE,
    EXCEL_MAX_ROWS,
    NOT_AVAILABLE,
    NUMBER,
    URL,
    Column,
    Table,
)
from digital_jilin.excel_writer import Cover, Link, write_workbook
from digital_jilin.load import Dataset, load_dataset
from digital_jilin.paths import APPENDIX_NAME
from digital_jilin.schema import labels

DEFAULT_OUT = PROJECT_ROOT / "_build" / "appendix" / APPENDIX_NAME
TITLE = "数字吉林统计报告书：统计附表"
CREATOR = "数字吉林统计报告书"

# Chapter topics, in book order, with their sheet names (≤ 31 characters, no []:*?/\);
# these and the other Chinese labels come from the datapackage's field categories.
TOPICS = labels("indicators", "topic")
KIND_ZH = labels("observations", "kind")
SOURCE_KIND_ZH = labels("sources", "kind")
BETTER_ZH = labels("indicators", "better")
CHART_ZH = labels("indicators", "chart")
PRECISION_ZH = labels("events", "precision")

NOTES = {
    "units": "数值均以基本单位记录（如“5.5万个”记为 55000，“85%”记为 85），不换算为小数；"
    "单位见表头括号，或在各行单位不同时见“单位”列。",
    "comparator": "比较符说明数值与真实数字的关系：= 确切值；≥ 不少于（以上、达到）；"
    "> 多于（超过、突破、逾、余、多）；≤ 不超过（以内）；< 少于；≈ 约数（约、近、接近）；"
    "~ 区间，从下限到上限。",
    "range": "下限和上限只用于区间（比较符 ~），此时“数值”等于下限；其他行为 [z]。",
    "period": "统计期以文本记录：年（YYYY）、月（YYYY-MM）或日（YYYY-MM-DD）；目标值的统计期是其完成期限。",
    "kind": "类型：实际值为已实现的数字；目标值为要达到的目标；基期值为比较的起点；"
    "计划值为计划的数量，不作为目标跟踪。",
    "source": "来源代码对应“来源文件”工作表中的来源文件。",
    "quote": "原文摘录与来源文件逐字一致（空白可能不同）；来源文本的识别错误见“勘误”工作表，摘录保持原样。",
    "category": "分类为指标内的分项（专业、院校、平台级别等）；[z] 表示该行是总数、不分项。",
    "status": "进度状态按封面所示“数据截至”日期，比较最新实际值与目标值及期限得出："
    "已实现、进度正常、进度滞后、已逾期、暂无实际数据。状态以文字写出，不以颜色表示。",
    "indicator": "指标代码对应“指标清单”工作表；同一指标在各表中代码相同。",
}


MIXED_UNITS = "单位见“单位”列"


def _unit_header(units: pd.Series) -> str:
    """The unit for a value header: the unit itself when every row shares it."""
    distinct = units[units.ne("")].unique()
    return distinct[0] if len(distinct) == 1 else MIXED_UNITS


def observation_frame(ds: Dataset, topic: str) -> pd.DataFrame:
    """A topic's observations with catalog names, in catalog order (file order within one)."""
    cat = ds.indicators.set_index("id")
    obs = ds.observations[ds.observations["indicator"].map(cat["topic"]).eq(topic)]
    order = {ind: i for i, ind in enumerate(ds.indicators["id"])}
    obs = obs.iloc[obs["indicator"].map(order).argsort(kind="stable")]
    return obs.assign(
        name_zh=obs["indicator"].map(cat["name_zh"]),
        unit_zh=obs["indicator"].map(cat["unit_zh"]),
        kind_zh=obs["kind"].map(KIND_ZH),
    ).reset_index(drop=True)


def _observation_table(ds: Dataset, topic: str, sheet: str, source_titles: str) -> Table:
    data = observation_frame(ds, topic)
    unit = _unit_header(data["unit_zh"])
    bound_unit = "" if unit == MIXED_UNITS else unit  # said once, on the value, is enough
    return Table(
        sheet=sheet,
        name=f"obs_{topic}",
        title=f"{sheet}：指标数值",
        description=[
            f"“{sheet}”一章引用的全部数字，每行一个数字，附来源文件和原文摘录。",
            f"数值的单位为“{unit}”，见表头。"
            if unit != MIXED_UNITS
            else "各行数值的单位不同：表头不标单位，每行的单位见“单位”列。",
        ],
        source=source_titles,
        columns=[
            Column("indicator", "指标代码", notes=("indicator",)),
            Column("name_zh", "指标名称"),
            Column("region", "地区"),
            Column("category", "分类", notes=("category",)),
            Column("period", "统计期", notes=("period",)),
            Column("kind_zh", "类型", notes=("kind",)),
            Column("comparator", "比较符", notes=("comparator",)),
            Column("value", "数值", NUMBER, unit=unit, notes=("units",)),
            Column("low", "下限", NUMBER, unit=bound_unit, notes=("range",)),
            Column("high", "上限", NUMBER, unit=bound_unit),
            Column("unit_zh", "单位"),
            Column("source", "来源代码", notes=("source",)),
            Column("quote", "原文摘录", notes=("quote",)),
            Column("note", "备注"),
        ],
        data=data,
    )


def tracker_table(tracker: pd.DataFrame) -> Table:
    """The target tracker, from ``targets.track`` (one row per target observation)."""
    unit = _unit_header(tracker["unit_zh"]) if len(tracker) else ""
    bound_unit = "" if unit == MIXED_UNITS else unit
    missing_actual = dict(missing=NOT_AVAILABLE)
    return Table(
        sheet="目标跟踪",
        name="target_tracker",
        title="目标跟踪：各项目标的最新进展",
        description=["每行一个目标，与其最新实际值和完成期限并列，并给出进度状态。"],
        notes=("status",),
        columns=[
            Column("indicator", "指标代码", notes=("indicator",)),
            Column("name_zh", "指标名称"),
            Column("region", "地区"),
            Column("category", "分类", notes=("category",)),
            Column("deadline", "完成期限", notes=("period",)),
            Column("target_comparator", "目标比较符", notes=("comparator",)),
            Column("target_value", "目标值", NUMBER, unit=unit, notes=("units",)),
            Column("target_low", "目标下限", NUMBER, unit=bound_unit, notes=("range",)),
            Column("target_high", "目标上限", NUMBER, unit=bound_unit),
            Column("latest_comparator", "实际值比较符", **missing_actual),
            Column("latest_actual", "最新实际值", NUMBER, unit=unit, **missing_actual),
            Column("latest_period", "实际值统计期", **missing_actual),
            Column("unit_zh", "单位"),
            Column("status_zh", "进度状态"),
            Column("status", "状态代码"),
            Column("source", "来源代码", notes=("source",)),
        ],
        data=tracker.reset_index(drop=True),
    )


def catalog_table(ds: Dataset) -> Table:
    data = ds.indicators.assign(
        topic_zh=ds.indicators["topic"].map(TOPICS),
        better_zh=ds.indicators["better"].map(BETTER_ZH),
        chart_zh=ds.indicators["chart"].map(CHART_ZH),
    )
    return Table(
        sheet="指标清单",
        name="indicator_catalog",
        title="指标清单：每个指标的名称、单位和含义",
        description=["本附表各表中出现的全部指标。"],
        columns=[
            Column("id", "指标代码"),
            Column("name_zh", "中文名称"),
            Column("name_en", "英文名称"),
            Column("topic_zh", "所属章节"),
            Column("unit_zh", "单位（中文）"),
            Column("unit_en", "单位（英文）"),
            Column("description", "含义"),
            Column("better_zh", "好坏方向"),
            Column("chart_zh", "图表类型"),
            Column("headline", "概览指标", BOOL),
        ],
        data=data,
    )


def sources_table(ds: Dataset) -> Table:
    return Table(
        sheet="来源文件",
        name="sources",
        title="来源文件：本附表数字所依据的公开文件",
        description=["每个来源文件一行；网址为文件发布的地址（已知时）。"],
        columns=[
            Column("id", "来源代码"),
            Column("title", "标题"),
            Column("publisher", "发布者"),
            Column("date", "发布日期", DATE),
            Column("date_note", "日期说明"),
            Column("kind_zh", "文件类型"),
            Column("file", "文本文件名"),
            Column("url", "网址", URL, missing=NOT_AVAILABLE),
        ],
        data=ds.sources.assign(kind_zh=ds.sources["kind"].map(SOURCE_KIND_ZH)),
    )


def events_table(ds: Dataset) -> Table:
    data = ds.events.sort_values("date", kind="stable").reset_index(drop=True)
    return Table(
        sheet="大事记",
        name="events",
        title="大事记：数字吉林建设的主要节点",
        description=[
            "按日期排列；只知月份或年份时，日期记为该月或该年的第一天，精度见“日期精度”列。"
        ],
        columns=[
            Column("date", "日期", DATE),
            Column("precision_zh", "日期精度"),
            Column("title", "事件"),
            Column("source", "来源代码", notes=("source",)),
            Column("quote", "原文摘录", notes=("quote",)),
        ],
        data=data.assign(precision_zh=data["precision"].map(PRECISION_ZH)),
    )


def errata_table(ds: Dataset) -> Table:
    return Table(
        sheet="勘误",
        name="errata",
        title="勘误：来源文本中的识别错误",
        description=["来源文本中的误字及其更正；原文摘录保留误字，更正只记在本表。"],
        columns=[
            Column("source", "来源代码", notes=("source",)),
            Column("as_printed", "文本原样"),
            Column("corrected", "更正为"),
            Column("note", "说明"),
        ],
        data=ds.errata,
    )


def build_tables(ds: Dataset, tracker: pd.DataFrame) -> list[Table]:
    """Every table of the appendix, in sheet order."""
    titles = ds.sources.set_index("id")["title"]
    tables = []
    for topic, sheet in TOPICS.items():
        obs_sources = ds.observations["source"][
            ds.observations["indicator"].map(ds.indicators.set_index("id")["topic"]).eq(topic)
        ]
        names = "；".join(f"《{titles[s]}》" for s in dict.fromkeys(obs_sources))
        tables.append(_observation_table(ds, topic, sheet, names))
    tables += [tracker_table(tracker), catalog_table(ds), sources_table(ds)]
    tables += [events_table(ds), errata_table(ds)]
    return tables


def build_cover(ds: Dataset, as_of: date, edition: date, tables: list[Table]) -> Cover:
    holds = [f"{t.sheet}：{t.title.split('：', 1)[-1]}" for t in tables]
    sources = []
    for s in ds.sources.itertuples():
        line = f"《{s.title}》，{s.publisher}，{s.date:%Y-%m-%d}"
        sources.append(Link(line, s.url) if s.url.startswith(("http://", "https://")) else line)
    return Cover(
        title=TITLE,
        sections=[
            (
                "本工作簿内容",
                [
                    "数字吉林建设统计报告书的附表：书中每一个数字，附来源文件和原文摘录，"
                    "以及目标跟踪、指标清单、来源文件、大事记和勘误。",
                    "“目录”工作表列出全部工作表并可点击跳转；“注释”工作表解释 [note N] 和 [x]、[z] 等标记。",
                    *holds,
                ],
            ),
            ("版本日期", [edition]),
            ("数据截至（目标进度按此日期评估）", [as_of]),
            ("来源文件", sources),
            (
                "使用说明",
                [
                    "每个工作表只有一个表格，标题在 A1 单元格，表格从 A 列开始，表头只有一行。",
                    "数值为基本单位的数字，可直接计算；比较符（≥、≈ 等）单独成列。",
                    "本工作簿由程序从数据文件生成，请勿手工修改；更正请改数据后重新生成。",
                ],
            ),
        ],
    )


def document_properties(as_of: date) -> dict[str, str]:
    return {
        "title": TITLE,
        "subject": "数字吉林建设统计数据附表",
        "creator": CREATOR,
        "lastModifiedBy": CREATOR,
        "language": "zh-CN",
        "keywords": "数字吉林; 统计; 附表",
        "description": f"数据截至 {as_of.isoformat()}",
    }


def _track(ds: Dataset, as_of: date) -> pd.DataFrame:
    from digital_jilin import targets  # owned by the chapters; imported only when needed

    return targets.track(ds, as_of)


def write_appendix(
    ds: Dataset,
    out: Path | str | None = None,
    *,
    as_of: date | None = None,
    edition: date | None = None,
    tracker: pd.DataFrame | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> Path:
    """Write the appendix workbook and return its path.

    ``tracker`` defaults to ``targets.track(ds, as_of)``; ``max_rows`` (rows per sheet) exists so
    tests can see a table continue on further sheets without writing a million rows.
    """
    as_of = as_of or date.today()
    edition = edition or date.today()
    if tracker is None:
        tracker = _track(ds, as_of)
    tables = build_tables(ds, tracker)
    return write_workbook(
        Path(out or DEFAULT_OUT),
        cover=build_cover(ds, as_of, edition, tables),
        tables=tables,
        notes=NOTES,
        properties=document_properties(as_of),
        max_rows=max_rows,
    )


def main(args) -> int:
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"error: --as-of expects a date as YYYY-MM-DD, got '{args.as_of}'", file=sys.stderr)
        return 2
    out = write_appendix(load_dataset(args.data_dir), args.out, as_of=as_of)
    print(f"wrote {out}", file=sys.stderr)
    return 0


__all__ = ["DEFAULT_OUT", "build_tables", "main", "write_appendix"]
