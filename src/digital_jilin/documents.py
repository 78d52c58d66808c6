"""Source texts as extraction and verification see them.

A document is read once and kept in two forms: the text as the file has it (for quotes) and the
same text with all white space removed (for matching), with a map between positions. Quotes are
compared without white space because the OCR'd sources break words apart (``数 字化``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from digital_jilin.errors import DataError, DataErrors
from digital_jilin.numbers import Figure, find_figures, strip_ws

_WS = re.compile(r"\s+")


@dataclass
class Document:
    source: str  # source id ("" for a file the catalogue does not know)
    path: Path
    text: str
    flat: str = field(init=False)
    _orig: list[int] = field(init=False, repr=False)

    def __post_init__(self):
        self._orig = [i for i, ch in enumerate(self.text) if not ch.isspace()]
        self.flat = "".join(self.text[i] for i in self._orig)

    @classmethod
    def read(cls, path: Path, source: str = "") -> Document:
        return cls(source, path, path.read_text(encoding="utf-8"))

    @cached_property
    def figures(self) -> list[Figure]:
        return find_figures(self.flat)

    def find_all(self, needle: str) -> list[int]:
        """Start positions (in ``flat``) of every occurrence of ``needle``, white space ignored."""
        needle = strip_ws(needle)
        out, pos = [], self.flat.find(needle)
        while needle and pos >= 0:
            out.append(pos)
            pos = self.flat.find(needle, pos + 1)
        return out

    def contains(self, quote: str) -> bool:
        return bool(strip_ws(quote)) and strip_ws(quote) in self.flat

    def quote(self, start: int, end: int) -> str:
        """The file's text for a flat span, with each run of white space made one space."""
        original = self.text[self._orig[start] : self._orig[end - 1] + 1]
        return _WS.sub(" ", original).strip()

    def line(self, start: int) -> int:
        """Line number (1-based) of a flat position in the file."""
        return self.text.count("\n", 0, self._orig[start]) + 1

    def context(self, start: int, end: int, width: int = 20) -> str:
        return self.quote(max(0, start - width), min(len(self.flat), end + width))


def read_documents(sources_dir: Path, files: dict[str, str]) -> dict[str, Document]:
    """The documents of the catalogue, by source id. ``files``: source id → file name."""
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise DataErrors(
            [
                DataError(
                    str(sources_dir), None, None, "sources folder not found (use --sources DIR)"
                )
            ]
        )
    docs, errors = {}, []
    for source, name in files.items():
        path = sources_dir / name
        if not path.is_file():
            errors.append(DataError(str(path), None, None, f"source '{source}': file not found"))
            continue
        docs[source] = Document.read(path, source)
    if errors:
        raise DataErrors(errors)
    return docs
