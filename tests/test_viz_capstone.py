"""Lesson 12's figures draw from pipeline records, and its slider reads the shipped sweeps."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.miniature.evaluation import JSON_KS
from r1lib.miniature.reference import SWEEP_GROUP_SIZES, SWEEP_LOSS_TYPES, load_sweeps
from r1lib.miniature.rl import LOG_KEYS
from r1lib.viz import capstone as viz


def _record(seed: int, steps: int = 6) -> dict:
    rng = np.random.default_rng(seed)
    log = {k: rng.uniform(0, 1, steps).tolist() for k in LOG_KEYS}
    model = {
        "pass@1": 0.5,
        "pass@1_ci95": [0.4, 0.6],
        "pass@k": {str(k): min(1.0, 0.5 + 0.05 * i) for i, k in enumerate(JSON_KS)},
        "chain_verified_pass@k": {str(k): 0.4 for k in JSON_KS},
    }
    models = ("base", "grpo", "student_rl", "student_seq_kd", "student_token_kd")
    return {
        "logs": {run: log for run in ("grpo", "dr_grpo", "hacking", "student_rl")},
        "random_guess_pass@k": {str(k): 1 - (31 / 32) ** k for k in JSON_KS},
        **{m: model for m in models},
    }


RECORDS = [_record(s) for s in range(3)]


@pytest.mark.parametrize(
    "figure",
    [
        lambda: viz.rl_curves(RECORDS),
        lambda: viz.rl_curves(RECORDS[0], run="hacking"),
        lambda: viz.pass_at_k_curves(RECORDS),
        lambda: viz.hacking_curves(RECORDS),
        lambda: viz.distillation_by_budget({"fast": RECORDS, "full": RECORDS[:1]}),
    ],
)
def test_figures_draw(figure) -> None:
    result = figure()
    assert isinstance(result, Figure) and result.axes


def test_pass_at_k_figure_shows_the_random_guess_line() -> None:
    figure = viz.pass_at_k_curves(RECORDS)
    for axis in figure.axes[:2]:
        labels = [line.get_label() for line in axis.get_lines()]
        assert any(label.startswith("uniform random guess") for label in labels)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="records"):
        viz.rl_curves([])
    with pytest.raises(ValueError, match="run"):
        viz.rl_curves(RECORDS, run="ppo")
    with pytest.raises(ValueError, match="group_size"):
        viz.sweep_curves(group_size=3)
    with pytest.raises(ValueError, match="loss_type"):
        viz.sweep_curves(loss_type="dapo")


def test_shipped_sweeps_cover_every_slider_setting() -> None:
    sweeps = load_sweeps()
    for g in SWEEP_GROUP_SIZES:
        for loss_type in SWEEP_LOSS_TYPES:
            logs = sweeps["runs"][f"G={g},{loss_type}"]
            assert len(logs) == 3 and len(logs[0]["accuracy"]) == sweeps["steps"]
