"""workfw: work management frameworks, measured on your tracker's export."""
from __future__ import annotations

from .errors import WorkfwError
from .export import ImportReport, TaskExport, combine_exports
from .io import list_formats, read_export

__all__ = ["read_export", "list_formats", "combine_exports", "TaskExport", "ImportReport", "WorkfwError"]
__version__ = "0.1.0"
