"""Read an analyst's CSV or XLSX file into text cells, keeping the row numbers a person sees.

Every returned frame holds only strings (object dtype, ``""`` for an empty cell) and is indexed
so that ``first_row + index`` is the row number in the file: the CSV line number, or the Excel
row number. Blank rows are dropped but keep their neighbours' numbers right.

Problems with the file as a whole (binary, unreadable encoding, broken rows, damaged workbook)
are raised as :class:`DataErrors`, each naming the file and, where it can, the line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from digital_jilin.errors import DataError, DataErrors

FIRST_ROW = 2  # the header is row 1 in both formats
BOM = b"\xef\xbb\xbf"
MAX_SHAPE_ERRORS = 20
SAVE_AS = "save it from Excel as 'CSV UTF-8 (逗号分隔)' or as .xlsx and try again"


def _fail(path: Path, message: str, row: int | None = None) -> DataErrors:
    return DataErrors([DataError(str(path), row, None, message)])


# --- CSV -----------------------------------------------------------------------------------


def _sniff(path: Path, raw: bytes) -> None:
    """Refuse files that are not text before trying to parse them."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(path, f"is UTF-16 text (Excel's 'Unicode text'), not CSV; {SAVE_AS}")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(path, f"is an old Excel .xls (or an encrypted) workbook; {SAVE_AS}")
    if b"\x00" in raw[:65536]:
        raise _fail(path, "is a binary file, not CSV text or an .xlsx workbook")
    if not raw[:65536].removeprefix(BOM).strip() and not raw.strip():  # cheap test first
        raise _fail(path, "is empty: expected a header row and data rows")


def _decode_gb18030(path: Path, raw: bytes) -> bytes:
    """GB18030 bytes re-encoded as UTF-8, so one parser path serves both encodings."""
    try:
        return raw.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            path,
            f"cannot be read: byte {raw[exc.start]:#04x} is valid in neither UTF-8 nor GB18030 "
            f"(the file uses another encoding); {SAVE_AS}",
            row=line,
        ) from None


