"""The 数据说明与来源 page: source documents, field meanings, errata and the target rules.

Meanings of fields, comparators and kinds are read from ``datapackage.json`` (via
:mod:`digital_jilin.schema`) and the qualifier words from the number rules (:mod:`numbers`), so
this page cannot drift from what the loader and the extractor actually do.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from digital_jilin import figures, numbers, schema, targets
from digital_jilin.load import Dataset
from digital_jilin.schema import labels
from digital_jilin.selection import KIND_ORDER, KIND_ZH

SOURCE_KIND_ZH = labels("sources", "kind")
KIND_COLOURS = {"baseline": "#8c8c8c", "actual": "#3b6fb6", "plan": "#5a9e57", "target": "#c8651b"}


def _date_zh(d: pd.Timestamp) -> str:
    return "" if pd.isna(d) else f"{d.year}年{d.month}月{d.day}日"


def counts_by_source(ds: Dataset) -> pd.DataFrame:
    """Observations per source and kind, every source listed (zeros included)."""
    obs = ds.observations
    grid = pd.MultiIndex.from_product([ds.sources["id"], KIND_ORDER], names=["source", "kind"])
    n = obs.groupby(["source", "kind"]).size().reindex(grid, fill_value=0).rename("count")
    out = n.reset_index()
    titles = ds.sources.set_index("id")["title"]
    out["source_title"] = out["source"].map(titles)
    out["kind_zh"] = out["kind"].map(KIND_ZH)
    return out


def sources_table(ds: Dataset) -> pd.DataFrame:
    """Each source document with its metadata and how many figures and events come from it."""
    s = ds.sources
    n_obs = ds.observations["source"].value_counts()
    n_ev = ds.events["source"].value_counts()
    return pd.DataFrame(
        {
            "代码": s["id"],
            "标题": s["title"],
            "发布者": s["publisher"],
            "日期": s["date"].map(_date_zh),
            "类型": s["kind"].map(SOURCE_KIND_ZH).fillna(s["kind"]),
            "数字条数": s["id"].map(n_obs).fillna(0).astype(int),
            "大事记条数": s["id"].map(n_ev).fillna(0).astype(int),
        }
    )


def source_files_table(ds: Dataset) -> pd.DataFrame:
    """Where each document is and how its date was read (kept apart: these texts are long)."""
    s = ds.sources
    return pd.DataFrame(
        {"代码": s["id"], "文件": s["file"], "网址": s["url"], "日期说明": s["date_note"]}
    )


def sources_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: how many figures of each kind every source document supplies."""
    present = [k for k in KIND_ORDER if counts.loc[counts["kind"].eq(k), "count"].sum()]
    return (
        alt.Chart(counts[counts["count"].gt(0)])
        .mark_bar()
        .encode(
            x=alt.X("sum(count):Q", title="数字条数"),
            y=alt.Y("source:N", title="来源代码", sort=list(counts["source"].unique())),
            color=alt.Color(
                "kind_zh:N",
                title="类型",
                scale=alt.Scale(
                    domain=[KIND_ZH[k] for k in present], range=[KIND_COLOURS[k] for k in present]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("kind:N"),
            tooltip=[
                alt.Tooltip("source_title:N", title="来源"),
                alt.Tooltip("kind_zh:N", title="类型"),
                alt.Tooltip("count:Q", title="条数"),
            ],
        )
        .properties(width="container", height=alt.Step(30))
    )


def sources_figure(ds: Dataset) -> str:
    counts = counts_by_source(ds)
    total = int(counts["count"].sum())
    return figures.figure_html(
        sources_chart(counts),
        data=counts[["source", "source_title", "kind", "kind_zh", "count"]],
        name="sources-observations",
        title="各来源文件提供的数字条数（按类型）",
        unit="条",
        caption=figures.source_caption(ds.sources, ds.sources["id"]),
        description=f"堆积条形图：{len(ds.sources)}份来源文件共提供{total}条数字，按实际、目标等类型分色。",
        table=counts_table(counts),
    )


def counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The chart's figures for reading: one row per source, one column per kind, and a total."""
    wide = counts.pivot(index="source", columns="kind", values="count")
    wide = wide.reindex(index=list(dict.fromkeys(counts["source"])), columns=list(KIND_ORDER))
    wide.columns = [KIND_ZH[k] for k in wide.columns]
    wide["合计"] = wide.sum(axis=1)
    return wide.rename_axis("来源代码").reset_index()


# --- what the fields mean -----------------------------------------------------------------


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    parts, depth, cur = [], 0, ""
    for i, ch in enumerate(text):
        depth += ch in "(（"
        depth -= ch in ")）"
        if depth == 0 and text.startswith(sep, i):
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    return [p.strip().strip(sep.strip()) for p in parts + [cur] if p.strip()]


def comparator_meanings(data_dir=None) -> dict[str, str]:
    """Comparator → its meaning, as the datapackage's description of the field gives it."""
    field = schema.resource("observations", data_dir).field("comparator")
    items = _split_top(field.description.split(":", 1)[1].strip().rstrip("."), ", ")
    out = {}
    for item in items:
        symbol, _, meaning = item.partition(" ")
        out[symbol] = meaning.strip()
    return {c: out.get(c, "") for c in field.enum}


def kind_meanings(data_dir=None) -> dict[str, str]:
    """Kind → its meaning, from the datapackage's description of the field."""
    field = schema.resource("observations", data_dir).field("kind")
    out = {}
    for item in _split_top(field.description.rstrip("."), "; "):
        name, _, meaning = item.partition("=")
        out[name.strip()] = meaning.strip()
    return {k: out.get(k, "") for k in field.enum}


def qualifier_words() -> dict[str, list[str]]:
    """Comparator → the words in a source that the number rules read as it."""
    words: dict[str, list[str]] = {}
    for table in (numbers.PREFIXES, numbers.INFIXES, numbers.SUFFIXES):
        for word, comp in table.items():
            words.setdefault(comp, []).append(word)
    return words


def comparator_table(data_dir=None) -> pd.DataFrame:
    words = qualifier_words()
    rows = [
        {
            "比较符": c,
            "含义（数据说明）": m,
            "来源文件中的用语（提取规则）": "、".join(words.get(c, [])),
        }
        for c, m in comparator_meanings(data_dir).items()
    ]
    return pd.DataFrame(rows)


def kind_table(ds: Dataset, data_dir=None) -> pd.DataFrame:
    n = ds.observations["kind"].value_counts()
    rows = [
        {"类型": k, "中文名": KIND_ZH.get(k, k), "含义（数据说明）": m, "条数": int(n.get(k, 0))}
        for k, m in kind_meanings(data_dir).items()
    ]
    return pd.DataFrame(rows)


def fields_table(data_dir=None) -> pd.DataFrame:
    """Every column of the observations table with its type and description."""
    res = schema.resource("observations", data_dir)
    return pd.DataFrame(
        {
            "字段": [f.name for f in res.fields],
            "类型": [f.type for f in res.fields],
            "必填": ["是" if f.required else "否" for f in res.fields],
            "说明（数据说明）": [f.description for f in res.fields],
        }
    )


def errata_table(ds: Dataset) -> pd.DataFrame:
    titles = ds.sources.set_index("id")["title"]
    e = ds.errata
    return pd.DataFrame(
        {
            "来源": e["source"].map(titles).fillna(e["source"]),
            "文件中的文字": e["as_printed"],
            "应为": e["corrected"],
            "说明": e["note"],
        }
    )


def rules_table() -> pd.DataFrame:
    return pd.DataFrame(list(targets.RULES_ZH), columns=["项目", "规则"])


# --- text ---------------------------------------------------------------------------------


def table(data: pd.DataFrame, caption: str) -> str:
    """An escaped HTML table with every row (these reference tables are short)."""
    return figures.table_html(data, caption, max_rows=max(len(data), 1))


def summary(ds: Dataset) -> list[str]:
    """What the data holds, counted from it."""
    obs = ds.observations
    kinds = obs["kind"].value_counts()
    by_kind = "，".join(f"{KIND_ZH[k]}{int(kinds[k]):,}条" for k in KIND_ORDER if k in kinds)
    return [
        f"本书的数据来自{len(ds.sources):,}份公开文件，共{len(obs):,}条数字（{by_kind}），"
        f"涉及{obs['indicator'].nunique():,}个指标，另有{len(ds.events):,}条大事记。",
        f"每条数字都附有来源文件中的原文摘录；来源文本中已发现的识别错误{len(ds.errata):,}处，"
        "更正记录在勘误表中，摘录本身保持原样。",
    ]
