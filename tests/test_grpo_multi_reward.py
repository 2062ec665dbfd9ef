"""group_advantages with several reward functions and unscored completions, against TRL.

TRL 1.16.0, ``trl/trainer/grpo_trainer.py`` lines 2757-2812 (``reward_weights``,
``multi_objective_aggregation``, NaN for a reward function's ``None``), transcribed in
``tests/trl_transcription.py`` (``trl_advantages``, with TRL's ``nanstd`` from
``trl/trainer/utils.py`` 1021-1050). TRL computes in float32 and adds 1e-4 to every std;
the comparisons use r1lib's ``eps=1e-4`` and ``ddof=1``, in float64 on both sides.
"""

from __future__ import annotations

import numpy as np
import pytest
from trl_transcription import trl_advantages

from r1lib.grpo import group_advantages, group_advantages_unchecked


def _rewards(seed: int, groups: int = 5, size: int = 6, functions: int = 3, unscored=0.0):
    """R1-like rewards: 0/1 accuracy, 0/1 format, a language share in [0, 1]; a
    fraction ``unscored`` of them NaN (TRL's None)."""
    rng = np.random.default_rng(seed)
    r = np.stack(
        [
            rng.integers(0, 2, size=(groups, size)).astype(float),
            (rng.random((groups, size)) < 0.8).astype(float),
            rng.random((groups, size)),
        ][:functions],
        axis=2,
    )
    r[rng.random(r.shape) < unscored] = np.nan
    return r


def _theirs(r, **options):
    groups, size, functions = r.shape
    flat = trl_advantages(r.reshape(groups * size, functions), size, **options)
    return flat.reshape(groups, size)


@pytest.mark.parametrize("aggregation", ["sum_then_normalize", "normalize_then_sum"])
@pytest.mark.parametrize("unscored", [0.0, 0.15])
@pytest.mark.parametrize("weights", [None, [1.0, 0.5, 2.0]])
def test_several_reward_functions_match_trl(aggregation, unscored, weights) -> None:
    r = _rewards(60, unscored=unscored)
    w = None if weights is None else np.array(weights)
    ours = group_advantages(r, reward_weights=w, multi_objective_aggregation=aggregation)
    theirs = _theirs(r, reward_weights=w, multi_objective_aggregation=aggregation)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scale", ["group", "batch", "none"])
@pytest.mark.parametrize("unscored", [0.0, 0.2])
def test_scale_rewards_with_sum_then_normalize_matches_trl(scale: str, unscored: float) -> None:
    r = _rewards(61, unscored=unscored)
    ours = group_advantages(r, scale=scale)
    np.testing.assert_allclose(ours, _theirs(r, scale_rewards=scale), rtol=1e-12, atol=1e-12)


def test_one_function_as_three_d_is_the_two_d_call() -> None:
    r = _rewards(62, functions=1)
    np.testing.assert_array_equal(group_advantages(r), group_advantages(r[:, :, 0]))
    both = group_advantages(r, multi_objective_aggregation="normalize_then_sum")
    np.testing.assert_array_equal(
        both, group_advantages(r[:, :, 0], multi_objective_aggregation="normalize_then_sum")
    )


def test_sum_then_normalize_is_the_weighted_sum() -> None:
    r = _rewards(63)
    w = np.array([1.0, 0.5, 2.0])
    np.testing.assert_allclose(
        group_advantages(r, reward_weights=w), group_advantages(r @ w), rtol=1e-14
    )


def test_normalize_then_sum_gives_each_reward_its_weight_whatever_its_scale() -> None:
    # GDPO's point: multiplying one reward by 1000 changes sum_then_normalize's ranking
    # of a group's completions but not normalize_then_sum's advantages.
    r = _rewards(64)
    louder = r.copy()
    louder[:, :, 2] *= 1000.0
    gdpo = {"multi_objective_aggregation": "normalize_then_sum", "eps": 0.0}
    np.testing.assert_allclose(
        group_advantages(louder, **gdpo), group_advantages(r, **gdpo), rtol=1e-12, atol=1e-12
    )  # (exactly, up to rounding, without the eps added to each std)
    assert not np.allclose(group_advantages(louder), group_advantages(r), atol=1e-2)
    # GDPO's reward collapse: a winner on one reward and a winner on two get the same
    # advantages when each group's sum is normalised, but not when each reward is.
    groups = np.array([[[0.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]]])
    summed = group_advantages(groups, eps=0.0)
    np.testing.assert_allclose(summed[0], summed[1], rtol=1e-15)
    separate = group_advantages(groups, multi_objective_aggregation="normalize_then_sum")
    assert separate[1, 1] > separate[0, 1] > 0


def test_unscored_completions_as_trl() -> None:
    # TRL >= 1.6.0 (PR #5902): a completion every function scores None is left out of
    # its group's mean and std, and its advantage is 0; a partly scored one sums the rest.
    r = np.array([[[1.0, 1.0], [0.0, np.nan], [np.nan, np.nan], [1.0, 0.0]]])
    got = group_advantages(r, eps=0.0)[0]
    assert got[2] == 0.0
    scored = np.array([2.0, 0.0, 1.0])  # nansum over functions, the unscored one left out
    want = (scored - scored.mean()) / scored.std(ddof=1)
    np.testing.assert_allclose(got[[0, 1, 3]], want, rtol=1e-14)
    np.testing.assert_allclose(got, _theirs(r)[0], atol=1e-4 * 2)  # TRL's eps 1e-4
    # With 2-D rewards the same: NaN is an unscored completion, left out, advantage 0.
    two = group_advantages([[1.0, 0.0, np.nan, 0.0]], eps=0.0)[0]
    np.testing.assert_allclose(two[[0, 1, 3]], group_advantages([[1.0, 0.0, 0.0]], eps=0.0)[0])
    assert two[2] == 0.0


def test_groups_with_too_few_scored_rewards_get_zero() -> None:
    # One scored reward has no std (TRL's nanstd is NaN): advantage 0, as TRL's nan_to_num.
    r = np.array([[1.0, np.nan, np.nan], [np.nan, np.nan, np.nan], [1.0, 0.0, 1.0]])
    got = group_advantages(r)
    np.testing.assert_array_equal(got[:2], 0.0)
    np.testing.assert_allclose(got, _theirs(r[:, :, None]), rtol=1e-12, atol=1e-12)
    assert np.all(group_advantages(r, scale="none")[:2] == 0.0)


def test_a_constant_reward_is_exactly_zero_in_every_mode() -> None:
    r = np.ones((2, 4, 2))
    r[0, :, 0] = [1.0, 0.0, 1.0, 0.0]
    for aggregation in ("sum_then_normalize", "normalize_then_sum"):
        got = group_advantages(r, multi_objective_aggregation=aggregation, eps=0.0)
        assert np.all(got[1] == 0.0)  # both rewards constant in group 1
    partly = np.array([[0.1, 0.1, np.nan, 0.1]])
    assert np.all(group_advantages(partly, eps=0.0) == 0.0)


def test_unchecked_twin_gives_the_same_advantages() -> None:
    r = _rewards(65, unscored=0.1)
    w = np.array([2.0, 1.0, 0.5])
    for aggregation in ("sum_then_normalize", "normalize_then_sum"):
        options = {"reward_weights": w, "multi_objective_aggregation": aggregation}
        np.testing.assert_array_equal(
            group_advantages_unchecked(r, **options), group_advantages(r, **options)
        )
