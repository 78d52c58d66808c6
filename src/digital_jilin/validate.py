"""``python -m digital_jilin validate [PATH ...]``: check data before it reaches the book.

Without paths, the whole data folder is loaded and checked (schema and links between tables).
With paths, each file is an analyst's observations (CSV in UTF-8, UTF-8 with BOM or GB18030,
or XLSX with the same columns), checked against the schema and against the catalog of the data
folder: its indicators and sources must exist there.

Problems go to stderr, one per line, naming file, row and column; the exit status is 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from digital_jilin.errors import DataError, DataErrors
from digital_jilin.load import check_foreign_keys, count_problems, load_dataset, read_checked
from digital_jilin.readers import FIRST_ROW
from digital_jilin.schema import resources

SHOWN_PER_FILE = 60  # lines of problems printed per file; the count of the rest follows
CATALOG = ("indicators", "sources")


@dataclass
class Report:
    """The outcome of validating one file."""

    label: str
    rows: int = 0
    errors: list[DataError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _catalog(data_dir: Path) -> dict[str, pd.DataFrame]:
    """The indicator and source tables of the data folder; their problems stop everything."""
    res = resources(data_dir)
    tables, errors = {}, []
    for name in CATALOG:
        typed, found, _ = read_checked(data_dir / res[name].path, res[name])
        tables[name] = typed
        errors.extend(found)
    if errors:
        raise DataErrors(errors)
    return tables


def _known_observations(data_dir: Path) -> pd.DataFrame | None:
    """The data folder's own observations, to compare with; None when absent or broken."""
    res = resources(data_dir)["observations"]
    path = data_dir / res.path
    if not path.exists():
        return None
    typed, errors, _ = read_checked(path, res)
    return None if errors else typed


def _notes(typed: pd.DataFrame, existing: pd.DataFrame | None, data_dir: Path) -> list[str]:
    """What the analyst should know although nothing is wrong."""
    if existing is None:
        return []
    notes = []
    target = data_dir / "observations.csv"
    new_regions = sorted(set(typed["region"]) - set(existing["region"]))
    if new_regions:
        notes.append(
            f"new region(s) not yet in {target}: {', '.join(new_regions)}; "
            "each will be shown as its own series, not merged with another region"
        )
    key = list(resources(data_dir)["observations"].primary_key)
    same = typed.reset_index()[[*key, "index"]].merge(existing[key].drop_duplicates(), on=key)
    if len(same):
        first = FIRST_ROW + int(same["index"].min())
        notes.append(
            f"{len(same)} row(s) (first: row {first}) repeat a figure already in {target} "
            f"(same {' + '.join(key)}): fine if this file replaces it; drop them before "
            "adding this file's rows to it"
        )
    return notes


def _describe(typed: pd.DataFrame) -> str:
    periods = sorted(typed["period"])
    span = periods[0] if periods[0] == periods[-1] else f"{periods[0]} to {periods[-1]}"
    return (
        f"{len(typed):,} observation(s) of {typed['indicator'].nunique()} indicator(s), "
        f"{typed['region'].nunique()} region(s), periods {span}"
    )


def validate_file(
    path: Path | str,
    data_dir: Path | str,
    catalog: dict[str, pd.DataFrame] | None = None,
    existing: pd.DataFrame | None = None,
) -> Report:
    """Check one observations file against the schema and the data folder's catalog."""
    data_dir = Path(data_dir)
    catalog = catalog if catalog is not None else _catalog(data_dir)
    res = resources(data_dir)["observations"]
    typed, errors, label = read_checked(path, res)
    report = Report(label=label, rows=len(typed), errors=list(errors))
    if typed.empty or any(fk.field not in typed.columns for fk in res.foreign_keys):
        return report
    key = {name: resources(data_dir)[name].primary_key[0] for name in catalog}
    known = {name: set(table[key[name]]) for name, table in catalog.items()}
    report.errors += check_foreign_keys(typed, res, known, label, FIRST_ROW, data_dir)
    if report.ok:
        report.summary = _describe(typed)
        report.notes = _notes(typed, existing, data_dir)
    return report


def _print_problems(label: str, errors: list[DataError]) -> None:
    print(f"error: {label}: {count_problems(errors):,} problem(s)", file=sys.stderr)
    print(DataErrors(errors).report(limit=SHOWN_PER_FILE), file=sys.stderr)


def _validate_folder(data_dir: Path) -> int:
    try:
        ds = load_dataset(data_dir)
    except DataErrors as exc:
        _print_problems(str(data_dir), exc.errors)
        return 1
    counts = ", ".join(f"{len(getattr(ds, name)):,} {name}" for name in resources(data_dir))
    print(f"OK {_short(data_dir)}: {counts}")
    return 0


def _validate_files(paths: list[Path], data_dir: Path) -> int:
    try:
        catalog = _catalog(data_dir)
    except DataErrors as exc:
        _print_problems(f"the catalog in {data_dir}", exc.errors)
        return 1
    existing = _known_observations(data_dir)
    failed = 0
    for path in paths:
        try:
            report = validate_file(path, data_dir, catalog, existing)
        except Exception as exc:  # a bug must still not greet an analyst with a traceback
            report = Report(str(path), errors=[DataError(str(path), None, None, _bug(exc))])
        if report.ok:
            print(f"OK {report.label}: {report.summary}")
            for note in report.notes:
                print(f"   note: {note}")
        else:
            failed += 1
            _print_problems(report.label, report.errors)
    if failed and len(paths) > 1:
        print(f"{failed} of {len(paths)} files have problems", file=sys.stderr)
    return 1 if failed else 0


def _short(path: Path) -> Path:
    """A path relative to the working folder when it lies inside it (shorter messages)."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _bug(exc: Exception) -> str:
    return (
        f"could not be checked ({type(exc).__name__}: {exc}); this is a bug in the validator, "
        "please report it with the file"
    )


def main(args) -> int:
    data_dir = Path(args.data_dir)
    if not args.paths:
        return _validate_folder(data_dir)
    return _validate_files(list(args.paths), data_dir)
