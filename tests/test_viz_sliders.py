"""Every slider callback works over its whole range, extremes included.

ipywidgets swallows exceptions raised inside ``interact`` callbacks, so a broken
slider would pass nbval silently. Each ``r1lib.viz.<topic>`` module declares
``SLIDERS = {callback_name: {argument: (min, max, step) or [choices]}}``; this test
calls every callback at each slider's extremes and midpoint (others at their
defaults), and with all sliders at their minima and at their maxima together.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from matplotlib.figure import Figure

from r1lib.viz import slider_callbacks


def _points(spec: Any) -> list[Any]:
    if isinstance(spec, tuple):
        low, high, step = spec
        middle = low + round((high - low) / 2 / step) * step
        if isinstance(low, int) and isinstance(step, int):
            middle = int(middle)
        return [low, middle, high]
    return list(spec)


def _cases() -> list[Any]:
    cases = []
    for callback, sliders in slider_callbacks():
        name = callback.__name__
        for argument, spec in sliders.items():
            for value in _points(spec):
                cases.append(
                    pytest.param(callback, {argument: value}, id=f"{name}-{argument}={value}")
                )
        lows = {a: _points(s)[0] for a, s in sliders.items()}
        highs = {a: _points(s)[-1] for a, s in sliders.items()}
        cases.append(pytest.param(callback, lows, id=f"{name}-all-min"))
        cases.append(pytest.param(callback, highs, id=f"{name}-all-max"))
    return cases


CASES = _cases()


def test_every_slider_module_declares_its_sliders() -> None:
    for callback, sliders in slider_callbacks():
        name = f"{callback.__module__}.{callback.__name__}"
        parameters = inspect.signature(callback).parameters
        for argument in sliders:
            assert argument in parameters, f"{name} has no {argument}"
            assert parameters[argument].default is not inspect.Parameter.empty, (
                f"{name}({argument}) needs a default (the book's figure)"
            )


@pytest.mark.parametrize(("callback", "values"), CASES)
def test_slider_callback_over_range(callback: Any, values: dict[str, Any]) -> None:
    result = callback(**values)
    assert result is not None
    if isinstance(result, Figure):
        assert result.axes, "the figure has no axes"
