"""r1lib.toys.unigram (lesson 11): ratio levels and reusing one rollout.

The ratio levels are TRL's ``importance_sampling_level`` ("token", "sequence": GSPO,
arXiv:2507.18071 eq. 7) and DeepSeek-R1's per-output ratio (arXiv:2501.12948v1, eq. 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.distill import log_softmax
from r1lib.grpo import grpo_loss
from r1lib.toys import unigram


def test_drifted_unigram() -> None:
    p_old, log_ratio = unigram.drifted_unigram(0.3)
    assert p_old.shape == log_ratio.shape == (32,) and p_old.sum() == pytest.approx(1.0)
    p_new = p_old * np.exp(log_ratio)
    assert p_new.sum() == pytest.approx(1.0)  # both are distributions
    _, half = unigram.drifted_unigram(0.15)
    assert np.abs(half).max() < np.abs(log_ratio).max()


def test_completion_log_ratios_are_sums_of_token_log_ratios() -> None:
    p_old, log_ratio = unigram.drifted_unigram(0.1)
    ratios = unigram.completion_log_ratios(p_old, log_ratio, 64, 2000, np.random.default_rng(0))
    np.testing.assert_allclose(ratios["sequence (GSPO)"] * 64, ratios["per output (R1)"])
    assert ratios["token"].size == 64 * 2000
    # E[sum_t log r_t] = L E_old[log r] = -L KL(old || new); its sd grows like sqrt(L).
    expected = 64 * (p_old @ log_ratio)
    sd = np.sqrt(64 * (p_old @ log_ratio**2 - (p_old @ log_ratio) ** 2))
    assert ratios["per output (R1)"].mean() == pytest.approx(expected, abs=5 * sd / np.sqrt(2000))
    assert ratios["per output (R1)"].std() == pytest.approx(sd, rel=0.1)


def test_only_the_per_output_ratio_leaves_the_clip_range_more_with_length() -> None:
    p_old, log_ratio = unigram.drifted_unigram(0.1)
    ratios = unigram.completion_log_ratios(p_old, log_ratio, 512, 300, np.random.default_rng(0))
    per_output = unigram.outside_clip_range(ratios["per output (R1)"]).mean()
    gspo = unigram.outside_clip_range(ratios["sequence (GSPO)"]).mean()
    token = p_old @ unigram.outside_clip_range(log_ratio)
    assert per_output > token > gspo
    assert list(unigram.outside_clip_range(np.log([0.79, 0.81, 1.19, 1.21]))) == [
        True,
        False,
        False,
        True,
    ]


def test_logits_gradient_matches_finite_differences(numeric_grad) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=8)
    tokens = rng.integers(0, 8, size=(4, 5))
    advantages = rng.normal(size=4)
    old = log_softmax(logits)[tokens] - 0.05

    def loss(theta: np.ndarray) -> float:
        return grpo_loss(log_softmax(theta)[tokens], old, advantages).loss

    result = grpo_loss(log_softmax(logits)[tokens], old, advantages)
    analytic = unigram.logits_gradient(logits, tokens, result.grad)
    np.testing.assert_allclose(analytic, numeric_grad(loss, logits), rtol=1e-6, atol=1e-9)


def test_first_update_on_a_rollout_is_on_policy() -> None:
    for level in ("token", "sequence"):
        clip, drift = unigram.reuse_rollout(4, 2, level, seed=0)
        assert clip[0] == 0.0 and drift[0] == 0.0
        assert clip.size == drift.size == 8
        assert np.all(drift[1:] > 0.0)
    with pytest.raises(ValueError, match="importance_sampling_level"):
        unigram.reuse_rollout(2, 1, "sentence")
    with pytest.raises(ValueError, match="minibatches"):
        unigram.reuse_rollout(2, 33)


def test_off_policy_drift_pushes_negative_completions_away() -> None:
    # The V3.2 case (arXiv:2512.02556 §3.1): training on a rollout lowers the completions
    # with A < 0, so the sampler's log-probs exceed the policy's on them (D_i > 0), and
    # raises those with A > 0 (D_i < 0). Before any update, only the engine's noise.
    advantages, divergence = unigram.off_policy_drift(6, engine_noise=0.0, seed=3)
    assert divergence.shape == (7, 128)
    assert np.all(divergence[0] == 0.0)
    for step in range(1, 7):
        assert divergence[step][advantages < 0].mean() > 0.005
        assert divergence[step][advantages > 0].mean() < -0.005
    noisy_advantages, noisy = unigram.off_policy_drift(0, engine_noise=0.1, seed=3)
    np.testing.assert_array_equal(noisy_advantages, advantages)
    # 16 tokens of noise 0.1 each: the mean's std is 0.1 / 4 = 0.025.
    assert np.std(noisy[0]) == pytest.approx(0.025, rel=0.2)
    with pytest.raises(ValueError, match="updates"):
        unigram.off_policy_drift(-1)
    with pytest.raises(ValueError, match="engine_noise"):
        unigram.off_policy_drift(1, engine_noise=-0.1)
