"""Errors that carry where bad input is: the file, the row and the column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataError:
    """One problem in one place of an input file.

    ``row`` is the row number a person sees: in a CSV the line number (header = 1),
    in a worksheet the Excel row number. ``None`` when the problem is about the whole file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataErrors(Exception):
    """Raised when input fails validation; holds every problem found, not just the first."""

    def __init__(self, errors: list[DataError]):
        self.errors = list(errors)
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        lines = [str(e) for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"… and {len(self.errors) - limit} more problems")
        return "\n".join(lines)
