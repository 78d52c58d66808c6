"""`python -m digital_jilin validate` as an analyst meets it: bad files, clear messages, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from jilin_data import GOOD_ROW, OBS_HEADER, TABLES, make_data_dir

HEADER = ",".join(OBS_HEADER)


def run_validate(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digital_jilin", "validate", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def row(**changes) -> str:
    """The good row with some cells changed."""
    cells = dict(zip(OBS_HEADER, GOOD_ROW.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells[c] for c in OBS_HEADER)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def xlsx(path: Path, rows: list[list] | None, header=OBS_HEADER) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "observations"
    if rows is not None:
        ws.append(header)
        for r in rows:
            ws.append(r)
    wb.save(path)


def good_xlsx_row(**changes) -> list:
    cells = dict(zip(OBS_HEADER, GOOD_ROW.split(","), strict=True))
    cells.update(changes)
    return [cells[c] or None for c in OBS_HEADER]


# Each case: file name, how to write it, and what the report must say (row, column, words).
CASES = {
    "missing column": (
        "f.csv",
        csv_text(row(), header=HEADER.replace(",value", "")).replace(",60000", ""),
        None,
        "value",
        "required column is missing",
    ),
    "misspelled column": (
        "f.csv",
        csv_text(row(), header=HEADER.replace("indicator", "indicatr")),
        None,
        "indicatr",
        "did you mean 'indicator'",
    ),
    "unexpected column": (
        "f.csv",
        csv_text(row() + ",x", header=HEADER + ",remark"),
        None,
        "remark",
        "unexpected column",
    ),
    "unknown indicator": (
        "f.csv",
        csv_text(row(indicator="base_station_5g")),
        2,
        "indicator",
        "unknown indicator 'base_station_5g'; did you mean 'base_stations_5g'",
    ),
    "unknown source": ("f.csv", csv_text(row(source="xinhua")), 2, "source", "unknown source"),
    "non-numeric value": (
        "f.csv",
        csv_text(row(), row(period="2022", value="约5万")),
        3,
        "value",
        "put the qualifier in 'comparator' as ≈ and write only the number in base units: 50000",
    ),
    "month 13": ("f.csv", csv_text(row(period="2023-13")), 2, "period", "not a real date"),
    "February 30": ("f.csv", csv_text(row(period="2023-02-30")), 2, "period", "not a real date"),
    "two-digit year": (
        "f.csv",
        csv_text(row(period="23年")),
        2,
        "period",
        "expected YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "duplicate identity": ("f.csv", csv_text(row(), row(value="1")), 3, None, "repeats row 2"),
    "bad comparator": (
        "f.csv",
        csv_text(row(comparator=">=")),
        2,
        "comparator",
        "did you mean '≥'",
    ),
    "kind not in enum": ("f.csv", csv_text(row(kind="实际")), 2, "kind", "did you mean 'actual'"),
    "quote too long": ("f.csv", csv_text(row(quote="建" * 61)), 2, "quote", "at most 60 allowed"),
    "empty required cell": ("f.csv", csv_text(row(region="")), 2, "region", "is empty"),
    "range without high": (
        "f.csv",
        csv_text(row(comparator="~", low="60000")),
        2,
        "high",
        "needs a high end",
    ),
    "low without range": (
        "f.csv",
        csv_text(row(low="5")),
        2,
        "comparator",
        "expected comparator ~",
    ),
    "row with a cell missing": (
        "f.csv",
        csv_text(row(), row(period="2022").rsplit(",", 1)[0]),
        3,
        None,
        "has 11 cells, but the header has 12",
    ),
    "blank lines keep line numbers": (
        "f.csv",
        csv_text(row(), "", "", row(period="2022", value="many")),
        5,
        "value",
        "expected a number",
    ),
    "quoted line break keeps line numbers": (
        "f.csv",
        csv_text(row(note='"two\nlines"'), row(period="2022", kind="goal")),
        4,
        "kind",
        "expected one of",
    ),
    "duplicate column": (
        "f.csv",
        csv_text(row() + ",1", header=HEADER + ",value"),
        None,
        "value",
        "appears twice",
    ),
    "header only": ("f.csv", HEADER + "\n", None, None, "no data rows"),
    "empty file": ("f.csv", "", None, None, "is empty"),
    "semicolons": ("f.csv", csv_text(row()).replace(",", ";"), 1, None, "semicolons"),
    "binary file": ("f.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, None, None, "binary"),
    "unreadable encoding": (
        "f.csv",
        csv_text(row(note="café")).encode("latin-1", errors="replace"),
        2,
        None,
        "neither UTF-8 nor GB18030",
    ),
    "UTF-16 text": ("f.csv", csv_text(row()).encode("utf-16"), None, None, "UTF-16"),
    "old .xls": ("f.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, None, None, ".xls"),
    "xlsx without data": ("f.xlsx", None, None, None, "is empty"),
    "xlsx header only": ("f.xlsx", [], None, None, "no data rows"),
    "xlsx bad value": (
        "f.xlsx",
        [good_xlsx_row(), good_xlsx_row(period="2022", value="五万")],
        3,
        "value",
        "expected a number",
    ),
    "damaged xlsx": ("f.xlsx", "truncate", None, None, "damaged"),
}


def write_case(path: Path, content) -> None:
    if path.suffix == ".xlsx":
        if content == "truncate":
            xlsx(path, [good_xlsx_row()])
            path.write_bytes(path.read_bytes()[:300])
        else:
            xlsx(path, content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_reported_clearly(case, data_dir, tmp_path):
    name, content, row_no, column, words = CASES[case]
    path = tmp_path / name
    write_case(path, content)
    result = run_validate(name, "--data-dir", data_dir, cwd=tmp_path)  # as typed: a relative name
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if words in ln and not ln.startswith("error:")]
    assert lines, f"{words!r} not in:\n{result.stderr}"
    line = lines[0]
    assert line.startswith(name), line  # names the file
    if row_no is not None:
        assert f", row {row_no}" in line, line
    if column is not None:
        assert f"column '{column}'" in line, line
    if name.endswith(".xlsx") and row_no is not None:
        assert "(sheet 'observations')" in line


def test_unknown_indicator_lists_known_ids_and_how_to_add(data_dir, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(csv_text(row(indicator="ports_freight")), encoding="utf-8")
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert "the known indicators are: base_stations_5g, gov_services_online" in result.stderr
    assert f"add a row for it to {data_dir / 'indicators.csv'}" in result.stderr


def test_every_problem_is_reported_not_just_the_first(data_dir, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(
        csv_text(row(value="x"), row(period="2022", kind="goal"), row(period="2021", region="")),
        encoding="utf-8",
    )
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert "3 problem(s)" in result.stderr
    for expected in ("row 2, column 'value'", "row 3, column 'kind'", "row 4, column 'region'"):
        assert expected in result.stderr


def test_many_bad_rows_are_summed_up(data_dir, tmp_path):
    rows = [row(period=str(1000 + i), value="n/a") for i in range(1000)]
    path = tmp_path / "noisy.csv"
    path.write_text(csv_text(*rows), encoding="utf-8")
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert "the same problem in 990 more rows" in result.stderr
    assert len(result.stderr.splitlines()) < 20


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_each_csv_encoding_is_accepted(encoding, data_dir, tmp_path):
    path = tmp_path / f"new-{encoding}.csv"
    text = csv_text(row(), row(period="2022", region="吉林市", note="据《吉林日报》"))
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))  # as Excel saves it
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout and "2 observation(s)" in result.stdout
    assert "new region(s)" in result.stdout and "吉林市" in result.stdout


def test_xlsx_is_accepted(data_dir, tmp_path):
    path = tmp_path / "new.xlsx"
    xlsx(path, [good_xlsx_row(value=60000, period=2024)])
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 observation(s)" in result.stdout


def test_several_files_each_get_a_verdict(data_dir, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(csv_text(row()), encoding="utf-8")
    bad.write_text(csv_text(row(value="?")), encoding="utf-8")
    result = run_validate(good, bad, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert "OK " in result.stdout and "good.csv" in result.stdout
    assert "1 of 2 files have problems" in result.stderr


def test_overlap_with_the_data_folder_is_noted(data_dir, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text(TABLES["observations"], encoding="utf-8")
    result = run_validate(path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0
    assert "3 row(s) (first: row 2) repeat a figure already in" in result.stdout


def test_whole_folder_prints_one_line_summary(data_dir, tmp_path):
    result = run_validate("--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert "2 sources, 2 indicators, 3 observations, 1 events, 1 errata" in result.stdout


def test_broken_folder_names_table_row_and_column(data_dir, tmp_path):
    obs = data_dir / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("news_5g", "news_5x", 1), "utf-8")
    result = run_validate("--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "observations.csv, row 2, column 'source': unknown source 'news_5x'" in result.stderr


def test_missing_file_and_folder(data_dir, tmp_path):
    result = run_validate(tmp_path / "nope.csv", tmp_path, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert "nope.csv: file not found" in result.stderr
    assert "is a folder, not a file" in result.stderr
    assert "Traceback" not in result.stderr
