"""Lesson 05's figure helpers. (Every slider callback is also swept over its SLIDERS
ranges by tests/test_viz_sliders.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.simulation import simulate_benchmark
from r1lib.viz import evaluation as viz


def test_beta_pdf_is_a_density() -> None:
    # Midpoint rule on (0, 1); Beta(2, 3) has mean 2/5.
    x = (np.arange(100_000) + 0.5) / 100_000
    pdf = viz.beta_pdf(x, 2.0, 3.0)
    assert pdf.mean() == pytest.approx(1.0, rel=1e-6)
    assert (x * pdf).mean() == pytest.approx(0.4, rel=1e-6)


def test_miller_variance() -> None:
    # K = 1 for 0/1 scores: Var(p) + E[p(1-p)] = m(1-m), the Bernoulli variance.
    m, s = 0.7, 2.0
    between, within = m * (1 - m) / (s + 1), m * (1 - m) * s / (s + 1)
    assert viz.miller_variance(100, 1, between, within) == pytest.approx(m * (1 - m) / 100)
    assert viz.miller_variance(100, 10**9, between, within) == pytest.approx(between / 100)


def test_figures_of_a_run() -> None:
    run = simulate_benchmark(np.random.default_rng(0), 200, 1, difficulty=viz.DIFFICULTY)
    for figure in (viz.anatomy(run), viz.greedy_versus_sampling(run)):
        assert isinstance(figure, Figure) and figure.axes
    assert viz.Z95 == pytest.approx(1.959963984540054)
    assert math.isclose(viz.DIFFICULTY[0] / sum(viz.DIFFICULTY), 0.7)
