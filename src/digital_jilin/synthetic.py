"""Synthetic data folders of any size, shaped like the real data, for benchmarks.

The catalog, sources, events and errata are the shipped ones (so every chapter has its usual
indicators); observations are generated: for each indicator, several regions and categories,
each a series of periods with actuals and one target. Deterministic for a given size.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.schema import resources

REGIONS = [
    "吉林省",
    "长春市",
    "吉林市",
    "四平市",
    "辽源市",
    "通化市",
    "白山市",
    "松原市",
    "白城市",
    "延边州",
]


def make_synthetic(
    folder: Path, n_observations: int, seed: int = 0, base: Path = DEFAULT_DATA_DIR
) -> Path:
    """Write a complete data folder with ``n_observations`` generated observations."""
    folder.mkdir(parents=True, exist_ok=True)
    res = resources(base)
    for name, r in res.items():
        if name != "observations":
            shutil.copy(base / r.path, folder / r.path)
    shutil.copy(base / "datapackage.json", folder / "datapackage.json")

    rng = np.random.default_rng(seed)
    indicators = pd.read_csv(base / res["indicators"].path, dtype=str)["id"].to_numpy()
    source = pd.read_csv(base / res["sources"].path, dtype=str)["id"].iloc[0]
    # Enough series that each holds a few dozen monthly readings.
    per_series = 48
    n_series = max(1, -(-n_observations // per_series))
    series = np.arange(n_series)
    ind = indicators[series % len(indicators)]
    region = np.array(REGIONS)[(series // len(indicators)) % len(REGIONS)]
    category = np.char.add("分项", ((series // (len(indicators) * len(REGIONS))) + 1).astype(str))
    category = np.where(series < len(indicators) * len(REGIONS), "", category)

    idx = np.arange(n_observations)
    s = idx // per_series
    step = idx % per_series
    year = 2020 + step // 12
    month = step % 12 + 1
    period = pd.Series(year.astype(str)) + "-" + pd.Series(month).map("{:02d}".format)
    scale = rng.uniform(10, 10_000, size=n_series)
    value = np.round(scale[s] * (1 + step / per_series) + rng.normal(0, 1, size=n_observations), 1)
    is_target = step == per_series - 1  # the last reading of each series is its target
    frame = pd.DataFrame(
        {
            "indicator": ind[s],
            "region": region[s],
            "category": category[s],
            "period": np.where(is_target, (year + 2).astype(str), period),
            "kind": np.where(is_target, "target", "actual"),
            "value": np.where(is_target, np.round(value * 1.5, 1), value),
            "comparator": np.where(is_target, "≥", "="),
            "low": "",
            "high": "",
            "source": source,
            "quote": "合成数据",
            "note": "",
        }
    )
    frame.to_csv(folder / res["observations"].path, index=False, encoding="utf-8")
    return folder