def _layout_fast(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Line numbers and field counts of the non-blank lines, for a file without quotes.

    Vectorised over the bytes: comma and newline are single bytes in UTF-8, never part of a
    multi-byte character, so counting them is exact when no cell is quoted.
    """
    a = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(a == 10)
    if len(data) and data[-1:] != b"\n":
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    commas = np.flatnonzero(a == 44)
    fields = np.diff(np.searchsorted(commas, np.concatenate(([-1], ends)))) + 1
    length = ends - starts
    blank = length == 0
    # Lines without a comma may still be blank (white space only, or a lone CR).
    for i in np.flatnonzero((fields == 1) & ~blank):
        blank[i] = not data[starts[i] : ends[i]].strip()
    keep = ~blank
    return np.flatnonzero(keep) + 1, fields[keep]


def _layout_quoted(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The same for a file with quoted cells (which may hold commas or line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines, fields, previous = [], [], 0
    for record in reader:
        if any(cell.strip() for cell in record) or len(record) > 1:
            lines.append(previous + 1)  # a record starts on the line after the last one ended
            fields.append(len(record))
        previous = reader.line_num
    return np.asarray(lines, dtype=np.int64), np.asarray(fields, dtype=np.int64)


def _check_shape(path: Path, lines: np.ndarray, fields: np.ndarray) -> None:
    expected = int(fields[0])
    bad = np.flatnonzero(fields != expected)
    if not len(bad):
        return
    errors = [
        DataError(
            str(path),
            int(lines[i]),
            None,
            f"has {fields[i]} cells, but the header has {expected}; a cell with a comma "
            'must be in double quotes ("…"), and every row needs all its commas',
        )
        for i in bad[:MAX_SHAPE_ERRORS]
    ]
    if len(bad) > MAX_SHAPE_ERRORS:
        errors.append(
            DataError(str(path), None, None, f"… {len(bad) - MAX_SHAPE_ERRORS} more such rows")
        )
    raise DataErrors(errors)


def _parse(data: bytes) -> pd.DataFrame:
    """The C parser over UTF-8 bytes; raises UnicodeDecodeError when they are not UTF-8."""
    return pd.read_csv(
        io.BytesIO(data),
        header=None,  # take the header as a row: pandas would rename duplicate columns
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=True,
        encoding="utf-8",
    )


def _plain(data: bytes, frame: pd.DataFrame) -> bool:
    """True when every line is a row with all its cells, so line n is row n.

    The parser already refused rows with too many cells; if there are no blank lines and the
    commas add up, no row can have too few. Two counts instead of a scan of every line.
    """
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines == len(frame) and data.count(b",") == (frame.shape[1] - 1) * len(frame)


def _check_separator(path: Path, data: bytes) -> None:
    header = data.split(b"\n", 1)[0]
    if b"," not in header:
        for sep, name in ((b"\t", "tabs"), (b";", "semicolons")):
            if sep in header:
                raise _fail(path, f"separates its columns with {name}; expected commas", row=1)


def read_csv_cells(path: Path, raw: bytes) -> pd.DataFrame:
    """The cells of a CSV file (UTF-8, UTF-8 with BOM, or GB18030); header in row 0."""
    _sniff(path, raw)
    data = raw.removeprefix(BOM)
    _check_separator(path, data)
    frame, parse_error = None, None
    if b'"' in data:
        # Quoted cells may hold commas and line breaks: only a real CSV reader finds the rows.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            data = _decode_gb18030(path, data)
            text = data.decode("utf-8")
        try:
            lines, fields = _layout_quoted(text)
        except csv.Error as exc:
            raise _fail(path, f"is not valid CSV: {exc}") from None
    else:
        try:
            frame = _parse(data)  # decoding here spares a separate pass over a large file
        except UnicodeDecodeError:
            data = _decode_gb18030(path, data)
        except pd.errors.ParserError as exc:
            parse_error = exc
        if frame is not None and _plain(data, frame):
            return frame
        lines, fields = _layout_fast(data)
    _check_shape(path, lines, fields)
    if frame is None:
        try:
            frame = _parse(data) if parse_error is None else None
        except pd.errors.ParserError as exc:
            parse_error = exc
    if frame is None:
        message = str(parse_error).replace("Error tokenizing data. C error: ", "")
        raise _fail(path, f"is not valid CSV: {message}")
    if len(frame) == len(lines):
        frame.index = pd.Index(lines - 1, dtype="int64")  # index = line number - 1
    return frame


# --- XLSX ----------------------------------------------------------------------------------


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


def read_xlsx_cells(path: Path, raw: bytes, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """The cells of one worksheet (the one named ``sheet``, else the first); header in row 0."""
    import openpyxl

    try:
        # A file object, not the path: openpyxl refuses paths whose suffix is not .xlsx.
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _fail(path, f"is a damaged or unsupported XLSX workbook ({exc}); {SAVE_AS}") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _fail(
            path, f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    try:
        ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # some writers store wrong dimensions; read every cell there is
        rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
        title = ws.title
    except Exception as exc:
        raise _fail(path, f"is a damaged XLSX workbook ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    frame.index = pd.RangeIndex(len(frame))  # Excel row n is index n - 1
    return frame, title


# --- both ----------------------------------------------------------------------------------


def is_xlsx(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_cells(path: Path | str, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    """Header names and text cells of a CSV or XLSX file, and a label naming file (and sheet).

    The returned frame has the header as its columns (white space stripped, duplicates kept)
    and its index set so that ``FIRST_ROW + index`` is the row number a person sees.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except IsADirectoryError:
        raise _fail(path, "is a folder, not a file") from None
    except OSError as exc:
        raise _fail(path, f"cannot be opened ({exc.strerror})") from None
    label = str(path)
    if is_xlsx(raw) or path.suffix.lower() in (".xlsx", ".xlsm"):
        cells, title = read_xlsx_cells(path, raw, sheet)
        label = f"{path} (sheet '{title}')"
        filled = _filled(cells)
        if not filled.any():
            raise _fail(path, f"the sheet '{title}' is empty: expected a header row and data rows")
        cells = cells.iloc[int(np.argmax(filled)) :]  # a header below blank rows is still found
    else:
        cells = read_csv_cells(path, raw)
    header = [str(h).strip() for h in cells.iloc[0]]
    frame = cells.iloc[1:]
    frame.columns = header
    frame.index = frame.index - 1 - (FIRST_ROW - 2)  # index 0 ↔ row FIRST_ROW
    return _drop_blank(frame), label


def _filled(frame: pd.DataFrame) -> np.ndarray:
    """Rows with at least one non-empty cell (vectorised: one comparison per column)."""
    filled = np.zeros(len(frame), dtype=bool)
    for i in range(frame.shape[1]):
        filled |= frame.iloc[:, i].ne("").to_numpy()
    return filled


def _drop_blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop unnamed empty columns (trailing commas) and rows with no text at all."""
    keep = [
        i
        for i, name in enumerate(frame.columns)
        if name != "" or frame.iloc[:, i].str.strip().ne("").any()
    ]
    if len(keep) < frame.shape[1]:
        frame = frame.iloc[:, keep]
    if frame.shape[1] == 0 or frame.empty:
        return frame
    filled = _filled(frame)
    return frame if filled.all() else frame[filled]
