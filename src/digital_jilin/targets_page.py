"""The 目标进展 page: a progress chart, a table and commentary built from :mod:`targets`."""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import pandas as pd

from digital_jilin import figures
from digital_jilin.load import Dataset
from digital_jilin.numbers import format_value
from digital_jilin.targets import (
    STATUS_ORDER,
    STATUS_ZH,
    distinct_targets,
    status_counts,
    track_detail,
)

# Status colours are paired with a text label on every bar, so colour is never the only cue.
STATUS_COLOURS = {
    "achieved": "#2e7d32",
    "on_track": "#1565c0",
    "behind": "#ef6c00",
    "overdue": "#c62828",
    "no_data": "#9e9e9e",
}
# Bars past this share of the target are cut at the axis end; the label still gives the figure.
MAX_AXIS_PERCENT = 200
LABEL_LIMIT = 150  # px for a row label on a phone; the full name is in the tooltip and table
# Commentary names at most this many targets per status; the table lists them all.
MAX_NAMED = 6


def fmt(value, unit: str, comparator: str = "=", low=None, high=None) -> str:
    """A figure as the book writes it (``5.5万个``, ``85%``, ``300个以上``)."""
    return format_value(value, unit, comparator, low=low, high=high)


def period_zh(period: str) -> str:
    """'2025' → '2025年', '2025-06' → '2025年6月', '2025-06-30' → '2025年6月30日'."""
    parts = [int(p) for p in period.split("-")] if period else []
    return "".join(f"{n}{u}" for n, u in zip(parts, "年月日", strict=False))


