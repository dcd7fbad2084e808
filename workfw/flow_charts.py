"""The flow charts' former import path, kept for code written against it: see :mod:`workfw.flow.charts`."""
from __future__ import annotations

from workfw.flow.charts import *  # noqa: F401,F403
from workfw.flow.charts import __all__  # noqa: F401
