"""Which observations a chapter shows, and in what order.

Charts and commentary read the same selection, so a sentence never cites a figure the chart
does not draw. Two sources may report the same figure (same indicator, region, category,
period and kind): the page shows the one from the later document; downloads keep both.
"""

from __future__ import annotations

import pandas as pd

from digital_jilin.load import Dataset
from digital_jilin.schema import labels
from digital_jilin.targets import period_end

KIND_ZH = labels("observations", "kind")
KIND_ORDER = ("baseline", "actual", "plan", "target")
SERIES_KEY = ["indicator", "region", "category"]
IDENTITY = SERIES_KEY + ["period", "kind"]


def period_label(period: str) -> str:
    """'2025' → '2025年', '2023-06' → '2023年6月', '2022-10-15' → '2022年10月15日'."""
    parts = str(period).split("-")
    label = f"{parts[0]}年"
    if len(parts) > 1:
        label += f"{int(parts[1])}月"
    if len(parts) > 2:
        label += f"{int(parts[2])}日"
    return label


def with_context(ds: Dataset, obs: pd.DataFrame) -> pd.DataFrame:
    """Observations with their indicator's names and unit, period end and source date."""
    cat = ds.indicators.set_index("id")
    out = obs.copy()
    for col in ("name_zh", "unit_zh", "better", "topic"):
        out[col] = out["indicator"].map(cat[col])
    ends = {p: pd.Timestamp(period_end(p)) for p in out["period"].unique()}
    out["_end"] = out["period"].map(ends)
    out["_src_date"] = out["source"].map(ds.sources.set_index("id")["date"])
    out["_kind_order"] = out["kind"].map({k: i for i, k in enumerate(KIND_ORDER)})
    return out


def dedupe(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator/region/category/period/kind: the later source document wins."""
    ordered = obs.sort_values(["_src_date", "source"], kind="stable")
    return ordered.drop_duplicates(IDENTITY, keep="last").sort_values(
        ["_end", "_kind_order"], kind="stable"
    )


def topic_indicators(ds: Dataset, topic: str) -> pd.DataFrame:
    """The catalog rows of one chapter, in catalog order."""
    return ds.indicators[ds.indicators["topic"].eq(topic)].reset_index(drop=True)


def observations_of(ds: Dataset, indicator_ids) -> pd.DataFrame:
    """All observations of the given indicators, with context, every source kept."""
    obs = ds.observations[ds.observations["indicator"].isin(list(indicator_ids))]
    return with_context(ds, obs)


def regions_in_order(obs: pd.DataFrame, focus: str) -> list[str]:
    """The focus region first, then the others by how many figures they have, then by name."""
    counts = obs["region"].value_counts()
    others = sorted((r for r in counts.index if r != focus), key=lambda r: (-counts[r], r))
    return ([focus] if focus in counts.index else []) + others


def actual_periods(obs: pd.DataFrame) -> pd.Series:
    """How many distinct periods of actuals each region's total has."""
    act = obs[obs["kind"].eq("actual") & obs["category"].eq("")]
    return act.groupby("region")["period"].nunique()


def is_series(obs: pd.DataFrame) -> bool:
    """An indicator becomes a time series once any region has actuals for two or more periods."""
    return bool((actual_periods(obs) >= 2).any())


def split_dimension(cats: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Categories grouped by breakdown: '专业：临床医学' and '院校：长春医高专' are two breakdowns.

    A category written 'dimension：label' (full-width or ASCII colon) belongs to that dimension
    and is shown by its label; a category without one belongs to the unnamed dimension ''.
    """
    parts = cats["category"].str.replace("：", ":", regex=False).str.split(":", n=1)
    dims = parts.map(lambda p: p[0].strip() if len(p) == 2 else "")
    labels = parts.map(lambda p: p[-1].strip())
    split = cats.assign(dimension=dims, category=labels, category_raw=cats["category"])
    return [(d, g) for d, g in split.groupby("dimension", sort=False)]


def latest(obs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The row with the latest period for each combination of ``keys``."""
    return obs.sort_values(["_end", "_src_date"], kind="stable").drop_duplicates(keys, keep="last")
