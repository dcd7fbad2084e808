"""The flow charts' former import path, kept for code written against it: see :mod:`workfw.flow.charts`."""
from __future__ import annotations

from workfw.flow.charts import *  # noqa: F401,F403
from workfw.flow.charts import __all__  # noqa: F401

# The charts of the stage-based metrics (workflow stages, trends, sprints) live beside them.
from workfw.flow.metric_charts import *  # noqa: F401,F403,E402
from workfw.flow.metric_charts import __all__ as _metric_names  # noqa: E402

__all__ = [*__all__, *_metric_names]
