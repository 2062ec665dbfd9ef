"""Lesson 06's figure helpers and exact reference values. (Every slider callback is also
swept over its SLIDERS ranges by tests/test_viz_sliders.py.)"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib.simulation import simulate_benchmark
from r1lib.viz import metrics as viz


def test_figures_from_data() -> None:
    run = simulate_benchmark(np.random.default_rng(0), 12, 16, difficulty=(1.4, 0.6))
    figures = [
        viz.metric_curves(run.correct, run.answers, run.gold, ks=[1, 4, 16]),
        viz.maj_at_k_estimators(np.array([0.5, 0.6, 0.7]), np.array([0.6, 0.62, 0.64]), 0.6, 4, 16),
        viz.r1_pass1_versus_cons64(),
    ]
    for figure in figures:
        assert isinstance(figure, Figure) and figure.axes
    assert "Voting adds" in figures[2].axes[0].get_title()
