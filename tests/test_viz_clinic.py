"""Lesson 10's figures (every slider callback is also swept by tests/test_viz_sliders.py)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib.viz import clinic


def test_figures() -> None:
    runs = {"a": {"reward": np.zeros((2, 5)), "loss": np.ones((2, 5))}}
    figures = [
        clinic.curves(runs, ["reward", "loss"], title="t"),
        clinic.kl_gradients_figure(),
        clinic.k3_precision(),
        clinic.advantage_scale(),
        clinic.zero_std_step(),
        clinic.aime_spread(),
        clinic.passk_estimators(),
        clinic.checker_advantages(["a", "b", "c"], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]),
    ]
    assert all(isinstance(f, Figure) and f.axes for f in figures)


def test_kl_gradient_bars_show_k3_on_the_forward_kl() -> None:
    axis = clinic.kl_gradients_figure().axes[0]
    heights = {c.get_label(): [b.get_height() for b in c] for c in axis.containers}
    np.testing.assert_allclose(heights["E[∇k3]"], heights["∇KL(π_ref‖π)"], atol=1e-12)
    np.testing.assert_allclose(heights["E[∇k2]"], heights["∇KL(π‖π_ref)"], atol=1e-12)
    np.testing.assert_allclose(heights["E[∇k1]"], 0.0, atol=1e-12)
