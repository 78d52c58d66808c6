"""Number rules: figures as the five sources print them, and format → parse round trips.

Every case below is copied from a source text (file named in the comment); the expected values
are what the words say, not invented numbers.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digital_jilin.numbers import (
    Figure,
    chinese_numeral,
    find_figures,
    format_number,
    format_value,
    parse,
)

# (text as printed, value in base units, comparator, unit, low, high)
SOURCE_CASES = [
    # 000 (OCR newspaper page)
    ("率超过25%", 25, ">", "%", None, None),
    ("22项", 22, "=", "项", None, None),
    ("300个以上", 300, "≥", "个", None, None),
    ("1-2家", 1, "~", "家", 1, 2),
    ("100个", 100, "=", "个", None, None),
    ("32条", 32, "=", "条", None, None),
    ("率达到40%以上", 40, "≥", "%", None, None),
    ("提升至95%以上", 95, "≥", "%", None, None),
    ("3份", 3, "=", "份", None, None),
    # 001 (official reply)
    ("开放目录240条", 240, "=", "条", None, None),
    ("涵盖主题24个", 24, "=", "个", None, None),
    ("资源348项", 348, "=", "项", None, None),
    ("部门65家", 65, "=", "家", None, None),
    ("16所", 16, "=", "所", None, None),
    ("13场次", 13, "=", "场次", None, None),
    ("超3000名", 3000, ">", "名", None, None),
    ("258支", 258, "=", "支", None, None),
    ("近千人", 1000, "≈", "人", None, None),
    ("50余次", 50, ">", "次", None, None),
    ("10万人次", 100_000, "=", "人次", None, None),
    ("66所", 66, "=", "所", None, None),
    ("已达439项", 439, "≥", "项", None, None),
    ("累计已达1330项", 1330, "≥", "项", None, None),
    # 002 (policy texts)
    ("培育 50 家以上", 50, "≥", "家", None, None),
    ("5.5 万个", 55_000, "=", "个", None, None),
    ("普及率达 56%", 56, "≥", "%", None, None),
    ("1-2 家", 1, "~", "家", 1, 2),
    ("不超过 2 亿元", 200_000_000, "≤", "元", None, None),
    ("不超过两年", 2, "≤", "年", None, None),
    ("达到 85%以上", 85, "≥", "%", None, None),
    ("20 个", 20, "=", "个", None, None),
    ("八个", 8, "=", "个", None, None),
    # 003 (吉林日报)
    ("9906项", 9906, "=", "项", None, None),
    ("10余个", 10, ">", "个", None, None),
    ("200多个工作日", 200, ">", "个工作日", None, None),
    ("81个工作日以内", 81, "≤", "个工作日", None, None),
    ("精简50%以上", 50, "≥", "%", None, None),
    ("第一位", 1, "=", "位", None, None),
    ("已超过300项", 300, ">", "项", None, None),
    ("突破300万吨", 3_000_000, ">", "吨", None, None),
    ("4793人", 4793, "=", "人", None, None),
    ("超出193人", 193, "=", "人", None, None),  # 超出 is "exceeded by": no qualifier
    ("三年", 3, "=", "年", None, None),
    ("两所", 2, "=", "所", None, None),
    ("365天", 365, "=", "天", None, None),
    ("596辆次", 596, "=", "辆次", None, None),
    ("4万余人次", 40_000, ">", "人次", None, None),
    # 004 (中国吉林网)
    ("不超过3个工作日", 3, "≤", "个工作日", None, None),
    ("28分钟", 28, "=", "分钟", None, None),
    ("223个工作日", 223, "=", "个工作日", None, None),
    ("50个工作日以内", 50, "≤", "个工作日", None, None),
    ("322户", 322, "=", "户", None, None),
    ("16.1%", 16.1, "=", "%", None, None),
    ("800亿元", 80_000_000_000, "=", "元", None, None),
    ("第2位", 2, "=", "位", None, None),
    ("居第12位", 12, "=", "位", None, None),
    ("都在30%以上", 30, "≥", "%", None, None),
]


def _only_figure(text: str) -> Figure:
    figures = find_figures(text)
    assert len(figures) == 1, f"{text!r}: {figures}"
    return figures[0]


@pytest.mark.parametrize("text,value,comparator,unit,low,high", SOURCE_CASES)
def test_source_figures(text, value, comparator, unit, low, high):
    fig = _only_figure(text)
    assert fig.value == pytest.approx(value)
    assert fig.comparator == comparator
    assert fig.unit == unit
    assert fig.low == low and fig.high == high


def test_enough_source_cases():
    assert len(SOURCE_CASES) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "到 2025 年底",  # a year is a date
        "(2023 -2025年)",  # a span of years
        "2024年1月1日起施行",
        "5G 基站",  # 5G is a name
        "“12345 政务服务便民热线”",  # a phone number has no unit
        "“吉事办”2.0版",
        "第D63号",
    ],
)
def test_not_figures(text):
    assert find_figures(text) == []


def test_figures_in_running_text():
    # 003: a comma before the number is punctuation, not a thousands separator.
    figs = find_figures("专区中,9906项高频政务服务事项")
    assert [f.value for f in figs] == [9906]
    # 001: two figures in one clause, each with its own unit.
    figs = find_figures("在东北电力大学等16所院校和园区开展13场次宣讲")
    assert [(f.value, f.unit) for f in figs] == [(16, "所"), (13, "场次")]
    # 000 (OCR): white space inside a figure does not matter.
    assert find_figures("建成 5.5 万个 5G 基站")[0].value == 55_000
    # 003: 唯一一个 is not the numeral 一一.
    assert [f.text for f in find_figures("全国唯一一个")] == ["一个"]


def test_parse_whole_text_only():
    assert parse("突破300万吨") == parse(" 突破 300 万吨 ")
    with pytest.raises(ValueError):
        parse("货物突破300万吨")
    with pytest.raises(ValueError):
        parse("2025年")


@pytest.mark.parametrize(
    "text,value",
    [("十", 10), ("十二", 12), ("二十", 20), ("一百", 100), ("一百零五", 105), ("千", 1000),
     ("两万三千", 23000), ("三", 3)],
)  # fmt: skip
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


def test_bad_chinese_numeral():
    with pytest.raises(ValueError):
        chinese_numeral("一一")


@pytest.mark.parametrize(
    "args,text",
    [
        ((4793, "人"), "4,793人"),  # 003
        ((55000, "个"), "5.5万个"),  # 002
        ((8e10, "元"), "800亿元"),  # 004
        ((85, "%"), "85%"),  # 002
        ((300, "个", "≥"), "300个以上"),  # 002
        ((None, "家", "~", 1, 2), "1—2家"),  # 002
        ((3e6, "吨", ">"), "超过300万吨"),  # 003
        ((3e6, "吨", "≈"), "近300万吨"),
        ((50, "个工作日", "≤"), "50个工作日以内"),  # 004
        ((2e8, "元", "≤"), "不超过2亿元"),  # 002
        ((16.1, "%"), "16.1%"),  # 004
        ((12, "位"), "第12位"),  # 004
        ((100000, "人次"), "10万人次"),  # 001
        ((9906, "项"), "9,906项"),  # 003: below 10,000 stays in digits
    ],
)
def test_format_value(args, text):
    assert format_value(*args) == text


def test_format_number():
    assert format_number(3_000_000, "吨") == "300万"
    assert format_number(12345) == "12,345"  # not a round 万
    assert format_number(0) == "0"


def test_format_rejects_unknown_comparator_and_missing_value():
    with pytest.raises(ValueError):
        format_value(1, "个", "!=")
    with pytest.raises(ValueError):
        format_value(float("nan"), "个")


# --- properties ------------------------------------------------------------------------------

UNITS = ["个", "人", "吨", "%", "项", "个工作日", "家", "元", "人次", "所", "位", "年"]
COMPARATORS = ["=", "≥", ">", "≤", "<", "≈"]
# Values with up to two decimals, as the sources print them, up to a trillion.
values = st.integers(min_value=0, max_value=10**14).map(lambda n: n / 100)


@given(value=values, unit=st.sampled_from(UNITS), comparator=st.sampled_from(COMPARATORS))
def test_format_then_parse_round_trips(value, unit, comparator):
    text = format_value(value, unit, comparator)
    fig = parse(text)
    assert math.isclose(fig.value, value, rel_tol=1e-12, abs_tol=1e-9), text
    assert fig.comparator == comparator, text
    assert fig.unit == unit, text


@given(
    low=st.integers(min_value=0, max_value=10**9),
    width=st.integers(min_value=0, max_value=10**9),
    unit=st.sampled_from(UNITS),
)
def test_ranges_round_trip(low, width, unit):
    high = low + width
    text = format_value(low, unit, "~", low, high)
    fig = parse(text)
    assert (fig.comparator, fig.low, fig.high, fig.value) == ("~", low, high, low), text


@given(value=values, unit=st.sampled_from(UNITS), comparator=st.sampled_from(COMPARATORS))
def test_formatted_figure_is_found_in_a_sentence(value, unit, comparator):
    text = format_value(value, unit, comparator)
    figs = find_figures(f"截至目前,{text}。")
    assert len(figs) == 1 and figs[0].same_reading(value, comparator), text
