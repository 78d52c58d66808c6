"""The data-entry workbook: schema columns, lists from the data, and a filled copy validates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from jilin_data import OBS_HEADER, make_data_dir
from openpyxl.utils import get_column_letter

from digital_jilin.load import load_dataset, read_table
from digital_jilin.schema import resource
from digital_jilin.template import write_template

OBS = resource("observations")


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digital_jilin", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path)


@pytest.fixture
def template(data_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "entry" / "new.xlsx"
    result = cli("template", "--out", out, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out


def column_of(name: str) -> str:
    return get_column_letter(OBS_HEADER.index(name) + 1)


def test_sheet_has_the_schema_columns_and_an_example_from_the_data(template, data_dir):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[0] == "observations"
    ws = wb["observations"]
    assert [c.value for c in ws[1]] == OBS.field_names
    first = load_dataset(data_dir).observations.iloc[0]
    example = {c.value: v.value for c, v in zip(ws[1], ws[2], strict=True)}
    assert example["indicator"] == first["indicator"] and example["value"] == first["value"]
    assert example["period"] == "2023" and ws[f"{column_of('period')}2"].number_format == "@"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions[column_of("quote")].width >= 40  # room for Chinese text


def test_drop_down_lists_hold_the_catalog_enums_and_regions(template, data_dir):
    wb = openpyxl.load_workbook(template)
    ws, lists = wb["observations"], wb["lists"]
    assert lists.sheet_state == "hidden"
    ds = load_dataset(data_dir)
    expected = {
        "indicator": list(ds.indicators["id"]),
        "kind": list(OBS.field("kind").enum),
        "comparator": list(OBS.field("comparator").enum),
        "region": ["吉林省", "长春市"],
        "source": list(ds.sources["id"]),
    }
    found = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        (cells,) = dv.sqref.ranges
        name = ws.cell(row=1, column=cells.min_col).value
        assert (cells.min_row, cells.max_row) == (2, 1_048_576)
        sheet, ref = dv.formula1.split("!")
        assert sheet.strip("'") == "lists"
        found[name] = [c.value for (c,) in lists[ref.replace("$", "")]]
        assert dv.errorStyle == ("warning" if name == "region" else "stop")
    assert found == expected


def test_instructions_describe_every_column(template):
    ws = openpyxl.load_workbook(template)["说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for f in OBS.fields:
        assert f.description in text
    assert "python -m digital_jilin validate" in text


def test_filled_template_round_trips(template, data_dir, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb["observations"]
    ws.append(
        [
            "gov_services_online", "吉林市", None, "2024-06", "actual", 90, "≥",
            None, None, "news_5g", "网上可办率达90%以上", "-1 new city",
        ]
    )  # fmt: skip
    ws.cell(row=3, column=OBS_HEADER.index("note") + 1).data_type = "s"
    wb.save(template)
    result = cli("validate", template, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 observation(s)" in result.stdout
    assert "new region(s)" in result.stdout and "吉林市" in result.stdout
    typed = read_table(template, OBS)
    assert typed.loc[1, "period"] == "2024-06" and typed.loc[1, "value"] == 90
    assert typed.loc[1, "note"] == "-1 new city"


def test_filled_template_with_a_mistake_names_the_excel_row(template, data_dir, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb["observations"]
    ws.append(["base_stations_5g", "吉林省", None, "2024", "actual", "约6万", "="])
    wb.save(template)
    result = cli("validate", template, "--data-dir", data_dir, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "(sheet 'observations'), row 3, column 'value'" in result.stderr
    assert "(sheet 'observations'), row 3, column 'source'" in result.stderr


def test_text_that_looks_like_a_formula_stays_text(data_dir, tmp_path):
    obs = data_dir / "observations.csv"
    obs.write_text(
        obs.read_text("utf-8").replace("5.5万个以上,", "5.5万个以上,=SUM(A1)", 1), "utf-8"
    )
    out = write_template(tmp_path / "t.xlsx", data_dir)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "=SUM(A1)" in sheet
    ws = openpyxl.load_workbook(out)["observations"]
    assert ws[f"{column_of('note')}2"].value == "=SUM(A1)"
