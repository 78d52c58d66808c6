"""Sentences written from the data, in the project's own words.

Every number in a sentence comes from an observation through ``numbers.format_value`` (counts
of indicators and targets too), so a rerun with new figures rewrites the prose. Targets read as
targets (到2025年达到…以上), a missing actual is said plainly (暂无实际数据), and a figure's
qualifier (以上, 超过, 近 …) stays with it.

Sentences are plain text; :func:`markdown` escapes them for a Markdown output, which the book
renders as ordinary paragraphs (searchable), never as headings.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from digital_jilin.charts import value_text
from digital_jilin.numbers import format_value
from digital_jilin.selection import period_label

NO_DATA = "暂无实际数据"
_EXACT = ("=", "≈")
# A formatted figure that already starts with a verb needs no '为' before it.
_VERB_START = (
    "超过",
    "突破",
    "逾",
    "不到",
    "不足",
    "不超过",
    "低于",
    "高于",
    "多于",
    "少于",
    "接近",
)
# Units of figures that are not running totals: '截至' would misread them.
POINT_UNITS = ("%", "位", "个工作日", "工作日", "天", "小时", "分钟", "年", "个百分点")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~$:=])")


def markdown(paragraphs) -> str:
    """Paragraphs as CommonMark with every special character escaped (names come from data)."""
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", p) for p in paragraphs if p)


def date_label(day) -> str:
    day = pd.Timestamp(day)
    return f"{day.year}年{day.month}月{day.day}日"


def count(n: int, unit: str) -> str:
    return format_value(float(n), unit)


def _is(text: str) -> str:
    """'为5.5万个以上', '超过300万吨', '约为85%': the copula that fits the qualifier."""
    if text.startswith(_VERB_START):
        return text
    if text.startswith("约"):
        return "约为" + text[1:]
    return "为" + text


def _verb(verb: str, text: str) -> str:
    """'达到300个以上', but '超过25%' (not '达到超过25%')."""
    return text if text.startswith(_VERB_START) else verb + text


def when_text(period: str, unit: str) -> str:
    """'截至2022年10月，' for a stock (a count so far); '2019年3月，' for a rate, time or rank."""
    label = period_label(period)
    return f"{label}，" if unit in POINT_UNITS else f"截至{label}，"


def _rows(obs: pd.DataFrame, kind: str, last: int | None = None) -> list[dict]:
    """Rows of one kind, oldest first; only the ``last`` few when that is all a sentence uses."""
    rows = obs[obs["kind"].eq(kind)].sort_values("_end", kind="stable")
    return (rows if last is None else rows.tail(last)).to_dict("records")


def change_text(now: dict, before: dict, unit: str) -> str:
    """How the latest reading compares with the previous one."""
    when = period_label(before["period"])
    if now["comparator"] not in _EXACT or before["comparator"] not in _EXACT:
        return f"上一期（{when}）{_is(value_text(before, unit))}"
    diff = now["value"] - before["value"]
    if diff == 0:
        return f"与{when}持平"
    verb = "增加" if diff > 0 else "减少"
    if unit == "%":
        return f"比{when}{'提高' if diff > 0 else '下降'}{format_value(abs(diff), '个百分点')}"
    text = f"比{when}（{value_text(before, unit)}）{verb}{format_value(abs(diff), unit)}"
    if before["value"]:
        pct = round(abs(diff) / abs(before["value"]) * 100, 1)
        text += f"，{'增长' if diff > 0 else '下降'}{format_value(pct, '%')}"
    return text


def target_text(target: dict, unit: str, better: str, tracked: dict | None) -> str:
    """'目标是到2025年达到5.5万个以上（…：进度正常，已完成目标的56%）'."""
    verb = "降至" if better == "lower" else "达到"
    text = f"目标是到{period_label(target['period'])}{_verb(verb, value_text(target, unit))}"
    if tracked is None:
        return text
    status = tracked["status_zh"]
    if tracked["status"] in ("on_track", "behind", "overdue"):
        progress = tracked.get("progress", math.nan)
        if progress == progress:  # not NaN
            status += f"，最新实际值相当于目标的{format_value(round(progress), '%')}"
    return f"{text}（{status}）"


def series_sentence(
    obs: pd.DataFrame, name: str, unit: str, better: str, tracked: dict, by_category: bool = False
) -> str:
    """One region's totals of one indicator: latest actual, change, baseline, plan, targets.

    ``tracked`` maps (period, source) of each target to its row of ``targets.track_detail``;
    ``by_category``: figures exist per category, so a missing total is not 'no data at all'.
    """
    region = obs["region"].iloc[0]
    actuals = _rows(obs, "actual", last=2)
    if actuals:
        now = actuals[-1]
        parts = [f"{when_text(now['period'], unit)}{region}{name}{_is(value_text(now, unit))}"]
        if len(actuals) > 1:
            parts.append(change_text(now, actuals[-2], unit))
    else:
        parts = [f"{region}{name}{'合计' if by_category else ''}{NO_DATA}"]
    for b in _rows(obs, "baseline", last=1):
        parts.append(f"{period_label(b['period'])}基线{_is(value_text(b, unit))}")
    for p in _rows(obs, "plan"):
        parts.append(f"{period_label(p['period'])}计划数{_is(value_text(p, unit))}")
    for t in _rows(obs, "target"):
        parts.append(target_text(t, unit, better, tracked.get((t["period"], t["source"]))))
    return "；".join(parts) + "。"


def breakdown_sentence(
    obs: pd.DataFrame, name: str, unit: str, dimension: str = "", shown: int = 3
) -> str:
    """One region's breakdown: the largest categories of the latest reading of its main kind."""
    region = obs["region"].iloc[0]
    kind = "actual" if obs["kind"].eq("actual").any() else obs["kind"].iloc[0]
    rows = obs[obs["kind"].eq(kind)].sort_values("value", ascending=False, kind="stable")
    kind_word = {"actual": "", "plan": "计划", "target": "目标", "baseline": "基线"}[kind]
    top = "、".join(
        f"{r['category']}（{value_text(r, unit)}）" for r in rows.head(shown).to_dict("records")
    )
    when = "、".join(dict.fromkeys(rows["period"].map(period_label)))
    most = "最高" if unit in POINT_UNITS else "最多"
    lead = f"按{dimension}分" if dimension else "分类别看"
    text = f"{lead}，{region}{when}{name}{kind_word}共分{count(len(rows), '类')}，{most}的是{top}"
    return text + ("等。" if len(rows) > shown else "。")


def status_summary(counts: dict[str, int], labels: dict[str, str]) -> str:
    """'共12项目标：已实现3项、进度正常5项…' (statuses with none are left out)."""
    total = sum(counts.values())
    if not total:
        return "暂无目标数据。"
    parts = [f"{labels[s]}{count(n, '项')}" for s, n in counts.items() if n]
    return f"共{count(total, '项')}目标：" + "、".join(parts) + "。"


def as_of_label(as_of: dt.date) -> str:
    return date_label(as_of)
