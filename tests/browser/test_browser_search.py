"""Chinese search: the theme's search box finds chapters by their Chinese words, offline."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Sphinx writes p.search-summary ("搜索完成，匹配到 N 页。") once the search has finished.
SEARCH_DONE = """() => {
  const s = document.querySelector('#search-results p.search-summary');
  return !!s && s.textContent.trim() !== '';
}"""


def search(book, words: str) -> list[str]:
    """Type ``words`` into the theme's search box as a reader would; the result pages' paths."""
    visit = book.open("book/index.html")
    tab = book.tabs["desktop"]
    tab.keyboard.press("Control+k")  # the theme's shortcut opens its search dialog
    box = tab.locator("input[name=q]:visible").first
    box.fill(words)
    box.press("Enter")
    tab.wait_for_url("**/search.html?*")
    tab.wait_for_function(SEARCH_DONE, timeout=15_000)
    links = tab.eval_on_selector_all(
        "#search-results ul.search li a", "as => as.map(a => new URL(a.href).pathname)"
    )
    assert not visit.outside_requests and not visit.console_errors, visit
    return links


@pytest.mark.parametrize(
    "words, chapter",
    [("村医", "/book/generated/village_doctor.html"), ("珲春", "/book/generated/port.html")],
)
def test_search_box_finds_the_chapter(book, words, chapter):
    found = search(book, words)
    assert chapter in found, f"searching {words} found {found}"


def _docs(entry) -> set[int]:
    return set(entry) if isinstance(entry, list) else {entry}


def test_search_index_holds_the_chinese_words(site):
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(re.fullmatch(r"\s*Search\.setIndex\((.*)\)\s*", text, re.S).group(1))
    docs = index["docnames"]
    for word, doc in (("村医", "book/generated/village_doctor"), ("珲春", "book/generated/port")):
        assert word in index["terms"], f"{word} is not a term of the search index"
        # Sphinx files a word under the page's title terms when its title holds it, and then
        # leaves it out of that page's body terms.
        where = _docs(index["terms"].get(word, [])) | _docs(index["titleterms"].get(word, []))
        assert docs.index(doc) in where, f"{word} is not indexed for {doc}"
