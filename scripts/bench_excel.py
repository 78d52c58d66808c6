"""Time and peak memory of writing the Excel appendix, against a bare openpyxl dump of the same cells.

    .venv/bin/python scripts/bench_excel.py [--rows 100000] [--repeats 3] [--no-write]

Each measurement runs in a fresh interpreter, so its peak resident memory (ru_maxrss) is its own.
Both writers start from the same synthetic tables (observations spread over the seven chapter
topics) and write the same cells; the bare dump skips what the appendix adds: cover, contents and
notes sheets, styles and number formats, Excel tables, text safety and column widths.
Prints a Markdown table and replaces the "Excel appendix" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Excel appendix"
AS_OF = date(2025, 6, 30)


def synthetic(rows: int):
    """A Dataset with ``rows`` observations and a matching target tracker, typed as load.py does."""
    import numpy as np
    import pandas as pd

    from digital_jilin.excel import TOPICS
    from digital_jilin.load import Dataset

    rng = np.random.default_rng(0)
    text = "str"
    sources = pd.DataFrame(
        {
            "id": ["s1", "s2"],
            "title": ["测试来源甲：关于数字吉林建设的通知", "测试来源乙：新闻报道"],
            "publisher": ["吉林省测试局", "测试日报"],
            "date": pd.to_datetime(["2023-05-04", "2024-05-13"]),
            "date_note": ["", ""],
            "kind": ["policy", "news"],
            "file": ["a.txt", "b.txt"],
            "url": ["https://example.org/a", ""],
        }
    ).astype({c: text for c in ["id", "title", "publisher", "date_note", "kind", "file", "url"]})
    ids = [f"{t}_{k}" for t in TOPICS for k in range(4)]
    indicators = pd.DataFrame(
        {
            "id": ids,
            "name_zh": [f"测试指标{i}号" for i in range(len(ids))],
            "name_en": [f"Indicator {i}" for i in range(len(ids))],
            "topic": [i.rsplit("_", 1)[0] for i in ids],
            "unit_zh": [["个", "%", "人", "万元"][i % 4] for i in range(len(ids))],
            "unit_en": [["items", "percent", "people", "10k yuan"][i % 4] for i in range(len(ids))],
            "description": ["测试用指标"] * len(ids),
            "better": ["higher"] * len(ids),
            "chart": ["bar"] * len(ids),
            "headline": [False] * len(ids),
        }
    )
    ind = rng.integers(0, len(ids), rows)
    ranged = rng.random(rows) < 0.05
    scale = 10.0 ** rng.integers(0, 3, rows)  # 0, 1 or 2 decimals
    value = np.round(rng.uniform(-1000, 5_000_000, rows) * scale) / scale
    high = np.where(ranged, value + 10, np.nan)
    observations = pd.DataFrame(
        {
            "indicator": np.array(ids)[ind],
            "region": rng.choice(["吉林省", "长春市", "吉林市", "珲春市"], rows),
            "category": [f"分项{i}" for i in range(rows)],  # keeps the identity unique
            "period": rng.choice(["2021", "2022-06", "2023-12-31", "2024"], rows),
            "kind": rng.choice(["actual", "baseline", "plan"], rows),
            "value": value,
            "comparator": np.where(ranged, "~", rng.choice(["=", "≥", ">", "≈"], rows)),
            "low": np.where(ranged, value, np.nan),
            "high": high,
            "source": rng.choice(["s1", "s2"], rows),
            "quote": [f"到2025年全省建成{i}个测试设施" for i in range(rows)],
            "note": np.where(rng.random(rows) < 0.01, "=1+1 looks like a formula", ""),
        }
    )
    observations = observations.astype(
        {c: text for c in observations if observations[c].dtype == object}
    )
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-05-05"]),
            "precision": ["day"],
            "title": ["测试事件"],
            "source": ["s1"],
            "quote": ["测试事件原文"],
        }
    )
    errata = pd.DataFrame(
        {"source": ["s1"], "as_printed": ["诵信"], "corrected": ["通信"], "note": [""]}
    )
    ds = Dataset(Path("."), sources, indicators, observations, events, errata)
    tracker = pd.DataFrame(
        {
            "indicator": ids[:5],
            "name_zh": indicators["name_zh"][:5],
            "unit_zh": indicators["unit_zh"][:5],
            "region": ["吉林省"] * 5,
            "category": [""] * 5,
            "deadline": ["2025"] * 5,
            "target_value": [100.0] * 5,
            "target_comparator": ["≥"] * 5,
            "target_low": [np.nan] * 5,
            "target_high": [np.nan] * 5,
            "latest_actual": [50.0, np.nan, 80.0, 120.0, 10.0],
            "latest_period": ["2024", "", "2024", "2024", "2024"],
            "latest_comparator": ["=", "", "=", "=", "="],
            "status": ["on_track", "no_data", "on_track", "achieved", "behind"],
            "status_zh": ["进度正常", "暂无实际数据", "进度正常", "已实现", "进度滞后"],
            "source": ["s1"] * 5,
        }
    )
    return ds, tracker


def write_ours(ds, tracker, out: Path) -> None:
    from digital_jilin.excel import write_appendix

    write_appendix(ds, out, as_of=AS_OF, edition=AS_OF, tracker=tracker)


def write_bare(ds, tracker, out: Path) -> None:
    """The same tables' cells (header row and values, empties as shorthand) and nothing else."""
    from openpyxl import Workbook

    from digital_jilin.excel import build_tables

    wb = Workbook(write_only=True)
    for t in build_tables(ds, tracker):
        ws = wb.create_sheet(t.sheet)
        ws.append([c.header for c in t.columns])
        frame = t.data[[c.key for c in t.columns]].astype(object)
        for col in t.columns:
            empty = frame[col.key].isna() | frame[col.key].eq("")
            frame.loc[empty, col.key] = col.missing
        for row in frame.itertuples(index=False, name=None):
            ws.append([v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in row])
    wb.save(out)


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux), so the peak measured is the write's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def writer_heap(rows: int) -> dict:
    """Python heap peak (tracemalloc) of ``write_workbook`` alone, its tables already built."""
    import tracemalloc

    from digital_jilin.excel import NOTES, build_cover, build_tables, document_properties
    from digital_jilin.excel_writer import write_workbook

    ds, tracker = synthetic(rows)
    tables = build_tables(ds, tracker)
    cover = build_cover(ds, AS_OF, AS_OF, tables)
    gc.collect()
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        write_workbook(
            Path(tmp) / "bench.xlsx",
            cover=cover,
            tables=tables,
            notes=NOTES,
            properties=document_properties(AS_OF),
        )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"heap_mib": peak / 2**20}


