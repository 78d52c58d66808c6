"""``python -m digital_jilin extract``: the rules file run over the sources gives the data.

``data/rules.yml`` says, for each figure, which words of which source it is read from and what
it is (indicator, kind, period, region, category). The figure's value, comparator and range
come from those words by the number rules, never from the rules file, so a rule cannot state a
number its quote does not say. The output is written in a fixed order, byte for byte the same
on every run: observations by source and position in the source, events by date and title.

``--check`` compares with the committed files and writes nothing; ``--candidates FILE`` lists
every figure with a unit in every source file and what, if anything, accounts for it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from digital_jilin import DEFAULT_DATA_DIR
from digital_jilin.documents import Document, read_documents
from digital_jilin.errors import DataError, DataErrors
from digital_jilin.load import read_table
from digital_jilin.numbers import Figure, same_unit, strip_ws
from digital_jilin.schema import resource
from digital_jilin.verify import figure_problem

RULES_FILE = "rules.yml"
OBS_KEYS = {"source", "indicator", "kind", "period", "region", "category", "note", "pattern", "regex",
            "figure", "occurrence", "unit_as_printed"}  # fmt: skip
EVENT_KEYS = {"date", "precision", "title", "source", "pattern", "regex", "occurrence"}
IGNORE_KEYS = {"source", "pattern", "figure", "reason"}
SCOPE_KEYS = {"source", "from", "to", "reason"}


# --- the rules file --------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping, so an error can name the rule it is about."""


def _mapping_with_line(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_rules(path: Path) -> dict:
    if not path.is_file():
        raise DataErrors(
            [DataError(str(path), None, None, "rules file not found (use --rules FILE)")]
        )
    try:
        rules = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader) or {}
    except yaml.YAMLError as exc:
        raise DataErrors([DataError(str(path), None, None, f"is not valid YAML ({exc})")]) from None
    unknown = set(rules) - {"__line__", "observations", "events", "ignore", "out_of_scope"}
    if unknown:
        raise DataErrors(
            [DataError(str(path), None, k, "unknown section") for k in sorted(unknown)]
        )
    return rules


def _flatten(entries: list[dict]) -> list[dict]:
    """An entry with ``items`` is a group: each item inherits the entry's keys."""
    out = []
    for entry in entries or []:
        items = entry.get("items")
        if items is None:
            out.append(entry)
            continue
        shared = {k: v for k, v in entry.items() if k != "items"}
        out.extend({**shared, **item} for item in items)
    return out


def _text(v) -> str:
    """YAML gives dates and years as objects; the tables want text."""
    if v is None:
        return ""
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


# --- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    source: str
    start: int
    end: int


class _Errors:
    def __init__(self, path: Path):
        self.path, self.items = str(path), []

    def add(self, rule: dict, key: str | None, message: str):
        self.items.append(DataError(self.path, rule.get("__line__"), key, message))


def _locate(rule: dict, doc: Document, errors: _Errors) -> Span | None:
    """Where the rule's words are in the document (white space ignored)."""
    if bool(rule.get("pattern")) == bool(rule.get("regex")):
        errors.add(rule, "pattern", "give exactly one of pattern (the words) or regex")
        return None
    if rule.get("regex"):
        try:
            found = [(m.start(), m.end()) for m in re.finditer(rule["regex"], doc.flat)]
        except re.error as exc:
            errors.add(rule, "regex", f"is not a valid regular expression ({exc})")
            return None
        what = f"regex /{rule['regex']}/"
    else:
        n = len(strip_ws(str(rule["pattern"])))
        found = [(s, s + n) for s in doc.find_all(str(rule["pattern"]))]
        what = f"'{rule['pattern']}'"
    occurrence = rule.get("occurrence")
    if not found:
        errors.add(rule, "pattern", f"{what} does not occur in {doc.path.name}")
        return None
    if occurrence is None and len(found) > 1:
        errors.add(rule, "pattern", f"{what} occurs {len(found)} times in {doc.path.name}; "
                   "lengthen it or say which with occurrence: N")  # fmt: skip
        return None
    index = int(occurrence or 1) - 1
    if not 0 <= index < len(found):
        errors.add(rule, "occurrence", f"{what} occurs only {len(found)} times")
        return None
    return Span(doc.source, *found[index])


