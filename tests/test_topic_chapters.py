"""The topic and overview templates, executed with papermill on small data made here.

Expectations are formatted from the test's own rows with numbers.format_value, never typed.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from digital_jilin import DEFAULT_DATA_DIR, PROJECT_ROOT
from digital_jilin.numbers import format_value
from digital_jilin.schema import resources
from digital_jilin.selection import period_label
from digital_jilin.targets import STATUS_ORDER, distinct_targets, status_counts, track

NOTEBOOKS = PROJECT_ROOT / "notebooks"
AS_OF = "2024-06-30"
CHART = re.compile(r'<div class="dj-chart"[^>]*><script type="application/json">(.*?)</script>')
TOPICS = [
    "infrastructure", "bigdata", "manufacturing", "government", "village_doctor", "port", "talent",
]  # fmt: skip

# id → (topic, unit, better, headline)
CATALOG = {
    "stations": ("infrastructure", "个", "higher", "true"),
    "penetration": ("infrastructure", "%", "higher", "false"),
    "open_data": ("bigdata", "项", "higher", "true"),
    "factories": ("manufacturing", "家", "higher", "false"),
    "approval": ("government", "个工作日", "lower", "false"),
    "doctors": ("village_doctor", "人", "higher", "false"),
    "freight": ("port", "吨", "higher", "true"),
    "colleges": ("talent", "所", "neutral", "false"),
}
NAMES = {i: f"测试{i}" for i in CATALOG}


def row(indicator, period, kind, value, comparator="=", **extra) -> dict:
    r = dict(indicator=indicator, region="吉林省", category="", period=period, kind=kind)
    r.update(value=value, comparator=comparator, source="s1", quote=f"{indicator}{value}")
    r.update(extra)
    return r


BASE = [
    row("stations", "2022", "actual", 31000),
    row("stations", "2025", "target", 55000, "≥"),
    row("penetration", "2025", "target", 56, "≥"),
    row("open_data", "2024-05", "actual", 240, region="吉林省"),
    row("open_data", "2024-05", "actual", 901, region="长春市"),
    row("factories", "2025", "target", 1, "~", low=1, high=2),
    row("approval", "2019-03", "baseline", 223),
    row("approval", "2019-03", "actual", 50, "≤"),
    row("doctors", "2022-10", "actual", 4793),
    row("doctors", "2022-10", "actual", 3155, category="专业：临床医学"),
    row("doctors", "2022-10", "actual", 1346, category="专业：中医学"),
    row("doctors", "2022-10", "actual", 2584, category="院校：长春医高专"),
    row("doctors", "2022-10", "actual", 2209, category="院校：白城医高专"),
    row("freight", "2022-10-15", "actual", 3000000, ">", region="珲春市"),
    row("colleges", "2024-05", "actual", 66),
]


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})


def make_data(folder: Path, observations: list[dict], names: dict | None = None) -> Path:
    """A complete data folder: two sources, the small catalog, the given observations."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_DATA_DIR / "datapackage.json", folder / "datapackage.json")
    res = resources(folder)
    names = {**NAMES, **(names or {})}
    tables = {
        "sources": [
            dict(id="s1", title="测试文件一", publisher="发布者甲", date="2023-05-05",
                 kind="policy", file="a.txt"),
            dict(id="s2", title="测试文件二", publisher="发布者乙", date="2024-05-13",
                 kind="news", file="b.txt"),
        ],
        "indicators": [
            dict(id=i, name_zh=names[i], name_en=i, topic=t, unit_zh=u, unit_en="u",
                 description="测试", better=b, chart="bar", headline=h)
            for i, (t, u, b, h) in CATALOG.items()
        ],
        "observations": observations,
        "events": [dict(date="2023-05-05", precision="day", title="事件", source="s1", quote="q")],
        "errata": [dict(source="s1", as_printed="诵信", corrected="通信", note="OCR")],
    }  # fmt: skip
    for name, r in res.items():
        _write(folder / r.path, r.field_names, tables[name])
    return folder


