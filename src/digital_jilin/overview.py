"""The overview page: headline figures at a glance and how the targets stand."""

from __future__ import annotations

import dataclasses

import pandas as pd

from digital_jilin import charts, commentary, figures, selection
from digital_jilin.load import load_dataset
from digital_jilin.pages import STATUS_COLOURS, _show_html, _show_markdown, available, parse_as_of
from digital_jilin.targets import STATUS_ORDER, STATUS_ZH, distinct_targets, status_counts, track


class OverviewPage:
    def __init__(self, data_dir, as_of, region: str):
        self.ds = load_dataset(data_dir)
        self.as_of, self.region = parse_as_of(as_of), region
        obs = selection.with_context(self.ds, self.ds.observations)
        self.obs = available(obs, self.as_of)
        mine = dataclasses.replace(self.ds, observations=self.ds.observations.loc[self.obs.index])
        # The same targets the 目标进展 page tracks (the edition's region, each target once even
        # when several documents repeat it), so the two pages give the same counts.
        tracked = track(mine, self.as_of)
        self.tracked = distinct_targets(tracked[tracked["region"].eq(region)])
        self.counts = status_counts(self.tracked)

    def intro(self) -> list[str]:
        n_ind = self.obs["indicator"].nunique()
        n_src = self.obs["source"].nunique()
        return [
            f"本报告书收录{commentary.count(n_ind, '项')}指标的"
            f"{commentary.count(len(self.obs), '条')}数据，来自{commentary.count(n_src, '份')}公开文件，"
            f"数据截至{commentary.as_of_label(self.as_of)}。",
            f"按这一日期衡量，{commentary.status_summary(self.counts, STATUS_ZH)}",
            "下表列出各项重点指标的最新数值；各专题章节给出图表与详细说明。",
        ]

    def show_intro(self) -> None:
        _show_markdown(self.intro())

    def headlines(self) -> pd.DataFrame:
        """Per headline indicator: its latest actual (else its latest other figure) and target."""
        heads = self.ds.indicators[self.ds.indicators["headline"]]
        rows = []
        for ind in heads.to_dict("records"):
            mine = selection.dedupe(self.obs[self.obs["indicator"].eq(ind["id"])])
            mine = mine[mine["category"].eq("")]
            if mine.empty:
                continue
            region = selection.regions_in_order(mine, self.region)[0]
            mine = mine[mine["region"].eq(region)]
            acts = mine[mine["kind"].eq("actual")]
            pick = (acts if len(acts) else mine).iloc[-1]
            targets = mine[mine["kind"].eq("target")]
            rows.append(_headline_row(ind, region, pick, targets, self.ds.sources))
        return pd.DataFrame(rows)

    def show_headlines(self) -> None:
        table = self.headlines()
        if table.empty:
            _show_markdown([f"暂无重点指标的数据（{commentary.NO_DATA}）。"])
            return
        ids = table.pop("_source")
        _show_html(
            figures.table_block(
                table,
                name="overview-headlines",
                title="重点指标一览",
                caption=figures.source_caption(self.ds.sources, ids),
            )
        )

    def show_status(self) -> None:
        counts = pd.DataFrame(
            {
                "status_zh": [STATUS_ZH[s] for s in STATUS_ORDER],
                "count": [self.counts[s] for s in STATUS_ORDER],
                "colour": [STATUS_COLOURS[s] for s in STATUS_ORDER],
            }
        )
        desc = "各状态目标数量条形图：" + "，".join(
            f"{z}{commentary.count(n, '项')}"
            for z, n in zip(counts["status_zh"], counts["count"], strict=True)
        )
        block = figures.figure_html(
            charts.status_chart(counts, desc),
            data=self.tracked,
            name="overview-target-status",
            title=f"各项目标的进展状态（截至{commentary.as_of_label(self.as_of)}）",
            unit="项",
            caption=figures.source_caption(self.ds.sources, self.tracked["source"]),
            description=desc,
            table=counts[["status_zh", "count"]].rename(
                columns={"status_zh": "状态", "count": "目标数（项）"}
            ),
        )
        _show_html(block)


def _headline_row(ind: dict, region: str, pick, targets: pd.DataFrame, sources) -> dict:
    unit = ind["unit_zh"]
    title = sources.set_index("id")["title"]
    goal = ""
    if len(targets):
        t = targets.iloc[-1]
        goal = f"到{selection.period_label(t['period'])}{charts.value_text(t, unit)}"
    kind = selection.KIND_ZH[pick["kind"]]
    return {
        "指标": ind["name_zh"],
        "地区": region,
        "最新数值": charts.value_text(pick, unit),
        "时期": selection.period_label(pick["period"]),
        "类型": kind if pick["kind"] == "actual" else f"{kind}（{commentary.NO_DATA}）",
        "目标": goal,
        "来源": title.get(pick["source"], pick["source"]),
        "_source": pick["source"],
    }
