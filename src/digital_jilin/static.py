"""Write the book's offline chart scripts into a ``_static`` folder.

The bundle holds Vega, Vega-Lite and Vega-Embed from the pinned ``vl-convert-python`` package,
plus a few lines that draw every chart placeholder (see :mod:`digital_jilin.embed`). It is
written once per build, and only when the pinned version changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import vl_convert as vlc

from digital_jilin.embed import CHART_CLASS

BUNDLE_NAME = "vega-bundle.js"

# Runs inside the bundle's module scope, where vegaEmbed is defined.
_DRAW_ALL = """
function djDrawCharts() {
  document.querySelectorAll('div.CLS').forEach(function (div) {
    if (div.dataset.drawn) { return; }
    div.dataset.drawn = '1';
    var script = div.querySelector('script[type="application/json"]');
    var target = document.createElement('div');
    target.className = 'CLS-view';
    div.appendChild(target);
    vegaEmbed(target, JSON.parse(script.textContent), {actions: false, renderer: 'svg', mode: 'vega-lite'})
      .then(function () {
        // The placeholder (role=img, aria-label) is the text alternative; Vega's own ARIA
        // groups inside it are unnamed, so the drawing is hidden from assistive technology.
        var svg = target.querySelector('svg');
        if (svg) { svg.setAttribute('aria-hidden', 'true'); }
        div.dataset.rendered = '1';
      })
      .catch(function (err) { div.dataset.error = String(err); console.error(err); });
  });
}
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', djDrawCharts);
} else {
  djDrawCharts();
}
""".replace("CLS", CHART_CLASS)


# vl-convert builds an ES module, but browsers refuse module scripts from file:// pages, and
# readers open the book from disk too. The bundle has no import/export, so it runs as a classic
# script once wrapped in a function (its top-level names then stay out of the page's globals).
_CLASSIC_HEAD = '(function () {\n"use strict";\n'
_CLASSIC_TAIL = "\n})();\n"


def bundle_text() -> str:
    return _CLASSIC_HEAD + vlc.javascript_bundle(_DRAW_ALL) + _CLASSIC_TAIL


def write_bundle(static_dir: Path) -> Path:
    """Write the bundle into ``static_dir`` unless an identical one is already there."""
    static_dir.mkdir(parents=True, exist_ok=True)
    out = static_dir / BUNDLE_NAME
    stamp = static_dir / (BUNDLE_NAME + ".version")
    # The drawing code is part of the version: a change to it must rewrite the bundle.
    code = hashlib.sha256((_CLASSIC_HEAD + _DRAW_ALL + _CLASSIC_TAIL).encode()).hexdigest()[:12]
    version = f"vl-convert {vlc.__version__}; vega-lite {vlc.get_vegalite_versions()[-1]}; {code}\n"
    if out.exists() and stamp.exists() and stamp.read_text() == version:
        return out
    out.write_text(bundle_text(), encoding="utf-8")
    stamp.write_text(version)
    return out
