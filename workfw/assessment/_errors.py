"""Errors of the self-assessment: files that cannot be used and codes that do not decode."""
from __future__ import annotations

from workfw.errors import ExportReadError, WorkfwError

__all__ = ["AssessmentFileError", "ResponseCodeError"]


class AssessmentFileError(ExportReadError):
    """A statement bank, participant response file or survey CSV cannot be used.

    The message names the file, the place in it (statement, row, column), what
    was found, what was expected and the next step, like every
    :class:`~workfw.errors.ExportReadError`.
    """


class ResponseCodeError(WorkfwError):
    """A copy-paste response code is mistyped, cut short or meant for another questionnaire."""
