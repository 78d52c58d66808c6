"""One line per chapter with its time: a bar on a terminal, plain lines elsewhere (CI, logs)."""

from __future__ import annotations

import os
import sys


class Progress:
    def __init__(self, total: int, quiet: bool | None = None, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stdout
        if quiet is None:
            quiet = bool(os.environ.get("CI"))  # CI logs want the lines, not a bar
        self.bar = None
        if not quiet and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="chapter", file=self.stream, leave=False)

    def line(self, chapter: str, state: str, seconds: float) -> None:
        self.done += 1
        text = f"[{self.done:>2}/{self.total}] {chapter:<16} {state:<9} {seconds:6.1f}s"
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
            self.bar.update(1)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
