"""One figure block per chart: title, chart, source caption, data table and CSV download.

Every chapter shows its charts through :func:`figure_html`, so each chart carries the same
parts the book's conventions ask for. The block has no heading element: a heading inside a
notebook output cannot become a Sphinx section, and would confuse the page outline.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pandas as pd

from digital_jilin import paths
from digital_jilin.embed import chart_html
from digital_jilin.targets import SOURCE_SEPARATOR

# A page must stay small however large the data: the HTML table stops here, the CSV has all.
MAX_TABLE_ROWS = 50
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Excel runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def cell_text(value) -> str:
    """A table cell as a reader should see it: no '55000.0', no 'NaT', no 'nan'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return format(value, ",.12g")
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if value is pd.NaT:
        return ""
    return str(value)


def table_html(data: pd.DataFrame, caption: str, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The data as an escaped HTML table; past ``max_rows`` rows it says how many are left out."""
    shown = data.head(max_rows)
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in shown.columns)
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        rows.append("<tr>" + "".join(f"<td>{_esc(cell_text(v))}</td>" for v in rec) + "</tr>")
    more = ""
    if len(data) > max_rows:
        more = (
            f'<p class="dj-caption">表中列出前{max_rows:,}行，共{len(data):,}行；'
            "完整数据请下载CSV文件。</p>"
        )
    return (
        # A table wider than a phone scrolls inside this box; keyboard users reach it by Tab.
        f'<div class="dj-table-wrap" role="region" tabindex="0" aria-label="{_esc(caption)}">'
        '<table class="dj-table">'
        f"<caption>{_esc(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{more}"
    )


def _csv_safe(data: pd.DataFrame) -> pd.DataFrame:
    """Text that Excel would run as a formula is kept as text by a leading apostrophe."""
    out = data.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


def write_csv(data: pd.DataFrame, name: str) -> Path:
    """Write the chart's data for download; UTF-8 with BOM so Excel reads the Chinese."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"download name {name!r}: use letters, digits, '_', '-' or '.' only")
    out = Path(paths.DOWNLOADS_DIR) / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    _csv_safe(data).to_csv(out, index=False, encoding="utf-8-sig")
    return out


def figure_html(
    chart,
    *,
    data: pd.DataFrame,
    name: str,
    title: str,
    unit: str,
    caption: str,
    description: str,
    table: pd.DataFrame | None = None,
    max_rows: int = MAX_TABLE_ROWS,
) -> str:
    """One accessible figure: title with unit, chart, data table, CSV link and source caption.

    ``data`` is written in full to the CSV download; the HTML table shows ``table`` when given
    (e.g. only the latest reading per series), else ``data``, capped at ``max_rows`` rows.
    """
    heading = f"{title}（单位：{unit}）" if unit else title
    # Schema validation costs a third of a page's time; the chart tests validate every builder.
    spec = chart.to_dict(validate=False) if hasattr(chart, "to_dict") else chart
    body = chart_html(spec, description)
    return _block(data, name, heading, body, caption, table, max_rows)


def table_block(
    data: pd.DataFrame,
    *,
    name: str,
    title: str,
    caption: str,
    table: pd.DataFrame | None = None,
    max_rows: int = MAX_TABLE_ROWS,
) -> str:
    """A figure that is only a table (figures of mixed units): title, table, CSV, source."""
    return _block(data, name, title, "", caption, table, max_rows)


def _block(data, name, heading, body, caption, table, max_rows) -> str:
    write_csv(data, name)
    href = paths.DOWNLOADS_URL + name + ".csv"
    shown = data if table is None else table
    return (
        '<figure class="dj-figure">'
        f'<p class="dj-figure-title"><strong>{_esc(heading)}</strong></p>'
        f"{body}"
        f"{table_html(shown, f'数据表：{heading}', max_rows)}"
        f'<p class="dj-download"><a href="{_esc(href)}" download>'
        f"下载数据（CSV，{len(data):,}行）</a></p>"
        f'<figcaption class="dj-caption">{_esc(caption)}</figcaption>'
        "</figure>"
    )


def show(block: str) -> None:
    """Display an HTML block as a notebook output."""
    from IPython.display import HTML, display

    display(HTML(block))


def paragraphs(sentences: list[str]) -> str:
    """Sentences as escaped HTML paragraphs (the pages' commentary style)."""
    return "".join(f'<p class="dj-commentary">{html.escape(s)}</p>' for s in sentences)


def source_caption(sources: pd.DataFrame, ids) -> str:
    """'资料来源：《title》（publisher，YYYY年M月D日）；…' for the given source ids, in order.

    A cell may name several sources (a target repeated in several documents).
    """
    parts = []
    by_id = sources.set_index("id")
    split = (sid for cell in ids for sid in str(cell).split(SOURCE_SEPARATOR))
    for sid in dict.fromkeys(split):  # unique, order kept
        if sid not in by_id.index:
            parts.append(str(sid))
            continue
        row = by_id.loc[sid]
        date = row["date"]
        when = f"{date.year}年{date.month}月{date.day}日" if pd.notna(date) else "日期不详"
        parts.append(f"《{row['title']}》（{row['publisher']}，{when}）")
    return "资料来源：" + "；".join(parts) if parts else "资料来源：暂无"
