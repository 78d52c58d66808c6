"""What the topic and overview notebooks show: the calls their cells make.

A topic page has, per indicator, a heading, a sentence or two and one figure per view of its
data: totals as a time series (two or more periods of actuals) or as actual against target,
and categories as a breakdown. Pages stay small however large the data (the issue's goal is
2 MB with a million observations): charts draw at most ``MAX_REGIONS`` regions, ``MAX_PERIODS``
periods and ``MAX_ROWS`` bars; a page details at most ``MAX_SECTIONS`` indicators and lists
the rest in a table; every left-out figure is in the CSV download, and the page says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from functools import cached_property

import pandas as pd
import yaml

from digital_jilin import PROJECT_ROOT, charts, commentary, figures, selection
from digital_jilin.load import Dataset, load_dataset
from digital_jilin.targets import STATUS_ORDER, STATUS_ZH, period_start, track_detail

MAX_REGIONS = 8
MAX_PERIODS = 36
MAX_ROWS = 24
MAX_SECTIONS = 20
MAX_DIMENSIONS = 3  # breakdowns drawn per indicator
PAGE_BUDGET = 1_200_000  # bytes of figures per page; past it, indicators go to the shared table
CSV_COLUMNS = [
    "indicator", "name_zh", "unit_zh", "region", "category", "period", "kind", "value",
    "comparator", "low", "high", "source", "quote", "note",
]  # fmt: skip
STATUS_COLOURS = {
    "achieved": "#3a8a47", "on_track": "#3b6fb6", "behind": "#d08a1e", "overdue": "#b8322c",
    "no_data": "#9a9a9a",
}  # fmt: skip


def parse_as_of(as_of) -> dt.date:
    """The edition date; empty means today."""
    if not as_of:
        return dt.date.today()
    return as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))


def chapter_title(topic: str) -> str:
    """The chapter's title from notebooks/chapters.yml (the one list of chapters)."""
    spec = yaml.safe_load((PROJECT_ROOT / "notebooks" / "chapters.yml").read_text("utf-8"))
    for ch in spec["chapters"]:
        if (ch.get("parameters") or {}).get("topic") == topic:
            return ch["title"]
    return topic


