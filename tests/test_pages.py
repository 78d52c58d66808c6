"""The 目标进展, 大事记 and 数据说明与来源 templates, executed with papermill on small data."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from test_targets import (
    ONE_PER_STATUS,
    ONE_PER_STATUS_AS_OF,
    ONE_PER_STATUS_EXPECTED,
    obs,
    write_dataset,
)

from digital_jilin import PROJECT_ROOT, targets
from digital_jilin.schema import resource
from digital_jilin.selection import KIND_ZH
from digital_jilin.targets import STATUS_ORDER, STATUS_ZH

NOTEBOOKS = PROJECT_ROOT / "notebooks"
CHART = re.compile(r'<div class="dj-chart"[^>]*><script type="application/json">(.*?)</script>')
REGION = "吉林省"

TARGET_ROWS = [
    *ONE_PER_STATUS,
    # the same target printed in a second document counts once
    obs("e", "2026", "target", 100, "≥", source="s2"),
    # another region's target is not on this region's page
    obs("a", "2025", "target", 7, "≥", region="长春市"),
]
EXPECTED = ONE_PER_STATUS_EXPECTED
AS_OF = ONE_PER_STATUS_AS_OF.isoformat()
EVENTS = [
    dict(date="2019-03-26", precision="day", title="领导小组会议", source="s1", quote="q1"),
    dict(date="2023-05-01", precision="month", title="<script>alert(1)</script>政策印发",
         source="s1", quote="q2"),
    dict(date="2024-01-01", precision="year", title="答复提案", source="s2", quote="q3"),
]  # fmt: skip


def run(template: str, data: Path, tmp: Path, as_of: str = AS_OF, region: str = REGION):
    """Execute a template as the build does; return its HTML outputs and the executed notebook."""
    out_dir = tmp / "generated"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / template
    pm.execute_notebook(
        str(NOTEBOOKS / template),
        str(out),
        parameters=dict(data_dir=str(data), as_of=as_of, region=region),
        cwd=str(out_dir),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    return [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})], outputs


def chart_rows(htmls: list[str]) -> list[list[dict]]:
    """The data rows of every chart, read back from the JSON inside the placeholder."""
    found = []
    for h in htmls:
        for m in CHART.finditer(h):
            spec = json.loads(m.group(1))
            datasets = list(spec.get("datasets", {}).values())
            found.append(max(datasets, key=len))  # the main data; small helper layers aside
    return found


def commentary(htmls: list[str]) -> str:
    text = "".join(re.findall(r'<p class="dj-commentary">(.*?)</p>', "".join(htmls)))
    return html.unescape(text)


def data_for(tmp: Path, rows=TARGET_ROWS, **kw) -> Path:
    return write_dataset(tmp / "data", rows, **kw)


# --- every template -----------------------------------------------------------------------


@pytest.mark.parametrize("template", ["targets.ipynb", "timeline.ipynb", "sources.ipynb"])
def test_template_shape(template):
    nb = nbformat.read(NOTEBOOKS / template, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0]
    for name in ("data_dir", "as_of", "region"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.M)
    assert all(not c.get("outputs") and c.execution_count is None for c in code)
    assert all(len(c.source.splitlines()) <= 12 for c in code)
    # the build adds the page title; a template has no H1 of its own
    assert not any(re.match(r"#\s", c.source) for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("template", ["targets.ipynb", "timeline.ipynb", "sources.ipynb"])
def test_outputs_are_html_without_headings_or_errors(tmp_path, template):
    htmls, outputs = run(template, data_for(tmp_path, events=EVENTS), tmp_path)
    assert htmls
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert not any(re.search(r"<h[1-6][\s>]", h) for h in htmls)
    assert not any("text/markdown" in o.get("data", {}) for o in outputs)


# --- 目标进展 ------------------------------------------------------------------------------


def _targets_here(rows=TARGET_ROWS):
    """Distinct targets of the page's region (a repeat in another source counts once)."""
    seen = {}
    for r in rows:
        if r["kind"] == "target" and r["region"] == REGION:
            seen.setdefault((r["indicator"], r["category"] if "category" in r else "", r["period"],
                             r["value"], r["comparator"]), r)  # fmt: skip
    return list(seen.values())


def test_targets_chart_carries_the_data(tmp_path):
    htmls, _ = run("targets.ipynb", data_for(tmp_path), tmp_path)
    (rows,) = chart_rows(htmls)
    assert len(rows) == len(_targets_here())
    for t in _targets_here():
        actuals = [r for r in TARGET_ROWS if r["indicator"] == t["indicator"]]
        actuals = [r for r in actuals if r["kind"] == "actual" and r["region"] == REGION]
        row = next(r for r in rows if r["label"].startswith(f"指标{t['indicator']}·"))
        status = EXPECTED[t["indicator"]]
        assert row["status"] == status and row["status_zh"] == STATUS_ZH[status]
        assert STATUS_ZH[status] in row["axis_label"]  # the status in words, not colour alone
        if actuals:
            latest = max(actuals, key=lambda r: r["period"])
            assert row["progress"] == pytest.approx(latest["value"] / t["value"] * 100)
        else:
            assert row["progress"] is None and row["bar"] == 0
    assert "长春市" not in json.dumps(rows, ensure_ascii=False)
    assert "s1、s2" in "".join(htmls)  # the repeated target lists both sources