def _select_figure(rule: dict, doc: Document, span: Span, errors: _Errors) -> Figure | None:
    inside = [f for f in doc.figures if f.start < span.end and f.end > span.start]
    if rule.get("figure"):
        want = strip_ws(str(rule["figure"]))
        at = doc.flat.find(want, span.start, span.end)
        if at < 0:
            errors.add(rule, "figure", f"'{rule['figure']}' is not part of the pattern")
            return None
        inside = [f for f in inside if f.start < at + len(want) and f.end > at]
    if len(inside) != 1:
        said = ", ".join(f.text for f in inside) or "none"
        errors.add(rule, "figure", f"expected one figure with a unit in the words, found: {said}"
                   + ("; say which with figure:" if inside else ""))  # fmt: skip
        return None
    fig = inside[0]
    if fig.start < span.start or fig.end > span.end:
        errors.add(
            rule, "pattern", f"cuts the figure '{fig.text}'; include all of it in the pattern"
        )
        return None
    return fig


# --- extraction ------------------------------------------------------------------------------


@dataclass
class Extraction:
    observations: list[dict]
    events: list[dict]
    covered: dict[tuple[str, int], str]  # (source, figure start) → indicator
    ignored: dict[tuple[str, int], str]  # (source, figure start) → reason
    scopes: list[tuple[Span, str]]  # out-of-scope spans and why


def _catalogue(data_dir: Path):
    sources = read_table(data_dir / "sources.csv", resource("sources", data_dir))
    indicators = read_table(data_dir / "indicators.csv", resource("indicators", data_dir))
    return sources, dict(zip(indicators["id"], indicators["unit_zh"], strict=True))


def _check_keys(rule: dict, allowed: set[str], required: tuple[str, ...], errors: _Errors) -> bool:
    ok = True
    for key in sorted(set(rule) - allowed - {"__line__"}):
        errors.add(rule, key, f"unknown key; allowed: {', '.join(sorted(allowed))}")
        ok = False
    for key in required:
        if rule.get(key) in (None, ""):
            errors.add(rule, key, "is required")
            ok = False
    return ok