def _nan_to_none(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def edition_date(as_of: str | dt.date | None) -> dt.date:
    """The edition's date: the ``as_of`` parameter, or today when it is empty."""
    if not as_of:
        return dt.date.today()
    return dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of


def tracked_for(ds: Dataset, as_of: str | dt.date, region: str) -> pd.DataFrame:
    """Targets of one region with status, and the texts the page shows for each."""
    day = edition_date(as_of)
    t = track_detail(ds, day)
    t = distinct_targets(t[t["region"].eq(region)])
    t["label"] = [_label(r) for r in t.to_dict("records")]
    t["target_text"] = [
        fmt(r["target_value"], r["unit_zh"], r["target_comparator"],
            _nan_to_none(r["target_low"]), _nan_to_none(r["target_high"]))
        for r in t.to_dict("records")
    ]  # fmt: skip
    t["latest_text"] = [_latest_text(r) for r in t.to_dict("records")]
    t["progress_text"] = [
        f"{p:,.0f}%" if not math.isnan(p) else "—" for p in t["progress"].astype(float)
    ]
    return t


def _label(r: dict) -> str:
    """What a bar is called: the indicator, its breakdown and the deadline."""
    what = r["name_zh"] + (f"（{r['category']}）" if r["category"] else "")
    return f"{what}·{period_zh(r['deadline'])}"


def _latest_text(r: dict) -> str:
    if not r["latest_period"]:
        return STATUS_ZH["no_data"]
    value = fmt(
        r["latest_actual"],
        r["unit_zh"],
        r["latest_comparator"],
        _nan_to_none(r["latest_low"]),
        _nan_to_none(r["latest_high"]),
    )
    return f"{value}（{period_zh(r['latest_period'])}）"


def chart_data(t: pd.DataFrame) -> pd.DataFrame:
    """One row per target: the figures the chart draws and its tooltips show."""
    out = t[["label", "status", "status_zh", "target_text", "latest_text"]].copy()
    # The axis label carries the status in words on a second line: colour is never the only cue.
    out["axis_label"] = out["label"] + "\n状态：" + out["status_zh"]
    out["progress"] = t["progress"].astype(float)
    # Targets without a reading sit at zero, so they still have a row and a label.
    out["bar"] = out["progress"].fillna(0.0)
    out["bar_label"] = t["progress_text"]
    return out


def progress_chart(t: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars: latest actual as % of target, coloured and labelled by status."""
    data = chart_data(t)
    # Room right of the longest bar for its label; very long bars are cut at the axis end.
    top = max(100.0, min(float(data["bar"].max()) * 1.1, MAX_AXIS_PERCENT)) * 1.15
    scale = alt.Scale(domain=[0, top], nice=False)
    x = alt.X("bar:Q", title="最新实际值占目标的百分比（%）", scale=scale)
    y = alt.Y(
        "axis_label:N",
        title=None,
        sort=None,
        axis=alt.Axis(labelLimit=LABEL_LIMIT, labelExpr="split(datum.label, '\\n')"),
    )
    present = [s for s in STATUS_ORDER if s in set(data["status"])]
    colour = alt.Color(
        "status_zh:N",
        title="状态",
        scale=alt.Scale(
            domain=[STATUS_ZH[s] for s in present], range=[STATUS_COLOURS[s] for s in present]
        ),
        legend=alt.Legend(orient="bottom", columns=3),
    )
    tooltip = [
        alt.Tooltip("label:N", title="目标"),
        alt.Tooltip("target_text:N", title="目标值"),
        alt.Tooltip("latest_text:N", title="最新实际值"),
        alt.Tooltip("progress:Q", title="占目标（%）", format=",.1f"),
        alt.Tooltip("status_zh:N", title="状态"),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    bars = base.mark_bar(clip=True).encode(x=x, color=colour)
    labels = base.mark_text(align="left", dx=4, clip=True).encode(x=x, text="bar_label:N")
    goal = alt.Chart(pd.DataFrame({"goal": [100.0]})).mark_rule(strokeDash=[4, 3])
    return (bars + labels + goal.encode(x=alt.X("goal:Q", scale=scale))).properties(
        width="container", height=alt.Step(40)
    )


def table(t: pd.DataFrame) -> pd.DataFrame:
    """The reader's table: one row per target, figures written out with their qualifiers."""
    return pd.DataFrame(
        {
            "目标（期限）": t["label"],
            "目标值": t["target_text"],
            "最新实际值": t["latest_text"],
            "占目标（%）": t["progress_text"],
            "状态": t["status_zh"],
            "来源": t["source"],
        }
    )


def download(t: pd.DataFrame) -> pd.DataFrame:
    """The chart's data for the CSV download: the tracking columns in base units."""
    cols = ["indicator", "name_zh", "unit_zh", "region", "category", "deadline", "target_value"]
    cols += ["target_comparator", "target_low", "target_high", "latest_actual", "latest_period"]
    cols += ["latest_comparator", "progress", "status", "status_zh", "source"]
    return t[cols]


def commentary(t: pd.DataFrame, as_of: str, region: str) -> list[str]:
    """Sentences in the project's words, every number taken from the tracked data."""
    day = period_zh(edition_date(as_of).isoformat())
    if t.empty:
        return [f"截至{day}，数据中没有{region}的目标。"]
    counts = status_counts(t)
    parts = "，".join(f"{STATUS_ZH[s]}{n:,}项" for s, n in counts.items() if n)
    out = [f"截至{day}，数据中共有{region}的目标{len(t):,}项：{parts}。"]
    repeated = t["source"].str.contains("、", regex=False)
    if repeated.any():
        out.append(f"其中{int(repeated.sum()):,}项目标见于不止一份文件，按一项计，来源一并列出。")
    for status in ("behind", "overdue"):
        rows = t[t["status"].eq(status)].to_dict("records")
        if rows:
            items = "；".join(_item(r) for r in rows[:MAX_NAMED])
            more = f"等{len(rows):,}项" if len(rows) > MAX_NAMED else ""
            out.append(f"{STATUS_ZH[status]}的目标：{items}{more}。")
    unjudged = t[t["status"].eq("on_track") & ~t["pace_judged"].astype(bool)]
    if len(unjudged):
        out.append(
            f"其中{len(unjudged):,}项目标只有一个实际值、没有基期值，无法按线性进度判断快慢，"
            "因未见滞后而计为进度正常。"
        )
    if counts["no_data"]:
        out.append(f"{counts['no_data']:,}项目标暂无实际数据，有新数据后重新构建即可更新状态。")
    return out


def _item(r: dict) -> str:
    """'5G基站数·2025年（目标5.5万个，最新实际值3.1万个（2022年））'."""
    latest = f"最新实际值{r['latest_text']}" if r["latest_period"] else "尚无实际值"
    return f"{r['label']}（目标{r['target_text']}，{latest}）"


def figure(ds: Dataset, t: pd.DataFrame) -> str:
    """The figure block: chart, table, CSV download and a caption naming the sources."""
    caption = figures.source_caption(ds.sources, t["source"])
    counts = status_counts(t)
    described = "，".join(f"{STATUS_ZH[s]}{n}项" for s, n in counts.items() if n)
    return figures.figure_html(
        progress_chart(t),
        data=download(t),
        name="targets-progress",
        title="各项目标的完成进度",
        unit="%",
        caption=caption
        + "。进度为最新实际值占目标值的百分比；越低越好的指标按目标值除以实际值计算。",
        description=f"条形图：{len(t)}项目标的最新实际值占目标的百分比，按状态着色并标注。{described}。",
        table=table(t),
    )


def page(ds: Dataset, as_of: str, region: str) -> str:
    """The page body under the title: commentary, then the figure when there are targets."""
    t = tracked_for(ds, as_of, region)
    body = figures.paragraphs(commentary(t, as_of, region))
    return body + (figure(ds, t) if len(t) else "")
