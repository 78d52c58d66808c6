"""The built book in Debian's chromium, served from localhost with the network cut off.

Session fixtures build the real book once (the repository's cached build, fixed edition date),
copy it aside so a concurrent rebuild cannot swap it mid-run, serve it from a localhost
``http.server`` thread, and open one browser with a desktop (1280 px) and a phone (390 px) tab.
Every request that leaves localhost is aborted and recorded. Each page is visited once per
width (see :class:`Book`); the tests read what the visit recorded.

Without chromium the tests skip with a reason, except in CI (env ``CI`` set), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from digital_jilin import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AS_OF = "2026-11-21"  # a fixed edition, so the repository's cached chapters are reused
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = PROJECT_ROOT / "_build" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHART_TIMEOUT_MS = 30_000
REFRESH = re.compile(r'http-equiv="refresh"\s+content="0;\s*url=([^"]+)"', re.I)

# Every chart placeholder has finished: drawn (data-rendered) or failed (data-error).
CHARTS_SETTLED = """() => [...document.querySelectorAll('div.dj-chart')]
    .every(d => d.dataset.rendered === '1' || d.dataset.error !== undefined)"""

# What each chart placeholder holds once the page has settled.
CHART_STATE = """() => {
  const isSpec = s => {
    try {
      const o = JSON.parse(s.textContent);
      return !!o && typeof o === 'object' &&
        ['mark', 'layer', 'hconcat', 'vconcat', 'concat', 'facet', 'repeat'].some(k => k in o);
    } catch (e) { return false; }
  };
  const specs = [...document.querySelectorAll('script[type="application/json"]')].filter(isSpec);
  const charts = [...document.querySelectorAll('div.dj-chart')].map((d, i) => {
    const svg = d.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    // Data marks: the items inside Vega's mark groups that have a size or text.
    const marks = svg ? [...svg.querySelectorAll('g[class*="mark-"] > *')].filter(el => {
      if (el.tagName === 'text') { return el.textContent.trim() !== ''; }
      if (el.tagName === 'g') { return false; }
      const b = el.getBBox();
      return b.width > 0 || b.height > 0;
    }) : [];
    const dataMarks = marks.filter(el => el.parentElement.classList.contains('role-mark'));
    return {
      index: i,
      label: d.getAttribute('aria-label'),
      role: d.getAttribute('role'),
      rendered: d.dataset.rendered === '1',
      error: d.dataset.error ?? null,
      svgWidth: box.width,
      svgHeight: box.height,
      marks: marks.length,
      dataMarks: dataMarks.length,
    };
  });
  return {specs: specs.length, charts};
}"""

# Charts and tables that stick out of a phone's width, measured by the box that clips them: the
# element itself, or its nearest ancestor inside the article that scrolls or clips sideways.
OVERFLOW = """() => {
  const limit = window.innerWidth + 1;
  const clipBox = el => {
    for (let e = el; e && !e.matches('article, main, body'); e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') { return e.getBoundingClientRect(); }
    }
    return el.getBoundingClientRect();
  };
  const out = [];
  for (const el of document.querySelectorAll('div.dj-chart, table, figure, pre, img')) {
    const r = clipBox(el);
    if (r.width > 0 && (r.right > limit || r.left < -1)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(r.left)}..` +
               `${Math.round(r.right)} px`);
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
          offenders: out};
}"""


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# preload: false — axe would otherwise re-fetch each stylesheet's @import, resolving
# "../basic.css" against the page instead of the stylesheet (a 404 that is axe's, not the book's).
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || ''))}));
}"""


@dataclass
class Visit:
    """What one page showed at one width."""

    page: str
    device: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    settled: bool = True
    charts: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    screenshot: Path | None = None


class Book:
    """One browser, two tabs (desktop and phone); each page visited once per tab, on demand."""

    def __init__(self, browser, base_url: str, root: Path, shots: Path | None):
        self.base_url = base_url
        self.root = root
        self.shots = shots
        self.axe = _axe_source()
        self._visits: dict[tuple[str, str], Visit] = {}
        self._current: Visit | None = None
        self.tabs = {
            "desktop": self._tab(browser, DESKTOP, mobile=False),
            "phone": self._tab(browser, PHONE, mobile=True),
        }

    def _tab(self, browser, viewport: dict, *, mobile: bool):
        context = browser.new_context(
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            service_workers="block",
        )
        context.route("**/*", self._route)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._record("console_errors", f"uncaught: {exc}"))
        page.on("response", self._response)
        page.on("dialog", self._dialog)
        return page

    # -- recording ---------------------------------------------------------------------------
    def _record(self, what: str, text: str) -> None:
        if self._current is not None:
            getattr(self._current, what).append(text)

    def _route(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self._record("outside_requests", url)
            route.abort("blockedbyclient")

    def _console(self, msg) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self._record("console_errors", f"{msg.text} ({where})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self._record("bad_responses", f"{response.status} {response.url}")

    def _dialog(self, dialog) -> None:
        self._record("dialogs", f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # -- visiting ----------------------------------------------------------------------------
    def url(self, page: str) -> str:
        return self.base_url + page

    def open(self, page: str, device: str = "desktop") -> Visit:
        """Load ``page`` in the tab and record what happens until its charts have settled."""
        tab = self.tabs[device]
        visit = Visit(page, device)
        self._current = visit
        tab.goto(self.url(page), wait_until="load")
        redirect = REFRESH.search((self.root / page).read_text(encoding="utf-8", errors="replace"))
        if redirect:  # the site's root index.html only forwards to book/index.html
            tab.wait_for_url(urljoin(self.url(page), redirect.group(1)), wait_until="load")
        try:
            tab.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - recorded, and the chart test says which failed
            visit.settled = False
        return visit

    def visit(self, page: str, device: str = "desktop") -> Visit:
        """The page's visit at this width: loaded, measured, checked by axe, photographed."""
        key = (page, device)
        if key in self._visits:
            return self._visits[key]
        visit = self.open(page, device)
        tab = self.tabs[device]
        visit.charts = tab.evaluate(CHART_STATE)
        visit.layout = tab.evaluate(OVERFLOW)
        if self.shots is not None:
            out = self.shots / device / (page.removesuffix(".html").replace("/", "__") + ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=out, full_page=True)
            visit.screenshot = out
        self._current = None  # axe is ours: what it does is not the page's doing
        tab.add_script_tag(content=self.axe)
        visit.axe = tab.evaluate(AXE_RUN)
        self._visits[key] = visit
        return visit

    def pages(self) -> list[str]:
        """Every HTML page of the built site, as paths relative to its root."""
        found = []
        for f in sorted(self.root.rglob("*.html")):
            rel = f.relative_to(self.root)
            if any(part.startswith((".", "_")) for part in rel.parts):
                continue  # _static, _sources, hidden folders: not pages of the book
            found.append(rel.as_posix())
        return found


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium and Playwright, or a skip (a failure in CI)."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (install Debian's chromium: scripts/system-deps.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:
            problem = f"Playwright for Python is not installed: {exc}"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def serve():
    """serve(folder) -> base URL of a localhost server for that folder (stopped at the end)."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site(chromium, tmp_path_factory) -> Path:
    """The real book, built from the shipped data, copied aside from the repository's _build."""
    cmd = [sys.executable, "-m", "digital_jilin", "build", "--as-of", AS_OF]
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"the book did not build:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    copy = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(PROJECT_ROOT / "_build" / "html", copy)
    return copy


@pytest.fixture(scope="session")
def open_book(browser, serve):
    """open_book(html_folder, shots=None) -> a Book of that built site, served from localhost."""

    def start(folder: Path, shots: Path | None = None) -> Book:
        return Book(browser, serve(folder), folder, shots)

    return start


@pytest.fixture(scope="session")
def book(open_book, site) -> Book:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    return open_book(site, SCREENSHOTS)


@pytest.fixture(scope="session")
def pages(book) -> list[str]:
    found = book.pages()
    assert "book/index.html" in found, f"no book/index.html among the built pages: {found}"
    return found


# -- a summary for the people reading the run --------------------------------------------------
_STATS: dict = {"pages": 0, "charts": 0, "axe": {}}


@pytest.fixture(scope="session")
def browser_stats() -> dict:
    """Filled by the tests: pages and charts checked, axe findings of any impact by rule."""
    return _STATS


def pytest_terminal_summary(terminalreporter):
    if not _STATS["pages"]:
        return
    terminalreporter.write_sep("-", "browser")
    terminalreporter.write_line(
        f"{_STATS['pages']} pages and {_STATS['charts']} charts checked at desktop width "
        f"(and again at phone width); screenshots in {SCREENSHOTS}"
    )
    for rule, where in sorted(_STATS["axe"].items()):
        terminalreporter.write_line(f"axe {rule}: {len(where)} page(s)")