def extract(docs: dict[str, Document], units: dict[str, str], rules: dict, rules_path: Path,
            max_quote: int = 60) -> Extraction:  # fmt: skip
    errors = _Errors(rules_path)
    order = {s: n for n, s in enumerate(docs)}
    result = Extraction([], [], {}, {}, [])

    def doc_for(rule) -> Document | None:
        doc = docs.get(rule.get("source"))
        if doc is None:
            errors.add(
                rule, "source", f"unknown source '{rule.get('source')}'; known: {', '.join(docs)}"
            )
        return doc

    def quote_for(rule, doc) -> tuple[Span, str] | None:
        span = _locate(rule, doc, errors)
        if span is None:
            return None
        quote = doc.quote(span.start, span.end)
        if len(quote) > max_quote:
            errors.add(
                rule, "pattern", f"the quote is {len(quote)} characters; at most {max_quote}"
            )
            return None
        return span, quote

    for scope in rules.get("out_of_scope") or []:
        if not _check_keys(scope, SCOPE_KEYS, ("source", "from", "reason"), errors) or not (
            doc := doc_for(scope)
        ):
            continue
        start = doc.find_all(scope["from"])
        end = doc.find_all(scope["to"]) if scope.get("to") else [len(doc.flat)]
        if len(start) != 1 or not end:
            errors.add(scope, "from", f"'from' occurs {len(start)} times and 'to' {len(end)} times in "
                       f"{doc.path.name}; 'from' must occur exactly once, 'to' at least once")  # fmt: skip
            continue
        result.scopes.append((Span(doc.source, start[0], end[-1]), scope["reason"]))

    rows = []
    for n, rule in enumerate(_flatten(rules.get("observations"))):
        required = ("source", "indicator", "kind", "period")
        if not _check_keys(rule, OBS_KEYS, required, errors) or not (doc := doc_for(rule)):
            continue
        if rule["indicator"] not in units:
            errors.add(
                rule,
                "indicator",
                f"unknown indicator '{rule['indicator']}'; add it to indicators.csv",
            )
            continue
        found = quote_for(rule, doc)
        fig = found and _select_figure(rule, doc, found[0], errors)
        if not fig:
            continue
        span, quote = found
        unit = units[rule["indicator"]]
        if not same_unit(fig.unit, unit) and rule.get("unit_as_printed") != fig.unit:
            errors.add(rule, "indicator", f"the figure '{fig.text}' is in {fig.unit}, the indicator in {unit}; "
                       f"if that is right, say unit_as_printed: {fig.unit}")  # fmt: skip
            continue
        row = {
            "indicator": rule["indicator"],
            "region": _text(rule.get("region")) or "吉林省",
            "category": _text(rule.get("category")),
            "period": _text(rule["period"]),
            "kind": rule["kind"],
            "value": fig.value,
            "comparator": fig.comparator,
            "low": fig.low,
            "high": fig.high,
            "source": doc.source,
            "quote": quote,
            "note": _text(rule.get("note")),
        }
        problem = figure_problem(quote, fig.value, fig.comparator, fig.low, fig.high)
        if problem:  # the quote alone must say what the document says
            errors.add(rule, "pattern", problem)
            continue
        rows.append(((order[doc.source], fig.start, n), row))
        result.covered[(doc.source, fig.start)] = rule["indicator"]
    result.observations = [row for _, row in sorted(rows, key=lambda r: r[0])]

    for rule in rules.get("events") or []:
        required = ("date", "precision", "title", "source")
        if not _check_keys(rule, EVENT_KEYS, required, errors) or not (doc := doc_for(rule)):
            continue
        found = quote_for(rule, doc)
        if found:
            result.events.append({"date": _text(rule["date"]), "precision": rule["precision"],
                                  "title": str(rule["title"]), "source": doc.source, "quote": found[1]})  # fmt: skip
    result.events.sort(key=lambda e: (e["date"], e["title"]))

    for rule in rules.get("ignore") or []:
        if not _check_keys(rule, IGNORE_KEYS, ("reason",), errors):
            continue
        targets = [docs[rule["source"]]] if rule.get("source") else list(docs.values())
        if rule.get("source") and not doc_for(rule):
            continue
        if rule.get("pattern"):
            span = _locate(rule, targets[0], errors) if len(targets) == 1 else None
            if span is None:
                if len(targets) != 1:
                    errors.add(rule, "source", "a pattern needs its source")
                continue
            hits = [
                (span.source, f.start)
                for f in targets[0].figures
                if f.start < span.end and f.end > span.start
            ]
            if not hits:
                errors.add(rule, "pattern", "holds no figure with a unit: nothing to ignore")
        elif rule.get("figure"):
            regex = re.compile(str(rule["figure"]))
            hits = [
                (d.source, f.start) for d in targets for f in d.figures if regex.fullmatch(f.text)
            ]
        else:
            errors.add(
                rule, "pattern", "give pattern (the words) or figure (a regex for the figure text)"
            )
            continue
        for key in hits:
            result.ignored.setdefault(key, rule["reason"])

    if errors.items:
        raise DataErrors(errors.items)
    return result


# --- writing ---------------------------------------------------------------------------------


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def _diff_summary(name: str, old: bytes, new: bytes, key: list[str]) -> list[str]:
    """What differs between two versions of a table, row by row (by its primary key)."""

    def rows(b):
        r = list(csv.reader(io.StringIO(b.decode("utf-8", "replace"))))
        header = r[0] if r else []
        idx = [header.index(k) for k in key if k in header]
        return {tuple(x[i] for i in idx if i < len(x)): x for x in r[1:]}, header

    (a, ha), (b, hb) = rows(old), rows(new)
    out = []
    if ha != hb:
        out.append(f"{name}: header differs: {ha} vs {hb}")
    for k in sorted(set(a) - set(b)):
        out.append(f"{name}: only in the committed file: {', '.join(k)}")
    for k in sorted(set(b) - set(a)):
        out.append(f"{name}: only in the re-extraction: {', '.join(k)}")
    for k in sorted(set(a) & set(b)):
        if a[k] != b[k]:
            out.append(f"{name}: differs: {', '.join(k)}: {a[k]} → {b[k]}")
    if not out:
        out.append(f"{name}: same rows, different order or formatting")
    return out


# --- candidates ------------------------------------------------------------------------------

CANDIDATE_COLUMNS = ["file", "source", "line", "figure", "value", "comparator", "low", "high", "unit",
                     "status", "indicator", "reason", "context"]  # fmt: skip


