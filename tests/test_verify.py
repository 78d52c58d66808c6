"""verify: every shipped quote is in its source and says its value; corruption is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digital_jilin.cli import main as cli
from digital_jilin.errors import DataErrors
from digital_jilin.verify import check, figure_problem

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture
def data(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_shipped_data_verifies(sources, capsys):
    failures, counts = check(DATA, sources)
    assert failures == []
    assert counts["observations"] > 0 and counts["events"] > 0
    assert cli(["verify", "--sources", str(sources), "--data-dir", str(DATA)]) == 0
    assert "verify: OK" in capsys.readouterr().out


def test_corrupted_quote_fails(sources, data, capsys):
    # 003 says 共录取4793人; a quote the source does not hold must be caught.
    _edit(data / "observations.csv", "共录取4793人,", "共招收4793人,")
    failures, _ = check(data, sources)
    assert len(failures) == 1 and "quote not found" in failures[0]
    assert cli(["verify", "--sources", str(sources), "--data-dir", str(data)]) == 1
    assert "village_doctor_enrollment" in capsys.readouterr().err


def test_corrupted_value_fails(sources, data):
    _edit(data / "observations.csv", ",4793,=,", ",4794,=,")
    (failure,) = check(data, sources)[0]
    assert "the quote says 4793人" in failure


def test_corrupted_comparator_fails(sources, data):
    # 003: 突破300万吨 is "more than", not "exactly".
    _edit(data / "observations.csv", ",3000000,>,", ",3000000,=,")
    (failure,) = check(data, sources)[0]
    assert "hunchun_rail_freight" in failure


def test_corrupted_range_fails(sources, data):
    # 002: 1-2 家“灯塔工厂”
    _edit(data / "observations.csv", ",1,~,1,2,policy_2023,", ",1,~,1,3,policy_2023,")
    (failure,) = check(data, sources)[0]
    assert "lighthouse_factories" in failure


def test_corrupted_event_quote_fails(sources, data):
    _edit(data / "events.csv", "于2024年4月19日推出", "于2024年4月20日推出")
    (failure,) = check(data, sources)[0]
    assert failure.startswith("events.csv")


def test_erratum_must_occur_in_its_source(sources, data):
    _edit(data / "errata.csv", "press_2023,篁力,", "press_2023,算力,")
    (failure,) = check(data, sources)[0]
    assert failure.startswith("errata.csv")


def test_quote_compared_without_white_space(sources):
    # 000 (OCR) prints 覆盖 率达到40%以上 with a line break inside; the quote may differ in
    # white space only.
    assert figure_problem("覆盖 率达到40%以上", 40, "≥") is None
    assert figure_problem("覆盖率达到40%以上", 40, "=") is not None


def test_missing_sources_folder_is_an_input_error(tmp_path):
    with pytest.raises(DataErrors, match="sources folder not found"):
        check(DATA, tmp_path / "nowhere")
