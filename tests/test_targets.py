"""Target tracking: every status, from small data the test writes itself."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pytest

from digital_jilin import targets
from digital_jilin.load import load_dataset
from digital_jilin.targets import COLUMNS, STATUS_ORDER, STATUS_ZH, status_counts, track

OBS_FIELDS = "indicator,region,category,period,kind,value,comparator,low,high,source,quote,note"


def write_csv(path: Path, header: str, rows: list[dict]) -> None:
    names = header.split(",")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in names})


def obs(indicator, period, kind, value, comparator="=", **extra) -> dict:
    row = dict(indicator=indicator, region="吉林省", period=period, kind=kind, value=value)
    row.update(comparator=comparator, source="s1", quote=f"{indicator} {value}")
    row.update(extra)
    return row


def write_dataset(folder: Path, observations, indicators=None, events=None, errata=None) -> Path:
    """A complete small data folder (described by the shipped datapackage)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "sources.csv",
        "id,title,publisher,date,date_note,kind,file,url",
        [
            dict(id="s1", title="文件一", publisher="发布者甲", date="2023-05-05", kind="policy",
                 file="a.txt"),
            dict(id="s2", title="文件二", publisher="发布者乙", date="2024-05-13",
                 kind="official_reply", file="b.txt"),
        ],
    )  # fmt: skip
    ids = sorted({o["indicator"] for o in observations})
    default = {i: "higher" for i in ids}
    better = {**default, **(indicators or {})}
    write_csv(
        folder / "indicators.csv",
        "id,name_zh,name_en,topic,unit_zh,unit_en,description,better,chart,headline",
        [
            dict(id=i, name_zh=f"指标{i}", name_en=i, topic="government", unit_zh="个",
                 unit_en="items", description="测试", better=better[i], chart="bar",
                 headline="false")
            for i in ids
        ],
    )  # fmt: skip
    write_csv(folder / "observations.csv", OBS_FIELDS, observations)
    write_csv(
        folder / "events.csv",
        "date,precision,title,source,quote",
        events
        or [dict(date="2023-05-05", precision="day", title="发布会", source="s1", quote="q")],
    )
    write_csv(
        folder / "errata.csv",
        "source,as_printed,corrected,note",
        errata or [dict(source="s1", as_printed="诵信", corrected="通信", note="OCR")],
    )
    return folder


def tracked(tmp_path, observations, as_of, **kw):
    ds = load_dataset(write_dataset(tmp_path / "data", observations, **kw))
    return track(ds, as_of).set_index("indicator")


# --- periods and comparisons --------------------------------------------------------------


def test_period_ends():
    assert targets.period_end("2024") == dt.date(2024, 12, 31)
    assert targets.period_end("2024-02") == dt.date(2024, 2, 29)
    assert targets.period_end("2023-02") == dt.date(2023, 2, 28)
    assert targets.period_end("2023-05-05") == dt.date(2023, 5, 5)
    assert targets.period_start("2024") == dt.date(2024, 1, 1)


def _r(value, comparator="=", low=math.nan, high=math.nan):
    return dict(value=value, comparator=comparator, low=low, high=high)


@pytest.mark.parametrize(
    ("actual", "target", "way", "met"),
    [
        (_r(10), _r(10, "≥"), "higher", True),
        (_r(10, "≥"), _r(10, "≥"), "higher", True),
        (_r(10), _r(10, ">"), "higher", False),  # "> X" needs more than X
        (_r(10, "≥"), _r(10, ">"), "higher", False),
        (_r(10, ">"), _r(10, ">"), "higher", True),
        (_r(11), _r(10, ">"), "higher", True),
        (_r(9, "≤"), _r(5, "≥"), "higher", False),  # no lower bound: not surely met
        (_r(3, "~", 3, 5), _r(3, "~", 3, 5), "higher", True),  # a range is met at its low end
        (_r(2, "~", 2, 4), _r(3, "~", 3, 5), "higher", False),
        (_r(5), _r(5, "≤"), "lower", True),
        (_r(5), _r(5, "<"), "lower", False),
        (_r(4, "<"), _r(4, "<"), "lower", True),
        (_r(6, "≥"), _r(5, "≤"), "lower", False),  # no upper bound
        (_r(4, "~", 4, 5), _r(3, "~", 3, 5), "lower", True),  # lower is better: at its high end
    ],
)
def test_meets(actual, target, way, met):
    assert targets.meets(actual, target, way) is met


