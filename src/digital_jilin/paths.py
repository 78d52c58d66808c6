"""Where executed chapters put files a reader downloads, and how pages link to them.

Chapters are executed with their own folder (book/generated/) as the working directory; files
they write under DOWNLOADS_DIR are published by Sphinx (``html_extra_path``) at <site>/downloads/.
Chapter pages live at <site>/book/generated/<id>.html, hence the URL prefix.
"""

from pathlib import Path

EXTRA_DIR = Path("extra")
DOWNLOADS_DIR = EXTRA_DIR / "downloads"
DOWNLOADS_URL = "../../downloads/"
APPENDIX_NAME = "digital-jilin-appendix.xlsx"
