"""Live sliders built from a callback's declared ``SLIDERS`` ranges.

Each ``r1lib.viz.<topic>`` module declares its slider ranges once, in
``SLIDERS = {callback_name: {argument: (min, max, step) or [choices]}}``, and
``tests/test_viz_sliders.py`` calls every callback over those ranges. :func:`live`
builds the notebook's widgets from the same dict, so learners can only reach
values the tests cover.

The book has no kernel, so there a widget could not redraw anything. When the book is
built (``R1COURSE_BOOK=1`` in the environment, which the book's Sphinx extension sets
for the kernels it starts), :func:`live` displays a
:func:`r1lib.viz.static.static_live` grid instead: the same controls over a few
precomputed positions of each ``SLIDERS`` range, which work on a static page.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from typing import Any

import ipywidgets

__all__ = ["BOOK_ENV", "live"]

# Set (to "1") in the environment of the kernels that execute the lessons for the book.
BOOK_ENV = "R1COURSE_BOOK"

_STYLE = {"description_width": "initial"}


def live(callback: Callable[..., Any], **overrides: Any) -> None:
    """Show ``callback`` with one live widget per argument declared in its ``SLIDERS``.

    The widget of each argument in ``SLIDERS[callback.__name__]`` (in the callback's
    module) starts at the callback's default value, redraws only on release
    (``continuous_update=False``) and shows its full label in JupyterLab
    (``style={"description_width": "initial"}``):

    * ``(min, max, step)`` with ``int`` min and step: ``ipywidgets.IntSlider``;
    * any other ``(min, max, step)``: ``ipywidgets.FloatSlider``;
    * a list of choices: ``ipywidgets.Dropdown``.

    Then ``ipywidgets.interact(callback, **widgets)`` displays them. Nothing is
    returned, so the notebook cell prints no return value under the figure.

    While the book is built (environment variable ``R1COURSE_BOOK=1``) it displays
    :func:`r1lib.viz.static.static_live` instead: figures precomputed over a few
    positions of every ``SLIDERS`` argument (arguments pinned with ``widgets.fixed``
    keep their value), so each control works on the kernel-free website.

    Parameters
    ----------
    callback : callable
        A slider callback defined in a module with a module-level ``SLIDERS`` dict
        holding an entry under the callback's name.
    **overrides
        Per-argument replacements, keyed by argument name. A widget class (a subclass
        of ``ipywidgets.ValueWidget``, e.g. ``widgets.ToggleButtons`` or
        ``widgets.SelectionSlider``) is built from the declared range instead of the
        default class. Anything else (``widgets.fixed(value)``, a ready widget) is
        passed to ``interact`` unchanged. Every argument not in ``SLIDERS`` must be
        pinned this way (``widgets.fixed``): ``interact`` would otherwise build a widget
        with an untested range from its default.

    Raises
    ------
    TypeError
        If ``callback`` is not a function defined in a module, or an override class
        is not an ``ipywidgets.ValueWidget``.
    ValueError
        If the callback's module declares no ``SLIDERS`` entry for it, an argument in
        ``SLIDERS`` has no default, an override names no argument of the callback, or
        an argument is neither in ``SLIDERS`` nor overridden.

    Examples
    --------
    >>> from r1lib.viz import capstone as viz  # doctest: +SKIP
    >>> live(viz.group_size_curves, x_axis=widgets.ToggleButtons)  # doctest: +SKIP
    """
    name = getattr(callback, "__name__", None)
    module = sys.modules.get(getattr(callback, "__module__", None) or "")
    if not callable(callback) or name is None or module is None:
        raise TypeError(f"callback must be a function defined in a module, got {callback!r}")
    sliders = getattr(module, "SLIDERS", {}).get(name)
    if sliders is None:
        raise ValueError(
            f"callback {module.__name__}.{name} has no entry in {module.__name__}.SLIDERS; "
            "declare its slider ranges there first"
        )
    parameters = inspect.signature(callback).parameters
    unknown = sorted(set(overrides) - set(parameters))
    if unknown:
        raise ValueError(f"overrides name no argument of {name}: {', '.join(unknown)}")
    uncovered = [
        argument
        for argument, parameter in parameters.items()
        if argument not in sliders
        and argument not in overrides
        and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    ]
    if uncovered:
        # interact would build a widget with an untested range from the default
        raise ValueError(
            f"{name}({', '.join(uncovered)}) has no range in SLIDERS: declare one, or pin "
            f"it with {uncovered[0]}=widgets.fixed(value)"
        )

    if os.environ.get(BOOK_ENV) == "1":
        _show_static(callback, sliders, parameters, overrides)
        return

    controls: dict[str, Any] = {}
    for argument, spec in sliders.items():
        default = (
            parameters[argument].default if argument in parameters else inspect.Parameter.empty
        )
        if default is inspect.Parameter.empty:
            raise ValueError(f"{name}({argument}) needs a default: the widget's starting value")
        if isinstance(spec, tuple):
            low, high, step = spec
            whole = isinstance(low, int) and isinstance(step, int)
            cls = ipywidgets.IntSlider if whole else ipywidgets.FloatSlider
            options: dict[str, Any] = {"min": low, "max": high, "step": step}
        else:
            cls, options = ipywidgets.Dropdown, {"options": list(spec)}
        cls = overrides.get(argument, cls)
        if not isinstance(cls, type):
            continue  # a ready widget or widgets.fixed(...): passed through below
        if not issubclass(cls, ipywidgets.ValueWidget):
            raise TypeError(
                f"override for {argument} must be an ipywidgets.ValueWidget class, got {cls!r}"
            )
        if "continuous_update" in cls.class_trait_names():  # type: ignore[attr-defined]
            options["continuous_update"] = False
        controls[argument] = cls(style=_STYLE, value=default, **options)
    for argument, override in overrides.items():
        if isinstance(override, type) and argument not in sliders:
            raise ValueError(
                f"{name}({argument}) has no range in SLIDERS to build a {override.__name__} from"
            )
        controls.setdefault(argument, override)
    ipywidgets.interact(callback, **controls)


def _show_static(
    callback: Callable[..., Any],
    sliders: dict[str, Any],
    parameters: Any,
    overrides: dict[str, Any],
) -> None:
    """Display the precomputed grid that stands in for ``live(callback)`` in the book."""
    from IPython.display import display

    from r1lib.viz.static import static_live

    fixed = {
        argument: override.value
        for argument, override in overrides.items()
        if isinstance(override, ipywidgets.fixed)
    }
    moving = {argument: spec for argument, spec in sliders.items() if argument not in fixed}
    defaults = {}
    for argument in moving:
        default = parameters[argument].default
        if default is inspect.Parameter.empty:
            raise ValueError(f"{callback.__name__}({argument}) needs a default: the starting value")
        defaults[argument] = default
    if not moving:
        display(callback(**fixed))
        return
    display(static_live(callback, moving, defaults, fixed))
