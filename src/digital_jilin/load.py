"""Read and validate the data tables against the Table Schema in ``datapackage.json``.

Inputs come from analysts as CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX. Every problem is
reported with its file, row and column; nothing is loaded half-checked.

Typed frames: optional text is ``""`` when empty (so breakdowns group cleanly), numbers are
float with NaN when empty, dates are ``datetime64``, booleans are ``bool``.

Checks are vectorised (one pass per column, pattern tests over the distinct values only), so a
file of a million rows validates in seconds; messages are built only for the rows shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.errors import DataError, DataErrors
from digital_jilin.hints import closest, enum_hint, number_hint, period_hint
from digital_jilin.readers import FIRST_ROW, read_cells
from digital_jilin.schema import Field, Resource, resources

ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f", ""}
MAX_ERRORS_PER_COLUMN = 10  # per kind of problem; the rest is summed up in one line
MORE = "… and the same problem in"  # starts the line that sums up rows not listed
PERIOD_PATTERN = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
PATTERN_HELP = {
    PERIOD_PATTERN: "a valid period; expected YYYY, YYYY-MM or YYYY-MM-DD (2023, 2023-06, 2023-06-30)",
    "[a-z][a-z0-9_]*": "a valid id; expected lower-case letters, digits and _, starting with a letter",
}


# Analysts' new observations: CSV or XLSX files with the observations columns, dropped here
# and read with observations.csv, so the extracted file stays exactly what the rules produce.
ADDITIONS_DIR = "additions"
MAX_REPORTED_CLASHES = 50


@dataclass
class Dataset:
    """The validated tables of one data folder."""

    data_dir: Path
    sources: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    errata: pd.DataFrame
    # Where each observation was read: file label and row as a person sees it (same index).
    origins: pd.DataFrame | None = None


def read_raw(path: Path | str, sheet: str | None = None) -> tuple[pd.DataFrame, int]:
    """All cells of a CSV or XLSX file as text, and the file row number of the first data row.

    ``first_row + index`` is the row a person sees (blank rows are dropped, numbers kept);
    ``frame.attrs["label"]`` names the file, and the sheet for a workbook.
    """
    frame, label = read_cells(path, sheet)
    frame.attrs["label"] = label
    return frame, FIRST_ROW


# --- collecting errors ---------------------------------------------------------------------


class _Collector:
    def __init__(self, file: str, first_row: int, index: pd.Index):
        self.file = file
        self.first_row = first_row
        self.index = index
        self.errors: list[DataError] = []

    def row(self, label) -> int:
        return self.first_row + int(label)

    def add(self, column: str | None, mask, message: str | Callable[[int], str]) -> None:
        """One error per row where ``mask`` holds; ``message`` may be a function of the label."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        labels = self.index[mask]
        for n, label in enumerate(labels):
            if n == MAX_ERRORS_PER_COLUMN:
                self.whole(column, f"{MORE} {len(labels) - n} more rows")
                break
            text = message(label) if callable(message) else message
            self.errors.append(DataError(self.file, self.row(label), column, text))

    def whole(self, column: str | None, message: str) -> None:
        self.errors.append(DataError(self.file, None, column, message))


def count_problems(errors: list[DataError]) -> int:
    """How many problems the errors stand for, counting the rows summed up in one line."""
    total = 0
    for e in errors:
        if e.message.startswith(MORE):
            total += int(e.message.removeprefix(MORE).split()[0])
        else:
            total += 1
    return total


# --- checking one table --------------------------------------------------------------------


class _Distinct:
    """A column as codes into its distinct stripped values: each test runs once per value.

    Most columns repeat a few values (indicator, region, period, kind …), so string tests on
    the distinct values cost little even for a million rows.
    """

    def __init__(self, raw: pd.Series):
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
        self.codes = codes
        self.values = pd.Series(uniques, dtype=object).str.strip()
        self.index = raw.index

    def spread(self, answer) -> np.ndarray:
        """A per-distinct-value answer as a per-row array."""
        answer = np.asarray(answer)
        return answer[self.codes] if len(answer) else np.zeros(len(self.codes), answer.dtype)

    def text(self) -> pd.Series:
        return pd.Series(self.spread(self.values.to_numpy(dtype=object)), index=self.index)


def _is_calendar(periods: pd.Series) -> pd.Series:
    """True where a YYYY-MM or YYYY-MM-DD period names a real month or day."""
    padded = periods.where(periods.str.len() != 7, periods + "-01")
    return pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce").notna()