def one(kind: str, rows: int) -> dict:
    """One measurement in this process: build the data, then time the write."""
    if kind == "heap":
        return writer_heap(rows)
    ds, tracker = synthetic(rows)
    gc.collect()
    # Without a reset, the peak could be the data build's, not the write's.
    reset = _reset_peak()
    base = _status_kib("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        start, cpu = time.perf_counter(), time.process_time()
        (write_ours if kind == "ours" else write_bare)(ds, tracker, out)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = out.stat().st_size
    peak = _status_kib("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": peak / 1024,
        "added_mib": (peak - base) / 1024,
        "bytes": size,
    }


def measure(kind: str, rows: int) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, "--rows", str(rows)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: int, repeats: int) -> str:
    runs: dict[str, list[dict]] = {"bare": [], "ours": []}
    for _ in range(repeats):  # interleaved, so a slow moment hits both
        for kind in runs:
            runs[kind].append(measure(kind, rows))
    med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in runs.items()}
    names = {
        "bare": "bare openpyxl write-only dump (same cells)",
        "ours": "appendix writer (`write_appendix`)",
    }
    lines = [
        f"| writer ({rows:,} observations) | wall (s) | CPU (s) | peak RSS during the write (MiB) "
        "| RSS added by the write (MiB) | file (KiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for k in ("bare", "ours"):
        m = med[k]
        lines.append(
            f"| {names[k]} | {m['seconds']:.2f} | {m['cpu']:.2f} | {m['peak_mib']:.0f} "
            f"| {m['added_mib']:.0f} | {m['bytes'] / 1024:.0f} |"
        )
    heap = {n: measure("heap", n)["heap_mib"] for n in (rows // 4, rows)}
    lines += ["", "| rows written by `write_workbook` | Python heap peak of the writer (MiB) |"]
    lines.append("|---:|---:|")
    lines += [f"| {n:,} | {h:.1f} |" for n, h in heap.items()]
    lines.append("")
    lines.append(
        f"Appendix writer / bare dump: wall {med['ours']['seconds'] / med['bare']['seconds']:.2f}×, "
        f"CPU {med['ours']['cpu'] / med['bare']['cpu']:.2f}×, "
        f"added memory {med['ours']['added_mib']:.0f} vs {med['bare']['added_mib']:.0f} MiB."
    )
    return "\n".join(lines)


def section(rows: int, repeats: int, body: str) -> str:
    import openpyxl

    return (
        f"{SECTION}\n\n"
        f"`scripts/bench_excel.py`: {rows:,} synthetic observations over the seven chapter sheets "
        f"(plus tracker, catalog, sources, events, errata), written by the appendix writer and, in "
        f"the same run, as a bare openpyxl write-only dump of the same cells (no cover, contents, "
        f"notes, styles, Excel tables or text safety). Median of {repeats} runs, each in a fresh "
        f"process; the peak RSS is reset (Linux /proc/self/clear_refs) after the data frames are "
        f'built, so it is the write\'s own, and "added" is that peak less the RSS before the '
        f"write. The RSS added grows with the rows because the chapter tables are copies of the "
        f"observations; the writer itself is flat, as the second table shows (tracemalloc over "
        f"`write_workbook` alone, at a quarter of the rows and at all of them). "
        f"CPU time is the steadier figure on a busy machine. Measured {date.today().isoformat()} on "
        f"{platform.machine()}, Python {platform.python_version()}, openpyxl "
        f"{openpyxl.__version__}.\n\n{body}\n"
    )


def update_benchmarks(text: str) -> None:
    """Replace (or append) the Excel section; other sections stay as they are."""
    old = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    BENCHMARKS.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    p.add_argument("--one", choices=["ours", "bare", "heap"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.rows)))
        return 0
    text = section(args.rows, args.repeats, table(args.rows, args.repeats))
    print(text)
    if not args.no_write:
        update_benchmarks(text)
        print(f"updated {BENCHMARKS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
