"""Figures and slider callbacks for the course (needs the ``course`` extra: matplotlib).

Every slider callback is a pure function ``f(**slider_values) -> matplotlib Figure``
in a per-lesson module (``r1lib.viz.<topic>``); notebooks call it once at the default
values (the figure the book shows), then show its sliders with
:func:`r1lib.viz.live.live` (``ipywidgets.interact`` with widgets built from the
module's ``SLIDERS`` ranges).
:mod:`r1lib.viz.style` holds the one style every figure uses.
"""