def execute(template: str, tmp_path: Path, data: Path, **params) -> nbformat.NotebookNode:
    out = tmp_path / "generated"
    out.mkdir(exist_ok=True)
    path = out / f"{params.get('topic', 'overview')}.ipynb"
    parameters = dict(data_dir=str(data), as_of=AS_OF, region="吉林省", **params)
    for attempt in range(3):
        try:
            pm.execute_notebook(
                str(NOTEBOOKS / template),
                str(path),
                parameters=parameters,
                cwd=str(out),
                kernel_name="python3",
                progress_bar=False,
            )
            break
        except RuntimeError as exc:
            # Kernels started at the same moment by other processes can race for a TCP port
            # (jupyter_client picks free ports, then binds); the kernel then dies at start.
            if "Kernel died before replying" not in str(exc) or attempt == 2:
                raise
    return nbformat.read(path, as_version=4)


def topic(tmp_path, observations, name: str, names=None) -> nbformat.NotebookNode:
    data = make_data(tmp_path / "data", observations, names)
    return execute("topic.ipynb", tmp_path, data, topic=name)


def outputs(nb, mime: str) -> list[str]:
    return [
        o["data"][mime] for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})
    ]


def prose(nb) -> str:
    """The Markdown outputs as a reader sees them (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(outputs(nb, "text/markdown")))


def specs(nb) -> list[dict]:
    blocks = "".join(outputs(nb, "text/html"))
    return [json.loads(m.replace("<\\/", "</")) for m in CHART.findall(blocks)]


def values(spec: dict) -> list[dict]:
    """Every data row a chart carries (Altair puts them in top-level datasets)."""
    return [r for rows in spec.get("datasets", {}).values() for r in rows]


def marks(spec: dict) -> set[str]:
    found = set()
    for layer in spec.get("layer", [spec]):
        m = layer.get("mark")
        found.add(m if isinstance(m, str) else m["type"])
    return found


def fmt(r: dict, unit: str) -> str:
    low, high = r.get("low"), r.get("high")
    return format_value(r["value"], unit, r["comparator"], low, high)


# --- every template runs -------------------------------------------------------------------


@pytest.mark.parametrize("name", TOPICS)
def test_every_topic_renders_its_indicators(tmp_path, name):
    nb = topic(tmp_path, BASE, name)
    text = prose(nb)
    mine = [i for i, spec in CATALOG.items() if spec[0] == name]
    for ind in mine:
        assert NAMES[ind] in text
    unit = {i: CATALOG[i][1] for i in CATALOG}
    for r in BASE:
        if r["indicator"] in mine and not r["category"]:
            assert fmt(r, unit[r["indicator"]]) in text, r
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


# --- charts carry exactly the data ---------------------------------------------------------


def test_actual_against_target_chart_and_commentary(tmp_path):
    nb = topic(tmp_path, BASE, "infrastructure")
    (stations, penetration) = specs(nb)
    drawn = sorted(r["value"] for r in values(stations) if r["value"] is not None)
    assert drawn == sorted(float(r["value"]) for r in BASE if r["indicator"] == "stations")
    assert "bar" in marks(stations) and "line" not in marks(stations)
    target = next(r for r in BASE if r["indicator"] == "stations" and r["kind"] == "target")
    labels = {r["label"] for r in values(stations)}
    assert fmt(target, "个") in labels  # the qualifier (≥ → 以上) reaches the chart
    text = prose(nb)
    assert f"到{period_label('2025')}达到{fmt(target, '个')}" in text
    # 5G penetration has a target only: said plainly, and drawn as a row without a value.
    assert f"{NAMES['penetration']}暂无实际数据" in text
    assert any(r["value"] is None and r["label"] == "暂无实际数据" for r in values(penetration))


def test_commentary_follows_a_changed_value(tmp_path):
    before = prose(topic(tmp_path / "a", BASE, "infrastructure"))
    changed = [dict(r) for r in BASE]
    actual = next(r for r in changed if r["indicator"] == "stations" and r["kind"] == "actual")
    old = fmt(actual, "个")
    actual["value"] = 42000
    after = prose(topic(tmp_path / "b", changed, "infrastructure"))
    assert old in before and old not in after
    assert fmt(actual, "个") in after


def test_two_periods_make_a_time_series_with_target_rule(tmp_path):
    later = row("stations", "2023", "actual", 40000)
    nb = topic(tmp_path, BASE + [later], "infrastructure")
    spec = specs(nb)[0]
    assert {"line", "point", "rule"} <= marks(spec)
    rows = values(spec)
    target = next(r for r in BASE if r["indicator"] == "stations" and r["kind"] == "target")
    assert {r["value"] for r in rows if r["kind"] == "target"} == {float(target["value"])}
    text = prose(nb)
    first = next(r for r in BASE if r["indicator"] == "stations" and r["kind"] == "actual")
    assert fmt(later, "个") in text
    change = format_value(later["value"] - first["value"], "个")
    assert f"比{period_label(first['period'])}（{fmt(first, '个')}）增加{change}" in text


def test_a_new_region_is_its_own_series(tmp_path):
    extra = [
        row("stations", "2023", "actual", 40000),
        row("stations", "2022", "actual", 9000, region="长春市"),
        row("stations", "2023", "actual", 12000, region="长春市"),
    ]
    nb = topic(tmp_path, BASE + extra, "infrastructure")
    spec = specs(nb)[0]
    actual = [r for r in values(spec) if r["kind"] == "actual"]
    by_region = {(r["region"], r["period_label"]): r["value"] for r in actual}
    for r in BASE + extra:
        if r["indicator"] == "stations" and r["kind"] == "actual":
            assert by_region[(r["region"], period_label(r["period"]))] == r["value"]  # not summed
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["field"] == "region" and colour["scale"]["domain"] == ["吉林省", "长春市"]
    assert f"长春市{NAMES['stations']}为{format_value(12000, '个')}" in prose(nb)


def test_breakdowns_by_dimension(tmp_path):
    nb = topic(tmp_path, BASE, "village_doctor")
    found = specs(nb)
    cats = [r for r in BASE if r["indicator"] == "doctors" and r["category"]]
    for dim in ("专业", "院校"):
        want = {
            r["category"].split("：")[1]: float(r["value"])
            for r in cats
            if r["category"].startswith(dim)
        }
        spec = next(s for s in found if {r["category"] for r in values(s)} == set(want))
        assert {r["category"]: r["value"] for r in values(spec)} == want
        assert f"按{dim}分" in prose(nb)


def test_csv_download_has_every_row_with_bom(tmp_path):
    nb = topic(tmp_path, BASE, "bigdata")
    links = re.findall(
        r'href="\.\./\.\./downloads/([^"]+\.csv)"', "".join(outputs(nb, "text/html"))
    )
    assert "open_data.csv" in links
    raw = (tmp_path / "generated" / "extra" / "downloads" / "open_data.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").strip().splitlines()
    assert len(lines) - 1 == sum(r["indicator"] == "open_data" for r in BASE)


def test_markup_in_data_is_escaped(tmp_path):
    evil = "<script>alert(1)</script>"
    rows = [dict(r) for r in BASE]
    rows[0]["note"] = evil
    nb = topic(tmp_path, rows, "infrastructure", names={"stations": evil})
    page = CHART.sub("", "".join(outputs(nb, "text/html")))
    assert "<script" not in page
    assert html.escape(evil) in page
    md = "\n".join(outputs(nb, "text/markdown"))
    assert "<script>" not in md and evil in prose(nb)


def test_page_stays_small_with_many_observations(tmp_path):
    rows = [
        row("stations", f"{2000 + y}-{m:02d}", "actual", 1000 * y + m, region=f"地区{g}")
        for y in range(20) for m in range(1, 13) for g in range(12)
    ]  # fmt: skip
    nb = topic(tmp_path, rows + BASE, "infrastructure")
    size = sum(len(h.encode()) for h in outputs(nb, "text/html"))
    assert size < 300_000
    spec = specs(nb)[0]
    assert len({r["region"] for r in values(spec)}) <= 8
    assert "完整数据请下载CSV文件" in "".join(outputs(nb, "text/html"))


# --- overview --------------------------------------------------------------------------------


def test_overview_headlines_and_status_counts(tmp_path):
    data = make_data(tmp_path / "data", BASE)
    nb = execute("overview.ipynb", tmp_path, data)
    page = "".join(outputs(nb, "text/html"))
    for ind, (_, unit, _, headline) in CATALOG.items():
        if headline == "true":
            mine = [r for r in BASE if r["indicator"] == ind and not r["category"]]
            # The focus region's figure when it has one, else the region that has figures.
            focus = [r for r in mine if r["region"] == "吉林省"] or mine
            assert html.escape(fmt(focus[-1], unit)) in page
    from digital_jilin.load import load_dataset
    from digital_jilin.pages import parse_as_of

    tracked = track(load_dataset(data), parse_as_of(AS_OF))
    counts = status_counts(distinct_targets(tracked[tracked["region"].eq("吉林省")]))
    (spec,) = specs(nb)
    drawn = [r["count"] for r in values(spec)]
    assert drawn == [counts[s] for s in STATUS_ORDER]
