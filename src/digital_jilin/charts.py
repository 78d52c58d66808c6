"""Altair chart builders: bars for comparisons, actual against target, series over time.

Every builder takes a *plot frame* (:func:`plot_frame`): one row per mark, values in base units,
with the figure formatted for people (``label``: ``5.5万个以上``, ``1—2家``) for tooltips and
labels. Charts fill their container's width, so they read on a 390 px phone; bar charts grow
a fixed step per row. The figure block (:mod:`digital_jilin.figures`) adds the title, the
source and the table, so charts carry no title of their own, only a description.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from digital_jilin.numbers import format_value
from digital_jilin.selection import KIND_ORDER, KIND_ZH, period_label

KIND_COLOURS = {"baseline": "#8c8c8c", "actual": "#3b6fb6", "plan": "#5a9e57", "target": "#c8651b"}
KIND_SHAPES = {"baseline": "square", "actual": "circle", "plan": "triangle-up", "target": "diamond"}
NO_DATA = "暂无实际数据"
ROW_STEP = 26  # px per bar row: a finger-sized row on a phone
LABEL_LIMIT = 150  # px for a row label; the full text is in the tooltip and the table
INSIDE = 0.55  # a bar longer than this share of the longest gets its label inside
# Axis numbers as Chinese prose writes them: 5万, 1.2亿 (d3-format has no 万).
AXIS_LABEL = (
    "abs(datum.value) >= 1e8 ? format(datum.value / 1e8, ',~f') + '亿' : "
    "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, ',~f') + '万' : format(datum.value, ',~f')"
)
PLOT_COLUMNS = [
    "region", "category", "period", "period_label", "kind", "kind_zh", "value", "low", "high",
    "comparator", "label", "source", "note",
]  # fmt: skip


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def value_text(row, unit: str) -> str:
    """An observation as people read it, qualifier kept: '5.5万个以上', '1—2家'."""
    if _num(row["value"]) is None:
        return NO_DATA
    return format_value(
        float(row["value"]), unit, row["comparator"], _num(row["low"]), _num(row["high"])
    )


def plot_frame(obs: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The columns charts and tables need, one row per observation, in the given order."""
    out = obs.reindex(columns=PLOT_COLUMNS).copy()
    out["period_label"] = obs["period"].map(period_label)
    out["kind_zh"] = obs["kind"].map(KIND_ZH)
    out["label"] = [value_text(r, unit) for r in obs.to_dict("records")]
    return out.reset_index(drop=True)


# Columns a chart never reads: left out so a page with many charts stays small.
_UNUSED = ("note", "period", "_end")


def _base(df: pd.DataFrame) -> alt.Chart:
    drop = [c for c in _UNUSED if c in df.columns]
    if "low" in df.columns and not df["comparator"].eq("~").any():
        drop += ["low", "high"]
    return alt.Chart(df.drop(columns=drop))


def _sized(chart, description: str):
    return chart.properties(
        width="container",
        description=description,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    ).configure_view(stroke=None)


def _nonempty(*layers: tuple[pd.Series, alt.Chart]) -> list[alt.Chart]:
    """The layers whose filter keeps at least one row (given as the pandas mask equal to the
    layer's filter): an empty layer makes Vega warn of infinite extents in the console."""
    return [layer for mask, layer in layers if mask.any()]


def _kind_colour(kinds) -> alt.Color:
    present = [k for k in KIND_ORDER if k in set(kinds)]
    return alt.Color(
        "kind_zh:N",
        title=None,
        scale=alt.Scale(
            domain=[KIND_ZH[k] for k in present], range=[KIND_COLOURS[k] for k in present]
        ),
        legend=alt.Legend(orient="bottom") if len(present) > 1 else None,
    )


def _tooltip(df: pd.DataFrame) -> list:
    tips = [alt.Tooltip("region:N", title="地区")]
    if df["category"].ne("").any():
        tips.append(alt.Tooltip("category:N", title="类别"))
    return tips + [
        alt.Tooltip("period_label:N", title="时期"),
        alt.Tooltip("kind_zh:N", title="类型"),
        alt.Tooltip("label:N", title="数值"),
        alt.Tooltip("source:N", title="来源"),
    ]


