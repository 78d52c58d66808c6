"""The Excel appendix, read back with openpyxl (and LibreOffice where installed).

Every expectation is derived from the small data folder the tests write; nothing is read from
the shipped data.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from factory import INDICATORS, SOURCES, make_data

from digital_jilin import cli, targets
from digital_jilin.excel import KIND_ZH, TOPICS, write_appendix
from digital_jilin.excel_table import NOT_APPLICABLE, NOT_AVAILABLE, Column, Table
from digital_jilin.excel_writer import Cover, write_workbook
from digital_jilin.load import load_dataset

AS_OF = dt.date(2024, 6, 30)
EDITION = dt.date(2024, 7, 1)
# Text a spreadsheet (or a later CSV import) would evaluate if it were not stored as text.
INJECTED = ["=1+1", "@SUM(A1)", "+cmd", "-2+3"]
FIXED_SHEETS = ["封面", "目录", "注释"]
OTHER_SHEETS = ["目标跟踪", "指标清单", "来源文件", "大事记", "勘误"]
NOTE = re.compile(r"\[note (\d+)\]")


def _ind(id_, topic, unit, name=None):
    base = dict(INDICATORS[0], id=id_, topic=topic, unit_zh=unit, unit_en=unit)
    return dict(base, name_zh=name or f"测试指标{id_}")


def _obs(indicator, period, kind, value, comparator="=", **extra):
    row = dict(indicator=indicator, region="吉林省", category="", period=period, kind=kind)
    row.update(value=str(value), comparator=comparator, low="", high="", source="src_a")
    row.update(quote=f"{indicator}{value}", note="")
    row.update({k: str(v) for k, v in extra.items()})
    return row


INDICATOR_ROWS = [
    _ind("stations", "infrastructure", "个"),
    _ind("coverage", "infrastructure", "%"),  # a second unit: the sheet's units are mixed
    _ind("growth", "bigdata", "%"),
    _ind("plants", "manufacturing", "个"),
    _ind("items", "government", "项"),
    _ind("doctors", "village_doctor", "人"),
    _ind("freight", "port", "吨"),
    _ind("talent", "talent", "人", name=INJECTED[1]),
]
OBSERVATION_ROWS = [
    _obs("stations", "2022", "actual", 31000),
    _obs("stations", "2025", "target", 55000, "≥"),
    _obs("coverage", "2023", "actual", 85.5, "≈", note=INJECTED[0]),
    _obs("growth", "2023", "actual", 20, "~", low=20, high=25, quote=INJECTED[2]),
    _obs("plants", "2023", "actual", -2.5, note=INJECTED[3]),
    _obs("items", "2023", "actual", 1234567.25),
    _obs("items", "2030", "target", 2000000, "≥", category="线上"),  # no actual: [x]
    _obs("doctors", "2022", "actual", 812, category=INJECTED[3]),
    _obs("freight", "2022-10-15", "actual", 3000000, ">"),
    _obs("talent", "2023", "actual", 50),
    _obs("talent", "2025", "target", 100, "≥", source="src_b"),
]
SOURCE_ROWS = [
    dict(SOURCES[0], url="https://example.org/a"),
    dict(SOURCES[0], id="src_b", file="b.txt", title='=HYPERLINK("http://x")', date="2023-01-02"),
]
EVENT_ROWS = [
    dict(
        date="2023-05-05", precision="day", title="后一事件", source="src_a", quote="后一事件原文"
    ),
    dict(date="2022-01-01", precision="year", title=INJECTED[0], source="src_b", quote="前一事件"),
]
ERRATA_ROWS = [dict(source="src_a", as_printed=INJECTED[0], corrected="2", note="")]


def _data(folder: Path, observations=OBSERVATION_ROWS) -> Path:
    return make_data(
        folder,
        sources=SOURCE_ROWS,
        indicators=INDICATOR_ROWS,
        observations=observations,
        events=EVENT_ROWS,
        errata=ERRATA_ROWS,
    )


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(_data(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="module")
def book(ds, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "appendix.xlsx"
    write_appendix(ds, out, as_of=AS_OF, edition=EDITION)
    return out


@pytest.fixture(scope="module")
def wb(book):
    return openpyxl.load_workbook(book)


# --- reading helpers -----------------------------------------------------------------------


def the_table(ws):
    """The sheet's one table, its header row number, header and data rows."""
    assert len(ws.tables) == 1, f"{ws.title}: expected one table, found {len(ws.tables)}"
    table = next(iter(ws.tables.values()))
    rng = openpyxl.worksheet.cell_range.CellRange(table.ref)
    rows = [
        [c.value for c in r]
        for r in ws.iter_rows(rng.min_row, rng.max_row, rng.min_col, rng.max_col)
    ]
    return table, rng, rows[0], rows[1:]


