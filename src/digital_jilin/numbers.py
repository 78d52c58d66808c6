"""Number rules: read Chinese figures as the sources write them, and write them back for prose.

Reading turns ``突破300万吨`` into value 3,000,000, unit 吨, comparator ``>``; ``1-2家`` into a
range; ``近千人`` into about 1,000 people. Writing does the reverse: ``format_value(55000, "个")``
gives ``5.5万个``. Both directions share one table of words so they cannot drift apart.

Values are in base units: magnitudes (万, 亿, 千) are multiplied out and are never part of the
unit, so 800亿元 has unit 元. Figures are found in text with all white space removed, because
the OCR'd sources break numbers and units apart (``5.5 万个``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "COMPARATORS",
    "Figure",
    "find_figures",
    "format_number",
    "format_value",
    "parse",
    "same_unit",
    "strip_ws",
]

COMPARATORS = ("=", "≥", ">", "≤", "<", "≈", "~")

# Qualifiers before a number, longest first so 不超过 wins over 超过.
PREFIXES = {
    "不超过": "≤",
    "不足": "<",
    "不到": "<",
    "少于": "<",
    "超过": ">",
    "突破": ">",
    "接近": "≈",
    "达到": "≥",
    "超": ">",
    "逾": ">",
    "近": "≈",
    "约": "≈",
    "达": "≥",
}
# Between the number and the unit: 50余次, 200多个工作日.
INFIXES = {"余": ">", "多": ">"}
# After the unit: 300个以上, 50个工作日以内.
SUFFIXES = {"以上": "≥", "以内": "≤", "以下": "≤", "左右": "≈"}

# Units as printed, longest first (个工作日 before 个, 人次 before 人). A magnitude is not a unit.
UNITS = (
    "个工作日", "个百分点", "个月", "工作日", "平方米", "人次", "场次", "辆次", "分钟", "小时",
    "公里", "%", "％", "个", "人", "名", "吨", "项", "家", "所", "条", "次", "支", "户", "位",
    "元", "年", "天", "岁", "倍", "份", "台", "件", "辆", "座", "套",
)  # fmt: skip
# Units that mean the same thing, for comparing a figure with an indicator's base unit.
UNIT_ALIASES = {"名": "人", "％": "%", "工作日": "个工作日"}
MAGNITUDES = {
    "万亿": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(1000),
}
DURATION_UNITS = {"个工作日", "工作日", "天", "年", "个月", "小时", "分钟"}

_CN_DIGITS = dict(
    zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}

_WS = re.compile(r"\s+")


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A Chinese numeral: digits and place words; at least one character (checked by the lookahead).
_CHINESE = (
    r"(?=[一二两三四五六七八九十百千万亿])[一二两三四五六七八九]?"
    r"(?:[十百千万亿]+[零〇]?[一二两三四五六七八九]?)*"
)
_SEP = r"[-—–~～至]"
FIGURE_RE = re.compile(
    rf"(?P<prefix>{_alt(PREFIXES)})?"
    rf"(?P<ordinal>第)?"
    rf"(?:(?P<low>{_ARABIC}){_SEP}(?P<high>{_ARABIC})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE}))"
    rf"(?P<mag>{_alt(MAGNITUDES)})?"
    rf"(?P<infix>{_alt(INFIXES)})?"
    rf"(?P<unit>{_alt(UNITS)})"
    rf"(?P<suffix>{_alt(SUFFIXES)})?"
)


@dataclass(frozen=True)
class Figure:
    """One figure as read from text. ``value`` is in base units; for a range it is ``low``."""

    value: float
    unit: str
    comparator: str = "="
    low: float | None = None
    high: float | None = None
    text: str = ""
    start: int = 0  # position in the (white-space-free) text it was found in
    end: int = 0

    @property
    def base_unit(self) -> str:
        return UNIT_ALIASES.get(self.unit, self.unit)

    def same_reading(self, value, comparator, low=None, high=None) -> bool:
        """Whether this figure says ``value comparator`` (and ``low``–``high`` for a range)."""
        if comparator != self.comparator or not _close(value, self.value):
            return False
        if comparator == "~":
            return _close(low, self.low) and _close(high, self.high)
        return low is None and high is None or (_nan(low) and _nan(high))


def _nan(x) -> bool:
    return x is None or x != x


def _close(a, b) -> bool:
    if _nan(a) or _nan(b):
        return _nan(a) and _nan(b)
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def strip_ws(text: str) -> str:
    """The text with all white space removed: how quotes and sources are compared."""
    return _WS.sub("", text)


def same_unit(a: str, b: str) -> bool:
    return UNIT_ALIASES.get(a, a) == UNIT_ALIASES.get(b, b)


def chinese_numeral(text: str) -> int:
    """``十二`` → 12, ``一百`` → 100, ``两万三千`` → 23000, ``千`` → 1000. ValueError if malformed."""
    total, section, digit, last_small = 0, 0, None, None
    for ch in text:
        if ch in "零〇" and (section or total):
            continue  # a placeholder: 一百零五
        if ch in _CN_DIGITS:
            if digit is not None:  # two digits in a row (一一) is not a numeral
                raise ValueError(f"not a Chinese numeral: {text!r}")
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if last_small is not None and unit >= last_small:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            section += (1 if digit is None else digit) * unit
            digit, last_small = None, unit
        elif ch in _CN_BIG:
            section += digit or 0
            if section == 0:
                section = 1  # 万 alone
            total += section * _CN_BIG[ch]
            section, digit, last_small = 0, None, None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _combine(a: str, b: str) -> str:
    """Two qualifiers on one figure (达到85%以上): '=' yields; > is stronger than ≥."""
    if a == "=" or a == b:
        return b
    if b == "=":
        return a
    if {a, b} == {"≥", ">"}:
        return ">"
    return a


def _figure(m: re.Match, offset: int = 0) -> Figure | None:
    mult = MAGNITUDES.get(m["mag"] or "", Decimal(1))
    comp = "="
    for word, table in ((m["prefix"], PREFIXES), (m["infix"], INFIXES), (m["suffix"], SUFFIXES)):
        if word:
            comp = _combine(comp, table[word])
    if m["low"] is not None:
        low, high = _decimal(m["low"]) * mult, _decimal(m["high"]) * mult
        if low > high:
            return None
        value, comp, low_f, high_f = low, "~", float(low), float(high)
    else:
        if m["arabic"] is not None:
            num = _decimal(m["arabic"])
        else:
            try:
                num = Decimal(chinese_numeral(m["chinese"]))
            except ValueError:
                return None
        value, low_f, high_f = num * mult, None, None
    return Figure(
        float(value),
        m["unit"],
        comp,
        low_f,
        high_f,
        m.group(0),
        m.start() + offset,
        m.end() + offset,
    )


def _is_date(m: re.Match, text: str) -> bool:
    """A year (2025年, 2023-2025年) is a date, not a quantity."""
    if m["unit"] != "年" or m["mag"] or m["infix"]:
        return False
    nums = [m["arabic"]] if m["arabic"] else [m["low"], m["high"]]
    return all(n and re.fullmatch(r"(19|20)\d\d", n) for n in nums)


def find_figures(text: str) -> list[Figure]:
    """Every figure with a unit in ``text`` (white space is removed first; positions refer to
    the white-space-free text). Years such as ``2025年`` are dates and are left out."""
    flat = strip_ws(text)
    out: list[Figure] = []
    pos = 0
    while pos < len(flat):
        m = FIGURE_RE.search(flat, pos)
        if not m:
            break
        # A figure does not start inside a number: the 5 of 15个 is not a figure.
        before = flat[max(0, m.start() - 2) : m.start()]
        inside = before[-1:].isdigit() or (before[-1:] in (".", ",") and before[:1].isdigit())
        if inside and not (m["prefix"] or m["ordinal"]):
            pos = m.start() + 1
            continue
        fig = None if _is_date(m, flat) else _figure(m)
        if fig is None:
            pos = m.start() + 1
            continue
        out.append(fig)
        pos = m.end()
    return out


def parse(text: str) -> Figure:
    """Read one figure written on its own, e.g. ``'300个以上'`` or ``'贴息期不超过两年'``'s
    ``'不超过两年'``. The whole text (white space aside) must be the figure; a year such as
    ``2025年`` is a date and raises ValueError like any other non-figure."""
    flat = strip_ws(text)
    m = FIGURE_RE.fullmatch(flat)
    fig = _figure(m) if m and not _is_date(m, flat) else None
    if fig is None:
        raise ValueError(f"not a figure with a unit: {text!r}")
    return fig


# --- writing ---------------------------------------------------------------------------------


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros, with thousands separators: 4,793 / 16.1."""
    d = d.normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    whole, frac = f"{d:f}".split(".")
    return f"{int(whole):,}.{frac}"