def _check_number(f: Field, d: _Distinct, empty: np.ndarray, out: _Collector) -> pd.Series:
    num = np.array(pd.to_numeric(d.values, errors="coerce"), dtype=float)  # a writable copy
    retry = np.isnan(num) & d.values.ne("").to_numpy()
    if retry.any():  # thousands separators: clean only the values that need it
        cleaned = d.values[retry].str.replace(r"[,，\s]", "", regex=True)
        num[retry] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    num = d.spread(num)
    text = d.text()
    out.add(
        f.name,
        ~np.isfinite(num) & ~empty,
        lambda i: f"expected a number, got '{text[i]}'{number_hint(text[i])}",
    )
    return pd.Series(num, index=d.index)


def _check_text(f: Field, d: _Distinct, text: pd.Series, empty: np.ndarray, out: _Collector):
    u = d.values
    if f.enum is not None:
        bad = ~d.spread(u.isin(f.enum).to_numpy()) & ~empty
        allowed = ", ".join(f.enum)
        out.add(
            f.name,
            bad,
            lambda i: (
                f"'{text[i]}' is not allowed; expected one of: {allowed}"
                + enum_hint(f.name, text[i], f.enum)
            ),
        )
    if f.pattern:
        fits = u.str.fullmatch(f.pattern).to_numpy(dtype=bool)
        help_ = PATTERN_HELP.get(f.pattern, f"in the expected form ({f.pattern})")
        hint = period_hint if f.pattern == PERIOD_PATTERN else (lambda _t: "")
        out.add(
            f.name,
            d.spread(~fits) & ~empty,
            lambda i: f"'{text[i]}' is not {help_}{hint(text[i])}",
        )
        if f.pattern == PERIOD_PATTERN:  # 2023-13 and 2023-02-30 fit the pattern but are no dates
            dated = fits & (u.str.len() > 4).to_numpy()
            wrong = np.zeros(len(u), dtype=bool)
            wrong[dated] = ~_is_calendar(u[dated]).to_numpy(dtype=bool)
            out.add(
                f.name,
                d.spread(wrong),
                lambda i: (
                    f"'{text[i]}' is not a real date; expected a month 01–12 "
                    "and a day that exists in that month"
                ),
            )
    if f.max_length:
        too_long = (u.str.len() > f.max_length).to_numpy(dtype=bool)
        out.add(
            f.name,
            d.spread(too_long),
            lambda i: (
                f"is {len(text[i])} characters long; at most {f.max_length} allowed"
                + ("; keep only the words the figure was read from" if f.name == "quote" else "")
            ),
        )


def _typed_column(f: Field, raw: pd.Series, out: _Collector) -> pd.Series:
    d = _Distinct(raw)
    text = d.text()
    empty = d.spread(d.values.eq("").to_numpy(dtype=bool))
    if f.required:
        out.add(f.name, empty, f"is empty, but '{f.name}' is required")
    if f.type in ("number", "integer"):
        return _check_number(f, d, empty, out)
    if f.type == "date":
        dt = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = dt.isna().to_numpy() & ~empty
        out.add(f.name, bad, lambda i: f"expected a date as YYYY-MM-DD, got '{text[i]}'")
        return dt
    if f.type == "boolean":
        low = text.str.lower()
        out.add(
            f.name,
            ~low.isin(sorted(TRUE_WORDS | FALSE_WORDS)).to_numpy(),
            lambda i: f"expected true or false, got '{text[i]}'",
        )
        return low.isin(sorted(TRUE_WORDS))
    _check_text(f, d, text, empty, out)
    if f.unique:
        _check_unique(f.name, text, empty, out)
    return text.astype("str")