def cell_for(v):
    """What a data value becomes in the sheet: empty → the not-applicable shorthand."""
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return NOT_APPLICABLE
    return v


def topic_frame(ds, topic):
    cat = ds.indicators.set_index("id")
    order = {ind: i for i, ind in enumerate(ds.indicators["id"])}
    obs = ds.observations[ds.observations["indicator"].map(cat["topic"]).eq(topic)]
    return obs.iloc[obs["indicator"].map(order).argsort(kind="stable")], cat


def same(got, want):
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and math.isclose(got, want)
    if isinstance(want, pd.Timestamp):
        return got == want.to_pydatetime()
    return got == want


def assert_rows(rows, expected, sheet):
    assert len(rows) == len(expected), sheet
    for i, (got, want) in enumerate(zip(rows, expected, strict=True)):
        for g, w in zip(got, want, strict=True):
            assert same(g, cell_for(w)), f"{sheet} data row {i + 1}: {g!r} != {cell_for(w)!r}"


# --- structure -----------------------------------------------------------------------------


def test_sheets_in_order(wb):
    assert wb.sheetnames == FIXED_SHEETS + list(TOPICS.values()) + OTHER_SHEETS
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in wb.sheetnames)


def test_every_sheet_has_title_one_table_no_merges_no_blanks(wb):
    names = set()
    for ws in wb.worksheets:
        assert ws["A1"].value and ws["A1"].font.b, f"{ws.title}: no bold title in A1"
        assert not ws.merged_cells.ranges, ws.title
        if ws.title == "封面":
            assert not ws.tables
            continue
        table, rng, header, rows = the_table(ws)
        names.add(table.name)
        assert re.fullmatch(r"[a-z][a-z_]+", table.name), table.name
        assert rng.min_col == 1, f"{ws.title}: the table must start in column A"
        assert rng.max_row == ws.max_row and rng.max_col == ws.max_column, ws.title
        assert rows, f"{ws.title}: the table has no data rows"
        # One header row whose texts are the table's column names.
        assert header == [c.name for c in table.tableColumns]
        assert all(isinstance(h, str) and h for h in header)
        assert all(v not in (None, "") for r in rows for v in r), f"{ws.title}: a blank cell"
        # Everything above the table is text in column A only.
        for r in ws.iter_rows(1, rng.min_row - 1):
            assert r[0].value and all(c.value is None for c in r[1:]), ws.title
    assert len(names) == len(wb.sheetnames) - 1  # table names unique


def test_contents_links_every_sheet(wb):
    _, rng, _, rows = the_table(wb["目录"])
    links = {}
    for r in wb["目录"].iter_rows(rng.min_row + 1, rng.max_row, 1, 1):
        link = r[0].hyperlink
        assert link is not None and link.location, f"no link on {r[0].value}"
        target = re.fullmatch(r"'(.+)'!A1", link.location).group(1).replace("''", "'")
        links[r[0].value] = target
    assert all(k == v for k, v in links.items())
    assert set(links) == set(wb.sheetnames) - {"目录"}


def test_notes_explain_every_marker_used(wb):
    _, _, _, rows = the_table(wb["注释"])
    explained = {r[0]: r[1] for r in rows}
    numbers = [int(NOTE.fullmatch(k).group(1)) for k in explained if NOTE.fullmatch(k)]
    assert numbers == list(range(1, len(numbers) + 1))
    used_notes, used_marks = set(), set()
    for ws in wb.worksheets:
        if ws.title == "注释":
            continue
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str):
                    used_notes |= {int(n) for n in NOTE.findall(v)}
                    if v in (NOT_AVAILABLE, NOT_APPLICABLE):
                        used_marks.add(v)
    assert used_notes == set(numbers)
    assert used_marks == {NOT_AVAILABLE, NOT_APPLICABLE}
    assert used_marks <= set(explained) and all(explained[m] for m in used_marks)


