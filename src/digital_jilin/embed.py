"""Charts in the book's HTML: a placeholder the shipped Vega bundle fills in.

A chart is written as ``<div class="dj-chart">`` holding its Vega-Lite specification in a
``<script type="application/json">``; ``_static/vega-bundle.js`` (built from the pinned
vl-convert package by :mod:`digital_jilin.static`) draws every such div when the page loads.
No CDN is involved, so pages draw with no network.
"""

from __future__ import annotations

import html
import json

CHART_CLASS = "dj-chart"


def spec_json(spec: dict) -> str:
    """JSON safe to place inside a <script> element: '</' can never close the element."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def chart_html(chart, description: str) -> str:
    """The placeholder for one Altair chart; ``description`` is the text alternative."""
    spec = dict(chart.to_dict() if hasattr(chart, "to_dict") else chart)
    # The schema URL is only a version label; the bundle is told the mode instead, so no
    # outside address appears in the page.
    spec.pop("$schema", None)
    label = html.escape(description, quote=True)
    return (
        f'<div class="{CHART_CLASS}" role="img" aria-label="{label}">'
        f'<script type="application/json">{spec_json(spec)}</script>'
        "</div>"
    )
