"""Tests of r1lib.grpo: reference values, properties, exact gradients, bad input.

Sources of the reference values:
* DeepSeekMath (Shao et al. 2024, arXiv:2402.03300) §4.1: outcome advantages
  (r - mean)/std, process advantages, the clipped objective with the k3 KL term, and
  the gradient coefficient A + β(π_ref/π_θ - 1) (§5.2.1 / Appendix A.1.6).
* Hugging Face TRL GRPOTrainer: (r - group mean)/(std_ddof1 + 1e-4); "batch" uses the
  std of the whole batch; per_token_loss = -min(w·A, clip(w)·A) + β·kl with
  kl = exp(ref - logp) - (ref - logp) - 1; loss types grpo/bnpo/dr_grpo/dapo.
* verl compute_grpo_outcome_advantage: ddof 1, eps 1e-6.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from grpo_batches import batch_off_kinks as _batch
from hypothesis import assume, given
from hypothesis import strategies as st
from trl_transcription import trl_loss

from r1lib import kl
from r1lib.grpo import (
    GRPOLossResult,
    group_advantages,
    group_advantages_unchecked,
    grpo_loss,
    grpo_loss_unchecked,
    process_advantages,
)

LOSS_TYPES = ["grpo", "bnpo", "dapo", "dr_grpo"]

# ------------------------------------------------------------------ group_advantages


def test_reference_vector_sample_std() -> None:
    # references.md: rewards [1,0,0,0], ddof=1 -> [1.5, -.5, -.5, -.5] (eps = 0).
    got = group_advantages([[1, 0, 0, 0]], eps=0.0)
    np.testing.assert_allclose(got, [[1.5, -0.5, -0.5, -0.5]], rtol=1e-15)


def test_reference_vector_population_std() -> None:
    # references.md: ddof=0 (numpy's default) -> [1.732, -.577, -.577, -.577] (eps = 0).
    got = group_advantages([[1, 0, 0, 0]], ddof=0, eps=0.0)
    np.testing.assert_allclose(got, [[math.sqrt(3)] + [-1 / math.sqrt(3)] * 3], rtol=1e-14)
    assert np.allclose(got.round(3), [[1.732, -0.577, -0.577, -0.577]])


def test_reference_vector_trl_and_verl_eps() -> None:
    centred = np.array([[0.75, -0.25, -0.25, -0.25]])
    # TRL default: (r - mean) / (std_ddof1 + 1e-4), std = 0.5.
    np.testing.assert_allclose(group_advantages([[1, 0, 0, 0]]), centred / 0.5001, rtol=1e-15)
    # verl: ddof 1, eps 1e-6.
    np.testing.assert_allclose(
        group_advantages([[1, 0, 0, 0]], eps=1e-6), centred / (0.5 + 1e-6), rtol=1e-15
    )


def test_group_scale_matches_numpy_expression() -> None:
    rng = np.random.default_rng(0)
    rewards = rng.normal(size=(50, 8))
    for ddof in (0, 1):
        for eps in (0.0, 1e-4, 1e-6):
            expected = (rewards - rewards.mean(1, keepdims=True)) / (
                rewards.std(1, ddof=ddof, keepdims=True) + eps
            )
            got = group_advantages(rewards, ddof=ddof, eps=eps)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_batch_scale_divides_by_the_std_of_all_rewards() -> None:
    # TRL scale_rewards="batch": mean still per group, std over the whole batch.
    rewards = np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0], [3.0, 1.0, 2.0, 2.0]])
    centred = rewards - rewards.mean(1, keepdims=True)
    for ddof in (0, 1):
        expected = centred / (np.std(rewards, ddof=ddof) + 1e-4)
        got = group_advantages(rewards, scale="batch", ddof=ddof)
        np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_none_scale_only_removes_the_group_mean() -> None:
    # Dr. GRPO (arXiv:2503.20783): no division by the std.
    rewards = np.array([[1.0, 0.0, 0.0, 0.0], [5.0, 7.0, 9.0, 11.0]])
    got = group_advantages(rewards, scale="none")
    np.testing.assert_allclose(got, [[0.75, -0.25, -0.25, -0.25], [-3, -1, 1, 3]])


@pytest.mark.parametrize("scale", ["group", "batch", "none"])
@pytest.mark.parametrize("eps", [0.0, 1e-4])
def test_constant_groups_get_exactly_zero(scale: str, eps: float) -> None:
    # 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the float mean of three 0.1s is not 0.1.
    assert np.mean([0.1, 0.1, 0.1]) != 0.1
    rewards = np.array([[0.1, 0.1, 0.1], [1.0, 0.0, 1.0], [0.7, 0.7, 0.7]])
    got = group_advantages(rewards, scale=scale, eps=eps)
    assert np.all(got[[0, 2]] == 0.0)
    assert np.all(np.isfinite(got))
    assert np.any(got[1] != 0.0)


@pytest.mark.parametrize("scale", ["group", "batch", "none"])
def test_all_rewards_equal_gives_zeros_even_with_eps_zero(scale: str) -> None:
    got = group_advantages(np.full((4, 6), 0.1), scale=scale, eps=0.0)
    assert np.all(got == 0.0)


def test_group_of_one_needs_ddof_zero() -> None:
    with pytest.raises(ValueError, match=r"rewards.*ddof=1"):
        group_advantages([[1.0], [0.0]])
    np.testing.assert_array_equal(group_advantages([[1.0], [0.0]], ddof=0), [[0.0], [0.0]])
    np.testing.assert_array_equal(group_advantages([[1.0], [0.0]], scale="none"), [[0], [0]])
    # "batch" needs more rewards in the batch than ddof, not per group.
    np.testing.assert_array_equal(group_advantages([[1.0], [0.0]], scale="batch"), [[0], [0]])
    with pytest.raises(ValueError, match=r"rewards.*ddof=1"):
        group_advantages([[1.0]], scale="batch")


@pytest.mark.parametrize(
    ("rewards", "kwargs", "match"),
    [
        ([1.0, 0.0], {}, "rewards must be 2-D"),
        (np.zeros((2, 2, 2, 2)), {}, "rewards must be 2-D or 3-D"),
        (np.zeros((0, 4)), {}, "rewards must not be empty"),
        ([[1.0, np.inf]], {}, r"rewards must be finite or NaN \(unscored\); it contains inf"),
        (np.zeros((2, 3, 2)), {"reward_weights": [1.0]}, "one weight per reward function"),
        ([[1.0, 0.0]], {"reward_weights": [np.nan]}, "reward_weights must be finite"),
        ([[1.0, 0.0]], {"multi_objective_aggregation": "sum"}, "multi_objective_aggregation must"),
        (
            [[1.0, 0.0]],
            {"multi_objective_aggregation": "normalize_then_sum", "scale": "none"},
            "scale='none' applies to multi_objective_aggregation='sum_then_normalize'",
        ),
        ([[1.0, 0.0]], {"scale": "global"}, "scale must be one of"),
        ([[1.0, 0.0]], {"ddof": -1}, "ddof must be >= 0"),
        ([[1.0, 0.0]], {"ddof": 0.5}, "ddof must be a whole number"),
        ([[1.0, 0.0]], {"eps": -1e-4}, "eps must be >= 0"),
        ([[1.0, 0.0]], {"eps": np.nan}, "eps must be finite"),
        ([[1.0, 0.0, 1.0]], {"ddof": 3}, "ddof=3"),
    ],
)
def test_group_advantages_bad_input(rewards: object, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        group_advantages(rewards, **kwargs)


@pytest.mark.parametrize("scale", ["group", "batch"])
def test_group_advantages_refuses_a_std_that_overflows(scale: str) -> None:
    # The squares of rewards 1e200 apart overflow float64: the std would be inf and every
    # advantage silently 0 (group_advantages_unchecked does return 0 there).
    rewards = np.array([[1e200, -1e200], [1.0, 0.0]])
    assert np.all(group_advantages_unchecked(rewards, scale=scale)[0] == 0.0)
    with pytest.raises(ValueError, match="a group std overflows float64"):
        group_advantages(rewards, scale=scale)


def test_group_advantages_refuses_a_mean_that_overflows() -> None:
    # Finite rewards whose group mean, or distance to it, overflows.
    with pytest.raises(ValueError, match="a group mean overflows float64"):
        group_advantages([[1.7e308, -1.7e308, 1.7e308]], scale="none")
    with pytest.raises(ValueError, match="a group mean overflows float64"):
        group_advantages([[1e308, 1e308, 0.0]])
    # A constant group of huge rewards is still exactly 0.
    assert np.all(group_advantages(np.full((1, 16), 1e308)) == 0.0)


def test_group_advantages_refuses_a_std_that_underflows_without_eps() -> None:
    rewards = [[1e-200, 2e-200]]  # differ, but their squared deviations underflow to 0
    with pytest.raises(ValueError, match="std underflows to 0 in float64; use eps > 0"):
        group_advantages(rewards, eps=0.0)
    assert np.all(np.isfinite(group_advantages(rewards)))


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
@pytest.mark.parametrize("scale", ["group", "batch", "none"])
def test_group_advantages_names_each_bad_reward(bad: float, scale: str) -> None:
    # Validation is one min and one max of the rewards; the message still says what.
    # (NaN is TRL's None, an unscored completion: see test_grpo_rewards_aggregation.py.)
    rewards = np.zeros((3, 4))
    rewards[2, 1] = bad
    match = r"^rewards must be finite or NaN \(unscored\); it contains inf$"
    with pytest.raises(ValueError, match=match):
        group_advantages(rewards, scale=scale)


def test_group_advantages_type_errors() -> None:
    with pytest.raises(TypeError, match="rewards"):
        group_advantages([["a", "b"]])
    with pytest.raises(TypeError, match="ddof"):
        group_advantages([[1.0, 0.0]], ddof="1")


def test_group_advantages_does_not_modify_its_input() -> None:
    rewards = np.array([[0.1, 0.1], [1.0, 0.0]])
    copy = rewards.copy()
    group_advantages(rewards)
    np.testing.assert_array_equal(rewards, copy)


# Rewards on a 0.01 grid: distinct rewards stay distinct after a r + b.
_reward = st.integers(-1000, 1000).map(lambda k: k / 100)


@st.composite
def _reward_batches(draw: st.DrawFn) -> np.ndarray:
    groups = draw(st.integers(1, 6))
    size = draw(st.integers(2, 10))
    values = draw(st.lists(_reward, min_size=groups * size, max_size=groups * size))
    return np.array(values).reshape(groups, size)


@given(_reward_batches(), st.sampled_from(["group", "batch", "none"]), st.sampled_from([0, 1]))
def test_property_zero_mean_per_group(rewards: np.ndarray, scale: str, ddof: int) -> None:
    got = group_advantages(rewards, scale=scale, ddof=ddof)
    assert np.allclose(got.mean(axis=1), 0.0, atol=1e-12)


@given(
    _reward_batches(),
    st.floats(0.1, 10.0),
    st.floats(-10.0, 10.0),
    st.sampled_from([0, 1]),
)
def test_property_group_scale_is_affine_invariant(
    rewards: np.ndarray, a: float, b: float, ddof: int
) -> None:
    before = group_advantages(rewards, ddof=ddof, eps=0.0)
    after = group_advantages(a * rewards + b, ddof=ddof, eps=0.0)
    np.testing.assert_allclose(after, before, atol=1e-9)


@given(_reward_batches(), st.floats(0.1, 10.0), st.floats(-10.0, 10.0))
def test_property_batch_and_none_scales_transform_as_expected(
    rewards: np.ndarray, a: float, b: float
) -> None:
    # "batch" is affine invariant too (one std for all); "none" scales by a, ignores b.
    np.testing.assert_allclose(
        group_advantages(a * rewards + b, scale="batch", eps=0.0),
        group_advantages(rewards, scale="batch", eps=0.0),
        atol=1e-9,
    )
    np.testing.assert_allclose(
        group_advantages(a * rewards + b, scale="none"),
        a * group_advantages(rewards, scale="none"),
        atol=1e-9,
    )


@given(_reward_batches(), st.sampled_from([0, 1]))
def test_property_unit_std_and_sign(rewards: np.ndarray, ddof: int) -> None:
    got = group_advantages(rewards, ddof=ddof, eps=0.0)
    varied = ~np.all(rewards == rewards[:, :1], axis=1)
    np.testing.assert_allclose(got[varied].std(axis=1, ddof=ddof), 1.0, rtol=1e-9)
    assert np.all(got[~varied] == 0.0)
    centred = rewards - rewards.mean(1, keepdims=True)
    assert np.all(np.sign(got[np.abs(centred) > 1e-9]) == np.sign(centred[np.abs(centred) > 1e-9]))


# ------------------------------------------------------------------ process_advantages


def _process_brute_force(step_rewards, step_ends, lengths, ddof, eps):
    """DeepSeekMath §4.1.3 written as literally as possible, with loops."""
    everything = np.concatenate([np.asarray(r, float) for r in step_rewards])
    mean, std = everything.mean(), everything.std(ddof=ddof)
    out = np.zeros((len(lengths), max(lengths)))
    for i, (rewards, ends, length) in enumerate(zip(step_rewards, step_ends, lengths, strict=True)):
        for t in range(length):
            out[i, t] = sum(
                (r - mean) / (std + eps) for r, e in zip(rewards, ends, strict=True) if e >= t
            )
    return out


def test_process_worked_example() -> None:
    # Completion 0: steps end at tokens 1 and 3 (rewards 1, 0); completion 1: tokens 0, 2
    # (rewards 0, 1). Joint mean 0.5, population std 0.5 -> normalised rewards ±1.
    adv, mask = process_advantages([[1, 0], [0, 1]], [[1, 3], [0, 2]], [4, 3], ddof=0, eps=0.0)
    np.testing.assert_allclose(adv, [[0, 0, -1, -1], [0, 1, 1, 0]])
    np.testing.assert_array_equal(mask, [[1, 1, 1, 1], [1, 1, 1, 0]])


def test_process_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        group = int(rng.integers(2, 6))
        lengths = rng.integers(1, 12, size=group).tolist()
        ends = [
            np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)) for n in lengths
        ]
        rewards = [rng.normal(size=e.size) for e in ends]
        for ddof, eps in ((1, 1e-4), (0, 0.0)):
            adv, mask = process_advantages(rewards, ends, lengths, ddof=ddof, eps=eps)
            expected = _process_brute_force(rewards, ends, lengths, ddof, eps)
            np.testing.assert_allclose(adv, expected, rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(mask.sum(1), lengths)


def test_process_with_one_final_step_is_outcome_supervision() -> None:
    # One step per completion, ending at its last token: every token gets the outcome
    # advantage (DeepSeekMath §4.1.2 vs §4.1.3).
    rewards = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    lengths = [3, 5, 2, 4, 1]
    adv, mask = process_advantages([[r] for r in rewards], [[n - 1] for n in lengths], lengths)
    outcome = group_advantages(rewards[None, :])[0]
    np.testing.assert_allclose(adv, mask * outcome[:, None], rtol=1e-14)


def test_process_tokens_after_last_step_get_zero() -> None:
    adv, _ = process_advantages([[1.0], [0.0]], [[0], [0]], [3, 2], eps=0.0)
    np.testing.assert_allclose(adv, [[1 / math.sqrt(2), 0, 0], [-1 / math.sqrt(2), 0, 0]])


def test_process_constant_rewards_give_exact_zero() -> None:
    adv, mask = process_advantages([[0.1, 0.1], [0.1]], [[0, 2], [1]], [3, 2], eps=0.0)
    assert np.all(adv == 0.0)
    assert mask.sum() == 5


def test_process_accepts_2d_arrays() -> None:
    adv, _ = process_advantages(
        np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1, 3], [0, 2]]), [4, 3], ddof=0, eps=0.0
    )
    np.testing.assert_allclose(adv, [[0, 0, -1, -1], [0, 1, 1, 0]])


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([[1.0]], [[0]], [2, 2]), {}, "one entry per completion"),
        (([[1.0], [0.0]], [[0], [0]], [2, 0]), {}, "lengths must be >= 1"),
        (([[1.0], [0.0]], [[0], [0]], [[2, 2]]), {}, "lengths must be 1-D"),
        (([[1.0], [0.0]], [[0], [2]], [2, 2]), {}, r"step_ends\[1\] must be < lengths\[1\]"),
        (([[1.0, 0.0], [0.0]], [[1, 1], [0]], [2, 2]), {}, "strictly increasing"),
        (([[1.0, 0.0], [0.0]], [[1], [0]], [2, 2]), {}, r"step_ends\[0\] must be 1-D with one"),
        (([[1.0, np.nan], [0.0]], [[0, 1], [0]], [2, 2]), {}, r"step_rewards\[0\] must be fin"),
        (([[], [0.0]], [[], [0]], [2, 2]), {}, r"step_rewards\[0\] must not be empty"),
        (([[1.0], [0.0]], [[0], [-1]], [2, 2]), {}, r"step_ends\[1\] must be >= 0"),
        (([[1.0], [0.0]], [[0.5], [0]], [2, 2]), {}, r"step_ends\[0\] must contain whole"),
        (([[1.0], [0.0]], [[0], [0]], [2, 2]), {"ddof": 2}, "ddof=2"),
        (([[1.0], [0.0]], [[0], [0]], [2, 2]), {"eps": -1.0}, "eps must be >= 0"),
    ],
)
def test_process_bad_input(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        process_advantages(*args, **kwargs)


def test_process_type_errors() -> None:
    with pytest.raises(TypeError, match="step_rewards"):
        process_advantages(1.0, [[0]], [1])
    with pytest.raises(TypeError, match="step_ends"):
        process_advantages([[1.0], [0.0]], "ab", [1, 1])


# ------------------------------------------------------------------ grpo_loss values


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
@pytest.mark.parametrize(("beta", "eps_high"), [(0.0, None), (0.04, None), (0.04, 0.28)])
def test_loss_matches_trl_transcription(
    loss_type: str, beta: float, eps_high: float | None
) -> None:
    logp, old, ref, adv, mask = _batch(1, spread=0.4)
    result = grpo_loss(
        logp,
        old,
        adv,
        mask,
        epsilon_high=eps_high,
        beta=beta,
        ref_logp=ref,
        loss_type=loss_type,
        max_completion_length=10,
    )
    expected = trl_loss(
        logp, old, adv, mask, loss_type=loss_type, epsilon_high=eps_high, beta=beta, ref=ref,
        use_bias_correction_kl=False, max_completion_length=10,
    )  # fmt: skip
    assert isinstance(result, GRPOLossResult)
    assert isinstance(result.loss, float)
    assert result.loss == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert result.grad.shape == logp.shape


def test_dapo_equals_bnpo_and_grpo_equals_them_with_equal_lengths() -> None:
    logp, old, _, adv, mask = _batch(2)
    losses = {t: grpo_loss(logp, old, adv, mask, loss_type=t).loss for t in ("bnpo", "dapo")}
    assert losses["bnpo"] == losses["dapo"]
    full = np.ones_like(mask)
    same = [grpo_loss(logp, old, adv, full, loss_type=t).loss for t in ("grpo", "bnpo")]
    assert same[0] == pytest.approx(same[1], rel=1e-13)
    # dr_grpo with max_completion_length = T and no padding is the same token mean.
    dr = grpo_loss(logp, old, adv, full, loss_type="dr_grpo", max_completion_length=6).loss
    assert dr == pytest.approx(same[1], rel=1e-13)


def test_length_bias_of_grpo_aggregation() -> None:
    # Dr. GRPO (arXiv:2503.20783): with the per-sequence 1/|o_i|, each token of a long
    # wrong answer is penalised less than a token of a short wrong answer.
    length = 100
    logp = np.full((2, length), -1.0)
    mask = np.zeros((2, length))
    mask[0, :10] = 1.0
    mask[1, :] = 1.0
    adv = np.array([-1.0, -1.0])
    grpo = grpo_loss(logp, logp, adv, mask, loss_type="grpo").grad
    dr = grpo_loss(logp, logp, adv, mask, loss_type="dr_grpo", max_completion_length=100).grad
    assert grpo[0, 0] == pytest.approx(10 * grpo[1, 0])  # short: 1/(2·10) vs long 1/(2·100)
    assert dr[0, 0] == pytest.approx(dr[1, 0])


def test_advantages_per_sequence_equal_broadcast_per_token() -> None:
    logp, old, ref, adv, mask = _batch(3)
    one = grpo_loss(logp, old, adv, mask, beta=0.1, ref_logp=ref)
    two = grpo_loss(
        logp, old, np.repeat(adv[:, None], logp.shape[1], 1), mask, beta=0.1, ref_logp=ref
    )
    assert one.loss == two.loss
    np.testing.assert_array_equal(one.grad, two.grad)


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_masked_tokens_have_zero_gradient_and_no_influence(loss_type: str) -> None:
    logp, old, ref, adv, mask = _batch(4)
    kwargs = {"beta": 0.04, "ref_logp": ref, "loss_type": loss_type, "max_completion_length": 6}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    assert np.all(result.grad[mask == 0] == 0.0)
    assert not np.any(np.signbit(result.grad[mask == 0]))  # +0.0, not -0.0
    padded = logp.copy()
    padded[mask == 0] = -7.0
    assert grpo_loss(padded, old, adv, mask, **kwargs).loss == pytest.approx(result.loss, rel=1e-14)


def test_bool_mask_equals_float_mask() -> None:
    logp, old, _, adv, mask = _batch(5)
    a = grpo_loss(logp, old, adv, mask)
    b = grpo_loss(logp, old, adv, mask.astype(bool))
    assert a.loss == b.loss


def test_mask_none_means_all_tokens() -> None:
    logp, old, _, adv, _ = _batch(6)
    assert grpo_loss(logp, old, adv).loss == grpo_loss(logp, old, adv, np.ones_like(logp)).loss


# ------------------------------------------------------------------ clipping


def _single(ratio: float, advantage: float, **kwargs):
    old = np.array([[-3.0]])
    logp = old + math.log(ratio)
    return grpo_loss(logp, old, np.array([advantage]), **kwargs)


@pytest.mark.parametrize(
    ("ratio", "advantage", "clipped"),
    [
        (1.5, 1.0, True),  # A > 0, ratio above 1 + eps: flat, no incentive to go higher
        (1.5, -1.0, False),  # A < 0, ratio above: min keeps the unclipped (worse) branch
        (0.5, -1.0, True),  # A < 0, ratio below 1 - eps: flat
        (0.5, 1.0, False),  # A > 0, ratio below: unclipped, pushes the ratio back up
        (1.1, 1.0, False),  # inside the trust region
        (0.9, -1.0, False),
    ],
)
def test_clipping_zeroes_the_gradient_only_where_min_picks_the_clip(
    ratio: float, advantage: float, clipped: bool
) -> None:
    result = _single(ratio, advantage)
    assert result.clip_fraction == (1.0 if clipped else 0.0)
    if clipped:
        assert result.grad[0, 0] == 0.0
        bound = 1.2 if ratio > 1 else 0.8
        assert result.loss == pytest.approx(-bound * advantage)
    else:
        assert result.grad[0, 0] == pytest.approx(-ratio * advantage)
        assert result.loss == pytest.approx(-ratio * advantage)


def test_clip_higher_widens_the_upper_bound_only() -> None:
    # DAPO (arXiv:2503.14476): eps_low 0.2, eps_high 0.28.
    assert _single(1.25, 1.0).clip_fraction == 1.0
    assert _single(1.25, 1.0, epsilon_high=0.28).clip_fraction == 0.0
    assert _single(1.29, 1.0, epsilon_high=0.28).clip_fraction == 1.0
    assert _single(0.79, -1.0, epsilon_high=0.28).clip_fraction == 1.0
    # epsilon_high above 1 is allowed (a very loose upper clip).
    assert _single(5.0, 1.0, epsilon_high=10.0).clip_fraction == 0.0


def test_clip_fraction_and_mean_ratio_are_masked_means() -> None:
    old = np.full((2, 3), -1.0)
    logp = old + np.log([[1.5, 1.0, 1.5], [0.5, 1.0, 1.5]])
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    result = grpo_loss(logp, old, np.array([1.0, -1.0]), mask)
    # clipped: (0,0) ratio 1.5 A>0 and (1,0) ratio 0.5 A<0; (0,2) is masked.
    assert result.clip_fraction == pytest.approx(2 / 5)
    assert result.mean_ratio == pytest.approx((1.5 + 1 + 0.5 + 1 + 1.5) / 5)
    assert result.mean_kl is None


# ------------------------------------------------------------------ gradients


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
@pytest.mark.parametrize(
    ("beta", "eps_high", "per_token"),
    [
        (0.0, None, False),
        (0.04, None, False),
        (0.5, 0.28, True),
        (0.1, 2.0, False),
    ],
)
def test_gradient_matches_finite_differences(
    loss_type: str, beta: float, eps_high: float | None, per_token: bool, numeric_grad
) -> None:
    logp, old, ref, adv, mask = _batch(7, batch=4, length=5, spread=0.4)
    if per_token:
        adv = np.random.default_rng(8).normal(size=logp.shape)
    kwargs = {
        "epsilon_high": eps_high,
        "beta": beta,
        "ref_logp": ref,
        "loss_type": loss_type,
        "max_completion_length": 7,
    }
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    if eps_high is None:
        assert 0.0 < result.clip_fraction < 1.0, "the test must exercise active clipping"
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
@pytest.mark.parametrize("beta", [0.0, 0.04, 1.0])
def test_deepseekmath_gradient_coefficient_on_policy(loss_type: str, beta: float) -> None:
    # DeepSeekMath §4.1 / §5.2.1: with π_old = π_θ the gradient of the objective with
    # respect to log π_θ(o_t) is GC = A + β(π_ref/π_θ - 1), times the aggregation weight.
    logp, _, ref, adv, mask = _batch(9)
    result = grpo_loss(
        logp, logp, adv, mask, beta=beta, ref_logp=ref, loss_type=loss_type, max_completion_length=8
    )
    coefficient = adv[:, None] + beta * (np.exp(ref - logp) - 1.0)
    batch, n = logp.shape[0], mask.sum(1, keepdims=True)
    weight = {
        "grpo": mask / (batch * n),
        "bnpo": mask / mask.sum(),
        "dapo": mask / mask.sum(),
        "dr_grpo": mask / (batch * 8),
    }[loss_type]
    np.testing.assert_allclose(result.grad, -coefficient * weight, rtol=1e-12, atol=1e-16)
    assert result.clip_fraction == 0.0
    assert result.mean_ratio == 1.0


def test_kl_term_gradient_and_value_match_r1lib_kl() -> None:
    logp, old, ref, adv, mask = _batch(10)
    with_kl = grpo_loss(logp, old, adv, mask, beta=0.3, ref_logp=ref, loss_type="bnpo")
    without = grpo_loss(logp, old, adv, mask, loss_type="bnpo")
    token_kl = kl.k3(ref - logp)
    assert with_kl.loss - without.loss == pytest.approx(
        0.3 * (token_kl * mask).sum() / mask.sum(), rel=1e-10
    )
    assert with_kl.mean_kl == pytest.approx((token_kl * mask).sum() / mask.sum(), rel=1e-12)
    np.testing.assert_allclose(
        with_kl.grad - without.grad,
        0.3 * (1 - np.exp(ref - logp)) * mask / mask.sum(),
        rtol=1e-10,
        atol=1e-16,
    )


def test_local_k3_agrees_with_r1lib_kl_including_tiny_log_ratios() -> None:
    # grpo_loss computes k3 as expm1(x) - x; r1lib.kl.k3 is the accurate reference.
    x = np.concatenate([np.geomspace(1e-12, 30, 200), -np.geomspace(1e-12, 600, 200)])
    logp = np.full((1, x.size), -40.0)
    ref = logp + x
    exact = kl.k3(ref - logp)[0]
    result = grpo_loss(logp, logp, np.zeros(1), ref_logp=ref, loss_type="bnpo")
    assert result.mean_kl == pytest.approx(float(np.mean(exact)), rel=1e-13)
    for i in range(x.size):
        ours = grpo_loss(
            logp[:, i : i + 1], logp[:, i : i + 1], np.zeros(1), ref_logp=ref[:, i : i + 1]
        ).mean_kl
        assert ours >= 0.0
        assert abs(ours - exact[i]) <= 1e-15 * max(1.0, exact[i])


def test_beta_zero_ignores_ref_logp_in_the_loss() -> None:
    logp, old, ref, adv, mask = _batch(11)
    a = grpo_loss(logp, old, adv, mask, ref_logp=ref)
    b = grpo_loss(logp, old, adv, mask)
    assert a.loss == b.loss
    assert a.mean_kl is not None and a.mean_kl > 0


@given(
    st.integers(1, 4),
    st.integers(1, 6),
    st.integers(0, 2**31),
    st.sampled_from(LOSS_TYPES),
)
def test_property_gradient_zero_exactly_where_clipped(
    batch: int, length: int, seed: int, loss_type: str
) -> None:
    rng = np.random.default_rng(seed)
    old = -rng.uniform(0.01, 5.0, size=(batch, length))
    logp = np.minimum(old + rng.normal(0.0, 0.5, size=old.shape), 0.0)
    adv = rng.normal(size=batch)
    assume(np.all(adv != 0))
    result = grpo_loss(logp, old, adv, loss_type=loss_type, max_completion_length=length)
    ratio = np.exp(logp - old)
    a = adv[:, None]
    clipped = ((a > 0) & (ratio > 1.2)) | ((a < 0) & (ratio < 0.8))
    assert np.all(result.grad[clipped] == 0.0)
    assert np.all(result.grad[~clipped] != 0.0)
    assert result.clip_fraction == pytest.approx(clipped.mean())


# ------------------------------------------------------------------ bad input


def _good():
    logp = np.array([[-1.0, -2.0], [-0.5, -0.1]])
    return {"logp": logp, "old_logp": logp.copy(), "advantages": np.array([1.0, -1.0])}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"logp": np.array([-1.0, -2.0])}, "logp must be 2-D"),
        ({"logp": np.zeros((2, 0))}, "logp must not be empty"),
        ({"logp": np.array([[-1.0, np.nan], [-1, -1]])}, "logp must be finite; it contains NaN"),
        ({"logp": np.array([[-1.0, -np.inf], [-1, -1]])}, "logp must be finite; it contains inf"),
        ({"logp": np.array([[-1.0, 0.3], [-1, -1]])}, r"logp must be log-probabilities \(<= 0\)"),
        ({"old_logp": np.zeros((2, 3))}, "old_logp must have the same shape as logp"),
        ({"old_logp": np.array([[-1.0, 0.1], [-1, -1]])}, "old_logp must be log-probabilities"),
        ({"old_logp": np.array([[-1.0, np.inf], [-1, -1]])}, "old_logp must be finite"),
        ({"advantages": np.array([1.0, 2.0, 3.0])}, r"advantages must have shape \(2,\)"),
        ({"advantages": np.zeros((2, 3))}, "advantages must have the same shape as logp"),
        ({"advantages": np.zeros((2, 2, 2))}, "advantages must be 1-D or 2-D"),
        ({"advantages": np.array([1.0, np.nan])}, "advantages must be finite"),
        ({"mask": np.array([[1, 0.5], [1, 1]])}, "mask must contain only 0 and 1"),
        ({"mask": np.array([[1, 2], [1, 1]])}, "mask must contain only 0 and 1"),
        ({"mask": np.array([1, 1])}, "mask must be 2-D"),
        ({"mask": np.ones((2, 3))}, "mask must have the same shape as logp"),
        ({"mask": np.zeros((2, 2))}, "mask must keep at least one token"),
        ({"mask": np.array([[1, np.nan], [1, 1]])}, "mask must be finite"),
        ({"epsilon": 0.0}, "epsilon must be > 0"),
        ({"epsilon": -0.2}, "epsilon must be > 0"),
        ({"epsilon": np.inf}, "epsilon must be finite"),
        ({"epsilon_high": 0.0}, "epsilon_high must be > 0"),
        ({"epsilon_high": np.inf}, "epsilon_high must be finite"),
        ({"beta": -0.1}, "beta must be >= 0"),
        ({"beta": 0.04}, "ref_logp is required when beta > 0"),
        ({"beta": 0.04, "ref_logp": np.zeros((3, 2))}, "ref_logp must have the same shape"),
        ({"ref_logp": np.array([[0.5, -1], [-1, -1]])}, "ref_logp must be log-probabilities"),
        ({"loss_type": "sum"}, "loss_type must be one of"),
        ({"loss_type": "dr_grpo"}, "max_completion_length is required"),
        ({"loss_type": "dr_grpo", "max_completion_length": 0}, "max_completion_length must be"),
        ({"loss_type": "dr_grpo", "max_completion_length": 1}, "max_completion_length .1. must"),
        ({"loss_type": "dr_grpo", "max_completion_length": 2.5}, "max_completion_length must be"),
    ],
)
def test_grpo_loss_bad_input(change: dict, match: str) -> None:
    kwargs = _good() | change
    with pytest.raises(ValueError, match=match):
        grpo_loss(**kwargs)


def test_grpo_loss_zero_rows_are_fine_outside_grpo() -> None:
    mask = np.array([[1, 1], [0, 0]])
    for loss_type in ("bnpo", "dapo", "dr_grpo"):
        result = grpo_loss(**_good(), mask=mask, loss_type=loss_type, max_completion_length=2)
        assert np.all(result.grad[1] == 0.0)


@pytest.mark.parametrize("level", ["token", "sequence"])
@pytest.mark.parametrize("where", ["a real token", "padding"])
def test_grpo_loss_refuses_overflowing_ratios(level: str, where: str) -> None:
    # exp overflows above 709.78; the result shows it (an infinite ratio, or 0 * inf
    # = NaN on padding) and the error names the log-ratio. At the sequence level the
    # ratio is the row's, which padding does not enter.
    logp = np.full((1, 2), -1.0)
    old = logp.copy()
    old[0, 0 if where == "a real token" else 1] = -800.0
    mask = np.array([[1.0, 0.0]])
    kwargs = {"importance_sampling_level": level}
    if level == "sequence" and where == "padding":
        assert grpo_loss(logp, old, np.ones(1), mask, **kwargs).mean_ratio == 1.0
    else:
        with pytest.raises(ValueError, match=r"logp - old_logp reaches 799, above 709.78"):
            grpo_loss(logp, old, np.ones(1), mask, **kwargs)
    low = np.full((1, 2), -1.0)
    low[0, 0 if where == "a real token" else 1] = -800.0
    with pytest.raises(ValueError, match=r"ref_logp - logp reaches 799, above 709.78"):
        grpo_loss(low, low, np.ones(1), mask, ref_logp=logp, **kwargs)
    # Large but finite differences are fine.
    result = grpo_loss(
        np.array([[-600.0]]), np.array([[-1.0]]), np.ones(1), beta=1.0, ref_logp=np.array([[-1.0]])
    )
    assert math.isfinite(result.loss) and np.all(np.isfinite(result.grad))


def test_grpo_loss_accepts_large_ratios_that_do_not_overflow() -> None:
    # A ratio of e^704 is finite: clipped (A > 0) it adds -1.2 A and no gradient;
    # unclipped (A < 0) it adds rho |A|, still finite. Only an overflow is refused.
    logp, old = np.array([[-1.0]]), np.array([[-705.0]])
    clipped = grpo_loss(logp, old, np.ones(1))
    assert clipped.loss == pytest.approx(-1.2) and clipped.grad[0, 0] == 0.0
    unclipped = grpo_loss(logp, old, -np.ones(1))
    assert unclipped.loss == pytest.approx(math.exp(704.0), rel=1e-12)
    with pytest.raises(ValueError, match="the loss or its gradient overflows"):
        grpo_loss(logp, old, np.array([-1e4]))  # rho |A| = 1.6e309


def test_grpo_loss_type_errors() -> None:
    with pytest.raises(TypeError, match="logp"):
        grpo_loss([["a"]], [[-1.0]], [1.0])
    with pytest.raises(TypeError, match="epsilon"):
        grpo_loss(**_good(), epsilon="0.2")


@pytest.mark.parametrize("name", ["logp", "old_logp", "ref_logp"])
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.nan, "must be finite; it contains NaN"),
        (np.inf, "must be finite; it contains inf"),
        (-np.inf, "must be finite; it contains inf"),
        (0.5, r"must be log-probabilities \(<= 0\); its maximum is 0.5"),
    ],
)
@pytest.mark.parametrize("where", ["a real token", "padding"])
def test_grpo_loss_refuses_each_bad_log_probability(name, bad, match, where) -> None:
    # Validation is one min and one max per array (a NaN propagates through both); each
    # bad value must still be named, even on a masked token, where the loss ignores it.
    logp, old, ref, adv, mask = _batch(12)
    arrays = {"logp": logp, "old_logp": old, "ref_logp": ref}
    row, column = (0, 0) if where == "a real token" else np.argwhere(mask == 0)[0]
    arrays[name] = arrays[name].copy()
    arrays[name][row, column] = bad
    with pytest.raises(ValueError, match=f"^{name} {match}"):
        grpo_loss(advantages=adv, mask=mask, beta=0.1, **arrays)


@pytest.mark.parametrize(
    ("name", "bad", "match"),
    [
        ("advantages", np.nan, "advantages must be finite; it contains NaN"),
        ("advantages", -np.inf, "advantages must be finite; it contains inf"),
        ("mask", np.nan, "mask must be finite; it contains NaN"),
        ("mask", np.inf, "mask must be finite; it contains inf"),
        ("mask", -1.0, "mask must contain only 0 and 1"),
        ("importance_sampling_ratio", np.nan, "importance_sampling_ratio must be finite"),
        ("importance_sampling_ratio", np.inf, "importance_sampling_ratio must be finite"),
        ("importance_sampling_ratio", -0.5, "importance_sampling_ratio must be >= 0"),
    ],
)
def test_grpo_loss_refuses_each_bad_weight(name, bad, match) -> None:
    logp, old, _, adv, mask = _batch(13)
    arrays = {"advantages": adv, "mask": mask, "importance_sampling_ratio": np.ones_like(logp)}
    arrays[name] = arrays[name].copy()
    arrays[name][(1,) if arrays[name].ndim == 1 else (1, 0)] = bad
    with pytest.raises(ValueError, match=f"^{match}"):
        grpo_loss(logp, old, **arrays)


def test_grpo_loss_refuses_a_gradient_that_overflows() -> None:
    # Finite inputs whose loss is finite but whose gradient is not: at one token the
    # policy term -rho A = -1e308 and the KL term beta k3 = +1.01e308 nearly cancel, while
    # their derivatives, -1e308 and -beta (pi_ref/pi - 1) = -1.01e308, add up to -inf.
    # One sum of the gradient catches it.
    logp = np.array([[-700.0]])
    kwargs = {"beta": 1e4, "ref_logp": np.array([[0.0]])}
    unchecked = grpo_loss_unchecked(logp, logp, np.array([1e308]), np.ones((1, 1)), **kwargs)
    assert math.isfinite(unchecked.loss) and unchecked.grad[0, 0] == -np.inf
    with pytest.raises(ValueError, match="the loss or its gradient overflows float64"):
        grpo_loss(logp, logp, np.array([1e308]), **kwargs)
