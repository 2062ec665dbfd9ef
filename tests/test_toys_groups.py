"""r1lib.toys.groups (lessons 02, 03): advantage distribution, uniform-group probability.

References: DeepSeekMath §4.1.2 (A = (r − mean)/std); TRL (ddof 1, eps 1e-4); DAPO
(dynamic sampling drops groups with all-equal rewards).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import toys
from r1lib.grpo import group_advantages
from r1lib.viz import advantages as viz


@pytest.mark.parametrize(("group_size", "p"), [(2, 0.05), (8, 0.3), (16, 0.9), (64, 0.5)])
def test_distribution_is_normalised_and_centred(group_size: int, p: float) -> None:
    values, probs, _ = toys.advantage_distribution(group_size, p)
    assert probs.sum() == pytest.approx(1.0)
    # each group's advantages sum to 0, so a random completion's advantage has mean 0
    assert values @ probs == pytest.approx(0.0, abs=1e-12)


def test_distribution_matches_sampling() -> None:
    rng = np.random.default_rng(0)
    group_size, p = 6, 0.3
    adv = group_advantages((rng.random((50_000, group_size)) < p).astype(float))
    values, probs, _ = toys.advantage_distribution(group_size, p)
    assert np.mean(adv == 0.0) == pytest.approx(probs[0], abs=0.01)
    assert np.mean(adv**2) == pytest.approx(values**2 @ probs, rel=0.02)


def test_binary_group_advantages_closed_form() -> None:
    correct, wrong = toys.binary_group_advantages(8, 1, eps=0.0)
    assert correct == pytest.approx(7 / 8 / np.sqrt(1 / 8))  # 2.4749
    assert wrong == pytest.approx(-1 / 8 / np.sqrt(1 / 8))
    assert toys.binary_group_advantages(4, 1, eps=0.0) == pytest.approx((1.5, -0.5))


def test_prob_uniform_group() -> None:
    assert toys.prob_uniform_group(0.5, 2) == pytest.approx(0.5)
    assert toys.prob_uniform_group(0.9, 16) == pytest.approx(0.9**16 + 0.1**16)
    rng = np.random.default_rng(1)
    rewards = rng.random((40_000, 4)) < 0.2
    uniform = np.all(rewards == rewards[:, :1], axis=1).mean()
    assert uniform == pytest.approx(toys.prob_uniform_group(0.2, 4), abs=0.01)


def test_reference_vector_under_each_convention() -> None:
    # references.md: rewards [1,0,0,0]: ddof=1 -> [1.5,-.5,-.5,-.5]; ddof=0 -> [1.732,-.577,...]
    rewards = np.array([[1.0, 0.0, 0.0, 0.0]])
    trl, verl, numpy_std = (group_advantages(rewards, **kw)[0] for kw in viz.CONVENTIONS.values())
    assert np.allclose(trl, [1.5, -0.5, -0.5, -0.5], atol=1e-3)
    assert np.allclose(verl, [1.5, -0.5, -0.5, -0.5], atol=1e-5)
    assert np.allclose(numpy_std, [1.732, -0.577, -0.577, -0.577], atol=1e-3)


@pytest.mark.parametrize("group_size", [2, 5, 16])
def test_difficulty_weights_differ_by_one_over_std(group_size: int) -> None:
    rate, scaled, unscaled = toys.difficulty_weights(group_size)
    correct = np.round(rate * group_size).astype(int)
    rewards = (np.arange(group_size)[None, :] < correct[:, None]).astype(float)
    std = rewards.std(axis=1, ddof=1)
    np.testing.assert_allclose(scaled / unscaled, 1 / (std + 1e-4), rtol=1e-12)
    np.testing.assert_allclose(scaled, np.abs(group_advantages(rewards)).mean(axis=1), rtol=1e-12)


def test_verifier_error_group_makes_exactly_one_error() -> None:
    true, seen, flipped = toys.verifier_error_group(8, 2, "false negative")
    assert flipped == 0 and seen.sum() == 1 and true.sum() == 2
    true, seen, flipped = toys.verifier_error_group(8, 2, "false positive")
    assert flipped == 7 and seen.sum() == 3
    assert toys.verifier_error_group(8, 0, "false negative")[2] is None  # nothing right to miss
    assert toys.verifier_error_group(8, 8, "false positive")[2] is None
    assert toys.verifier_error_group(8, 3, "none")[2] is None
    a_true = group_advantages(true[None])[0]
    a_seen = group_advantages(seen[None])[0]
    assert a_true[7] < 0 < a_seen[7]  # a wrong answer pushed up
    with pytest.raises(ValueError, match="n_correct"):
        toys.verifier_error_group(4, 5)
    with pytest.raises(ValueError, match="error"):
        toys.verifier_error_group(4, 1, "both")
