"""The real book, built from the shipped data the way `make book` builds it."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from digital_jilin import PROJECT_ROOT
from digital_jilin.chapters import load_chapters
from digital_jilin.paths import APPENDIX_NAME

pytestmark = pytest.mark.slow
HTML = PROJECT_ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def built() -> Path:
    # The same command as `make book`; the repository's cache makes a repeat cheap.
    proc = subprocess.run(
        [sys.executable, "-m", "digital_jilin", "build", "--as-of", "2026-11-21"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Book {'built' if 'built:' in proc.stdout else 'already up to date'}" in proc.stdout
    return HTML


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append((tag, value))


def pages(site: Path) -> list[Path]:
    """The site's pages (theme templates under _static are not pages)."""
    return [p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts]


def page_links(page: Path) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def test_every_chapter_page_is_built(built):
    for chapter in load_chapters():
        page = built / "book" / "generated" / f"{chapter.id}.html"
        assert page.exists(), f"{chapter.id} missing"
        assert chapter.title in page.read_text(encoding="utf-8")
    assert (built / "index.html").exists() and (built / "book" / "appendix.html").exists()


def test_no_page_loads_anything_from_outside(built):
    for page in pages(built):
        for tag, url in page_links(page):
            if tag in ("script", "link", "img", "iframe", "source"):
                assert not urlsplit(url).netloc, f"{page.relative_to(built)} loads {url}"
        text = page.read_text(encoding="utf-8")
        for cdn in ("unpkg.com", "jsdelivr", "cdnjs", "vega.github.io/schema"):
            assert cdn not in text, f"{page.relative_to(built)} mentions {cdn}"


def test_every_local_link_resolves(built):
    """Downloads (chart CSVs, the appendix) and page links all point at files in the site."""
    missing = []
    for page in pages(built):
        base = "http://book/" + page.relative_to(built).as_posix()
        for _, url in page_links(page):
            parts = urlsplit(urljoin(base, url))
            if parts.netloc != "book" or not parts.path:
                continue
            target = built / parts.path.lstrip("/")
            if not (target.exists() or (target / "index.html").exists()):
                missing.append(f"{page.relative_to(built)} → {url}")
    assert not missing, "\n".join(missing[:20])


def test_appendix_page_links_the_workbook(built):
    links = [u for _, u in page_links(built / "book" / "appendix.html") if u.endswith(".xlsx")]
    assert links == [f"../downloads/{APPENDIX_NAME}"]
    assert (built / "downloads" / APPENDIX_NAME).stat().st_size > 0


def test_chart_data_downloads_exist_for_every_chart(built):
    for chapter in load_chapters():
        page = built / "book" / "generated" / f"{chapter.id}.html"
        text = page.read_text(encoding="utf-8")
        charts = text.count('class="dj-chart"')
        csvs = {u for _, u in page_links(page) if u.endswith(".csv")}
        assert len(csvs) >= charts, f"{chapter.id}: {charts} charts but {len(csvs)} CSV links"


def test_search_index_holds_chinese_words(built):
    text = (built / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    docnames = index["docnames"]
    for word, chapter in (("村医", "village_doctor"), ("珲春", "port")):
        assert word in index["terms"], f"{word} is not a search term"
        found = set()
        for kind in ("terms", "titleterms"):  # a title match ranks first in Sphinx's search
            hits = index[kind].get(word, [])
            found |= {hits} if isinstance(hits, int) else set(hits)
        assert f"book/generated/{chapter}" in {docnames[i] for i in found}


def test_code_is_hidden_from_readers(built):
    for chapter in load_chapters():
        text = (built / "book" / "generated" / f"{chapter.id}.html").read_text(encoding="utf-8")
        assert "cell_input" not in text, f"{chapter.id} shows code"
        assert "load_dataset" not in text
