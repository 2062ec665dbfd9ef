"""Lesson 13's figures: the smoothing, and both figures drawn from the shipped comparison."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.trl_bridge import COMPARISON_SEEDS, smoothed_curves
from r1lib.viz import trl as viz


def test_smoothed_curves_are_trailing_means() -> None:
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    record = {"runs": {"r1lib": [{"curves": {"reward": x}}, {"curves": {"reward": x[::-1]}}]}}
    assert np.allclose(smoothed_curves(record, "r1lib", "reward", 1), [x, x[::-1]])
    assert np.allclose(smoothed_curves(record, "r1lib", "reward", 2)[0], [1.0, 1.5, 2.5, 3.5, 4.5])
    assert np.allclose(
        smoothed_curves(record, "r1lib", "reward", 10)[0], np.cumsum(x) / np.arange(1, 6)
    )
    with pytest.raises(ValueError, match="window"):
        smoothed_curves(record, "r1lib", "reward", 0)
    with pytest.raises(ValueError, match="metric"):
        smoothed_curves(record, "r1lib", "loss", 2)


@pytest.mark.parametrize("metric", ["reward", "accuracy", "mean_length", "think_share"])
def test_comparison_curves(metric: str) -> None:
    figure = viz.comparison_curves(metric)
    assert isinstance(figure, Figure)
    axis = figure.axes[0]
    assert len(axis.get_lines()) == 2 and f"{len(COMPARISON_SEEDS)} seeds" in axis.get_title()
    assert axis.get_xlabel() == "step (128 completions each)"


def test_end_points() -> None:
    figure = viz.end_points()
    assert isinstance(figure, Figure)
    assert "TRL minus r1lib" in figure.axes[0].get_title()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="metric"):
        viz.comparison_curves("loss")
    with pytest.raises(ValueError, match="window"):
        viz.comparison_curves(window=0)