def available(obs: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Readings whose period has begun by ``as_of``; targets and plans are kept whatever their date."""
    started = obs["period"].map(lambda p: period_start(p) <= as_of)
    return obs[started | obs["kind"].isin(["target", "plan"])]


def _show_html(block: str) -> None:
    figures.show(block)


def _show_markdown(paragraphs) -> None:
    from IPython.display import Markdown, display

    display(Markdown(commentary.markdown(paragraphs)))


def _table_frame(plot: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """A figure's data as the reader's table (Chinese headers, figures as printed)."""
    short = _source_short(sources)
    table = pd.DataFrame({"地区": plot["region"]})
    if plot["category"].ne("").any():
        table["类别"] = plot["category"]
    table["时期"] = plot["period_label"]
    table["类型"] = plot["kind_zh"]
    table["数值"] = plot["label"].where(plot["value"].notna(), commentary.NO_DATA)
    table["来源"] = plot["source"].map(short).fillna(plot["source"])
    table["备注"] = plot["note"].fillna("")
    return table


@dataclasses.dataclass
class Indicator:
    """One indicator's data on a page: every source (for the download) and what is shown."""

    row: dict
    obs: pd.DataFrame  # all observations, with context, available by as_of
    focus: str
    tracked: pd.DataFrame

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def unit(self) -> str:
        return self.row["unit_zh"]

    @cached_property
    def shown(self) -> pd.DataFrame:
        return selection.dedupe(self.obs)

    @cached_property
    def regions(self) -> list[str]:
        return selection.regions_in_order(self.shown, self.focus)

    @property
    def worth_a_chart(self) -> bool:
        """A lone figure needs no chart (it goes to the shared table), unless it is a target
        (drawn against its missing actual) or a headline indicator (its page shows it)."""
        lone = len(self.shown) == 1
        return not lone or self.shown["kind"].eq("target").any() or bool(self.row["headline"])

    def _tracked_for(self, region: str) -> dict:
        t = self.tracked[self.tracked["indicator"].eq(self.id) & self.tracked["region"].eq(region)]
        t = t[t["category"].eq("")]
        return {(r["deadline"], r["source"]): r for r in t.to_dict("records")}

    def sentences(self) -> list[str]:
        name, better = self.row["name_zh"], self.row["better"]
        out = []
        for region in self.regions[:MAX_REGIONS]:
            mine = self.shown[self.shown["region"].eq(region)]
            totals, cats = mine[mine["category"].eq("")], mine[mine["category"].ne("")]
            if len(totals):
                tracked = self._tracked_for(region)
                out.append(
                    commentary.series_sentence(
                        totals, name, self.unit, better, tracked, by_category=len(cats) > 0
                    )
                )
            for dim, group in selection.split_dimension(cats)[:MAX_DIMENSIONS]:
                latest = selection.latest(group, ["category", "kind"])
                out.append(commentary.breakdown_sentence(latest, name, self.unit, dim))
        if len(self.regions) > MAX_REGIONS:
            rest = len(self.regions) - MAX_REGIONS
            out.append(f"另有{commentary.count(rest, '个')}地区的数据见下载文件。")
        if not out:
            out.append(f"{self.focus}{name}{commentary.NO_DATA}。")
        return out

    def csv_frame(self, rows: pd.Series) -> pd.DataFrame:
        keys = ["region", "category", "_end", "_kind_order", "source"]
        return self.obs[rows].sort_values(keys, kind="stable").reindex(columns=CSV_COLUMNS)

    def figure_blocks(self, ds: Dataset) -> list[str]:
        """One figure for the totals and one for the breakdown, whichever the data has."""
        regions = self.regions[:MAX_REGIONS]
        data = self.shown[self.shown["region"].isin(regions)]
        totals, cats = data[data["category"].eq("")], data[data["category"].ne("")]
        blocks = []
        if len(totals):
            blocks.append(self._totals_figure(ds, totals, regions))
        for n, (dim, group) in enumerate(selection.split_dimension(cats)[:MAX_DIMENSIONS]):
            suffix = "-by-category" + (f"-{n + 1}" if n else "")
            blocks.append(self._breakdown_figure(ds, group, regions, dim, suffix))
        return blocks

    def _left_out(self, what: str) -> str:
        return f"图中只列出{what}，全部数据见CSV下载。"

    def _totals_figure(self, ds: Dataset, totals: pd.DataFrame, regions: list[str]) -> str:
        name = self.row["name_zh"]
        note = ""
        if len(self.regions) > len(regions):
            note = self._left_out(f"数据最多的{commentary.count(len(regions), '个')}地区")
        if selection.is_series(totals):
            periods = list(dict.fromkeys(totals.sort_values("_end")["period"]))[-MAX_PERIODS:]
            if len(set(totals["period"])) > len(periods):
                note += self._left_out(f"最近{commentary.count(len(periods), '个')}时期")
            sub = totals[totals["period"].isin(periods)]
            plot = charts.plot_frame(sub, self.unit).assign(_end=sub["_end"].to_numpy())
            desc = f"{name}历年变化折线图，按地区分列，目标以虚线标出。{note}"
            chart = charts.series_chart(plot, self.unit, desc, regions)
            title = f"{name}的变化与目标"
        else:
            sub = self._with_gaps(totals, regions).tail(MAX_ROWS * len(regions))
            plot = charts.plot_frame(sub, self.unit)
            plot.loc[plot["value"].isna(), "period_label"] = ""  # 'no actual yet', at no date
            desc = f"{name}实际值与目标对比条形图，目标以虚线框标出。{note}"
            chart = charts.compare_chart(plot, self.unit, desc, regions)
            title = f"{name}：{_kinds_title(sub)}"
        return self._figure(ds, chart, plot, sub, "", title, desc, self.obs["category"].eq(""))

    def _with_gaps(self, totals: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
        """Totals plus, for a region with targets but no actual, a row saying 暂无实际数据."""
        parts = []
        for region in regions:
            mine = totals[totals["region"].eq(region)]
            targeted = mine["kind"].eq("target").any()
            if targeted and not mine["kind"].eq("actual").any():
                gap = mine.iloc[[0]].assign(
                    kind="actual", value=float("nan"), comparator="=", period=mine["period"].iloc[0]
                )
                gap["note"] = commentary.NO_DATA
                mine = pd.concat([gap, mine])
            parts.append(mine)
        return pd.concat(parts) if parts else totals

    def _breakdown_figure(self, ds, cats: pd.DataFrame, regions, dim: str, suffix: str) -> str:
        name = self.row["name_zh"]
        latest = selection.latest(cats, ["region", "category", "kind"])
        rank = latest.groupby(["region", "category"])["value"].max().sort_values(ascending=False)
        keep = set(rank.index[:MAX_ROWS])
        note = (
            self._left_out(f"数值最大的{commentary.count(MAX_ROWS, '项')}")
            if len(rank) > MAX_ROWS
            else ""
        )
        sub = latest[[k in keep for k in zip(latest["region"], latest["category"], strict=True)]]
        plot = charts.plot_frame(sub, self.unit)
        when = "、".join(dict.fromkeys(sub["period"].map(selection.period_label)))
        by = dim or "类别"
        desc = f"{name}按{by}分列的条形图（{when}），从大到小排列。{note}"
        chart = charts.breakdown_chart(plot, self.unit, desc, regions)
        rows = self.obs["category"].isin(set(cats["category_raw"]))
        title = f"{name}（按{by}，{when}）"
        return self._figure(ds, chart, plot, sub, suffix, title, desc, rows)

    def _figure(self, ds, chart, plot, sub, suffix, title, desc, rows) -> str:
        """The figure block; ``rows`` selects the observations (all sources) for the CSV."""
        caption = figures.source_caption(ds.sources, sub["source"])
        return figures.figure_html(
            chart,
            data=self.csv_frame(rows),
            name=f"{self.id}{suffix}",
            title=title,
            unit=self.unit,
            caption=caption,
            description=desc,
            table=_table_frame(plot, ds.sources),
        )


class TopicPage:
    """One topic chapter (``topic``: an indicator catalog topic), as of an edition date."""

    def __init__(self, data_dir, topic: str, as_of, region: str):
        self.ds = load_dataset(data_dir)
        self.topic, self.region, self.as_of = topic, region, parse_as_of(as_of)
        self.catalog = selection.topic_indicators(self.ds, topic)
        obs = selection.observations_of(self.ds, self.catalog["id"])
        self.obs = available(obs, self.as_of)
        mine = dataclasses.replace(self.ds, observations=self.ds.observations.loc[self.obs.index])
        self.tracked = track_detail(mine, self.as_of)

    @cached_property
    def indicators(self) -> list[Indicator]:
        groups = dict(tuple(self.obs.groupby("indicator", sort=False)))
        return [
            Indicator(row, groups[row["id"]], self.region, self.tracked)
            for row in self.catalog.to_dict("records")
            if row["id"] in groups
        ]

    def intro(self) -> list[str]:
        names = self.catalog["name_zh"].tolist()
        have = {i.id for i in self.indicators if i.shown["kind"].eq("actual").any()}
        missing = [n for i, n in zip(self.catalog["id"], names, strict=True) if i not in have]
        text = [
            f"本章汇总{chapter_title(self.topic)}方面的{commentary.count(len(names), '项')}指标，"
            f"数据截至{commentary.as_of_label(self.as_of)}，"
            f"来自{commentary.count(self.obs['source'].nunique(), '份')}公开文件。"
        ]
        if missing:
            listed = "、".join(missing[:8]) + ("等" if len(missing) > 8 else "")
            text.append(f"其中{listed}{commentary.NO_DATA}。")
        counts = {s: int(self.tracked["status"].eq(s).sum()) for s in STATUS_ORDER}
        text.append("本章" + commentary.status_summary(counts, STATUS_ZH))
        text.append(_regions_sentence(self.obs, self.region))
        return [t for t in text if t]

    def show_intro(self) -> None:
        _show_markdown(self.intro())

    @cached_property
    def charted(self) -> list[Indicator]:
        """Indicators with a figure of their own (the first MAX_SECTIONS of them)."""
        return [i for i in self.indicators if i.worth_a_chart][:MAX_SECTIONS]

    def show_sections(self) -> None:
        """Per charted indicator: an <h2>, its sentences and its figures, within PAGE_BUDGET."""
        self.drawn, used = set(), 0
        for ind in self.charted:
            blocks = ind.figure_blocks(self.ds)
            used += sum(len(b.encode()) for b in blocks)
            if used > PAGE_BUDGET and self.drawn:
                break
            self.drawn.add(ind.id)
            _show_html(_heading(ind.id, ind.row["name_zh"]))
            _show_markdown(ind.sentences())
            for block in blocks:
                _show_html(block)

    def show_rest(self) -> None:
        """The other indicators (lone figures, or past the limits): sentences and one table."""
        drawn = getattr(self, "drawn", set())
        rest = [i for i in self.indicators if i.id not in drawn]
        if not rest:
            return
        _show_html(_heading(f"{self.topic}-other", "其他单项数据"))
        said = [s for i in rest[:MAX_SECTIONS] for s in i.sentences()]
        if len(rest) > MAX_SECTIONS:
            said.append(f"另有{commentary.count(len(rest) - MAX_SECTIONS, '项')}指标见下表。")
        _show_markdown(said)
        latest = pd.concat(
            [selection.latest(i.shown, selection.SERIES_KEY + ["kind"]) for i in rest]
        )
        full = pd.concat([i.obs for i in rest])
        _show_html(
            figures.table_block(
                full.reindex(columns=CSV_COLUMNS),
                name=f"{self.topic}-other-indicators",
                title="其他单项数据一览",
                caption=figures.source_caption(self.ds.sources, latest["source"]),
                table=summary_table(latest, self.ds.sources),
            )
        )


def _heading(anchor: str, text: str) -> str:
    return f'<h2 class="dj-indicator" id="{html.escape(anchor)}">{html.escape(text)}</h2>'


def _kinds_title(rows: pd.DataFrame) -> str:
    """'实际与目标', or the kinds present: '实际、计划'."""
    kinds = [k for k in selection.KIND_ORDER if k in set(rows["kind"])]
    if set(kinds) == {"actual", "target"}:
        return "实际与目标"
    return "、".join(selection.KIND_ZH[k] for k in kinds)


def _regions_sentence(obs: pd.DataFrame, focus: str) -> str:
    """Which regions the page covers; regions are shown apart, never added together."""
    regions = selection.regions_in_order(obs, focus)
    others = [r for r in regions if r != focus]
    if not others:
        return ""
    listed = "、".join(others[:MAX_REGIONS]) + ("等" if len(others) > MAX_REGIONS else "")
    if focus not in regions:
        return f"本章暂无{focus}的数据，以下列出{listed}的数据。"
    return f"除{focus}外，本章还有{listed}的数据，各地区分别列出，不相加合计。"


def _source_short(sources: pd.DataFrame) -> pd.Series:
    """Source id → 'publisher YYYY-MM-DD', short enough for a table column."""
    src = sources.set_index("id")
    return src["publisher"] + " " + src["date"].dt.strftime("%Y-%m-%d")


def summary_table(latest: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Latest figures of many indicators as the reader's table."""
    return pd.DataFrame(
        {
            "指标": latest["name_zh"],
            "地区": latest["region"],
            "类别": latest["category"],
            "时期": latest["period"].map(selection.period_label),
            "类型": latest["kind"].map(selection.KIND_ZH),
            "数值": [charts.value_text(r, r["unit_zh"]) for r in latest.to_dict("records")],
            "来源": latest["source"].map(_source_short(sources)).fillna(latest["source"]),
        }
    )
