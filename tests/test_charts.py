"""Chart builders and the figure block, on plot frames made here."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from digital_jilin import charts, figures, paths
from digital_jilin.numbers import format_value
from digital_jilin.selection import split_dimension


def frame(rows: list[dict], unit: str) -> pd.DataFrame:
    base = dict(region="吉林省", category="", comparator="=", low=math.nan, high=math.nan)
    obs = pd.DataFrame([{**base, "source": "s1", "note": "", **r} for r in rows])
    return charts.plot_frame(obs, unit)


def layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def data_rows(chart) -> list[dict]:
    return [r for rows in chart.to_dict()["datasets"].values() for r in rows]


ROWS = [
    dict(period="2022", kind="actual", value=31000.0),
    dict(period="2025", kind="target", value=55000.0, comparator="≥"),
    dict(period="2025", kind="target", value=1.0, comparator="~", low=1.0, high=2.0),
]


def test_plot_frame_labels_come_from_format_value():
    df = frame(ROWS, "个")
    assert list(df["label"]) == [
        format_value(31000.0, "个"),
        format_value(55000.0, "个", "≥"),
        format_value(1.0, "个", "~", 1.0, 2.0),
    ]
    assert list(df["kind_zh"]) == ["实际", "目标", "目标"]


def test_compare_chart_draws_targets_as_reference_marks():
    chart = charts.compare_chart(frame(ROWS, "个"), "个", "说明", ["吉林省"])
    spec = chart.to_dict()
    assert spec["width"] == "container" and spec["description"] == "说明"
    types = [ly["mark"]["type"] for ly in layers(chart)]
    assert types.count("bar") == 2 and "errorbar" in types and "rule" in types
    outline = next(ly for ly in layers(chart) if ly["mark"].get("filled") is False)
    assert outline["mark"]["strokeDash"]
    assert sorted(r["value"] for r in data_rows(chart)) == sorted(r["value"] for r in ROWS)
    titles = {t["title"] for ly in layers(chart) for t in ly["encoding"].get("tooltip", [])}
    assert {"地区", "时期", "类型", "数值", "来源"} <= titles


def test_regions_label_their_rows_and_are_never_summed():
    rows = [dict(r, region=g) for r in ROWS[:1] for g in ("吉林省", "长春市")]
    chart = charts.compare_chart(frame(rows, "个"), "个", "d", ["吉林省", "长春市"])
    assert {r["row"] for r in data_rows(chart)} == {"吉林省 · 2022年实际", "长春市 · 2022年实际"}


def test_series_chart_is_line_and_points_with_target_rule():
    rows = ROWS[:2] + [dict(period="2023", kind="actual", value=40000.0)]
    df = frame(rows, "个").assign(_end=pd.to_datetime(["2022-12-31", "2025-12-31", "2023-12-31"]))
    chart = charts.series_chart(df, "个", "d", ["吉林省"])
    types = [ly["mark"]["type"] for ly in layers(chart)]
    assert {"line", "point", "rule"} <= set(types)
    x = layers(chart)[0]["encoding"]["x"]
    assert x["sort"] == ["2022年", "2023年", "2025年"]  # periods in time order
    rule = layers(chart)[types.index("rule")]
    assert "target" in rule["transform"][0]["filter"]


def test_breakdown_is_sorted_largest_first():
    rows = [
        dict(period="2022", kind="actual", value=v, category=c)
        for c, v in (("甲", 10.0), ("乙", 30.0), ("丙", 20.0))
    ]
    chart = charts.breakdown_chart(frame(rows, "人"), "人", "d", ["吉林省"])
    y = layers(chart)[0]["encoding"]["y"]
    assert y["sort"] == ["乙", "丙", "甲"]


def test_split_dimension_separates_breakdowns():
    cats = pd.DataFrame({"category": ["专业：临床", "院校:长春", "其他"], "value": [1, 2, 3]})
    groups = dict(split_dimension(cats))
    assert set(groups) == {"专业", "院校", ""}
    assert list(groups["专业"]["category"]) == ["临床"]


def test_figure_block_escapes_and_writes_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = "<script>x</script>"
    df = pd.DataFrame({"指标": [evil], "数值": [55000.0], "备注": ["=1+1"]})
    chart = charts.compare_chart(frame(ROWS[:1], "个"), "个", evil, ["吉林省"])
    block = figures.figure_html(
        chart, data=df, name="t1", title=evil, unit="个", caption=evil, description=evil
    )
    outside = re.sub(r'<script type="application/json">.*?</script>', "", block)
    assert "<script" not in outside and "&lt;script&gt;" in outside
    assert "<h1" not in block and "<h2" not in block and "<figcaption" in block
    assert f'href="{paths.DOWNLOADS_URL}t1.csv"' in block
    raw = (tmp_path / paths.DOWNLOADS_DIR / "t1.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "'=1+1" in raw.decode("utf-8-sig")
    spec = json.loads(re.search(r'json">(.*?)</script>', block).group(1).replace("<\\/", "</"))
    assert "$schema" not in spec


def test_figure_table_is_capped_and_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    df = pd.DataFrame({"n": range(figures.MAX_TABLE_ROWS + 5)})
    block = figures.table_block(df, name="t2", title="表", caption="来源")
    assert block.count("<tr>") == figures.MAX_TABLE_ROWS + 1  # header + capped rows
    assert f"共{len(df):,}行" in block


def test_download_name_must_be_safe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        figures.write_csv(pd.DataFrame({"a": [1]}), "../evil")


def test_source_caption_names_every_source_of_a_merged_target():
    from digital_jilin.load import load_dataset
    from digital_jilin.targets import SOURCE_SEPARATOR

    ds = load_dataset()
    first, second = ds.sources["title"].iloc[:2]
    ids = SOURCE_SEPARATOR.join(ds.sources["id"].iloc[:2])
    caption = figures.source_caption(ds.sources, [ids])
    assert f"《{first}》" in caption and f"《{second}》" in caption and ids not in caption