def test_targets_commentary_counts_and_changes(tmp_path):
    htmls, _ = run("targets.ipynb", data_for(tmp_path), tmp_path)
    text = commentary(htmls)
    n = len(_targets_here())
    assert f"目标{n}项" in text
    for s in STATUS_ORDER:
        count = sum(1 for v in EXPECTED.values() if v == s)
        assert f"{STATUS_ZH[s]}{count}项" in text
    # the behind target is named with its figures
    c = next(r for r in TARGET_ROWS if r["indicator"] == "c" and r["kind"] == "actual")
    assert f"最新实际值{c['value']:g}个" in text

    # one value changed: the behind target now meets its goal
    rows = [dict(r) for r in TARGET_ROWS]
    next(r for r in rows if r["indicator"] == "c" and r["kind"] == "actual")["value"] = 100
    changed = commentary(run("targets.ipynb", data_for(tmp_path / "v", rows), tmp_path)[0])
    achieved = sum(1 for v in EXPECTED.values() if v == "achieved") + 1  # c joins them
    assert "进度滞后" not in changed and f"{STATUS_ZH['achieved']}{achieved}项" in changed

    # a later edition: the targets with a reading that missed a deadline now passed are overdue
    later_as_of = "2026-01-15"
    later = commentary(run("targets.ipynb", data_for(tmp_path), tmp_path, as_of=later_as_of)[0])
    missed = {
        r["indicator"]
        for r in TARGET_ROWS
        if r["kind"] == "target"
        and r["region"] == REGION
        and EXPECTED[r["indicator"]] in ("on_track", "behind", "overdue")
        and targets.period_end(r["period"]) < dt.date.fromisoformat(later_as_of)
    }
    assert "2026年1月15日" in later and f"{STATUS_ZH['overdue']}{len(missed)}项" in later


def test_targets_region_parameter(tmp_path):
    htmls, _ = run("targets.ipynb", data_for(tmp_path), tmp_path, region="长春市")
    (rows,) = chart_rows(htmls)
    assert len(rows) == 1 and "长春市的目标1项" in commentary(htmls)


# --- 大事记 --------------------------------------------------------------------------------


def test_timeline_chart_table_and_escaping(tmp_path):
    htmls, _ = run("timeline.ipynb", data_for(tmp_path, events=EVENTS), tmp_path)
    (rows,) = chart_rows(htmls)
    ordered = sorted(EVENTS, key=lambda e: e["date"])
    assert [r["date"] for r in rows] == [e["date"] for e in ordered]
    assert [r["title"] for r in rows] == [e["title"] for e in ordered]
    page = "".join(htmls)
    # the title is text everywhere: escaped in the HTML, and inside the chart's JSON a '</'
    # that could close the script element is written '<\\/'
    outside = CHART.sub("", page)
    assert "<script>alert" not in outside and "&lt;script&gt;alert(1)&lt;/script&gt;" in outside
    assert all("</" not in m.group(1) for m in CHART.finditer(page))
    # each date as precise as it is known
    assert ["2019年3月26日", "2023年5月", "2024年"] == [r["date_text"] for r in rows]
    text = commentary(htmls)
    assert f"{len(EVENTS)}个节点" in text and "2019年3月26日" in text


def test_timeline_follows_the_data(tmp_path):
    events = EVENTS + [dict(date="2025-02-03", precision="day", title="新节点", source="s2",
                            quote="q4")]  # fmt: skip
    htmls, _ = run("timeline.ipynb", data_for(tmp_path, events=events), tmp_path)
    assert len(chart_rows(htmls)[0]) == len(events)
    assert f"{len(events)}个节点" in commentary(htmls) and "2025年2月3日" in commentary(htmls)


# --- 数据说明与来源 --------------------------------------------------------------------------


def test_sources_page(tmp_path):
    errata = [
        dict(source="s1", as_printed="诵信", corrected="通信", note="OCR"),
        dict(source="s1", as_printed="篁力", corrected="算力", note="<b>OCR</b>"),
    ]
    htmls, _ = run("sources.ipynb", data_for(tmp_path, events=EVENTS, errata=errata), tmp_path)
    page = "".join(htmls)
    (rows,) = chart_rows(htmls)
    for r in rows:
        expected = sum(
            1 for o in TARGET_ROWS if o["source"] == r["source"] and o["kind"] == r["kind"]
        )
        assert r["count"] == expected and r["kind_zh"] == KIND_ZH[r["kind"]]
    assert sum(r["count"] for r in rows) == len(TARGET_ROWS)
    # meanings come from the datapackage, each comparator and kind once
    obs_schema = resource("observations")
    for c in obs_schema.field("comparator").enum:
        assert f"<td>{html.escape(c)}</td>" in page
    assert html.escape("a starting point (a 'before')") in page
    for e in errata:
        assert f"<td>{e['as_printed']}</td><td>{e['corrected']}</td>" in page
    assert "&lt;b&gt;OCR&lt;/b&gt;" in page
    text = commentary(htmls)
    assert f"共{len(TARGET_ROWS)}条数字" in text and f"识别错误{len(errata)}处" in text
    assert "2025年1月15日" in text
