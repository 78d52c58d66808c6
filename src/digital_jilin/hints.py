"""What a person probably meant: suggestions appended to validation messages.

Only called for the rows an error report shows, so these may be plain Python.
"""

from __future__ import annotations

import difflib
import re

# Qualifiers someone may type as a comparator (the number rules read them from quotes).
QUALIFIERS = {
    "不超过": "≤",
    "以上": "≥",
    "达到": "≥",
    "超过": ">",
    "突破": ">",
    "接近": "≈",
    "以内": "≤",
    "逾": ">",
    "余": ">",
    "多": ">",
    "近": "≈",
    "约": "≈",
}
# Common spellings of the comparator and kind values.
SYNONYMS = {
    "comparator": {">=": "≥", "=>": "≥", "<=": "≤", "=<": "≤", "~=": "≈", "≒": "≈", "-": "~"}
    | QUALIFIERS,
    "kind": {
        "实际": "actual",
        "目标": "target",
        "基期": "baseline",
        "基线": "baseline",
        "计划": "plan",
    },
}
_PERIOD_CN = re.compile(r"(\d{2}|\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
_PERIOD_SEP = re.compile(r"(\d{4})[/.年](\d{1,2})(?:[/.月](\d{1,2}))?日?")


def closest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """The choice nearest to ``word`` (ignoring case and spaces), if any is near enough."""
    choices = list(choices)
    folded = {c.lower().replace(" ", ""): c for c in choices}
    key = word.lower().replace(" ", "").replace("-", "_")
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(key, list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


def enum_hint(field: str, value: str, allowed) -> str:
    meant = SYNONYMS.get(field, {}).get(value) or closest(value, allowed)
    return f"; did you mean '{meant}'?" if meant else ""


def number_hint(text: str) -> str:
    """What to write instead of ``text``: '约5万' → comparator ≈ and value 50000.

    Read with the project's number rules, so the hint agrees with how sources are read.
    """
    from digital_jilin.numbers import parse

    for candidate in (text, text + "个"):  # a bare 约5万 is a figure once it has a unit
        try:
            fig = parse(candidate)
        except (ValueError, ArithmeticError):
            continue
        if fig.comparator == "~":
            return (
                f"; a range: write comparator ~, low {_plain(fig.low)}, high {_plain(fig.high)} "
                f"and value {_plain(fig.low)}"
            )
        qualifier = (
            f"put the qualifier in 'comparator' as {fig.comparator} and "
            if fig.comparator != "="
            else ""
        )
        return f"; {qualifier}write only the number in base units: {_plain(fig.value)}"
    if "%" in text or "％" in text:
        return "; write a percentage without '%' (85% → 85)"
    return ""


def _plain(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def period_hint(text: str) -> str:
    for pattern in (_PERIOD_CN, _PERIOD_SEP):
        m = pattern.search(text)
        if m:
            year, month, day = m.groups()
            if len(year) == 2:
                return f"; write the full year (20{year})"
            out = (
                year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")
            )
            return f"; write {out}"
    return ""
