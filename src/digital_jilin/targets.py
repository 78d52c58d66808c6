"""Target tracking: for every target, its latest actual and a status as of an edition date.

The rules (the sources page explains them to readers in the same terms):

Periods
    A period stands for its last day: ``YYYY`` for 31 December, ``YYYY-MM`` for the month's last
    day, ``YYYY-MM-DD`` for that day. A target's period is its deadline.

Latest actual
    The actual of the same indicator, region and category whose period has begun by ``as_of``
    (the period is "not after" the edition date), the latest period first; ties go to the later
    source document, then the source id, so the choice never depends on row order. A reading for
    a period still running on ``as_of`` is placed at ``as_of`` when its pace is judged.

Direction
    The indicator's ``better`` decides which way a target is met. For a ``neutral`` indicator the
    target's comparator decides (≤ and < mean "at most", anything else "at least").

Achieved (已实现)
    The latest actual meets the target for sure, given both comparators. Higher is better: a
    ``= X``, ``≥ X`` or ``≈ X`` target is met by a reading of at least X; a ``> X`` target needs
    more than X (``> X`` as printed meets it, ``= X`` or ``≥ X`` do not); a range target is met
    at or above its low end. Lower is better: the same in reverse, and a range target is met at
    or below its high end. A reading is taken at its sure bound: ``≥``/``>`` readings bound it from
    below, ``≤``/``<`` from above, a range by its ends; ``≈`` is taken at face value. A reading
    with no bound on the needed side (``≤ 5`` against an at-least target) does not meet it.

Overdue (已逾期)
    A reading exists, it does not meet the target, and the deadline period ended before ``as_of``.

No data (暂无实际数据)
    No actual yet, whether or not the deadline has passed: without a reading nothing shows the
    target was missed, and calling it overdue would claim more than the data says. Pages say
    when such a deadline has already passed.

On track (进度正常) / behind (进度滞后): linear pace
    A straight line runs from a starting point to the target value at the deadline's last day.
    The starting point is the latest baseline of the same indicator, region and category dated
    before the latest reading, else the earliest baseline, else the earliest actual available by
    ``as_of``. The target is behind when the latest reading (a range at its end away from the
    target's direction) falls short of the line at the reading's date, on track otherwise.

    With a single reading and no baseline, the start and the latest reading are the same point:
    there is no pace to measure. Such a target is counted as on track, because nothing in the data
    shows a delay, and it is flagged (``pace_judged`` is false in :func:`track_detail`) so pages can
    say the pace was not judged. The same holds when the start lies on or after the deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import pandas as pd

from digital_jilin.load import Dataset

# distinct_targets() lists every source of a repeated target in one cell, joined by this.
SOURCE_SEPARATOR = "、"

STATUS_ORDER = ("achieved", "on_track", "behind", "overdue", "no_data")
STATUS_ZH = {
    "achieved": "已实现",
    "on_track": "进度正常",
    "behind": "进度滞后",
    "overdue": "已逾期",
    "no_data": "暂无实际数据",
}
# The rules of the module docstring in the book's words, for the sources page and the appendix.
RULES_ZH = (
    ("统计期", "统计期以其最后一天代表：“2025”指2025年12月31日，“2025-06”指6月30日。"
     "目标值的统计期是完成期限。"),
    ("最新实际值", "同一指标、地区、分项中，统计期在本版日期之前已开始的实际值里统计期最晚的一个；"
     "统计期相同时取发布较晚的来源。"),
    ("方向", "按指标“越高越好”或“越低越好”判断；无好坏方向的指标按目标的比较符判断"
     "（≤、<为不超过，其余为不少于）。"),
    ("已实现", "最新实际值确定达到目标：“≥X”的目标需实际值不少于X，“>X”的目标需多于X，"
     "区间目标达到其下限即可；越低越好的指标反之。“约”数按原数比较；只有上限（或下限）的实际值"
     "不能证明达到不少于（或不超过）的目标。"),
    ("已逾期", "已有实际值但未达到目标，且目标期限在本版日期之前已结束。"),
    ("暂无实际数据", "尚无实际值（无论期限是否已过）：没有实际值就无从判断目标是否落空。"),
    ("进度正常／进度滞后", "从起点到期限最后一天的目标值连一条直线；最新实际值低于（越低越好的指标为高于）"
     "该直线在其统计期的位置即为进度滞后，否则为进度正常。起点为同一指标的基期值，没有基期值时为最早的实际值。"),
    ("无法判断速度", "只有一个实际值又没有基期值时，无从计算速度；因数据未显示滞后，计为进度正常，"
     "并在“目标进展”一章中说明。"),
)  # fmt: skip
COLUMNS = [
    "indicator",
    "name_zh",
    "unit_zh",
    "region",
    "category",
    "deadline",
    "target_value",
    "target_comparator",
    "target_low",
    "target_high",
    "latest_actual",
    "latest_period",
    "latest_comparator",
    "status",
    "status_zh",
    "source",
]
# Extra columns of track_detail: how the pace was judged.
DETAIL_COLUMNS = [
    "latest_low",
    "latest_high",
    "pace_judged",
    "start_value",
    "start_period",
    "expected",
    "progress",
]

_KEY = ["indicator", "region", "category"]


# --- periods ------------------------------------------------------------------------------


def period_start(period: str) -> dt.date:
    parts = [int(p) for p in period.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def period_end(period: str) -> dt.date:
    parts = [int(p) for p in period.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


# --- comparing a reading with a target ----------------------------------------------------


def direction(better: str, target_comparator: str) -> str:
    """'higher' or 'lower': which way the target is met."""
    if better in ("higher", "lower"):
        return better
    return "lower" if target_comparator in ("≤", "<") else "higher"


def _bounds(value: float, comparator: str, low: float, high: float):
    """Sure bounds of a reading: ((low, open), (high, open)); ±inf where there is none."""
    inf = math.inf
    if comparator == "~":
        return (low, False), (high, False)
    if comparator == "≥":
        return (value, False), (inf, False)
    if comparator == ">":
        return (value, True), (inf, False)
    if comparator == "≤":
        return (-inf, False), (value, False)
    if comparator == "<":
        return (-inf, False), (value, True)
    return (value, False), (value, False)  # "=" and "≈" (taken at face value)


def meets(actual: dict, target: dict, way: str) -> bool:
    """Whether a reading surely meets a target. Both are dicts with value, comparator, low, high."""
    (lo, lo_open), (hi, hi_open) = _bounds(
        actual["value"], actual["comparator"], actual["low"], actual["high"]
    )
    if way == "higher":
        need = target["low"] if target["comparator"] == "~" else target["value"]
        strict = target["comparator"] == ">"
        return lo > need or (lo == need and (lo_open or not strict))
    need = target["high"] if target["comparator"] == "~" else target["value"]
    strict = target["comparator"] == "<"
    return hi < need or (hi == need and (hi_open or not strict))


def _point(row: dict, way: str) -> float:
    """One number for a reading on the pace line: a range at its end away from the direction."""
    if row["comparator"] == "~":
        return row["low"] if way == "higher" else row["high"]
    return row["value"]


def _goal(target: dict, way: str) -> float:
    """The number the pace line aims at."""
    if target["comparator"] == "~":
        return target["low"] if way == "higher" else target["high"]
    return target["value"]


# --- tracking -----------------------------------------------------------------------------


def _readings(ds: Dataset, kind: str, as_of: dt.date) -> pd.DataFrame:
    """Observations of one kind available by as_of, oldest first (deterministic order)."""
    obs = ds.observations[ds.observations["kind"].eq(kind)].copy()
    obs["_start"] = obs["period"].map(period_start)
    obs = obs[obs["_start"] <= as_of]
    obs["_end"] = obs["period"].map(period_end)
    src_date = ds.sources.set_index("id")["date"]
    obs["_src_date"] = obs["source"].map(src_date)
    return obs.sort_values(["_end", "_src_date", "source"], kind="stable")


def _start_point(key: tuple, latest: dict, actuals: pd.DataFrame, baselines: pd.DataFrame):
    """(value row, date) the pace line starts from, or None."""
    base = baselines.get(key)
    if base is not None and len(base):
        before = base[base["_end"] < latest["_date"]]
        row = (before if len(before) else base).iloc[-1 if len(before) else 0]
        return row.to_dict(), row["_end"]
    first = actuals.iloc[0]
    return first.to_dict(), first["_end"]


def _judge(target: dict, actuals: pd.DataFrame | None, baselines, as_of: dt.date) -> dict:
    """Status and pace details of one target."""
    way = target["_way"]
    deadline = period_end(target["period"])
    out = dict(pace_judged=False, start_value=math.nan, start_period="", expected=math.nan)
    if actuals is None or actuals.empty:
        out["status"] = "no_data"
        return out
    latest = actuals.iloc[-1].to_dict()
    latest["_date"] = min(latest["_end"], as_of)
    out["latest"] = latest
    if meets(latest, target, way):
        out["status"] = "achieved"
        return out
    if deadline < as_of:
        out["status"] = "overdue"
        return out
    key = tuple(target[k] for k in _KEY)
    start, start_date = _start_point(key, latest, actuals, baselines)
    out["status"] = "on_track"
    if start_date >= latest["_date"] or start_date >= deadline:
        return out  # one point, or a start past the deadline: no pace to measure
    s, g = _point(start, way), _goal(target, way)
    share = (latest["_date"] - start_date).days / (deadline - start_date).days
    expected = s + (g - s) * min(share, 1.0)
    now = _point(latest, way)
    short = now < expected if way == "higher" else now > expected
    out.update(
        status="behind" if short else "on_track",
        pace_judged=True,
        start_value=s,
        start_period=start["period"],
        expected=expected,
    )
    return out


def _progress(now: float, goal: float, way: str) -> float:
    """The latest reading as a percentage of the target (inverted when lower is better)."""
    if math.isnan(now) or not goal or (way == "lower" and not now):
        return math.nan
    return now / goal * 100 if way == "higher" else goal / now * 100


def track_detail(ds: Dataset, as_of: dt.date) -> pd.DataFrame:
    """:func:`track` plus how the pace was judged (see ``DETAIL_COLUMNS``)."""
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    cat = ds.indicators.set_index("id")
    actuals = {k: g for k, g in _readings(ds, "actual", as_of).groupby(_KEY, sort=False)}
    baselines = {k: g for k, g in _readings(ds, "baseline", as_of).groupby(_KEY, sort=False)}
    order = {ind: i for i, ind in enumerate(ds.indicators["id"])}
    targets = ds.observations[ds.observations["kind"].eq("target")].copy()
    targets["_order"] = targets["indicator"].map(order)
    targets["_end"] = targets["period"].map(period_end)
    targets = targets.sort_values(["_order", "region", "category", "_end", "source"], kind="stable")
    rows = []
    for t in targets.to_dict("records"):
        ind = cat.loc[t["indicator"]]
        t["_way"] = direction(ind["better"], t["comparator"])
        j = _judge(t, actuals.get(tuple(t[k] for k in _KEY)), baselines, as_of)
        latest = j.pop("latest", None) or {}
        goal = _goal(t, t["_way"])
        now = _point(latest, t["_way"]) if latest else math.nan
        rows.append(
            dict(
                indicator=t["indicator"],
                name_zh=ind["name_zh"],
                unit_zh=ind["unit_zh"],
                region=t["region"],
                category=t["category"],
                deadline=t["period"],
                target_value=t["value"],
                target_comparator=t["comparator"],
                target_low=t["low"],
                target_high=t["high"],
                latest_actual=latest.get("value", math.nan),
                latest_period=latest.get("period", ""),
                latest_comparator=latest.get("comparator", ""),
                status=j["status"],
                status_zh=STATUS_ZH[j["status"]],
                source=t["source"],
                pace_judged=j["pace_judged"],
                start_value=j["start_value"],
                start_period=j["start_period"],
                expected=j["expected"],
                latest_low=latest.get("low", math.nan),
                latest_high=latest.get("high", math.nan),
                progress=_progress(now, goal, t["_way"]),
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS + DETAIL_COLUMNS)


def track(ds: Dataset, as_of: dt.date) -> pd.DataFrame:
    """One row per target observation with its latest actual and status as of ``as_of``."""
    return track_detail(ds, as_of)[COLUMNS].reset_index(drop=True)


# Targets that are the same figure: one document often repeats another's target word for word.
SAME_TARGET = ["indicator", "region", "category", "deadline", "target_comparator", "target_value"]


def distinct_targets(tracked: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct target: repeats of a target in several sources are merged.

    ``source`` then lists every source id, joined by '、' in the order of ``tracked``; the other
    columns are the same for every repeat, since tracking depends only on the target's figure.
    """
    if tracked.empty:
        return tracked.copy()
    cols = SAME_TARGET + ["target_low", "target_high"]
    groups = tracked.groupby(cols, sort=False, dropna=False)
    group = groups.ngroup()
    sources = groups["source"].agg(lambda s: SOURCE_SEPARATOR.join(dict.fromkeys(s))).to_numpy()
    first = ~group.duplicated()
    out = tracked[first].copy()
    out["source"] = sources[group[first].to_numpy()]
    return out.reset_index(drop=True)


def status_counts(tracked: pd.DataFrame) -> dict[str, int]:
    """How many targets have each status, in ``STATUS_ORDER`` (zeros included)."""
    counts = tracked["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}
