"""Extraction: the rules run over ../shared/sources regenerate the committed data exactly."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from digital_jilin.cli import main as cli
from digital_jilin.errors import DataErrors
from digital_jilin.extract import candidates, outputs, run

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture(scope="module")
def extraction(sources):
    return run(sources, DATA)


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_reextraction_matches_committed_files(extraction):
    docs, result = extraction
    out = outputs(result, DATA)
    assert out["observations"] == (DATA / "observations.csv").read_bytes()
    assert out["events"] == (DATA / "events.csv").read_bytes()


def test_extraction_is_deterministic(sources, extraction):
    _, again = run(sources, DATA)
    assert outputs(again, DATA) == outputs(extraction[1], DATA)


def test_check_command_passes(sources, capsys):
    assert cli(["extract", "--sources", str(sources), "--data-dir", str(DATA), "--check"]) == 0
    assert "re-extracted exactly" in capsys.readouterr().out


def test_check_command_reports_a_changed_row(sources, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    text = (data / "observations.csv").read_text(encoding="utf-8")
    (data / "observations.csv").write_text(text.replace(",4793,", ",4794,"), encoding="utf-8")
    assert cli(["extract", "--sources", str(sources), "--data-dir", str(data), "--check"]) == 1
    err = capsys.readouterr().err
    assert "village_doctor_enrollment" in err and "4794" in err


def test_extract_writes_to_out(sources, tmp_path):
    out = tmp_path / "obs.csv"
    assert (
        cli(["extract", "--sources", str(sources), "--data-dir", str(DATA), "--out", str(out)]) == 0
    )
    assert out.read_bytes() == (DATA / "observations.csv").read_bytes()
    assert (tmp_path / "obs_events.csv").read_bytes() == (DATA / "events.csv").read_bytes()


def test_every_source_is_used(extraction):
    docs, result = extraction
    used = {row["source"] for row in result.observations}
    assert used == set(docs)


def test_candidates_account_for_every_figure(sources, extraction):
    """Coverage: each figure with a unit in the five sources is extracted, deliberately
    ignored with a reason, or in a part of a source that is not about the programme."""
    docs, result = extraction
    rows = candidates(sources, docs, result)
    uncovered = [
        f"{r['file']}:{r['line']} {r['figure']} «{r['context']}»"
        for r in rows
        if r["status"] == "uncovered"
    ]
    assert uncovered == []
    assert all(r["reason"] for r in rows if r["status"] in ("ignored", "out_of_scope"))
    covered = {(r["source"], r["figure"], r["line"]) for r in rows if r["status"] == "covered"}
    # Three e-commerce rows share one figure; every other observation has its own.
    assert len(covered) == len(result.observations) - 2


def test_candidates_mode_shows_what_a_new_document_adds(sources, tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(sources, folder)
    # A new document an analyst brings, with figures written as the sources write them.
    (folder / "005_new.txt").write_text(
        "截至年底,全省建成5.5万个5G基站,5G用户普及率达56%。", encoding="utf-8"
    )
    out = tmp_path / "candidates.csv"
    assert (
        cli(
            ["extract", "--sources", str(folder), "--data-dir", str(DATA), "--candidates", str(out)]
        )
        == 0
    )
    rows = _csv(out.read_bytes())
    new = [r for r in rows if r["file"] == "005_new.txt"]
    assert [(r["figure"], r["value"], r["comparator"], r["status"]) for r in new] == [
        ("5.5万个", "55000", "=", "uncovered"),
        ("达56%", "56", "≥", "uncovered"),
    ]
    old = [r for r in rows if r["file"] != "005_new.txt"]
    assert old and {r["status"] for r in old} <= {"covered", "ignored", "out_of_scope"}
    assert all(r["context"] for r in rows)


def _rules_with(tmp_path: Path, entry: str) -> Path:
    rules = tmp_path / "rules.yml"
    rules.write_text("observations:\n" + entry, encoding="utf-8")
    return rules


@pytest.mark.parametrize(
    "entry,message",
    [
        (  # 002 prints 300 个以上: cutting off 以上 would change the figure
            "  - {source: policy_2023, indicator: smart_mfg_demo_projects, kind: target,"
            " period: '2025', pattern: 重点支持 300 个}\n",
            "cuts the figure",
        ),
        (
            "  - {source: policy_2023, indicator: g5_base_stations, kind: target,"
            " period: '2025', pattern: 全省建成 9.9 万个 5G 基站}\n",
            "does not occur",
        ),
        (  # 001: two figures in the words and no `figure:` to choose
            "  - {source: reply_2024, indicator: open_data_contest_teams, kind: actual,"
            " period: '2023', pattern: 赛事共吸引258支团队近千人报名参与}\n",
            "say which with figure",
        ),
        (  # a figure in 吨 read into an indicator counted in 个
            "  - {source: jlrb_2022, indicator: g5_base_stations, kind: actual,"
            " period: '2022', pattern: '截至10月15日,珲春铁路口岸进出口货物突破300万吨'}\n",
            "unit_as_printed",
        ),
        (  # 003 prints this clause twice, in the headline and in the report
            "  - {source: jlrb_2022, indicator: hunchun_rail_freight, kind: actual,"
            " period: '2022', pattern: 进出口货物突破300万吨}\n",
            "occurs 2 times",
        ),
        (
            "  - {source: nowhere, indicator: g5_base_stations, kind: target, period: '2025',"
            " pattern: x}\n",
            "unknown source",
        ),
        (
            "  - {source: policy_2023, indicator: no_such, kind: target, period: '2025',"
            " pattern: x}\n",
            "unknown indicator",
        ),
    ],
)
def test_bad_rules_are_reported_with_their_line(sources, tmp_path, entry, message):
    rules = _rules_with(tmp_path, entry)
    with pytest.raises(DataErrors) as exc:
        run(sources, DATA, rules)
    (error,) = exc.value.errors
    assert message in error.message
    assert error.file == str(rules) and error.row == 2


def test_missing_sources_folder_is_an_input_error(tmp_path):
    with pytest.raises(DataErrors, match="sources folder not found"):
        run(tmp_path / "nowhere", DATA)