def _first_of(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """For each row, the index label of the first row with the same values in ``columns``."""
    keyed = frame[columns].assign(_label=frame.index)
    return keyed.groupby(columns, sort=False, dropna=False)["_label"].transform("first")


def _check_unique(name: str, text: pd.Series, empty: np.ndarray, out: _Collector) -> None:
    dup = text.duplicated(keep="first").to_numpy() & ~empty
    if dup.any():
        first = _first_of(text.to_frame(name), [name])
        out.add(
            name,
            dup,
            lambda i: f"'{text[i]}' already appears in row {out.row(first[i])}; it must be unique",
        )


def _check_primary_key(typed: pd.DataFrame, res: Resource, out: _Collector) -> None:
    if len(res.primary_key) < 2:
        return  # a one-column key is checked as 'unique'
    key = list(res.primary_key)
    dup = typed.duplicated(subset=key, keep="first").to_numpy()
    if dup.any():
        first = _first_of(typed, key)
        out.add(
            None,
            dup,
            lambda i: (
                f"repeats row {out.row(first[i])}: the same {' + '.join(key)} "
                f"({' / '.join(str(typed.at[i, k]) for k in key)}); each figure must appear once"
            ),
        )


def _check_semantics(typed: pd.DataFrame, res: Resource, out: _Collector) -> None:
    """Rules the Table Schema cannot say: how value, comparator, low and high fit together."""
    if res.name != "observations":
        return
    rng = typed["comparator"].eq("~").to_numpy()
    low, high, value = (typed[c].to_numpy(dtype=float) for c in ("low", "high", "value"))
    out.add("low", rng & np.isnan(low), "a range (comparator ~) needs a low end in 'low'")
    out.add("high", rng & np.isnan(high), "a range (comparator ~) needs a high end in 'high'")
    out.add("high", rng & (low > high), "is smaller than 'low'; expected low ≤ high")
    given = ~np.isnan(low) | ~np.isnan(high)
    out.add(
        "comparator",
        ~rng & given & typed["comparator"].ne("").to_numpy(),
        "low/high are given, so expected comparator ~ (a range); otherwise leave low and high empty",
    )
    out.add(
        "value",
        rng & ~np.isnan(low) & ~np.isnan(value) & (value != low),
        "for a range (comparator ~), value must equal low",
    )


def _check_columns(frame: pd.DataFrame, res: Resource, out: _Collector) -> set[str]:
    """Report duplicate, unexpected and missing columns; return the usable schema columns."""
    expected = res.field_names
    seen: set[str] = set()
    for position, name in enumerate(frame.columns, start=1):
        if name in seen:
            out.whole(name, f"appears twice in the header (again as column {position})")
        elif name not in expected:
            meant = closest(name, expected)
            hint = f"did you mean '{meant}'? " if meant else ""
            label = f"column {position} has no name" if name == "" else "unexpected column"
            out.whole(name or None, f"{label}; {hint}The columns are: {', '.join(expected)}")
        seen.add(name)
    for f in res.fields:
        if f.required and f.name not in seen:
            out.whole(f.name, f"required column is missing (it holds: {f.description})")
    return seen & set(expected)


def check_frame(
    frame: pd.DataFrame, res: Resource, file: str, first_row: int = FIRST_ROW
) -> tuple[pd.DataFrame, list[DataError]]:
    """Check raw text cells against a resource's schema; return the typed frame and every error.

    Columns that are present are checked even when others are missing or misspelled, so one
    run shows every problem. Missing optional columns are read as empty.
    """
    out = _Collector(file, first_row, frame.index)
    if frame.shape[1] == 0:
        out.whole(None, f"has no header row; expected the columns {', '.join(res.field_names)}")
        return frame, out.errors
    present = _check_columns(frame, res, out)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if len(frame) == 0:
        out.whole(None, "has a header but no data rows")
        return frame, out.errors
    typed = {}
    for f in res.fields:
        if f.name in present:
            typed[f.name] = _typed_column(f, frame[f.name].astype(object), out)
        else:
            typed[f.name] = _filler(f, frame.index)
    typed = pd.DataFrame(typed, index=frame.index)
    if set(res.primary_key) <= present:
        _check_primary_key(typed, res, out)
    _check_semantics(typed, res, out)
    return typed, out.errors


def _filler(f: Field, index: pd.Index) -> pd.Series:
    if f.type in ("number", "integer"):
        return pd.Series(np.nan, index=index)
    if f.type == "date":
        return pd.Series(pd.NaT, index=index)
    if f.type == "boolean":
        return pd.Series(False, index=index)
    return pd.Series("", index=index, dtype="str")


# --- links between tables -----------------------------------------------------------------


def _singular(resource: str) -> str:
    return resource[:-1] if resource.endswith("s") else resource


def check_foreign_keys(
    typed: pd.DataFrame,
    res: Resource,
    known: dict[str, set[str]],
    file: str,
    first_row: int = FIRST_ROW,
    catalog_dir: Path | str | None = None,
) -> list[DataError]:
    """Check that every reference names a row of the referenced table. ``known``: resource → ids.

    Each bad row gets its own error (with the nearest known id); one more error per key lists
    the known ids and says where to add a new one.
    """
    out = _Collector(file, first_row, typed.index)
    catalog_dir = Path(catalog_dir or DEFAULT_DATA_DIR)
    for fk in res.foreign_keys:
        ids = sorted(known.get(fk.resource, set()))
        col = typed[fk.field]
        bad = ~col.isin(ids).to_numpy() & col.ne("").to_numpy()
        if not bad.any():
            continue
        what = _singular(fk.resource)

        def message(i, col=col, ids=ids, what=what):
            meant = closest(col[i], ids)
            return f"unknown {what} '{col[i]}'" + (f"; did you mean '{meant}'?" if meant else "")

        out.add(fk.field, bad, message)
        shown = ", ".join(ids[:200]) + (f", … ({len(ids)} in all)" if len(ids) > 200 else "")
        ref = resources(catalog_dir)[fk.resource]
        out.whole(
            fk.field,
            f"the known {fk.resource} are: {shown or '(none)'}. To use a new {what}, first add "
            f"a row for it to {catalog_dir / ref.path} (columns: {', '.join(ref.field_names)})",
        )
    return out.errors


# --- whole files and folders ----------------------------------------------------------------


def read_checked(path: Path | str, res: Resource) -> tuple[pd.DataFrame, list[DataError], str]:
    """Read and check one file without raising: the typed frame (indexed by file row minus
    ``FIRST_ROW``), every error found, and the label that names the file (and sheet)."""
    try:
        frame, first = read_raw(path, sheet=res.name)
    except DataErrors as exc:
        return pd.DataFrame(), exc.errors, str(path)
    label = frame.attrs.get("label", str(path))
    typed, errors = check_frame(frame, res, label, first)
    return typed, errors, label


def read_table(path: Path | str, res: Resource) -> pd.DataFrame:
    """Read one file as the given resource; raise :class:`DataErrors` listing every problem."""
    typed, errors, _ = read_checked(path, res)
    if errors:
        raise DataErrors(errors)
    return typed.reset_index(drop=True)


def addition_files(data_dir: Path) -> list[Path]:
    """The analysts' observation files in ``data_dir/additions/``, in name order."""
    folder = Path(data_dir) / ADDITIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith((".", "~$"))
    )


