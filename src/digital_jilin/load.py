"""Read and validate the data tables against the Table Schema in ``datapackage.json``.

Inputs come from analysts as CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX. Every problem is
reported with its file, row and column; nothing is loaded half-checked.

Typed frames: optional text is ``""`` when empty (so breakdowns group cleanly), numbers are
float with NaN when empty, dates are ``datetime64``, booleans are ``bool``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.errors import DataError, DataErrors
from digital_jilin.schema import Resource, resources

ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f", ""}
MAX_ERRORS_PER_COLUMN = 20
_CALENDAR = re.compile(r"\d{4}-\d{2}(-\d{2})?")


@dataclass
class Dataset:
    """The validated tables of one data folder."""

    data_dir: Path
    sources: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    errata: pd.DataFrame


# --- reading raw cells -------------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise DataErrors([DataError(str(path), None, None, "is a binary file, not a CSV text file")])
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataErrors(
        [
            DataError(
                str(path),
                None,
                None,
                "cannot be read as UTF-8 or GB18030 text; save it from Excel as "
                "'CSV UTF-8' and try again",
            )
        ]
    )


def _cell_text(value) -> str:
    """A worksheet cell as the text a person would type into a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime → its date
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, int]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataErrors([DataError(str(path), None, None, f"is not a readable XLSX workbook ({exc})")]) from None
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pd.DataFrame(), 2
        header = [_cell_text(h).strip() for h in header]
        while header and header[-1] == "":
            header.pop()
        body = [[_cell_text(v) for v in r[: len(header)]] for r in rows]
    finally:
        wb.close()
    frame = pd.DataFrame(body, columns=header, dtype=object)
    # Drop trailing rows that are entirely empty (Excel often keeps formatted blank rows).
    nonblank = frame.apply(lambda c: c.str.strip().ne("")).any(axis=1) if len(frame) else frame
    if len(frame):
        last = nonblank[nonblank].index.max()
        frame = frame.loc[: last] if pd.notna(last) else frame.iloc[0:0]
    return frame.fillna(""), 2


