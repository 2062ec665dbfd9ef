"""Lesson 12's figures draw from pipeline records and claims; its sliders read the shipped
reference runs and sweeps."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.miniature.claims import evaluate_claims
from r1lib.miniature.evaluation import JSON_KS
from r1lib.miniature.reference import (
    DIFFICULTIES,
    SWEEP_GROUP_SIZES,
    SWEEP_LOSS_TYPES,
    difficulty_summary,
    load_reference,
    load_sweeps,
    sweep_summary,
)
from r1lib.miniature.rl import LOG_KEYS
from r1lib.viz import capstone as viz

MODELS = ("base", "grpo", "dr_grpo", "student_rl", "student_seq_kd", "student_token_kd")


def _record(seed: int, steps: int = 6) -> dict:
    rng = np.random.default_rng(seed)
    log = {k: rng.uniform(0, 1, steps).tolist() for k in LOG_KEYS}
    log["wait_given_error"][1] = None  # a step without a wrong value: a gap
    size, n = 12, 256
    per_problem = {
        "steps": rng.integers(1, 11, size).tolist(),
        **{
            key: rng.integers(0, n, size).tolist()
            for key in ("correct", "chain_correct", "waits", "errors", "errors_waited", "rights")
        },
        "length": (n * rng.integers(3, 14, size)).tolist(),
        "self_corrects": [0] * size,
        "rights_waited": [0] * size,
        "thinks": [n] * size,
        "well_formed": [n] * size,
        "cons": rng.uniform(0, 1, size).tolist(),
    }
    model = {
        "n": n,
        "pass@1": 0.5,
        "pass@1_ci95": [0.4, 0.6],
        "pass@k": {str(k): min(1.0, 0.5 + 0.05 * i) for i, k in enumerate(JSON_KS)},
        "chain_verified_pass@k": {str(k): 0.4 for k in JSON_KS},
        "length_by_steps": {"slope": 1.0, "slope_ci95": [0.9, 1.1]},
        "per_problem": per_problem,
    }
    return {
        "budget": "test",
        "logs": {run: log for run in ("grpo", "dr_grpo", "hacking", "student_rl")},
        "random_guess_pass@k": {str(k): 1 - (127 / 128) ** k for k in JSON_KS},
        "difficulty_buckets": {"easy": [1, 4], "medium": [5, 7], "hard": [8, 10]},
        "hacking": {"proxy_reward": 0.9, "true_accuracy": 0.3},
        **{m: model for m in MODELS},
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
        lambda: viz.claims_by_budget(
            {"a": evaluate_claims(RECORDS), "b": evaluate_claims(RECORDS[:1])},
            ["accuracy", "wait_aim", "narrowing@256"],
        ),
        lambda: viz.difficulty_view(steps=3),
        lambda: viz.sweep_curves(group_size=4, loss_type="dr_grpo"),
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
    with pytest.raises(ValueError, match="steps"):
        viz.difficulty_view(steps=0)


def test_shipped_sweeps_cover_every_slider_setting() -> None:
    sweeps = load_sweeps()
    for g in SWEEP_GROUP_SIZES:
        for loss_type in SWEEP_LOSS_TYPES:
            logs = sweeps["runs"][f"G={g},{loss_type}"]
            assert len(logs) == 3 and len(logs[0]["accuracy"]) == sweeps["steps"]
    final = sweep_summary()["final_length"]
    assert set(final) == set(sweeps["runs"])


def test_difficulty_summary_covers_every_difficulty() -> None:
    summary = difficulty_summary()
    records = load_reference("notebook")
    assert summary["ks"][-1] == 256 and len(summary["random_guess"]) == len(summary["ks"])
    for model in ("base", "grpo"):
        assert np.shape(summary["length"][model]) == (len(records), len(DIFFICULTIES))
        for s in DIFFICULTIES:
            curves = np.asarray(summary["pass@k"][model][s])
            chain = np.asarray(summary["chain_pass@k"][model][s])
            assert curves.shape == (len(records), len(summary["ks"]))
            assert np.all(np.diff(curves, axis=1) >= -1e-12) and np.all(chain <= curves + 1e-12)
    assert sum(summary["problems"].values()) == len(records[0]["base"]["per_problem"]["steps"])
