"""Small, valid data folders made by the tests (never the shipped data)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import yaml

from digital_jilin import DEFAULT_DATA_DIR, PROJECT_ROOT
from digital_jilin.schema import resources

SOURCES = [
    {
        "id": "src_a",
        "title": "测试来源甲",
        "publisher": "测试出版者",
        "date": "2024-05-13",
        "date_note": "",
        "kind": "news",
        "file": "a.txt",
        "url": "",
    },
]
INDICATORS = [
    {
        "id": "base_stations",
        "name_zh": "测试基站",
        "name_en": "Test stations",
        "topic": "infrastructure",
        "unit_zh": "个",
        "unit_en": "stations",
        "description": "测试用指标",
        "better": "higher",
        "chart": "bullet",
        "headline": "true",
    },
    {
        "id": "freight",
        "name_zh": "测试货运量",
        "name_en": "Test freight",
        "topic": "port",
        "unit_zh": "吨",
        "unit_en": "tonnes",
        "description": "测试用指标",
        "better": "higher",
        "chart": "line",
        "headline": "true",
    },
    {
        "id": "doctors",
        "name_zh": "测试村医",
        "name_en": "Test doctors",
        "topic": "village_doctor",
        "unit_zh": "人",
        "unit_en": "people",
        "description": "测试用指标",
        "better": "higher",
        "chart": "bar",
        "headline": "false",
    },
]
OBSERVATIONS = [
    {
        "indicator": "base_stations",
        "region": "吉林省",
        "category": "",
        "period": "2022",
        "kind": "actual",
        "value": "31000",
        "comparator": "=",
        "low": "",
        "high": "",
        "source": "src_a",
        "quote": "测试基站3.1万个",
        "note": "",
    },
    {
        "indicator": "base_stations",
        "region": "吉林省",
        "category": "",
        "period": "2025",
        "kind": "target",
        "value": "55000",
        "comparator": "≥",
        "low": "",
        "high": "",
        "source": "src_a",
        "quote": "到2025年测试基站5.5万个以上",
        "note": "",
    },
    {
        "indicator": "freight",
        "region": "珲春市",
        "category": "",
        "period": "2022-10-15",
        "kind": "actual",
        "value": "3000000",
        "comparator": ">",
        "low": "",
        "high": "",
        "source": "src_a",
        "quote": "货运量突破300万吨",
        "note": "",
    },
    {
        "indicator": "doctors",
        "region": "吉林省",
        "category": "临床医学",
        "period": "2022",
        "kind": "actual",
        "value": "812",
        "comparator": "=",
        "low": "",
        "high": "",
        "source": "src_a",
        "quote": "临床医学专业812人",
        "note": "",
    },
]
EVENTS = [
    {
        "date": "2023-05-05",
        "precision": "day",
        "title": "测试事件",
        "source": "src_a",
        "quote": "测试事件原文",
    },
]
ERRATA = [{"source": "src_a", "as_printed": "诵信", "corrected": "通信", "note": "OCR"}]

TABLES = {
    "sources": SOURCES,
    "indicators": INDICATORS,
    "observations": OBSERVATIONS,
    "events": EVENTS,
    "errata": ERRATA,
}


def write_table(path: Path, rows: list[dict], fields: list[str], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})
    return path


def make_data(folder: Path, **overrides: list[dict]) -> Path:
    """A complete data folder; pass e.g. observations=[...] to replace one table's rows."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_DATA_DIR / "datapackage.json", folder / "datapackage.json")
    for name, res in resources().items():
        rows = overrides.get(name, TABLES[name])
        write_table(folder / res.path, rows, res.field_names)
    return folder


def write_chapters(root: Path, chapters: list[dict]) -> None:
    """notebooks/chapters.yml and a _toc.yml listing the same chapters, in order."""
    toc = {
        "format": "jb-book",
        "root": "book/index",
        "chapters": [{"file": f"book/generated/{c['id']}"} for c in chapters],
    }
    (root / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (root / "notebooks" / "chapters.yml").write_text(
        yaml.safe_dump({"chapters": chapters}, allow_unicode=True), encoding="utf-8"
    )


def make_project(root: Path, chapters: list[dict], templates: bool = False) -> Path:
    """A project folder the build can run in: the real configuration and hand-written index,
    the given chapters, and (``templates=True``) the real chapter templates."""
    (root / "book").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "_config.yml", root / "_config.yml")
    shutil.copytree(PROJECT_ROOT / "book" / "_static", root / "book" / "_static")
    shutil.copy(PROJECT_ROOT / "book" / "index.md", root / "book" / "index.md")
    if templates:
        shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    else:
        (root / "notebooks").mkdir()
    write_chapters(root, chapters)
    return root