def test_direction_follows_better_then_comparator():
    assert targets.direction("lower", "≥") == "lower"
    assert targets.direction("neutral", "≤") == "lower"
    assert targets.direction("neutral", "≥") == "higher"


# --- every status -------------------------------------------------------------------------


# One target per status as of ONE_PER_STATUS_AS_OF; other tests (the 目标进展 page) reuse it.
ONE_PER_STATUS = [
    # achieved: the latest actual reaches the target
    obs("a", "2025", "target", 100, "≥"),
    obs("a", "2023-12", "actual", 60),
    obs("a", "2024-12", "actual", 120, source="s2"),
    # on_track: baseline 0 at end of 2022, 80 by end of 2024 is above the straight line
    obs("b", "2025", "target", 100, "≥"),
    obs("b", "2022", "baseline", 0),
    obs("b", "2024", "actual", 80),
    # behind: the same path, 20 by end of 2024 is below it
    obs("c", "2025", "target", 100, "≥"),
    obs("c", "2022", "baseline", 0),
    obs("c", "2024", "actual", 20),
    # overdue: deadline 2023 has passed, the actual falls short
    obs("d", "2023", "target", 100, "≥"),
    obs("d", "2023-06", "actual", 50),
    # no_data: no actual at all, deadline ahead
    obs("e", "2026", "target", 100, "≥"),
]
ONE_PER_STATUS_EXPECTED = dict(a="achieved", b="on_track", c="behind", d="overdue", e="no_data")
ONE_PER_STATUS_AS_OF = dt.date(2025, 1, 15)


def test_every_status(tmp_path):
    rows = [dict(r) for r in ONE_PER_STATUS]
    as_of = ONE_PER_STATUS_AS_OF
    out = tracked(tmp_path, rows, as_of)
    assert list(out.reset_index().columns) == COLUMNS
    assert out.loc["a", "status"] == "achieved"
    assert out.loc["b", "status"] == "on_track"
    assert out.loc["c", "status"] == "behind"
    assert out.loc["d", "status"] == "overdue"
    assert out.loc["e", "status"] == "no_data"
    assert set(out["status"]) == set(STATUS_ORDER)
    assert (out["status_zh"] == out["status"].map(STATUS_ZH)).all()
    # the latest actual is the latest period, with its own comparator and period
    latest_a = max((r for r in rows if r["indicator"] == "a" and r["kind"] == "actual"),
                   key=lambda r: r["period"])  # fmt: skip
    assert out.loc["a", "latest_actual"] == latest_a["value"]
    assert out.loc["a", "latest_period"] == latest_a["period"]
    assert out.loc["a", "latest_comparator"] == latest_a["comparator"]
    assert math.isnan(out.loc["e", "latest_actual"]) and out.loc["e", "latest_period"] == ""


def test_as_of_changes_the_status(tmp_path):
    rows = [obs("a", "2025", "target", 100, "≥"), obs("a", "2024-06", "actual", 120)]
    # before the reading exists there is no data; after it, the target is achieved
    assert tracked(tmp_path, rows, dt.date(2024, 5, 31)).loc["a", "status"] == "no_data"
    assert tracked(tmp_path, rows, dt.date(2024, 6, 1)).loc["a", "status"] == "achieved"
    # a missed target becomes overdue only after the whole deadline year has ended
    rows[1]["value"] = 50
    assert tracked(tmp_path, rows, dt.date(2025, 12, 31)).loc["a", "status"] != "overdue"
    assert tracked(tmp_path, rows, dt.date(2026, 1, 1)).loc["a", "status"] == "overdue"


def test_no_reading_is_no_data_even_past_the_deadline(tmp_path):
    rows = [obs("a", "2023-06", "target", 5, "≥")]
    assert tracked(tmp_path, rows, dt.date(2023, 7, 1)).loc["a", "status"] == "no_data"
    assert tracked(tmp_path, rows, dt.date(2023, 6, 30)).loc["a", "status"] == "no_data"
    # the first reading that falls short after the deadline makes it overdue
    rows.append(obs("a", "2023-06", "actual", 4))
    assert tracked(tmp_path, rows, dt.date(2023, 7, 1)).loc["a", "status"] == "overdue"