def test_cover(wb, ds):
    ws = wb["封面"]
    cells = [r[0] for r in ws.iter_rows(min_col=1, max_col=1)]
    texts = " ".join(str(c.value) for c in cells)
    dates = {c.value.date() for c in cells if c.is_date}
    assert {AS_OF, EDITION} <= dates
    for title in ds.sources["title"]:
        assert title in texts
    linked = {c.hyperlink.target for c in cells if c.hyperlink}
    assert linked == {u for u in ds.sources["url"] if u}


def test_document_properties(wb):
    assert wb.properties.title and wb.properties.creator
    assert wb.properties.language == "zh-CN"


# --- values --------------------------------------------------------------------------------


def test_topic_sheets_equal_the_observations_row_for_row(wb, ds):
    for topic, sheet in TOPICS.items():
        obs, cat = topic_frame(ds, topic)
        _, _, header, rows = the_table(wb[sheet])
        expected = [
            [
                o.indicator, cat.at[o.indicator, "name_zh"], o.region, o.category, o.period,
                KIND_ZH[o.kind], o.comparator, o.value, o.low, o.high,
                cat.at[o.indicator, "unit_zh"], o.source, o.quote, o.note,
            ]
            for o in obs.itertuples()
        ]  # fmt: skip
        assert_rows(rows, expected, sheet)
        units = set(cat.loc[obs["indicator"], "unit_zh"])
        value_header = header[7]
        if len(units) == 1:
            assert f"（{units.pop()}）" in value_header
        else:
            assert "“单位”列" in value_header  # mixed units: the header says where they are


def test_tracker_equals_targets_track(wb, ds):
    tracked = targets.track(ds, AS_OF)
    _, _, _, rows = the_table(wb["目标跟踪"])
    cols = [
        "indicator", "name_zh", "region", "category", "deadline", "target_comparator",
        "target_value", "target_low", "target_high", "latest_comparator", "latest_actual",
        "latest_period", "unit_zh", "status_zh", "status", "source",
    ]  # fmt: skip
    no_actual = tracked["latest_actual"].isna()
    assert no_actual.any()  # the data holds a target without an actual
    for got, (_, t) in zip(rows, tracked.iterrows(), strict=True):
        for g, c in zip(got, cols, strict=True):
            want = t[c]
            if c.startswith("latest_") and no_actual[t.name]:
                want = NOT_AVAILABLE
            assert same(g, cell_for(want)), f"tracker {c}: {g!r} != {want!r}"
    assert len(rows) == len(tracked)


def test_reference_sheets_equal_their_tables(wb, ds):
    _, _, _, rows = the_table(wb["指标清单"])
    assert [r[0] for r in rows] == list(ds.indicators["id"])
    assert [r[-1] for r in rows] == ["是" if h else "否" for h in ds.indicators["headline"]]
    _, _, _, rows = the_table(wb["来源文件"])
    s = ds.sources
    assert [r[:4] for r in rows] == [
        [i, t, p, d.to_pydatetime()] for i, t, p, d in zip(s["id"], s["title"], s["publisher"], s["date"], strict=True)
    ]  # fmt: skip
    assert [r[-1] for r in rows] == [u or NOT_AVAILABLE for u in s["url"]]
    _, _, _, rows = the_table(wb["大事记"])
    ev = ds.events.sort_values("date")
    assert [(r[0], r[2]) for r in rows] == [
        (d.to_pydatetime(), t) for d, t in zip(ev["date"], ev["title"], strict=True)
    ]
    _, _, _, rows = the_table(wb["勘误"])
    assert [r[:3] for r in rows] == ds.errata[["source", "as_printed", "corrected"]].values.tolist()


