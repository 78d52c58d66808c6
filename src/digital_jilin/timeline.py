"""The 大事记 page: the programme's dated milestones as a timeline chart, a table and a summary."""

from __future__ import annotations

import altair as alt
import pandas as pd

from digital_jilin import figures
from digital_jilin.load import Dataset
from digital_jilin.schema import labels

# Month- and year-dated events sit on the first day of their month or year (the data's rule).
PRECISION_ZH = labels("events", "precision")


def date_text(date: pd.Timestamp, precision: str) -> str:
    """A date written only as precisely as it is known: 2023年5月5日, 2023年5月 or 2023年."""
    if precision == "year":
        return f"{date.year}年"
    if precision == "month":
        return f"{date.year}年{date.month}月"
    return f"{date.year}年{date.month}月{date.day}日"


def events(ds: Dataset) -> pd.DataFrame:
    """Events in date order, with the date as text and the source's title."""
    ev = ds.events.sort_values(["date", "title"], kind="stable").reset_index(drop=True)
    titles = ds.sources.set_index("id")["title"]
    return ev.assign(
        date_text=[date_text(d, p) for d, p in zip(ev["date"], ev["precision"], strict=True)],
        source_title=ev["source"].map(titles).fillna(ev["source"]),
    )


def _row_names(ev: pd.DataFrame) -> pd.Series:
    """The y-axis name of each event: its title, with its date when a title repeats."""
    repeated = ev["title"].duplicated(keep=False)
    return ev["title"].where(~repeated, ev["title"] + "（" + ev["date_text"] + "）")


def chart(ev: pd.DataFrame) -> alt.Chart:
    """One row per event, in date order; the date on x, the event named on the y axis."""
    data = pd.DataFrame(
        {
            "date": ev["date"].dt.strftime("%Y-%m-%d"),
            "date_text": ev["date_text"],
            "title": ev["title"],
            "row": _row_names(ev),
            "source_title": ev["source_title"],
            "precision_zh": ev["precision"].map(PRECISION_ZH),
        }
    )
    # A quarter-year margin keeps the first and last points off the chart's edges.
    pad = pd.Timedelta(days=92)
    domain = [
        (ev["date"].min() - pad).strftime("%Y-%m-%d"),
        (ev["date"].max() + pad).strftime("%Y-%m-%d"),
    ]
    shapes = [PRECISION_ZH[p] for p in PRECISION_ZH if p in set(ev["precision"])]
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "date:T",
                title="日期",
                scale=alt.Scale(domain=domain),
                axis=alt.Axis(format="%Y年", tickCount="year"),
            ),
            y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=150)),
            shape=alt.Shape(
                "precision_zh:N",
                title="日期精度",
                scale=alt.Scale(domain=shapes),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("date_text:N", title="日期"),
                alt.Tooltip("precision_zh:N", title="日期精度"),
                alt.Tooltip("title:N", title="事件"),
                alt.Tooltip("source_title:N", title="来源"),
            ],
        )
        .properties(width="container", height=alt.Step(28))
    )


def table(ev: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"日期": ev["date_text"], "事件": ev["title"], "来源": ev["source_title"]})


def download(ev: pd.DataFrame) -> pd.DataFrame:
    out = ev[["date", "precision", "title", "source", "source_title", "quote"]].copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def commentary(ev: pd.DataFrame) -> list[str]:
    """A summary in the project's words; every date and count is read from the events."""
    if ev.empty:
        return ["数据中暂无大事记。"]
    first, last = ev.iloc[0], ev.iloc[-1]
    if len(ev) == 1:
        return [f"大事记收录1个节点：{first['date_text']}，{first['title']}。"]
    years = ev["date"].dt.year
    busiest = years.value_counts().sort_index().idxmax()
    out = [
        f"大事记收录{len(ev):,}个节点，最早为{first['date_text']}（{first['title']}），"
        f"最近为{last['date_text']}（{last['title']}）。",
    ]
    if years.nunique() > 1:
        out.append(f"节点最多的年份是{busiest}年，共{int((years == busiest).sum()):,}个。")
    return out


def figure(ds: Dataset, ev: pd.DataFrame) -> str:
    return figures.figure_html(
        chart(ev),
        data=download(ev),
        name="timeline-events",
        title="数字吉林建设大事记",
        unit="",
        caption=figures.source_caption(ds.sources, ev["source"]),
        description=f"时间轴：{len(ev)}个节点，从{ev.iloc[0]['date_text']}到{ev.iloc[-1]['date_text']}。",
        table=table(ev),
    )