def _scope_of(result: Extraction, source: str, pos: int) -> str:
    for span, why in result.scopes:
        if span.source == source and span.start <= pos < span.end:
            return why
    return ""


def candidates(
    sources_dir: Path, docs: dict[str, Document], result: Extraction | None
) -> list[dict]:
    """Every figure with a unit in every .txt file of the folder, and what accounts for it:
    covered (a rule extracts it), ignored (a rule says why not), out_of_scope, or uncovered."""
    by_file = {d.path.name: d for d in docs.values()}
    out = []
    for path in sorted(Path(sources_dir).glob("*.txt")):
        doc = by_file.get(path.name) or Document.read(path)
        for f in doc.figures:
            key = (doc.source, f.start)
            status, indicator, reason = "uncovered", "", ""
            if result and key in result.covered:
                status, indicator = "covered", result.covered[key]
            elif result and (why := _scope_of(result, doc.source, f.start)):
                status, reason = "out_of_scope", why
            elif result and key in result.ignored:
                status, reason = "ignored", result.ignored[key]
            out.append({"file": path.name, "source": doc.source, "line": doc.line(f.start), "figure": f.text,
                        "value": f.value, "comparator": f.comparator, "low": f.low, "high": f.high,
                        "unit": f.unit, "status": status, "indicator": indicator, "reason": reason,
                        "context": doc.context(f.start, f.end)})  # fmt: skip
    return out


# --- command ---------------------------------------------------------------------------------


def run(
    sources_dir: Path, data_dir: Path, rules_path: Path | None = None
) -> tuple[dict, Extraction]:
    """Extract everything; return the documents and the extraction (raises DataErrors)."""
    data_dir = Path(data_dir)
    sources, units = _catalogue(data_dir)
    docs = read_documents(sources_dir, dict(zip(sources["id"], sources["file"], strict=True)))
    rules_path = Path(rules_path or data_dir / RULES_FILE)
    result = extract(docs, units, load_rules(rules_path), rules_path)
    return docs, result


def outputs(result: Extraction, data_dir: Path) -> dict[str, bytes]:
    obs_cols = resource("observations", data_dir).field_names
    ev_cols = resource("events", data_dir).field_names
    return {
        "observations": to_csv(result.observations, obs_cols),
        "events": to_csv(result.events, ev_cols),
    }


def main(args) -> int:
    data_dir = Path(getattr(args, "data_dir", None) or DEFAULT_DATA_DIR)
    docs, result = run(Path(args.sources), data_dir, getattr(args, "rules", None))
    if getattr(args, "candidates", None):
        rows = candidates(Path(args.sources), docs, result)
        data = to_csv(rows, CANDIDATE_COLUMNS)
        if str(args.candidates) == "-":
            sys.stdout.write(data.decode("utf-8"))
        else:
            Path(args.candidates).write_bytes(data)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        print(
            f"candidates: {len(rows)} figures with a unit ({summary}) → {args.candidates}",
            file=sys.stderr,
        )
        return 0
    out = outputs(result, data_dir)
    obs_path = Path(args.out) if getattr(args, "out", None) else data_dir / "observations.csv"
    ev_path = (
        obs_path.with_name(obs_path.stem + "_events.csv")
        if getattr(args, "out", None)
        else data_dir / "events.csv"
    )
    targets = {"observations": obs_path, "events": ev_path}
    if getattr(args, "check", False):
        problems = []
        for name, path in targets.items():
            old = path.read_bytes() if path.exists() else b""
            if old != out[name]:
                problems += _diff_summary(
                    path.name, old, out[name], list(resource(name, data_dir).primary_key)
                )
        if problems:
            print(
                f"extract --check: the committed data differs from a re-extraction ({len(problems)}):",
                file=sys.stderr,
            )
            for p in problems[:100]:
                print(f"  {p}", file=sys.stderr)
            print("  run `python -m digital_jilin extract` and review the diff", file=sys.stderr)
            return 1
        print(f"extract --check: OK — {len(result.observations)} observations and {len(result.events)} events "
              "re-extracted exactly")  # fmt: skip
        return 0
    for name, path in targets.items():
        path.write_bytes(out[name])
    print(
        f"extract: {len(result.observations)} observations → {obs_path}; {len(result.events)} events → {ev_path}"
    )
    return 0
