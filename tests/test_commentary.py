"""Sentences from data: every number formatted from an observation, targets as targets."""

from __future__ import annotations

import math
import re

import pandas as pd

from digital_jilin import commentary
from digital_jilin.numbers import format_value
from digital_jilin.selection import period_label


def obs(rows: list[dict]) -> pd.DataFrame:
    base = dict(region="吉林省", category="", comparator="=", low=math.nan, high=math.nan)
    df = pd.DataFrame([{**base, "source": "s1", **r} for r in rows])
    df["_end"] = pd.to_datetime(df["period"].str.slice(0, 4) + "-12-31")
    return df


def test_series_sentence_latest_change_and_target():
    rows = [
        dict(period="2022", kind="actual", value=31000.0),
        dict(period="2023", kind="actual", value=40000.0),
        dict(period="2025", kind="target", value=55000.0, comparator="≥"),
    ]
    tracked = {("2025", "s1"): dict(status="on_track", status_zh="进度正常", progress=72.7)}
    text = commentary.series_sentence(obs(rows), "基站", "个", "higher", tracked)
    assert f"截至{period_label('2023')}，吉林省基站为{format_value(40000.0, '个')}" in text
    assert f"增加{format_value(9000.0, '个')}" in text
    assert f"目标是到{period_label('2025')}达到{format_value(55000.0, '个', '≥')}" in text
    assert f"进度正常，最新实际值相当于目标的{format_value(73, '%')}" in text


def test_percentages_change_in_points():
    rows = [
        dict(period="2022", kind="actual", value=40.0),
        dict(period="2023", kind="actual", value=46.0),
    ]
    text = commentary.series_sentence(obs(rows), "普及率", "%", "higher", {})
    assert f"提高{format_value(6.0, '个百分点')}" in text
    assert text.startswith(f"{period_label('2023')}，")  # a rate is no running total: no 截至


def test_missing_actual_is_said_plainly_and_qualifiers_kept():
    rows = [dict(period="2025", kind="target", value=25.0, comparator=">")]
    text = commentary.series_sentence(obs(rows), "增长率", "%", "higher", {})
    assert "增长率暂无实际数据" in text
    figure = format_value(25.0, "%", ">")
    assert f"到{period_label('2025')}{figure}" in text and "达到" + figure not in text


def test_inexact_readings_are_not_subtracted():
    rows = [
        dict(period="2022", kind="actual", value=300.0, comparator=">"),
        dict(period="2024", kind="actual", value=439.0, comparator="≥"),
    ]
    text = commentary.series_sentence(obs(rows), "应用", "项", "higher", {})
    assert format_value(300.0, "项", ">") in text and "增加" not in text


def test_breakdown_sentence_names_the_largest():
    rows = [
        dict(period="2022", kind="actual", value=v, category=c)
        for c, v in (("甲", 10.0), ("乙", 30.0), ("丙", 20.0), ("丁", 5.0))
    ]
    text = commentary.breakdown_sentence(obs(rows), "村医", "人", "专业")
    assert text.startswith("按专业分")
    assert f"乙（{format_value(30.0, '人')}）、丙（{format_value(20.0, '人')}）" in text
    assert text.endswith("等。")


def test_markdown_escapes_everything_that_could_be_markup():
    md = commentary.markdown(["<script>x</script> *a* [b](c) # d 1.5"])
    assert "<script>" not in md and re.sub(r"\\(.)", r"\1", md).startswith("<script>x")
    assert not md.lstrip().startswith("#")
