"""Measure the build: cold, no-change and one-change rebuilds, on the shipped data and on
synthetic data of growing size; write the tables into BENCHMARKS.md.

    .venv/bin/python scripts/bench.py                 # shipped data + 10k, 100k, 1M observations
    .venv/bin/python scripts/bench.py --sizes 10000   # a quicker run

Every figure of one run is measured on the same machine in the same run, so ratios compare
like with like. Builds run as a subprocess (`python -m digital_jilin build`) in a copy of the
project, exactly as a user runs them; peak memory is the largest total resident memory of that
process and all its children (kernels included), sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from digital_jilin import PROJECT_ROOT
from digital_jilin.synthetic import make_synthetic

AS_OF = "2026-11-21"
BENCHMARKS = PROJECT_ROOT / "BENCHMARKS.md"
SECTION = "## Build"


def project_copy(dest: Path) -> Path:
    """The files a build reads, copied so the benchmark never touches the real _build/."""
    dest.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(PROJECT_ROOT / name, dest / name)
    shutil.copytree(PROJECT_ROOT / "notebooks", dest / "notebooks")
    shutil.copytree(
        PROJECT_ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("generated")
    )
    return dest


def _sample_memory(proc: psutil.Process, peak: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            total = proc.memory_info().rss
            for child in proc.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)
        except psutil.Error:
            return
        time.sleep(0.2)


def timed_build(root: Path, data_dir: Path, *extra: str) -> dict:
    """Run one build; return seconds, peak memory and how many chapters executed."""
    cmd = [sys.executable, "-m", "digital_jilin", "build", "--data-dir", str(data_dir)]
    cmd += ["--as-of", AS_OF, "--project-dir", str(root), *extra]
    env = {**os.environ, "CI": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak, stop = [0], threading.Event()
    sampler = threading.Thread(target=_sample_memory, args=(psutil.Process(proc.pid), peak, stop))
    sampler.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{out}")
    executed = int(re.search(r"(\d+) chapter\(s\) executed", out).group(1))
    excel = re.search(r"Excel appendix written in ([0-9.]+)s", out)
    return {
        "seconds": seconds,
        "peak_mb": peak[0] / 2**20,
        "executed": executed,
        "excel_s": float(excel.group(1)) if excel else float("nan"),
    }


def change_one_observation(data_dir: Path) -> str:
    """Add 1 to the value of the first observation; return its indicator."""
    path = data_dir / "observations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["value"] = repr(float(rows[0]["value"]) + 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows[0]["indicator"]


def largest_page(root: Path) -> tuple[str, float]:
    pages = list((root / "_build" / "html").rglob("*.html"))
    big = max(pages, key=lambda p: p.stat().st_size)
    return big.name, big.stat().st_size / 2**20


def bench_dataset(label: str, make_data, repeats: int) -> dict:
    """Median of ``repeats`` cold builds, then a no-change and a one-change rebuild."""
    colds, nochange, onechange = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            root = project_copy(Path(tmp) / "proj")
            data = make_data(Path(tmp) / "data")
            colds.append(timed_build(root, data))
            nochange.append(timed_build(root, data))
            change_one_observation(data)
            onechange.append(timed_build(root, data))
            page = largest_page(root)
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    return {
        "label": label,
        "cold": med(colds, "seconds"),
        "nochange": med(nochange, "seconds"),
        "onechange": med(onechange, "seconds"),
        "executed_one": med(onechange, "executed"),
        "chapters": med(colds, "executed"),
        "excel": med(colds, "excel_s"),
        "peak": max(r["peak_mb"] for r in colds + nochange + onechange),
        "page": page,
    }


def table(results: list[dict], repeats: int) -> str:
    lines = [
        f"{SECTION}",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}) by `make bench`; "
        f"shipped data: median of {repeats} run(s); each synthetic size: one run; "
        "`--jobs` = cores. Each run builds a fresh copy of the project.",
        "",
        "| data | cold build | no-change rebuild (ratio) | one observation changed: time, chapters re-executed | "
        "Excel appendix (in cold build) | peak memory | largest page |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['cold']:.1f} s | {r['nochange']:.1f} s ({r['nochange'] / r['cold']:.2f}) | "
            f"{r['onechange']:.1f} s, {r['executed_one']:.0f} of {r['chapters']:.0f} | {r['excel']:.1f} s | "
            f"{r['peak']:.0f} MB | {r['page'][0]} {r['page'][1]:.2f} MB |"
        )
    lines += [
        "",
        "Goals: a no-change rebuild costs at most a tenth of a cold build; 1,000,000 observations build "
        "in under 5 minutes with peak memory under 4 GB; no page over 2 MB.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this script's section of BENCHMARKS.md, keeping the others."""
    old = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = (
        pattern.sub(text + "\n", old)
        if pattern.search(old)
        else old.rstrip() + "\n\n" + text + "\n"
    )
    BENCHMARKS.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=3, help="runs per row for the shipped data")
    args = ap.parse_args()

    def shipped(dest: Path) -> Path:
        shutil.copytree(PROJECT_ROOT / "data", dest)
        return dest

    results = [bench_dataset("shipped data", shipped, args.repeats)]
    print(table(results, args.repeats), flush=True)
    for n in args.sizes:
        results.append(bench_dataset(f"{n:,} synthetic", lambda d, n=n: make_synthetic(d, n), 1))
        print(table(results[-1:], 1), flush=True)
    write_section(table(results, args.repeats))
    print(f"wrote {BENCHMARKS}")


if __name__ == "__main__":
    main()
