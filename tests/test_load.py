"""The loader: raw cells with the row numbers a person sees, typed frames, every error at once."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jilin_data import GOOD_ROW, OBS_HEADER, TABLES, make_data_dir

from digital_jilin.errors import DataErrors
from digital_jilin.load import check_frame, load_dataset, read_raw, read_table
from digital_jilin.schema import resource

OBS = resource("observations")
HEADER = ",".join(OBS_HEADER)


def write(tmp_path, text: str, name="obs.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(path) -> list[str]:
    with pytest.raises(DataErrors) as exc:
        read_table(path, OBS)
    return [str(e) for e in exc.value.errors]


def test_load_dataset_types_every_table(tmp_path):
    ds = load_dataset(make_data_dir(tmp_path))
    obs = ds.observations
    assert list(obs.columns) == OBS.field_names
    assert obs["value"].dtype == float and obs["low"].isna().all()
    assert obs["category"].tolist() == ["", "", ""]  # empty optional text is "", not NaN
    assert isinstance(obs.index, pd.RangeIndex)
    assert ds.indicators["headline"].tolist() == [True, False]
    assert str(ds.sources["date"].dtype).startswith("datetime64")


def test_rows_are_numbered_as_in_the_file(tmp_path):
    # blank lines and a cell with a line break shift later rows; the numbers must follow
    bad = GOOD_ROW.replace("60000", "x")
    text = f'{HEADER}\n\n{GOOD_ROW}"a\nb"\n\n{bad}\n'
    frame, first = read_raw(write(tmp_path, text))
    assert (first + frame.index).tolist() == [3, 6]
    assert problems(tmp_path / "obs.csv")[0].startswith(f"{tmp_path / 'obs.csv'}, row 6,")


def test_xlsx_rows_are_excel_rows(tmp_path):
    path = tmp_path / "obs.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank first row: the header is found below it
    ws.append(OBS_HEADER)
    ws.append(GOOD_ROW.split(","))
    ws.append([])
    ws.append(GOOD_ROW.replace("2024", "2023-13").split(","))
    wb.save(path)
    assert any(", row 5, column 'period'" in p for p in problems(path))


def test_cells_are_trimmed_and_thousands_separators_read(tmp_path):
    row = GOOD_ROW.replace("60000", '"60,000"').replace("吉林省", " 吉林省 ")
    typed = read_table(write(tmp_path, f"{HEADER}\n{row}\n"), OBS)
    assert typed.loc[0, "value"] == 60000 and typed.loc[0, "region"] == "吉林省"


def test_duplicate_key_names_the_first_row(tmp_path):
    text = f"{HEADER}\n{GOOD_ROW}\n{TABLES['observations'].splitlines()[1]}\n{GOOD_ROW}\n"
    (message,) = problems(write(tmp_path, text))
    assert ", row 4:" in message and "repeats row 2" in message


def test_check_frame_keeps_checking_present_columns_when_one_is_missing():
    frame = pd.DataFrame([GOOD_ROW.replace("2024", "24").split(",")], columns=OBS_HEADER)
    frame = frame.drop(columns="quote")
    _, errors = check_frame(frame, OBS, "f.csv")
    text = [str(e) for e in errors]
    assert any("column 'quote': required column is missing" in t for t in text)
    assert any("row 2, column 'period'" in t for t in text)


def test_unknown_id_errors_come_with_the_list_of_known_ones(tmp_path):
    data = make_data_dir(tmp_path)
    obs = data / "observations.csv"
    obs.write_text(obs.read_text("utf-8").replace("plan2023,到", "plan2032,到"), "utf-8")
    with pytest.raises(DataErrors) as exc:
        load_dataset(data)
    text = exc.value.report()
    assert "row 3, column 'source': unknown source 'plan2032'; did you mean 'plan2023'?" in text
    assert "the known sources are: news_5g, plan2023" in text


cell_text = (
    st.text(
        alphabet=st.characters(codec="gb18030", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda s: not s.startswith("="))
)  # "=…" is a formula in XLSX


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=5))
def test_every_format_reads_the_same_cells(tmp_path, cells):
    """CSV in each encoding and XLSX give the same text cells and the same row numbers."""
    header = ["indicator", "region", "note"]
    frame = pd.DataFrame(cells, columns=header)
    frame = frame[frame.ne("").any(axis=1)]  # rows with no text at all are dropped by design
    csv_text = pd.DataFrame(cells, columns=header).to_csv(index=False, lineterminator="\r\n")
    read = {}
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        read[encoding] = read_raw(write(tmp_path, csv_text, f"c-{encoding}.csv", encoding))[0]
    xlsx = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(header)
    for row in cells:
        wb.active.append([c if c else None for c in row])
    wb.save(xlsx)
    read["xlsx"] = read_raw(xlsx)[0]
    for got in read.values():
        assert got.values.tolist() == frame.values.tolist()
        assert got.index.tolist() == frame.index.tolist()