def _scale(values: list[Decimal], unit: str) -> tuple[str, Decimal]:
    """Pick 亿 or 万 when every value is at least that big and round in it (≤ 2 decimals)."""
    if unit in ("%", "位", "％"):
        return "", Decimal(1)
    for mag in ("亿", "万"):
        size = MAGNITUDES[mag]
        scaled = [v / size for v in values]
        if all(v >= size for v in values if v) and all(
            s == s.quantize(Decimal("0.01")) for s in scaled
        ):
            if any(values):
                return mag, size
    return "", Decimal(1)


def format_number(value, unit: str = "") -> str:
    """The number part only, as Chinese prose writes it: ``5.5万``, ``4,793``, ``800亿``."""
    d = Decimal(repr(float(value)))
    mag, size = _scale([d], unit)
    return _plain(d / size) + mag


def format_value(value, unit: str, comparator: str = "=", low=None, high=None) -> str:
    """A value in base units as Chinese prose writes it.

    ``format_value(4793, "人")`` → ``4,793人``; ``(55000, "个")`` → ``5.5万个``;
    ``(8e10, "元")`` → ``800亿元``; ``(85, "%")`` → ``85%``; ``(300, "个", "≥")`` →
    ``300个以上``; ``(25, "%", ">")`` → ``超过25%``; ``(3e6, "吨", "≈")`` → ``近300万吨``;
    ``(50, "个工作日", "≤")`` → ``50个工作日以内``; ``(None, "家", "~", 1, 2)`` → ``1—2家``;
    ``(2, "位")`` → ``第2位``. ``parse`` reads every result back to the same figure.
    """
    if comparator not in COMPARATORS:
        raise ValueError(f"unknown comparator {comparator!r}; expected one of {COMPARATORS}")
    if comparator != "~" and _nan(value):
        raise ValueError("no value to format")
    if comparator == "~":
        lo = Decimal(repr(float(value if low is None or _nan(low) else low)))
        hi = Decimal(repr(float(high)))
        mag, size = _scale([lo, hi], unit)
        return f"{_plain(lo / size)}—{_plain(hi / size)}{mag}{unit}"
    figure = format_number(value, unit) + unit
    if unit == "位":  # ranks are ordinals
        figure = "第" + figure
    if comparator == "=":
        return figure
    if comparator == "≥":
        return figure + "以上"
    if comparator == ">":
        return "超过" + figure
    if comparator == "≤":
        return figure + "以内" if unit in DURATION_UNITS else "不超过" + figure
    if comparator == "<":
        return "不足" + figure
    return "近" + figure  # ≈
