"""Lesson 05's figures of a given run. (Every slider callback is also swept over its
SLIDERS ranges by tests/test_viz_sliders.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.simulation import simulate_benchmark
from r1lib.viz import evaluation as viz


def test_figures_of_a_run() -> None:
    run = simulate_benchmark(np.random.default_rng(0), 200, 1, difficulty=viz.DIFFICULTY)
    for figure in (viz.anatomy(run), viz.greedy_versus_sampling(run)):
        assert isinstance(figure, Figure) and figure.axes
    assert viz.Z95 == pytest.approx(1.959963984540054)
    assert math.isclose(viz.DIFFICULTY[0] / sum(viz.DIFFICULTY), 0.7)


def test_variance_figure_draws_millers_line_through_every_k() -> None:
    axis = viz.variance_versus_samples(num_questions=100, concentration=2.0).axes[0]
    line = axis.lines[0]
    assert list(line.get_xdata()) == list(range(1, 65))
    m, s = 0.7, 2.0
    between, within = m * (1 - m) / (s + 1), m * (1 - m) * s / (s + 1)
    assert line.get_ydata()[0] == pytest.approx(100 * math.sqrt((between + within) / 100))