def read_raw(path: Path | str, sheet: str | None = None) -> tuple[pd.DataFrame, int]:
    """All cells of a CSV or XLSX file as text, and the file row number of the first data row."""
    path = Path(path)
    if not path.exists():
        raise DataErrors([DataError(str(path), None, None, "file not found")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        return _read_xlsx(path, sheet)
    text = _decode(path, raw)
    if not text.strip():
        raise DataErrors([DataError(str(path), None, None, "is empty: expected a header row and data rows")])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise DataErrors([DataError(str(path), None, None, f"is not valid CSV ({exc})")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, 2


# --- checking ----------------------------------------------------------------------------


class _Collector:
    def __init__(self, file: str, first_row: int):
        self.file = file
        self.first_row = first_row
        self.errors: list[DataError] = []

    def add(self, column: str | None, mask: pd.Series, message) -> None:
        """Record one error per row where ``mask`` is true; ``message`` may be a function of the row."""
        idx = mask[mask].index
        for n, i in enumerate(idx):
            if n == MAX_ERRORS_PER_COLUMN:
                self.errors.append(
                    DataError(self.file, None, column, f"… the same problem in {len(idx) - n} more rows")
                )
                break
            text = message(i) if callable(message) else message
            self.errors.append(DataError(self.file, self.first_row + int(i), column, text))

    def whole(self, column: str | None, message: str) -> None:
        self.errors.append(DataError(self.file, None, column, message))


def _typed(frame: pd.DataFrame, res: Resource, out: _Collector) -> pd.DataFrame:
    typed = {}
    for f in res.fields:
        text = frame[f.name].astype(str).str.strip()
        empty = text.eq("")
        if f.required:
            out.add(f.name, empty, f"is empty; '{f.name}' is required")
        if f.type == "number":
            cleaned = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
            num = pd.to_numeric(cleaned, errors="coerce")
            out.add(f.name, num.isna() & ~empty, lambda i, t=text: f"expected a number, got '{t[i]}'")
            typed[f.name] = num.astype(float)
        elif f.type == "date":
            dt = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            out.add(
                f.name,
                dt.isna() & ~empty,
                lambda i, t=text: f"expected a date as YYYY-MM-DD, got '{t[i]}'",
            )
            typed[f.name] = dt
        elif f.type == "boolean":
            low = text.str.lower()
            ok = low.isin(TRUE_WORDS | FALSE_WORDS)
            out.add(f.name, ~ok, lambda i, t=text: f"expected true or false, got '{t[i]}'")
            typed[f.name] = low.isin(TRUE_WORDS)
        else:
            typed[f.name] = text
            if f.enum is not None:
                bad = ~text.isin(f.enum) & ~empty
                allowed = ", ".join(f.enum)
                out.add(f.name, bad, lambda i, t=text, a=allowed: f"'{t[i]}' is not allowed; expected one of: {a}")
            if f.pattern:
                bad = ~text.str.fullmatch(f.pattern) & ~empty
                out.add(f.name, bad, lambda i, t=text, p=f.pattern: f"'{t[i]}' does not match the pattern {p}")
                # A period such as 2023-02-30 fits the pattern but is no date.
                if f.pattern.startswith("[0-9]{4}"):
                    dated = text.str.fullmatch(_CALENDAR.pattern) & ~bad & ~empty
                    if dated.any():
                        padded = text.where(~text.str.len().eq(7), text + "-01")
                        bad_day = pd.to_datetime(padded.where(dated), format="%Y-%m-%d", errors="coerce").isna()
                        out.add(f.name, dated & bad_day, lambda i, t=text: f"'{t[i]}' is not a real date")
            if f.max_length:
                out.add(
                    f.name,
                    text.str.len().gt(f.max_length),
                    lambda i, t=text, m=f.max_length: f"is {len(t[i])} characters long; at most {m} allowed",
                )
        if f.unique:
            dup = text.duplicated(keep=False) & ~empty
            out.add(f.name, dup, lambda i, t=text: f"'{t[i]}' appears more than once; it must be unique")
    return pd.DataFrame(typed, index=frame.index)


def _check_primary_key(typed: pd.DataFrame, res: Resource, out: _Collector) -> None:
    if len(res.primary_key) < 2:
        return  # a one-column key is checked as 'unique'
    key = list(res.primary_key)
    dup = typed.duplicated(subset=key, keep="first")
    if dup.any():
        first = typed.reset_index().groupby(key, dropna=False, sort=False)["index"].transform("first")
        first.index = typed.index
        out.add(
            None,
            dup,
            lambda i: "duplicates row "
            f"{out.first_row + int(first[i])}: the same {' + '.join(key)} appears twice",
        )


def _check_semantics(typed: pd.DataFrame, res: Resource, out: _Collector) -> None:
    """Rules the Table Schema cannot say."""
    if res.name != "observations":
        return
    rng = typed["comparator"].eq("~")
    out.add("low", rng & (typed["low"].isna() | typed["high"].isna()), "a range (comparator ~) needs both low and high")
    out.add("high", rng & (typed["low"] > typed["high"]), "high is smaller than low")
    out.add("low", ~rng & (typed["low"].notna() | typed["high"].notna()), "low/high are only for a range (comparator ~)")
    out.add("value", rng & typed["low"].notna() & (typed["value"] != typed["low"]), "for a range, value must equal low")


def check_frame(frame: pd.DataFrame, res: Resource, file: str, first_row: int = 2) -> tuple[pd.DataFrame, list[DataError]]:
    """Check raw text cells against a resource's schema; return the typed frame and every error."""
    out = _Collector(file, first_row)
    if frame.shape[1] == 0:
        out.whole(None, "has no header row")
        return frame, out.errors
    columns = list(frame.columns)
    expected = res.field_names
    for name in columns:
        if name not in expected:
            out.whole(name, f"unexpected column; the columns are: {', '.join(expected)}")
    for f in res.fields:
        if f.name not in columns:
            if f.required:
                out.whole(f.name, "required column is missing")
            frame = frame.assign(**{f.name: ""})
    if out.errors:
        return frame, out.errors
    if len(frame) == 0:
        out.whole(None, "has a header but no data rows")
        return frame, out.errors
    typed = _typed(frame, res, out)
    _check_primary_key(typed, res, out)
    _check_semantics(typed, res, out)
    return typed, out.errors


def check_foreign_keys(
    typed: pd.DataFrame, res: Resource, known: dict[str, set[str]], file: str, first_row: int = 2
) -> list[DataError]:
    """Check that every reference names a row of the referenced table. ``known``: resource → ids."""
    out = _Collector(file, first_row)
    for fk in res.foreign_keys:
        ids = known.get(fk.resource, set())
        col = typed[fk.field]
        bad = ~col.isin(ids) & col.ne("")
        listed = ", ".join(sorted(ids)) if len(ids) <= 40 else f"{len(ids)} ids in {fk.resource}"
        out.add(
            fk.field,
            bad,
            lambda i, c=col, r=fk.resource, lst=listed: f"unknown {r[:-1] if r.endswith('s') else r} '{c[i]}'; known: {lst}",
        )
    return out.errors


def read_table(path: Path | str, res: Resource) -> pd.DataFrame:
    """Read one file as the given resource; raise :class:`DataErrors` listing every problem."""
    frame, first = read_raw(path, sheet=res.name)
    typed, errors = check_frame(frame, res, str(path), first)
    if errors:
        raise DataErrors(errors)
    return typed


def load_dataset(data_dir: Path | str | None = None) -> Dataset:
    """Load and validate every table of a data folder, including the links between tables."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    res = resources(data_dir)
    tables: dict[str, pd.DataFrame] = {}
    errors: list[DataError] = []
    for name, r in res.items():
        path = data_dir / r.path
        try:
            tables[name] = read_table(path, r)
        except DataErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise DataErrors(errors)
    known = {name: set(t[r.primary_key[0]]) for name, t in tables.items() if (r := res[name]).primary_key}
    for name, r in res.items():
        errors.extend(check_foreign_keys(tables[name], r, known, str(data_dir / r.path)))
    if errors:
        raise DataErrors(errors)
    return Dataset(data_dir=data_dir, **tables)