def bar_chart(df: pd.DataFrame, rows: list[str], unit: str, description: str, offset: bool):
    """Horizontal bars, one row per ``row`` label (``offset``: one bar per kind within a row).

    Actuals, baselines and plans are solid bars; targets are dashed outlines with a dashed rule
    across every row (so an actual reads against its target); ranges are error bars from low to
    high; each bar is labelled with its figure, qualifier included (≥ → 以上). A row with no
    figure (``value`` empty) says 暂无实际数据.
    """
    df = df.copy()
    has = df["value"].notna()
    far = df["high"].where(df["comparator"].eq("~"), df["value"])
    longest = far[has].abs().max() if has.any() else 0
    df["label_x"] = far.fillna(0)
    df["inside"] = has & df["comparator"].ne("~") & (far.abs() >= INSIDE * longest) & (longest > 0)
    df["label_colour"] = "#222222"
    df.loc[df["inside"] & df["kind"].ne("target"), "label_colour"] = "#ffffff"
    y = alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    x = alt.X("value:Q", title=f"单位：{unit}", axis=alt.Axis(labelExpr=AXIS_LABEL, tickCount=4))
    colour = _kind_colour(df.loc[has, "kind"])
    enc = dict(y=y, tooltip=_tooltip(df))
    if offset:
        enc["yOffset"] = alt.YOffset("kind_zh:N", sort=[KIND_ZH[k] for k in KIND_ORDER])
    base = _base(df).encode(**enc)
    point = "datum.value != null && datum.comparator != '~'"
    is_point = has & df["comparator"].ne("~")
    is_target = df["kind"].eq("target")
    layers = _nonempty(
        (
            is_point & ~is_target,
            base.transform_filter(f"{point} && datum.kind != 'target'")
            .mark_bar()
            .encode(x=x, color=colour),
        ),
        (
            is_point & is_target,
            base.transform_filter(f"{point} && datum.kind == 'target'")
            .mark_bar(filled=False, strokeWidth=2, strokeDash=[5, 3])
            .encode(x=x, color=colour),
        ),
        (
            df["comparator"].eq("~"),
            base.transform_filter("datum.comparator == '~'")
            .mark_errorbar(ticks=True, thickness=3)
            .encode(x=alt.X("low:Q", title=f"单位：{unit}"), x2="high:Q", color=colour),
        ),
        (
            ~df["inside"],
            base.transform_filter("!datum.inside")
            .mark_text(align="left", dx=4, fontSize=11)
            .encode(x="label_x:Q", text="label:N", color=alt.Color("label_colour:N", scale=None)),
        ),
        (
            df["inside"],
            base.transform_filter("datum.inside")
            .mark_text(align="right", dx=-4, fontSize=11)
            .encode(x="label_x:Q", text="label:N", color=alt.Color("label_colour:N", scale=None)),
        ),
        (
            is_point & is_target & (len(rows) > 1),  # a rule across rows needs rows
            _base(df)
            .transform_filter(f"{point} && datum.kind == 'target'")
            .mark_rule(strokeDash=[2, 3], opacity=0.6)
            .encode(x="value:Q", color=colour),
        ),
    )
    chart = alt.layer(*layers).properties(height=alt.Step(ROW_STEP))
    return _sized(chart, description)


def compare_chart(df: pd.DataFrame, unit: str, description: str, regions: list[str]):
    """Actual against target (and baseline, plan) for one indicator's totals: one row each.

    Several regions are never summed: each region's rows are labelled with its name.
    ``df`` rows with an empty ``value`` are placeholders meaning 暂无实际数据.
    """
    df = df.copy()
    many = len(regions) > 1
    df["row"] = (df["region"] + " · " if many else "") + df["period_label"] + df["kind_zh"]
    rows = list(dict.fromkeys(df["row"]))
    return bar_chart(df, rows, unit, description, offset=False)