def test_pace_from_earliest_actual_without_baseline(tmp_path):
    # start at the first reading; the second reading is compared with the line to the deadline
    rows = [
        obs("a", "2025", "target", 100, "≥"),
        obs("a", "2023", "actual", 10),
        obs("a", "2024", "actual", 20),
    ]
    as_of = dt.date(2025, 1, 1)
    ds = load_dataset(write_dataset(tmp_path / "data", rows))
    d = targets.track_detail(ds, as_of).iloc[0]
    start, end, reading = dt.date(2023, 12, 31), dt.date(2025, 12, 31), dt.date(2024, 12, 31)
    expected = 10 + (100 - 10) * (reading - start).days / (end - start).days
    assert d["pace_judged"] and d["expected"] == pytest.approx(expected)
    assert d["status"] == ("behind" if 20 < expected else "on_track")


def test_single_reading_is_on_track_but_not_judged(tmp_path):
    rows = [obs("a", "2025", "target", 100, "≥"), obs("a", "2024", "actual", 1)]
    ds = load_dataset(write_dataset(tmp_path / "data", rows))
    d = targets.track_detail(ds, dt.date(2025, 1, 1)).iloc[0]
    assert d["status"] == "on_track" and not d["pace_judged"]


def test_lower_is_better(tmp_path):
    rows = [
        obs("t", "2025", "target", 5, "≤"),
        obs("t", "2022", "baseline", 20),
        obs("t", "2024", "actual", 18),  # far above the falling line: behind
    ]
    out = tracked(tmp_path, rows, dt.date(2025, 1, 1), indicators={"t": "lower"})
    assert out.loc["t", "status"] == "behind"
    rows[2]["value"] = 5
    out = tracked(tmp_path, rows, dt.date(2025, 1, 1), indicators={"t": "lower"})
    assert out.loc["t", "status"] == "achieved"


def test_range_target_and_categories(tmp_path):
    rows = [
        obs("a", "2025", "target", 1, "~", low=1, high=2),
        obs("a", "2024", "actual", 1),
        # a category is tracked against its own actuals only
        obs("a", "2025", "target", 10, "≥", category="甲"),
        obs("a", "2024", "actual", 3, category="乙"),
    ]
    out = tracked(tmp_path, rows, dt.date(2025, 1, 1)).reset_index()
    total = out[out["category"].eq("")].iloc[0]
    assert total["status"] == "achieved"
    assert (total["target_low"], total["target_high"]) == (1, 2)
    assert out[out["category"].eq("甲")].iloc[0]["status"] == "no_data"


def test_status_counts(tmp_path):
    rows = [obs("a", "2025", "target", 1, "≥"), obs("b", "2025", "target", 1, "≥")]
    counts = targets.status_counts(tracked(tmp_path, rows, dt.date(2024, 1, 1)))
    assert list(counts) == list(STATUS_ORDER)
    assert counts["no_data"] == len(rows) and sum(counts.values()) == len(rows)


def test_distinct_targets_merge_repeats_across_sources(tmp_path):
    rows = [
        obs("a", "2025", "target", 100, "≥"),
        obs("a", "2025", "target", 100, "≥", source="s2"),  # the same target, printed again
        obs("a", "2025", "target", 90, "≥", category="甲"),
    ]
    out = track(load_dataset(write_dataset(tmp_path / "data", rows)), dt.date(2024, 1, 1))
    assert len(out) == len(rows)  # track keeps one row per target observation
    merged = targets.distinct_targets(out)
    assert len(merged) == len(rows) - 1
    assert merged.loc[merged["category"].eq(""), "source"].item() == "s1、s2"


def test_overview_and_target_page_count_the_same_targets():
    """On the shipped data, 总览 and 目标进展 agree on how many targets have each status."""
    from digital_jilin import DEFAULT_DATA_DIR
    from digital_jilin.overview import OverviewPage
    from digital_jilin.targets_page import tracked_for

    for as_of in ("2023-06-30", "2026-11-21"):
        overview = OverviewPage(DEFAULT_DATA_DIR, as_of, "吉林省")
        page = tracked_for(load_dataset(DEFAULT_DATA_DIR), as_of, "吉林省")
        assert overview.counts == status_counts(page)