def _origins(label: str, typed: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"file": label, "row": typed.index + FIRST_ROW})


def _check_identity_across_files(
    frames: list[pd.DataFrame], origins: list[pd.DataFrame], res: Resource
) -> list[DataError]:
    """A figure given twice in different files (each file checks its own rows already)."""
    key = list(res.primary_key)
    both = pd.concat(
        [f[key].reset_index(drop=True).join(o) for f, o in zip(frames, origins, strict=True)],
        ignore_index=True,
    )
    first = both.groupby(key, dropna=False, sort=False)[["file", "row"]].transform("first")
    clash = both["file"].ne(first["file"])
    return [
        DataError(
            both.at[i, "file"],
            int(both.at[i, "row"]),
            None,
            f"the same {' + '.join(key)} as {first.at[i, 'file']}, row {int(first.at[i, 'row'])}; "
            "remove one of the two rows",
        )
        for i in both.index[clash][:MAX_REPORTED_CLASHES]
    ]


def load_dataset(data_dir: Path | str | None = None) -> Dataset:
    """Load and validate every table of a data folder, including the links between tables.

    Observations are ``observations.csv`` plus every file in ``additions/``.
    """
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    res = resources(data_dir)
    tables: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    errors: list[DataError] = []
    for name, r in res.items():
        tables[name], found, labels[name] = read_checked(data_dir / r.path, r)
        errors.extend(found)
    obs_res = res["observations"]
    extra = [read_checked(path, obs_res) for path in addition_files(data_dir)]
    for _, found, _ in extra:
        errors.extend(found)
    if errors:
        raise DataErrors(errors)
    obs_frames = [tables["observations"]] + [typed for typed, _, _ in extra]
    obs_labels = [labels["observations"]] + [label for _, _, label in extra]
    origins = [_origins(lb, f) for lb, f in zip(obs_labels, obs_frames, strict=True)]
    if extra:
        errors.extend(_check_identity_across_files(obs_frames, origins, obs_res))
    known = {n: set(t[r.primary_key[0]]) for n, t in tables.items() if (r := res[n]).primary_key}
    for name, r in res.items():
        if name != "observations":
            errors.extend(
                check_foreign_keys(tables[name], r, known, labels[name], FIRST_ROW, data_dir)
            )
    for frame, label in zip(obs_frames, obs_labels, strict=True):
        errors.extend(check_foreign_keys(frame, obs_res, known, label, FIRST_ROW, data_dir))
    if errors:
        raise DataErrors(errors)
    tables["observations"] = pd.concat(obs_frames, ignore_index=True)
    return Dataset(
        data_dir=data_dir,
        **{n: t.reset_index(drop=True) for n, t in tables.items()},
        origins=pd.concat(origins, ignore_index=True),
    )
