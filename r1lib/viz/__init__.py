"""Figures and slider callbacks for the course (needs the ``course`` extra: matplotlib).

Every slider callback is a pure function ``f(**slider_values) -> matplotlib Figure``
in a per-lesson module (``r1lib.viz.<topic>``); notebooks call it once at the default
values (the figure the book shows), then wrap it in ``ipywidgets.interact``.
:mod:`r1lib.viz.style` holds the one style every figure uses.
"""
