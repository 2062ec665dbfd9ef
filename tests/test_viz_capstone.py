"""Lesson 09's figures and the sweeps behind its sliders (the slider ranges themselves are
driven by tests/test_viz_sliders.py).

Reference for the token weights: TRL's loss types (references.md): grpo = mean over
sequences of each sequence's token mean; dapo = sum / all active tokens; dr_grpo =
sum / (B · max_completion_length).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.miniature.pipeline import PipelineConfig, base_model, run_pipeline
from r1lib.miniature.sweeps import LOSS_VARIANTS, Sweeps, run_sweeps
from r1lib.viz import capstone as viz


@pytest.fixture(scope="module")
def config(tiny_config) -> PipelineConfig:
    """The tests' tiny pipeline with one more GRPO step and a cheaper final evaluation."""
    return replace(tiny_config.with_grpo(steps=4), eval_samples=32)


@pytest.fixture(scope="module")
def runs(config):
    return [run_pipeline(config, seed) for seed in (1, 2)]


@pytest.fixture(scope="module")
def sweeps(config) -> Sweeps:
    return run_sweeps(config, seed=1, group_sizes=(2, 4), group_steps=3, loss_steps=3)


@pytest.mark.parametrize(
    "figure", [viz.training_curves, viz.pass_at_k_curves, viz.student_comparison]
)
def test_result_figures_draw_for_one_and_several_seeds(runs, figure) -> None:
    for results in (runs, runs[0]):
        drawn = figure(results)
        assert isinstance(drawn, Figure) and drawn.axes


def test_figures_reject_bad_results() -> None:
    with pytest.raises(TypeError, match="results"):
        viz.training_curves([])
    with pytest.raises(TypeError, match="sweeps"):
        viz.use_sweeps("sweeps")  # type: ignore[arg-type]


def test_token_weights_follow_the_loss_types() -> None:
    lengths = np.array([9, 17])
    grpo = viz.token_weights("grpo", lengths, 17)
    np.testing.assert_allclose(grpo, 1 / (2 * lengths))
    np.testing.assert_allclose(viz.token_weights("dapo", lengths, 17), 1 / lengths.sum())
    np.testing.assert_allclose(viz.token_weights("dr_grpo", lengths, 17), 1 / (2 * 17))


def test_sweeps_start_from_the_pipeline_base(config, sweeps) -> None:
    assert set(sweeps.group_size) == {2, 4} and set(sweeps.loss_type) == set(LOSS_VARIANTS)
    assert all(len(log.reward) == 3 for log in sweeps.group_size.values())
    np.testing.assert_array_equal(sweeps.samples(4), [64, 128, 192])  # 16 prompts x G
    again = run_sweeps(config, seed=1, group_sizes=(2,), group_steps=3, loss_steps=3)
    np.testing.assert_array_equal(again.group_size[2].reward, sweeps.group_size[2].reward)
    base, held_out = base_model(config, seed=1)
    reference = run_pipeline(config, seed=1)
    for key, value in base.params.items():
        np.testing.assert_array_equal(value, reference.models["base"].params[key])
    assert held_out.shape == (3 + 4, 3)


def test_sliders_draw_the_sweeps(sweeps) -> None:
    viz.use_sweeps(sweeps)
    try:
        assert viz.group_size_curves(group_size=4, x_axis="samples").axes
        assert viz.loss_type_lengths(loss_type="dr_grpo").axes
        with pytest.raises(ValueError, match="group_size"):
            viz.group_size_curves(group_size=16)
        with pytest.raises(ValueError, match="x_axis"):
            viz.group_size_curves(group_size=2, x_axis="time")
        with pytest.raises(ValueError, match="loss_type"):
            viz.loss_type_lengths(loss_type="ppo")
    finally:
        viz._SWEEPS.clear()  # let the slider test use the notebook's default sweep


def test_sweeps_bad_inputs(config) -> None:
    with pytest.raises(ValueError, match="group_sizes"):
        run_sweeps(config, group_sizes=(1,))
    with pytest.raises(ValueError, match="loss_variants"):
        run_sweeps(config, loss_variants=("ppo",))
