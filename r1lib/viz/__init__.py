"""Figures and slider callbacks for the course (needs the ``course`` extra: matplotlib).

Every slider callback is a pure function ``f(**slider_values) -> matplotlib Figure``
in a per-lesson module (``r1lib.viz.<topic>``); notebooks call it once at the default
values (the figure the book shows), then show its sliders with
:func:`r1lib.viz.live.live` (``ipywidgets.interact`` with widgets built from the
module's ``SLIDERS`` ranges).
:mod:`r1lib.viz.style` holds the one style every figure uses.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["slider_callbacks"]


def slider_callbacks() -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    """Every slider callback of the course with its declared ranges, in module order.

    Returns ``(callback, SLIDERS[callback.__name__])`` for each entry of each
    ``r1lib.viz.<topic>`` module's ``SLIDERS`` dict: the tests sweep these ranges, and
    :func:`r1lib.viz.live.live` builds the notebooks' widgets from them.
    """
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, sliders in getattr(module, "SLIDERS", {}).items():
            found.append((getattr(module, name), sliders))
    return found