def test_number_and_date_formats(wb, ds):
    ws = wb[TOPICS["government"]]
    table, rng, header, _ = the_table(ws)
    col = header.index(next(h for h in header if h.startswith("数值"))) + 1
    for (c,) in ws.iter_rows(rng.min_row + 1, rng.max_row, col, col):
        text = f"{c.value}"
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert c.number_format.startswith("#,##0")
        shown = c.number_format.split(".")[1] if "." in c.number_format else ""
        assert len(shown) == decimals, (c.value, c.number_format)
    for c in [r[0] for r in wb["大事记"].iter_rows(the_table(wb["大事记"])[1].min_row + 1)]:
        assert c.is_date and c.number_format.startswith("yyyy-mm-dd")


def test_column_widths_fit_chinese_text(wb):
    def width(s):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(s))

    for ws in wb.worksheets[1:]:
        _, rng, header, rows = the_table(ws)
        for i, h in enumerate(header):
            letter = openpyxl.utils.get_column_letter(i + 1)
            need = max(width(v) for v in [h] + [r[i] for r in rows if isinstance(r[i], str)])
            assert ws.column_dimensions[letter].width >= min(need, 60), (ws.title, h)


# --- safety --------------------------------------------------------------------------------


def test_injected_formulas_are_text_and_negative_numbers_numbers(wb, book):
    seen = {}
    negatives = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in INJECTED or (isinstance(c.value, str) and c.value.startswith("=")):
                    seen[c.value] = c.data_type
                if isinstance(c.value, (int, float)) and c.value < 0:
                    negatives.append(c.data_type)
    assert set(INJECTED) <= set(seen)
    assert set(seen.values()) == {"s"}
    assert negatives and set(negatives) == {"n"}
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode(), f"{name} holds a formula"


def test_tab_cr_and_error_codes_stay_text(tmp_path):
    texts = ["\tTAB", "\rCR", "#N/A", "=A1", "-1", "plain"]
    data = pd.DataFrame({"t": texts, "n": [-1.5, -2.0, 0.0, 1e6, 3.25, -7.0]})
    table = Table("文本", "texts", "文本", [Column("t", "文本"), Column("n", "数", "number")], data)
    out = write_workbook(
        tmp_path / "t.xlsx", cover=Cover("封面"), tables=[table], notes={}, properties={}
    )
    _, _, _, rows = the_table(openpyxl.load_workbook(out)["文本"])
    # Line breaks are stored as LF, which is what any XML reader makes of a CR.
    assert [r[0] for r in rows] == [t.replace("\r", "\n") for t in texts]
    assert [r[1] for r in rows] == list(data["n"])
    ws = openpyxl.load_workbook(out)["文本"]
    assert {c.data_type for (c,) in ws.iter_rows(ws.max_row - len(texts) + 1, max_col=1)} == {"s"}


def test_text_too_long_for_a_cell_is_an_error_not_cut(tmp_path):
    data = pd.DataFrame({"t": ["长" * 40_000]})
    table = Table("文本", "texts", "文本", [Column("t", "文本")], data)
    with pytest.raises(ValueError, match="exceeds"):
        write_workbook(
            tmp_path / "t.xlsx", cover=Cover("封面"), tables=[table], notes={}, properties={}
        )
    assert not list(tmp_path.iterdir())


def test_topic_without_observations_keeps_its_sheet(tmp_path):
    keep = [o for o in OBSERVATION_ROWS if o["indicator"] != "freight"]
    data = load_dataset(_data(tmp_path / "data", keep))
    wb = openpyxl.load_workbook(write_appendix(data, tmp_path / "a.xlsx", as_of=AS_OF))
    ws = wb[TOPICS["port"]]
    assert not ws.tables and ws["A1"].value
    assert any("暂无数据" in str(r[0]) for r in ws.iter_rows(values_only=True))
    contents = {r[0]: r[2] for r in the_table(wb["目录"])[3]}
    assert contents[TOPICS["port"]] == 0


# --- scale ---------------------------------------------------------------------------------


