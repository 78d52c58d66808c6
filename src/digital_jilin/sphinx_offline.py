"""Sphinx extension: keep every page free of addresses outside the book.

Jupyter Book always loads sphinx-thebe, which writes a CDN address (unpkg) and a Binder
configuration into every page even when launch buttons are off. Readers on closed networks
need none of it, so it is dropped from each page as it is written.
"""

from __future__ import annotations

import re

_THEBE_BLOCK = re.compile(
    r'<script type="text/x-thebe-config">.*?</script>\s*(<script>kernelName = [^<]*</script>)?',
    re.S,
)


def _strip_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [
            s
            for s in scripts
            if "thebe" not in str(s).lower()
            and "THEBE" not in str(getattr(s, "attributes", {}).get("body", ""))
        ]
    if "body" in context:
        context["body"] = _THEBE_BLOCK.sub("", context["body"])


def setup(app):
    app.connect("html-page-context", _strip_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
