"""Analysts' new observations dropped into data/additions/ (CSV in any accepted encoding, or XLSX)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from digital_jilin.errors import DataErrors
from digital_jilin.load import ADDITIONS_DIR, load_dataset
from digital_jilin.schema import resource
from digital_jilin.template import write_template

sys.path.insert(0, str(Path(__file__).parent))
from factory import OBSERVATIONS, make_data, write_table  # noqa: E402

FIELDS = resource("observations").field_names


def new_reading(**changes) -> dict:
    """A later reading of the first shipped test series."""
    row = dict(OBSERVATIONS[0], period="2023", value="42000", quote="测试基站4.2万个")
    row.update(changes)
    return row


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = make_data(tmp_path / "data")
    (folder / ADDITIONS_DIR).mkdir()
    return folder


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_addition_is_read_with_the_data(data, encoding):
    row = new_reading()
    write_table(data / ADDITIONS_DIR / "new.csv", [row], FIELDS, encoding=encoding)
    ds = load_dataset(data)
    assert len(ds.observations) == len(OBSERVATIONS) + 1
    added = ds.observations.iloc[-1]
    assert (added["period"], added["value"]) == (row["period"], float(row["value"]))
    origin = ds.origins.iloc[-1]
    assert origin["file"].endswith("new.csv") and origin["row"] == 2


def test_filled_template_is_accepted_as_an_addition(data):
    book = data / ADDITIONS_DIR / "entry.xlsx"
    write_template(book, data)
    wb = openpyxl.load_workbook(book)
    ws = wb["observations"]
    header = [c.value for c in ws[1]]
    row = new_reading()
    for col, name in enumerate(header, start=1):
        ws.cell(row=2, column=col, value=row[name] or None)
    wb.save(book)
    ds = load_dataset(data)
    assert float(row["value"]) in ds.observations["value"].tolist()
    assert ds.origins.iloc[-1]["row"] == 2


def test_same_figure_in_two_files_names_both(data):
    write_table(data / ADDITIONS_DIR / "a.csv", [new_reading()], FIELDS)
    write_table(data / ADDITIONS_DIR / "b.csv", [new_reading(value="43000")], FIELDS)
    with pytest.raises(DataErrors) as info:
        load_dataset(data)
    (err,) = info.value.errors
    assert err.file.endswith("b.csv") and err.row == 2
    assert "a.csv, row 2" in err.message


def test_addition_repeating_a_shipped_figure_is_an_error(data):
    write_table(data / ADDITIONS_DIR / "dup.csv", [dict(OBSERVATIONS[1])], FIELDS)
    with pytest.raises(DataErrors) as info:
        load_dataset(data)
    assert "observations.csv, row 3" in str(info.value)


def test_unknown_indicator_in_an_addition_names_file_row_and_column(data):
    write_table(data / ADDITIONS_DIR / "new.csv", [new_reading(indicator="no_such")], FIELDS)
    with pytest.raises(DataErrors) as info:
        load_dataset(data)
    err = info.value.errors[0]
    assert err.file.endswith("new.csv") and err.row == 2 and err.column == "indicator"
    assert "base_stations" in str(info.value)  # the known ids are listed


def test_unreadable_addition_fails_the_folder_check_without_traceback(data):
    (data / ADDITIONS_DIR / "latin.csv").write_bytes(b"indicator,region\n\xff\xfe\xff,x\n")
    proc = subprocess.run(
        [sys.executable, "-m", "digital_jilin", "validate", "--data-dir", str(data)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "latin.csv" in proc.stderr and "Traceback" not in proc.stderr
