"""Every page of the built book, at desktop and phone width, with the network cut off.

Each test walks every page found in the built site and lists every problem it meets, so one run
shows all that is wrong rather than the first page that fails.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEVICES = ("desktop", "phone")
BLOCKING = {"critical", "serious"}
MIN_CHART_WIDTH = 100  # px: a chart narrower than this has not found its column
MIN_CHART_HEIGHT = 20


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


def test_the_site_has_the_pages_of_the_table_of_contents(pages):
    chapters = [p for p in pages if p.startswith("book/generated/")]
    assert len(chapters) >= 11, chapters
    for page in ("index.html", "book/index.html", "book/appendix.html", "search.html"):
        assert page in pages


def test_every_page_loads_with_no_console_error_and_no_request_outside_localhost(book, pages):
    problems = []
    for page in pages:
        for device in DEVICES:
            v = book.visit(page, device)
            where = f"{page} ({device})"
            problems += [f"{where}: request outside localhost: {u}" for u in v.outside_requests]
            problems += [f"{where}: console error: {e}" for e in v.console_errors]
            problems += [f"{where}: HTTP {r}" for r in v.bad_responses]
            problems += [f"{where}: dialog: {d}" for d in v.dialogs]
    assert not problems, _report(problems)


def test_every_chart_draws_marks(book, pages, browser_stats):
    problems = []
    for page in pages:
        for device in DEVICES:
            v = book.visit(page, device)
            where = f"{page} ({device})"
            charts = v.charts["charts"]
            if not v.settled:
                problems.append(f"{where}: charts still drawing after the time limit")
            if len(charts) != v.charts["specs"]:
                problems.append(
                    f"{where}: {len(charts)} chart placeholders for {v.charts['specs']} specs"
                )
            for c in charts:
                name = f"{where}: chart {c['index'] + 1} ({c['label']!r})"
                if c["error"] is not None:
                    problems.append(f"{name}: failed: {c['error']}")
                elif not c["rendered"]:
                    problems.append(f"{name}: never drawn")
                elif c["svgWidth"] < MIN_CHART_WIDTH or c["svgHeight"] < MIN_CHART_HEIGHT:
                    problems.append(f"{name}: drawn {c['svgWidth']}×{c['svgHeight']} px")
                elif c["dataMarks"] == 0:
                    problems.append(f"{name}: an SVG with no data marks")
            if device == "desktop":
                browser_stats["pages"] += 1
                browser_stats["charts"] += len(charts)
    assert browser_stats["charts"] > 0, "no chart anywhere in the book"
    assert not problems, _report(problems)


def test_every_chart_has_a_text_alternative(book, pages):
    problems = []
    for page in pages:
        for c in book.visit(page).charts["charts"]:
            if c["role"] != "img" or not (c["label"] or "").strip():
                problems.append(
                    f"{page}: chart {c['index'] + 1}: role={c['role']!r} aria-label={c['label']!r}"
                )
    assert not problems, _report(problems)


def test_axe_finds_no_critical_or_serious_violation(book, pages, browser_stats):
    problems = []
    for page in pages:
        for device in DEVICES:
            for v in book.visit(page, device).axe:
                browser_stats["axe"].setdefault(f"{v['id']} ({v['impact']})", set()).add(page)
                if v["impact"] in BLOCKING:
                    nodes = "\n      ".join(v["nodes"])
                    problems.append(
                        f"{page} ({device}): {v['id']} [{v['impact']}] {v['help']}\n      {nodes}"
                    )
    assert not problems, _report(problems)


def test_no_page_scrolls_sideways_at_phone_width(book, pages):
    problems = []
    for page in pages:
        layout = book.visit(page, "phone").layout
        if layout["scrollWidth"] > layout["innerWidth"] + 1:
            problems.append(
                f"{page}: page is {layout['scrollWidth']} px wide in a "
                f"{layout['innerWidth']} px window"
            )
        problems += [f"{page}: sticks out: {o}" for o in layout["offenders"]]
    assert not problems, _report(problems)


def test_screenshots_of_every_page_at_both_widths(book, pages):
    missing = []
    for page in pages:
        for device in DEVICES:
            shot = book.visit(page, device).screenshot
            if shot is None or not shot.exists() or shot.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
                missing.append(f"{page} ({device})")
    assert not missing, f"no screenshot for: {missing}"
