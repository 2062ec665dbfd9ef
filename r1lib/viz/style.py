"""One consistent look for every course figure.

Colour-blind-safe palette (Okabe & Ito 2008), readable font sizes, labelled axes.
Decorate every figure-making function with :func:`styled` and start its figure with
:func:`new_figure`: the style applies inside the function only, so importing r1lib
never changes a learner's global matplotlib settings.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import matplotlib
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

__all__ = ["CYCLE", "PALETTE", "RC", "band", "new_figure", "styled"]

#: Okabe–Ito colours, in the order lines use them.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE: list[str] = list(PALETTE.values())

#: rcParams of every figure (keys typed Any: matplotlib >= 3.11 types them as RcKeyType,
#: which older releases lack).
RC: dict[Any, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": cycler(color=CYCLE),
    "lines.linewidth": 2.0,
}

F = TypeVar("F", bound=Callable[..., Any])


def styled(function: F) -> F:
    """Run ``function`` (which builds and returns a figure) inside the course style."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 6.4, height: float = 4.0, **kwargs: Any
) -> tuple[Figure, Any]:
    """Create a figure and its axes (``width``/``height`` are per panel, in inches).

    The figure is detached from pyplot's global state: no ``plt.show`` needed and no
    leak when a slider redraws it hundreds of times. Once ``%matplotlib inline`` has run
    (every lesson's setup cell does it), Jupyter displays it when it is the value of a
    cell or the return value of an ``interact`` callback.
    """
    figure = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=True, **kwargs)
    return figure, axes


def band(
    axis: Any, x: Any, low: Any, high: Any, *, color: str, alpha: float = 0.2, **kw: Any
) -> Any:
    """Shade an uncertainty band (for example a 95% interval) between ``low`` and ``high``."""
    return axis.fill_between(x, low, high, color=color, alpha=alpha, linewidth=0, **kw)
