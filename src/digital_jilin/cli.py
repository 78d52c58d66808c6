"""``python -m digital_jilin COMMAND``: the one command-line entry point.

Each command is a thin layer over a module that does the work; the modules are imported only
when their command runs, so ``validate`` does not pay for Jupyter or Sphinx.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.errors import DataErrors

DEFAULT_SOURCES = Path("../shared/sources")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m digital_jilin", description="数字吉林统计报告书 tools"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_dir(sp):
        sp.add_argument(
            "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder (default: data/)"
        )

    sp = sub.add_parser("extract", help="re-extract the observations from the source texts")
    sp.add_argument(
        "--sources", type=Path, default=DEFAULT_SOURCES, help="folder of source .txt files"
    )
    data_dir(sp)
    sp.add_argument(
        "--rules", type=Path, default=None, help="rules file (default: DATA_DIR/rules.yml)"
    )
    sp.add_argument(
        "--out", type=Path, default=None, help="write here instead of DATA_DIR/observations.csv"
    )
    sp.add_argument(
        "--check", action="store_true", help="compare with the committed file; write nothing"
    )
    sp.add_argument(
        "--candidates",
        type=Path,
        default=None,
        metavar="FILE",
        help="list every number-with-unit in the sources, and whether a rule covers it",
    )
    sp.set_defaults(module="extract")

    sp = sub.add_parser(
        "verify", help="check every quote against its source and its value against the quote"
    )
    sp.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    data_dir(sp)
    sp.set_defaults(module="verify")

    sp = sub.add_parser(
        "validate", help="validate the data folder, or an observations file (CSV/XLSX)"
    )
    sp.add_argument(
        "paths", type=Path, nargs="*", help="observations files; none = the whole data folder"
    )
    data_dir(sp)
    sp.set_defaults(module="validate")

    sp = sub.add_parser(
        "build", help="execute the chapters and build the HTML book and the appendix"
    )
    data_dir(sp)
    sp.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="chapters executed at once"
    )
    sp.add_argument(
        "--force", action="store_true", help="re-execute every chapter, ignoring the cache"
    )
    sp.add_argument("--as-of", default=None, help="edition date YYYY-MM-DD (default: today)")
    sp.add_argument("--no-html", action="store_true", help="execute the chapters only")
    sp.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="folder with _config.yml, _toc.yml, book/ and notebooks/ (default: this repository)",
    )
    sp.set_defaults(module="build")

    sp = sub.add_parser("excel", help="write the Excel appendix")
    data_dir(sp)
    sp.add_argument(
        "--out", type=Path, default=None, help="workbook path (default: _build/appendix/…xlsx)"
    )
    sp.add_argument("--as-of", default=None, help="edition date YYYY-MM-DD (default: today)")
    sp.set_defaults(module="excel")

    sp = sub.add_parser("template", help="write a data-entry workbook for new observations")
    data_dir(sp)
    sp.add_argument("--out", type=Path, required=True, help="workbook path (.xlsx)")
    sp.set_defaults(module="template")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module = importlib.import_module(f"digital_jilin.{args.module}")
    try:
        return int(module.main(args) or 0)
    except DataErrors as exc:
        print(f"error: {len(exc.errors)} problem(s) in the input:", file=sys.stderr)
        print(exc.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
