"""``python -m digital_jilin verify``: every figure stands on its words.

For each observation: its quote occurs in its source (white space removed on both sides), and
a figure in the quote, read by the number rules, gives the row's value, comparator, low and
high. Event quotes and errata must occur in their sources too. Prints every failure; exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.documents import Document, read_documents
from digital_jilin.load import load_dataset
from digital_jilin.numbers import find_figures, format_value


def _opt(x):
    return None if x is None or pd.isna(x) else float(x)


def figure_problem(quote: str, value, comparator: str, low=None, high=None) -> str | None:
    """Why the quote does not say this figure, or None when it does."""
    figures = find_figures(quote)
    if not figures:
        return "the quote holds no figure with a unit"
    low, high = _opt(low), _opt(high)
    if any(f.same_reading(float(value), comparator, low, high) for f in figures):
        return None
    said = ", ".join(
        f"{f.text} ({format_value(f.value, f.unit, f.comparator, f.low, f.high)})" for f in figures
    )
    return f"the quote says {said}, not {_describe(value, comparator, low, high)}"


def _describe(value, comparator, low, high) -> str:
    if comparator == "~":
        return f"{low:g}–{high:g}"
    return f"{comparator} {float(value):g}"


def check(data_dir: Path, sources_dir: Path) -> tuple[list[str], dict[str, int]]:
    """Every failure as a line of text, and how many rows of each table were checked."""
    ds = load_dataset(data_dir)
    docs: dict[str, Document] = read_documents(
        sources_dir, dict(zip(ds.sources["id"], ds.sources["file"], strict=True))
    )
    failures: list[str] = []
    obs = ds.observations
    for i, row in obs.iterrows():
        origin = ds.origins.loc[i]
        where = (
            f"{Path(origin['file']).name} row {origin['row']} ({row['indicator']}, {row['region']}"
            f"{', ' + row['category'] if row['category'] else ''}, {row['period']}, {row['kind']})"
        )
        doc = docs[row["source"]]
        if not doc.contains(row["quote"]):
            failures.append(f"{where}: quote not found in {doc.path.name}: «{row['quote']}»")
            continue
        problem = figure_problem(
            row["quote"], row["value"], row["comparator"], row["low"], row["high"]
        )
        if problem:
            failures.append(f"{where}: {problem}")
    for i, row in ds.events.iterrows():
        doc = docs[row["source"]]
        if not doc.contains(row["quote"]):
            failures.append(
                f"events.csv row {int(i) + 2} ({row['title']}): quote not found in {doc.path.name}: «{row['quote']}»"
            )
    for i, row in ds.errata.iterrows():
        doc = docs[row["source"]]
        if not doc.contains(row["as_printed"]):
            failures.append(
                f"errata.csv row {int(i) + 2}: '{row['as_printed']}' does not occur in {doc.path.name}"
            )
    counts = {"observations": len(obs), "events": len(ds.events), "errata": len(ds.errata)}
    return failures, counts


def main(args) -> int:
    data_dir = Path(getattr(args, "data_dir", None) or DEFAULT_DATA_DIR)
    failures, counts = check(data_dir, Path(args.sources))
    checked = ", ".join(f"{n} {name}" for name, n in counts.items())
    if failures:
        print(f"verify: {len(failures)} failure(s) ({checked} checked):", file=sys.stderr)
        for line in failures:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"verify: OK — {checked}: every quote is in its source and every value follows from it")
    return 0
