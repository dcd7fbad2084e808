"""Exceptions raised by workfw.

Every error is a subclass of :class:`WorkfwError`, itself a ``ValueError``, so
callers can catch one type.  Messages follow one pattern: *where* (file, row or
column), *what was found*, *what was expected* and *what to do next*.
"""
from __future__ import annotations

__all__ = [
    "WorkfwError",
    "ExportReadError",
    "UnknownFormatError",
    "EmptyExportError",
    "MappingError",
    "OptionError",
    "SampleNotFoundError",
    "SchemaError",
]


class WorkfwError(ValueError):
    """Base class of every error workfw raises on purpose."""


class ExportReadError(WorkfwError):
    """A file could not be read as the export it claims or appears to be.

    Parameters
    ----------
    file : str
        Name of the file (or upload) being read.
    where : str
        The row or column concerned, for example ``"row 12"`` or
        ``"column 'Created'"``.
    found : str
        What was found there.
    expected : str
        What was expected instead.
    fix : str
        The next step for the user.
    """

    def __init__(self, file: str, where: str, found: str, expected: str, fix: str) -> None:
        self.file = file
        self.where = where
        self.found = found
        self.expected = expected
        self.fix = fix
        super().__init__(
            f"{file}, {where}: found {found}; expected {expected}. Next step: {fix}"
        )


class UnknownFormatError(ExportReadError):
    """The content matches none of the export formats workfw knows."""


class EmptyExportError(ExportReadError):
    """The file holds no task rows at all."""


class MappingError(WorkfwError):
    """A column mapping (generic CSV) names columns the file does not have."""


class OptionError(WorkfwError):
    """An option has a value outside its valid choices."""


class SampleNotFoundError(WorkfwError):
    """``load_sample`` was asked for a sample that does not exist."""


class SchemaError(WorkfwError):
    """A DataFrame passed to workfw lacks canonical columns or has wrong types."""
