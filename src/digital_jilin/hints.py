"""What a person probably meant: suggestions appended to validation messages.

Only called for the rows an error report shows, so these may be plain Python.
"""

from __future__ import annotations

import difflib
import re

# Chinese qualifiers → comparator symbol, as the data model reads them (longest first).
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
UNITS = {"万": 1e4, "亿": 1e8, "千": 1e3}
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
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


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
    """Why ``text`` is no number and what to write instead ('约5万' → ≈ and 50000)."""
    rest, parts = text.replace(",", "").replace("，", ""), []
    for word, symbol in QUALIFIERS.items():
        if word in rest:
            parts.append(f"put the qualifier '{word}' in 'comparator' as {symbol}")
            rest = rest.replace(word, "")
            break
    number = _NUMBER.search(rest)
    factor = next((f for u, f in UNITS.items() if u in rest), 1)
    if "%" in rest or "％" in rest:
        parts.append("write a percentage without '%' (85% → 85)")
    elif number:
        value = float(number.group()) * factor
        shown = f"{value:.0f}" if value.is_integer() else f"{value:g}"
        parts.append(f"write only the number in base units: {shown}")
    return "; " + " and ".join(parts) if parts else ""


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