def _groups(wb):
    """Sheet parts grouped by their first sheet: name → rows, in order."""
    groups: dict[str, list] = {}
    for ws in wb.worksheets[1:]:
        base = re.sub(r"_\d+$", "", ws.title)
        groups.setdefault(base, []).append(ws)
    return groups


def test_long_table_continues_on_more_sheets(ds, tmp_path):
    many = [_obs("doctors", "2023", "actual", 100 + i, category=f"专业{i}") for i in range(23)]
    data = load_dataset(_data(tmp_path / "data", OBSERVATION_ROWS + many))
    whole = openpyxl.load_workbook(write_appendix(data, tmp_path / "a.xlsx", as_of=AS_OF))
    sheet = TOPICS["village_doctor"]
    _, rng, _, rows = the_table(whole[sheet])
    limit = rng.min_row + 6  # a handful of data rows per sheet
    split = openpyxl.load_workbook(
        write_appendix(data, tmp_path / "b.xlsx", as_of=AS_OF, max_rows=limit)
    )
    parts = _groups(split)[sheet]
    assert [p.title for p in parts] == [sheet] + [f"{sheet}_{k}" for k in range(2, len(parts) + 1)]
    assert len(parts) > 1
    got = []
    for k, ws in enumerate(parts, 1):
        _, prng, _, prows = the_table(ws)
        assert ws.max_row <= limit
        if k < len(parts):
            assert ws.max_row == limit  # only the last part may be short
        above = [r[0] for r in ws.iter_rows(1, prng.min_row - 1, values_only=True)]
        assert any(f"第 {k} 部分" in line for line in above)
        assert NOTE.search(above[0]), "the title carries the continuation note"
        got += prows
    assert got == rows  # nothing lost, nothing repeated, order kept
    # Every table, split or not, holds the same rows as in the unsplit workbook.
    for base, wss in _groups(split).items():
        if base in ("目录", "注释"):
            continue
        assert sum((the_table(ws)[3] for ws in wss), []) == the_table(whole[base])[3], base
    contents = [r[0] for r in the_table(split["目录"])[3]]
    assert contents == split.sheetnames[:1] + split.sheetnames[2:]


def test_row_limit_too_small_is_an_error(ds, tmp_path):
    with pytest.raises(ValueError, match="no room"):
        write_appendix(ds, tmp_path / "x.xlsx", as_of=AS_OF, max_rows=3)
    assert not list(tmp_path.iterdir())


# --- files and command ---------------------------------------------------------------------


def test_failed_save_leaves_the_previous_workbook(ds, tmp_path, monkeypatch):
    out = tmp_path / "appendix.xlsx"
    write_appendix(ds, out, as_of=AS_OF)
    before = out.read_bytes()

    def broken(self, filename):
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(OSError):
        write_appendix(ds, out, as_of=AS_OF)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_command(ds, tmp_path, capsys):
    out = tmp_path / "sub" / "a.xlsx"
    argv = ["excel", "--data-dir", str(ds.data_dir), "--out", str(out), "--as-of", "2024-06-30"]
    assert cli.main(argv) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "封面"
    assert cli.main(argv[:-1] + ["30/06/2024"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


# --- LibreOffice ---------------------------------------------------------------------------

# Per-sheet CSV export (LibreOffice ≥ 7.2): comma, double quote, UTF-8 (76), …, -1 = all sheets.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def test_libreoffice_opens_every_sheet(wb, book, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("soffice is missing in CI; install libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()  # private: no clash with a running LibreOffice
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", CSV_FILTER]
    cmd += ["--outdir", str(tmp_path / "csv"), str(book)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    files = {p.name: p for p in (tmp_path / "csv").glob("*.csv")}
    assert set(files) == {f"{book.stem}-{name}.csv" for name in wb.sheetnames}
    for name in wb.sheetnames:
        with files[f"{book.stem}-{name}.csv"].open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][0] == wb[name]["A1"].value, name
        if name != "封面":
            table, rng, header, data = the_table(wb[name])
            assert rows[rng.min_row - 1][: len(header)] == header, name
            assert len(rows) == wb[name].max_row, name
    text = "".join(p.read_text(encoding="utf-8") for p in files.values())
    assert all(s in text for s in INJECTED)  # shown as typed, not evaluated
