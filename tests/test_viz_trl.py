"""Lesson 13's figures: the smoothing, and both figures drawn from the shipped comparison."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.viz import trl as viz


def test_moving_average_is_a_trailing_mean() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.allclose(viz.moving_average(x, 1), x)
    assert np.allclose(viz.moving_average(x, 2), [1.0, 1.5, 2.5, 3.5, 4.5])
    assert np.allclose(viz.moving_average(x, 10), np.cumsum(x) / np.arange(1, 6))


@pytest.mark.parametrize("metric", ["reward", "accuracy", "mean_length", "think_share"])
def test_comparison_curves(metric: str) -> None:
    figure = viz.comparison_curves(metric)
    assert isinstance(figure, Figure)
    axis = figure.axes[0]
    assert len(axis.get_lines()) == 2 and "3 seeds" in axis.get_title()


def test_end_points() -> None:
    figure = viz.end_points()
    assert isinstance(figure, Figure)
    assert "TRL minus r1lib" in figure.axes[0].get_title()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="metric"):
        viz.comparison_curves("loss")
    with pytest.raises(ValueError, match="window"):
        viz.comparison_curves(window=0)
