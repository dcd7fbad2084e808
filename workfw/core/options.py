"""The options every ``diagnose`` accepts, and how a framework adds its own.

:data:`DEFAULTS` are the shared options (thresholds and filters);
:func:`split_options` checks a call's options against them and a framework's
own defaults, so every framework rejects a misspelt option the same way.
"""
from __future__ import annotations

from typing import Any

from workfw.errors import OptionError

__all__ = ["DEFAULTS", "split_options"]

#: Documented defaults of the options every ``diagnose`` accepts.
DEFAULTS: dict[str, Any] = {
    "stale_days": 30,          # open and not updated for this many days is stale
    "substantive_words": 15,   # a description with at least this many words is substantive
    "aging_multiple": 2.0,     # in progress longer than this x the median cycle time is aging
    "team": None,              # restrict to one team (or a list of teams)
    "project": None,           # restrict to one project (or a list)
    "window": None,            # (start, end): tasks created or active in this window
    "actors": "all",           # "all", "people" or "agents": whose work to include
    "bots": (),                # extra names to treat as bots/agents
}


def split_options(options: dict[str, Any], own: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a call's options into the shared ones and a framework's own, its defaults filled in.

    Parameters
    ----------
    options : dict
        The keyword options the caller passed.
    own : dict
        The framework's own options and their defaults (``{}`` for none).
    where : str
        The function's name, for the error message (``"value_pyramid.diagnose"``).

    Returns
    -------
    common : dict
        The options of :data:`DEFAULTS` the caller passed (for :func:`workfw.core.prepare`).
    framework : dict
        ``own`` updated with the caller's values.

    Raises
    ------
    workfw.errors.OptionError
        When an option is neither shared nor the framework's own.
    """
    unknown = sorted(set(options) - set(DEFAULTS) - set(own))
    if unknown:
        raise OptionError(f"{where} got unknown options {unknown}; expected some of "
                          f"{sorted(set(DEFAULTS) | set(own))}. Next step: check the spelling.")
    common = {k: v for k, v in options.items() if k in DEFAULTS}
    framework = {**own, **{k: v for k, v in options.items() if k in own}}
    return common, framework
