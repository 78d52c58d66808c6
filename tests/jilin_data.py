"""A small, valid data folder for tests that must not depend on the shipped data."""

from __future__ import annotations

import csv
from pathlib import Path

TABLES = {
    "sources": """\
id,title,publisher,date,date_note,kind,file,url
plan2023,数字吉林建设规划,吉林省人民政府,2023-03-01,,policy,plan.txt,
news_5g,吉林5G建设提速,吉林日报,2024-01-15,,news,news.txt,
""",
    "indicators": """\
id,name_zh,name_en,topic,unit_zh,unit_en,description,better,chart,headline
base_stations_5g,5G基站数,5G base stations,infrastructure,个,stations,建成的5G基站数量,higher,bullet,true
gov_services_online,网上可办事项比例,Online services,government,%,percent,可网上办理的事项占比,higher,bar,false
""",
    "observations": """\
indicator,region,category,period,kind,value,comparator,low,high,source,quote,note
base_stations_5g,吉林省,,2023,actual,55000,≥,,,news_5g,建成5G基站5.5万个以上,
base_stations_5g,吉林省,,2025,target,80000,=,,,plan2023,到2025年建成5G基站8万个,
gov_services_online,长春市,,2023-12,actual,85,≈,,,news_5g,网上可办率约85%,
""",
    "events": """\
date,precision,title,source,quote
2023-03-01,month,发布数字吉林建设规划,plan2023,印发数字吉林建设规划
""",
    "errata": """\
source,as_printed,corrected,note
news_5g,5G基战,5G基站,OCR
""",
}
OBS_HEADER = TABLES["observations"].splitlines()[0].split(",")
GOOD_ROW = "base_stations_5g,吉林省,,2024,actual,60000,≥,,,news_5g,建成5G基站6万个以上,"


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def make_data_dir(root: Path) -> Path:
    """Write a complete, valid data folder under ``root`` and return it."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, text in TABLES.items():
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
    return data
