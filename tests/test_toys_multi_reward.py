"""r1lib.toys.multi_reward: R1's accuracy reward and a noisily judged format reward, and
what each multi_objective_aggregation of group_advantages (TRL 1.16.0's options; GDPO,
arXiv:2601.05242) makes of them."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.grpo import group_advantages
from r1lib.toys import multi_reward


def test_rewards_are_accuracy_and_a_noisy_format() -> None:
    rng = np.random.default_rng(0)
    clean = multi_reward.accuracy_and_noisy_format(rng, 2000, 8, format_noise=0.0)
    assert clean.shape == (2000, 8, 2)
    assert set(np.unique(clean)) == {0.0, 1.0}
    assert clean[:, :, 1].mean() == pytest.approx(0.8, abs=0.01)  # format_rate
    assert clean[:, :, 0].mean() == pytest.approx(0.5, abs=0.02)  # E[p_g] = 1/2
    noisy = multi_reward.accuracy_and_noisy_format(
        np.random.default_rng(0), 2000, 8, format_noise=2.0
    )
    np.testing.assert_array_equal(noisy[:, :, 0], clean[:, :, 0])  # same accuracy draws
    assert np.std(noisy[:, :, 1] - clean[:, :, 1]) == pytest.approx(2.0, rel=0.02)


def test_sign_agreement_by_hand() -> None:
    assert multi_reward.sign_agreement([[1.0, -1.0]], [[1.0, 0.0]]) == 1.0
    assert multi_reward.sign_agreement([[-1.0, 1.0]], [[1.0, 0.0]]) == 0.0
    assert np.isnan(multi_reward.sign_agreement([[1.0, -1.0]], [[1.0, 1.0]]))
    # Accuracy advantages agree perfectly with accuracy.
    r = multi_reward.accuracy_and_noisy_format(np.random.default_rng(1), 64, 8, format_noise=0)
    accuracy = r[:, :, 0]
    assert multi_reward.sign_agreement(group_advantages(accuracy), accuracy) == 1.0


def test_noise_takes_over_the_sum_but_not_the_normalised_rewards() -> None:
    # The claim lesson 11's figure shows: as the judge's noise grows, sum_then_normalize's
    # advantages lose track of correctness (towards 0.5), normalize_then_sum's do not
    # (each reward keeps the share its weight gives it). Means over 5 seeds, each of
    # 256 groups of 8; the gaps are many standard errors (std / sqrt(5)) wide.
    sweep = multi_reward.aggregation_sweep([0.0, 10.0], seeds=5)
    (sum_mean, sum_std), (gdpo_mean, gdpo_std) = (
        sweep["sum_then_normalize"],
        sweep["normalize_then_sum"],
    )
    error = np.sqrt((sum_std**2 + gdpo_std**2) / 5)
    assert sum_mean[1] < 0.6 and abs(sum_mean[1] - 0.5) < 0.05
    assert gdpo_mean[1] - sum_mean[1] > 10 * error[1]
    assert abs(gdpo_mean[1] - gdpo_mean[0]) < 0.1  # GDPO: about flat in the noise
    assert gdpo_mean[0] > sum_mean[0]  # and better without noise: (1, 0) vs (0, 1)


def test_bad_input() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="group_size"):
        multi_reward.accuracy_and_noisy_format(rng, 2, 1, format_noise=0.0)
    with pytest.raises(ValueError, match="format_noise"):
        multi_reward.accuracy_and_noisy_format(rng, 2, 4, format_noise=-1.0)
    with pytest.raises(ValueError, match="format_noise must be >= 0"):
        multi_reward.aggregation_sweep([-1.0])
    with pytest.raises(ValueError, match="accuracy must have the same shape"):
        multi_reward.sign_agreement([[1.0, 0.0]], [[1.0]])
