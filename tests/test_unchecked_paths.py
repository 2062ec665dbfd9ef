"""Training loops call unvalidated cores; each equals its validated public twin."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import distill, grpo, toys
from r1lib.toys.bigram import score_function_unchecked


@pytest.mark.parametrize(("alpha", "temperature"), [(0.0, 1.0), (0.5, 2.0), (1.0, 4.0)])
def test_combined_distillation_grad_unchecked_equals_checked(
    alpha: float, temperature: float
) -> None:
    rng = np.random.default_rng(0)
    teacher, student = rng.normal(size=(2, 5, 7, 3))
    labels = rng.integers(0, 3, size=(5, 7))
    checked = distill.combined_distillation_grad(
        teacher, student, labels, alpha=alpha, temperature=temperature
    )
    unchecked = distill.combined_distillation_grad_unchecked(
        teacher, student, labels, alpha=alpha, temperature=temperature
    )
    np.testing.assert_allclose(unchecked, checked, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_distillation_grad_unchecked_equals_checked(temperature: float) -> None:
    """Token-level KD's loop calls the unchecked soft-target gradient."""
    teacher, student = np.random.default_rng(1).normal(size=(2, 5, 7, 3))
    np.testing.assert_array_equal(
        distill.distillation_grad_unchecked(teacher, student, temperature),
        distill.distillation_grad(teacher, student, temperature),
    )


def test_combined_distillation_grad_still_refuses_bad_labels() -> None:
    with pytest.raises(ValueError, match="labels"):
        distill.combined_distillation_grad(np.zeros((2, 3)), np.zeros((2, 3)), [0, 3])


def test_score_function_unchecked_equals_checked() -> None:
    theta = np.random.default_rng(1).normal(size=toys.THETA0.shape)
    ys = toys.all_completions()
    np.testing.assert_array_equal(
        score_function_unchecked(theta, ys), toys.score_function(theta, ys)
    )


def test_score_function_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="theta"):
        toys.score_function(np.full(toys.THETA0.shape, np.nan), [[0, 1, 2]])
    with pytest.raises(ValueError, match="sequences"):
        toys.score_function(toys.THETA0, [[0, 1, 3]])


def test_grpo_cores_trust_their_caller() -> None:
    # The unchecked cores check nothing: a NaN goes through as NaN, where the public
    # functions name it.
    logp = np.array([[np.nan, -1.0]])
    result = grpo.grpo_loss_unchecked(logp, logp, np.ones(1), np.ones((1, 2)))
    assert np.isnan(result.loss)
    with pytest.raises(ValueError, match="logp must be finite"):
        grpo.grpo_loss(logp, logp, np.ones(1))
    rewards = np.array([[np.inf, 1.0]])
    assert np.all(np.isnan(grpo.group_advantages_unchecked(rewards)))
    with pytest.raises(ValueError, match="rewards must be finite or NaN"):
        grpo.group_advantages(rewards)
    # A NaN reward is not an error but TRL's None (unscored), read alike by both paths.
    unscored = np.array([[np.nan, 1.0, 0.0]])
    np.testing.assert_array_equal(
        grpo.group_advantages_unchecked(unscored), grpo.group_advantages(unscored)
    )
