"""Polling helpers shared by the browser tests: wait until the page shows what a test awaits.

A widget change travels to the kernel and back before the page shows it, and
charts are redrawn some time after, so the browser tests poll the page every
half second until a check holds, and fail with a message naming what they
waited for. Plain functions over a playwright ``page``:

- :func:`wait_until`: until a check holds on a value read from the page (by a
  Python callable or a JavaScript function);
- :func:`wait_rendered`: until every widget view has rendered and every chart
  is drawn, and the counts stop changing;
- :func:`wait_chart_changed`: until some chart differs from an earlier reading.

Not a test module (no ``test_`` prefix): the browser test modules import it,
as they import conftest.
"""
from __future__ import annotations

from typing import Any, Callable

#: How often the helpers read the page.
POLL_MS = 500

# What the page shows: rendered widget views, drawn charts, error text, and a fingerprint of every chart.
RENDERED = """(root) => {
  const scope = root ? document.querySelector(root) : document;
  // Top-level outputs (not those inside an Output widget) showing a rendered widget view.
  const views = [...scope.querySelectorAll('.jp-OutputArea-output')]
      .filter(o => !o.parentElement.closest('.jupyter-widgets'))
      .filter(o => o.querySelector(':scope > .jupyter-widgets'));
  const plots = [...scope.querySelectorAll('.js-plotly-plot')];
  const errors = [...scope.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(e => e.textContent.slice(0, 500));
  const text = scope.body ? scope.body.innerText : scope.innerText;
  for (const marker of ['Error displaying widget', 'There was an error when executing cell', 'Traceback (most recent call last)'])
    if (text.includes(marker)) errors.push(marker);
  return {
    views: views.length,
    plots: plots.length,
    plotsDrawn: plots.filter(p => p._fullLayout && p.querySelector('.main-svg')).length,
    errors,
    charts: plots.map(p => JSON.stringify([p.data, p.layout])),
  };
}"""


def wait_until(page: Any, read: Callable[[], Any] | str, check: Callable[[Any], bool] = bool, *, what: str,
               arg: Any = None, timeout_ms: int = 60_000) -> Any:
    """Read the page every half second until ``check`` holds on what was read; return that reading.

    Parameters
    ----------
    page : playwright Page
        The page to poll (its ``wait_for_timeout`` paces the polling, so page events keep flowing).
    read : callable or str
        ``read()`` in Python, or a JavaScript function evaluated in the page as
        ``page.evaluate(read, arg)``.
    check : callable
        ``check(reading)`` is true once the awaited state shows (default: the reading is truthy).
    what : str
        What is awaited, in words, for the failure message (for example
        ``"the Growth findings after choosing Growth"``).
    arg : optional
        The argument of a JavaScript ``read``.
    timeout_ms : int
        How long to wait in all.

    Raises
    ------
    AssertionError
        ``check`` never held within ``timeout_ms``; the message names ``what`` and the last reading.
    """
    def reading() -> Any:
        return page.evaluate(read, arg) if isinstance(read, str) else read()

    seen = None
    for _ in range(timeout_ms // POLL_MS):
        seen = reading()
        if check(seen):
            return seen
        page.wait_for_timeout(POLL_MS)
    raise AssertionError(f"waited {timeout_ms} ms for {what}; last seen: {str(seen)[:600]}")


def wait_rendered(page: Any, *, root: str | None = None, min_views: int = 0, min_plots: int = 0,
                  timeout_ms: int = 60_000, watch: Any = None) -> dict:
    """Wait until every widget view has rendered and every chart is drawn, and the counts stop changing.

    Charts inside Output widgets arrive after their widget, so "done" means
    three equal readings half a second apart.

    Parameters
    ----------
    root : str, optional
        A CSS selector to look under (default: the whole document).
    min_views, min_plots : int
        At least this many top-level widget views and charts must show.
    watch : conftest.PageWatch, optional
        Its first problems are quoted in the failure message.

    Returns
    -------
    dict
        The page's state (:data:`RENDERED`): ``views``, ``plots``, ``plotsDrawn``, ``errors``
        (error text shown) and ``charts`` (a fingerprint of each chart's data and layout).
    """
    readings: list[tuple] = []
    state: dict = {}
    for _ in range(timeout_ms // POLL_MS):
        state = page.evaluate(RENDERED, root)
        ready = (state["views"] >= min_views and state["plots"] >= min_plots and state["plotsDrawn"] == state["plots"])
        readings = readings[-2:] + [(ready, state["views"], state["plots"], tuple(state["charts"]))]
        if len(readings) == 3 and readings[0][0] and len(set(readings)) == 1:
            return state
        page.wait_for_timeout(POLL_MS)
    raise AssertionError(f"not rendered after {timeout_ms} ms: {state['views']} of {min_views} widget views, "
                         f"{state['plots']} charts of at least {min_plots} "
                         f"({state['plotsDrawn']} drawn); errors shown: {state['errors']}; "
                         f"browser: {watch.problems()[:5] if watch else 'not watched'}")


def wait_chart_changed(page: Any, before: list[str], *, root: str | None = None, what: str,
                       timeout_ms: int = 60_000) -> dict:
    """Wait until some chart's data or layout differs from ``before`` (charts may be replaced or added).

    ``before`` is the ``charts`` of an earlier :func:`wait_rendered` reading and
    ``what`` the action that should have redrawn a chart (for the failure
    message). Returns the page's state once it has rendered again.
    """
    state: dict = {}
    for _ in range(timeout_ms // POLL_MS):
        page.wait_for_timeout(POLL_MS)
        state = page.evaluate(RENDERED, root)
        if state["plotsDrawn"] == state["plots"] > 0 and sorted(state["charts"]) != sorted(before):
            return wait_rendered(page, root=root, timeout_ms=timeout_ms)
    raise AssertionError(f"no chart changed within {timeout_ms} ms after: {what}; "
                         f"{state.get('plots')} charts on the page; errors shown: {state.get('errors')}")
