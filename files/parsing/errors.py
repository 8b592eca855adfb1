"""What a parser raises: one bad cell (FieldError) or a file that cannot be read at all
(FileFormatError)."""

from __future__ import annotations

from collections.abc import Iterable


class FieldError(ValueError):
    """One bad cell. The message is for the team: what is wrong and how to fix it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileFormatError(ValueError):
    """The whole file cannot be read (unknown type, missing column). Nothing is imported.
    `missing` and `unknown`: for a header without a required column, the columns not found
    and the header cells that matched no column (shown as the message quotes them)."""

    def __init__(self, message: str, *, missing: Iterable[str] = (), unknown: Iterable[str] = ()):
        super().__init__(message)
        self.missing = list(missing)
        self.unknown = list(unknown)