def breakdown_chart(df: pd.DataFrame, unit: str, description: str, regions: list[str]):
    """One bar per category (a major, a college, a platform level), largest first."""
    df = df.copy()
    many = len(regions) > 1
    df["row"] = (df["region"] + " · " if many else "") + df["category"]
    size = df.groupby("row")["value"].max().sort_values(ascending=False, kind="stable")
    return bar_chart(df, list(size.index), unit, description, offset=df["kind"].nunique() > 1)


def series_chart(df: pd.DataFrame, unit: str, description: str, regions: list[str]):
    """A time series: actuals as line and points per region, targets as reference marks.

    Periods sit on an ordered axis (a year, a month or a day each), targets at their deadline
    as hollow diamonds with a dashed rule at the target's level; ranges are error bars.
    """
    df = df.copy()
    order = list(dict.fromkeys(df.sort_values("_end", kind="stable")["period_label"]))
    x = alt.X("period_label:O", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=f"单位：{unit}", axis=alt.Axis(labelExpr=AXIS_LABEL, tickCount=5))
    colour = alt.Color(
        "region:N",
        title="地区",
        sort=regions,
        scale=alt.Scale(domain=regions, scheme="tableau10"),
        legend=alt.Legend(orient="bottom") if len(regions) > 1 else None,
    )
    kinds = [k for k in KIND_ORDER if k in set(df["kind"])]
    shape = alt.Shape(
        "kind_zh:N",
        title=None,
        scale=alt.Scale(domain=[KIND_ZH[k] for k in kinds], range=[KIND_SHAPES[k] for k in kinds]),
        legend=alt.Legend(orient="bottom"),
    )
    base = _base(df).encode(x=x, color=colour, tooltip=_tooltip(df))
    exact = "datum.comparator != '~'"
    is_exact = df["comparator"].ne("~")
    is_target = df["kind"].eq("target")
    layers = _nonempty(
        (
            df["kind"].eq("actual") & df["category"].eq(""),
            base.transform_filter("datum.kind == 'actual' && datum.category == ''")
            .mark_line(strokeWidth=2)
            .encode(y=y, detail="region:N"),
        ),
        (
            is_exact & ~is_target,
            base.transform_filter(f"{exact} && datum.kind != 'target'")
            .mark_point(filled=True, size=60)
            .encode(y=y, shape=shape),
        ),
        (
            is_exact & is_target,
            base.transform_filter(f"{exact} && datum.kind == 'target'")
            .mark_point(filled=False, size=90, strokeWidth=2)
            .encode(y=y, shape=shape),
        ),
        (
            is_exact & is_target,
            _base(df)
            .transform_filter(f"{exact} && datum.kind == 'target'")
            .mark_rule(strokeDash=[6, 4], opacity=0.7)
            .encode(y="value:Q", color=colour),
        ),
        (
            ~is_exact,
            base.transform_filter("datum.comparator == '~'")
            .mark_errorbar(ticks=True, thickness=2)
            .encode(y=alt.Y("low:Q", title=f"单位：{unit}"), y2="high:Q"),
        ),
    )
    return _sized(alt.layer(*layers).properties(height=240), description)


def status_chart(counts: pd.DataFrame, description: str):
    """How many targets have each status (``counts``: status_zh, count, colour), one bar each."""
    y = alt.Y("status_zh:N", sort=list(counts["status_zh"]), title=None)
    x = alt.X("count:Q", title="单位：项", axis=alt.Axis(format="d", tickMinStep=1))
    base = alt.Chart(counts).encode(
        y=y,
        tooltip=[alt.Tooltip("status_zh:N", title="状态"), alt.Tooltip("count:Q", title="目标数")],
    )
    bars = base.mark_bar().encode(x=x, color=alt.Color("colour:N", scale=None))
    text = base.mark_text(align="left", dx=4).encode(x="count:Q", text="count:Q")
    return _sized(alt.layer(bars, text).properties(height=alt.Step(ROW_STEP + 4)), description)
