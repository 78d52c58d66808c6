"""Text from the data is shown as text: a hostile indicator name and note never run as script.

The test builds a copy of the project (the real chapter templates, the overview and the port
chapter) from small data whose indicator name and note carry a <script> element and an
<img onerror>, then reads the pages in the browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from digital_jilin.build import BuildPaths, build

sys.path.insert(0, str(Path(__file__).parents[1]))
from factory import INDICATORS, OBSERVATIONS, make_data, make_project  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
NAME = f"测试货运量{SCRIPT}{IMG}"
NOTE = f"备注{IMG}{SCRIPT}"
CHAPTERS = [
    {"id": "overview", "title": "总览", "template": "overview.ipynb", "topics": "all"},
    {
        "id": "port",
        "title": "口岸",
        "template": "topic.ipynb",
        "parameters": {"topic": "port"},
        "topics": ["port"],
    },
]
AS_OF = "2026-11-21"
PAGES = ["book/generated/overview.html", "book/generated/port.html"]

# Elements the hostile text would have become, had it been parsed as HTML.
INJECTED = """() => ({
  pwned: typeof window.__pwned !== 'undefined',
  images: document.querySelectorAll('img[src="x"], img[onerror]').length,
  scripts: [...document.scripts].filter(s => s.textContent.includes('__pwned') &&
                                             s.type !== 'application/json').length,
  text: document.body.innerText,
})"""


@pytest.fixture(scope="module")
def hostile_site(chromium, tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile") / "project", CHAPTERS, templates=True)
    indicators = [dict(i, name_zh=NAME) if i["id"] == "freight" else i for i in INDICATORS]
    observations = [dict(o, note=NOTE) if o["indicator"] == "freight" else o for o in OBSERVATIONS]
    data = make_data(root / "data", indicators=indicators, observations=observations)
    build(data, as_of=AS_OF, jobs=2, paths=BuildPaths(root=root), quiet=True)
    return root / "_build" / "html"


@pytest.fixture(scope="module")
def hostile_book(open_book, hostile_site):
    return open_book(hostile_site)


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_shown_as_text_and_never_runs(hostile_book, page):
    visit = hostile_book.open(page)
    tab = hostile_book.tabs["desktop"]
    found = tab.evaluate(INJECTED)
    assert not found["pwned"], "a script from the data ran"
    assert not visit.dialogs, visit.dialogs
    assert found["images"] == 0, "an <img> from the data became an element"
    assert found["scripts"] == 0, "a <script> from the data became an element"
    assert SCRIPT in found["text"] and IMG in found["text"], "the hostile text is not shown"
    assert tab.get_by_text(SCRIPT).first.is_visible()
    assert not visit.console_errors and not visit.outside_requests, visit
