"""Tests of the options r1lib.grpo shares with TRL and verl beyond the GRPO paper.

Each option is checked against a numpy transcription of the library code it follows,
read in the released wheels (``tests/trl_transcription.py`` holds the shared ones):

* TRL 1.16.0, ``trl/trainer/grpo_trainer.py``: ``_compute_loss`` lines 3020-3183
  (sequence-level ratio 3083-3095, ``use_bias_correction_kl`` 3098-3106, ``cispo``
  3109-3111, ``delta`` 3112-3120, ``sapo`` 3121-3124, ``importance_sampling_ratio``
  3146-3147, aggregation 3153-3183, ``luspo`` 3175-3180, CISPO's clip metric 3285) and
  the vLLM importance-sampling ratio, lines 2660-2707.
* verl 0.9.1, ``verl/trainer/ppo/core_algos.py``: ``compute_rloo_outcome_advantage``
  588-636, ``agg_loss`` 1140-1207, ``compute_policy_loss_vanilla`` (dual clip)
  1286-1376, ``compute_policy_loss_gspo`` 1546-1619, ``compute_policy_loss_sapo``
  1623-1704, ``compute_policy_loss_cispo`` 2048-2105.

Every new gradient is checked against central finite differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from grpo_batches import batch_off_kinks as _batch
from grpo_batches import loss_of_logp
from trl_transcription import (
    trl_clip_metrics,
    trl_loss,
    verl_agg_loss,
    verl_cispo_losses,
    verl_dual_clip_losses,
    verl_sapo_loss,
)

from r1lib.grpo import (
    aggregation_weights,
    clipped_surrogate,
    group_advantages,
    group_advantages_unchecked,
    grpo_loss,
    grpo_loss_unchecked,
    importance_sampling_ratio,
    rloo_advantages,
    token_gradient,
)

# ------------------------------------------------------------------ helpers


def _trl_loss(
    logp,
    old,
    adv,
    mask,
    *,
    epsilon_low=0.2,
    epsilon_high=0.2,
    beta=0.0,
    ref=None,
    loss_type="grpo",
    level="token",
    delta=None,
    is_ratio=None,
    bias_kl=False,
    max_len=None,
    **more,
):
    """TRL 1.16.0 ``GRPOTrainer._compute_loss`` (``trl_transcription.trl_loss``), one
    process, with this file's defaults: ``loss_type="grpo"`` and no KL bias correction."""
    return trl_loss(
        logp,
        old,
        adv,
        mask,
        loss_type=loss_type,
        epsilon=epsilon_low,
        epsilon_high=epsilon_high,
        beta=beta,
        ref=ref,
        level=level,
        delta=delta,
        use_bias_correction_kl=bias_kl,
        importance_sampling_ratio=is_ratio,
        max_completion_length=max_len,
        **more,
    )


# ------------------------------------------------------------------ sequence level (GSPO)


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo"])
@pytest.mark.parametrize("beta", [0.0, 0.04])
def test_sequence_level_matches_trl(loss_type: str, beta: float) -> None:
    # TRL 1.16.0 grpo_trainer.py 3083-3095: log w_i = sum_t m (logp - old) / max(n_i, 1).
    logp, old, ref, adv, mask = _batch(1, spread=0.4)
    kwargs = {"beta": beta, "ref_logp": ref, "loss_type": loss_type, "max_completion_length": 8}
    got = grpo_loss(logp, old, adv, mask, importance_sampling_level="sequence", **kwargs)
    want = _trl_loss(
        logp, old, adv, mask, beta=beta, ref=ref, loss_type=loss_type, level="sequence", max_len=8
    )
    assert got.loss == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_sequence_level_gradient_equals_verls_gspo_token_form() -> None:
    # verl 0.9.1 core_algos.py 1546-1619: s_{i,t} = sg[s_i] pi/sg[pi], seq-mean-token-mean.
    # Its autograd gradient per unclipped token is -s_i A_i / (B n_i); TRL's exp(mean)
    # gives the same, since d s_i / d logp_t = s_i m_t / n_i.
    logp, old, _, adv, mask = _batch(2, spread=0.1)
    result = grpo_loss(logp, old, adv, mask, importance_sampling_level="sequence")
    n = mask.sum(1)
    s = np.exp(((logp - old) * mask).sum(1) / n)
    clipped = ((adv > 0) & (s > 1.2)) | ((adv < 0) & (s < 0.8))
    want = np.where(clipped, 0.0, -s * adv)[:, None] * mask / (len(n) * n[:, None])
    np.testing.assert_allclose(result.grad, want, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "cispo"])
@pytest.mark.parametrize("bias_kl", [False, True])
def test_sequence_level_gradient_matches_finite_differences(
    loss_type: str, bias_kl: bool, numeric_grad
) -> None:
    logp, old, ref, adv, mask = _batch(3, spread=0.5)
    kwargs = {
        "beta": 0.1,
        "ref_logp": ref,
        "loss_type": loss_type,
        "max_completion_length": 7,
        "importance_sampling_level": "sequence",
        "use_bias_correction_kl": bias_kl,
    }
    n = mask.sum(1)
    s = np.exp(((logp - old) * mask).sum(1) / n)
    assert np.all(np.abs(np.log(s)[:, None] - np.log([0.8, 1.2])) > 1e-3)  # off the kinks
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    numeric = numeric_grad(loss_of_logp(grpo_loss, logp, old, adv, mask, **kwargs), logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo"])
@pytest.mark.parametrize("beta", [0.0, 0.3])
def test_token_and_sequence_levels_agree_on_policy(loss_type: str, beta: float) -> None:
    # With pi_old = pi_theta every ratio is 1 and both gradients are DeepSeekMath's.
    logp, _, ref, adv, mask = _batch(4)
    kwargs = {"beta": beta, "ref_logp": ref, "loss_type": loss_type, "max_completion_length": 6}
    token = grpo_loss(logp, logp, adv, mask, **kwargs)
    sequence = grpo_loss(logp, logp, adv, mask, importance_sampling_level="sequence", **kwargs)
    assert sequence.loss == pytest.approx(token.loss, rel=1e-12)
    if loss_type == "grpo":
        np.testing.assert_allclose(sequence.grad, token.grad, rtol=1e-12, atol=1e-16)
    else:  # the per-token weights differ; each row's total gradient still agrees
        np.testing.assert_allclose(sequence.grad.sum(1), token.grad.sum(1), rtol=1e-12)


def test_token_and_sequence_levels_differ_off_policy() -> None:
    logp, old, _, adv, mask = _batch(5, spread=0.5)
    token = grpo_loss(logp, old, adv, mask)
    sequence = grpo_loss(logp, old, adv, mask, importance_sampling_level="sequence")
    assert abs(token.loss - sequence.loss) > 1e-3


# ------------------------------------------------------------------ epsilon >= 1


def _single(ratio: float, advantage: float, **kwargs):
    old = np.array([[-3.0]])
    logp = old + math.log(ratio)
    return grpo_loss(logp, old, np.array([advantage]), **kwargs)


@pytest.mark.parametrize("epsilon", [1.0, 10.0])
def test_epsilon_at_least_one_means_no_lower_clip(epsilon: float) -> None:
    # R1 (Nature 2025) reports a clip ratio of 10 in its first RL stage: 1 - 10 < 0 < ρ.
    for ratio in (1e-3, 0.05, 0.5):
        result = _single(ratio, -1.0, epsilon=epsilon)
        assert result.clip_fraction == 0.0
        assert result.grad[0, 0] == pytest.approx(ratio)
    assert _single(10.5, 1.0, epsilon=10.0).clip_fraction == 0.0  # upper bound 11
    assert _single(11.5, 1.0, epsilon=10.0).clip_fraction == 1.0
    logp, old, _, adv, mask = _batch(6, spread=1.0)
    got = grpo_loss(logp, old, adv, mask, epsilon=epsilon).loss
    assert got == pytest.approx(
        _trl_loss(logp, old, adv, mask, epsilon_low=epsilon, epsilon_high=epsilon), rel=1e-12
    )


# ------------------------------------------------------------------ delta (TRL)


@pytest.mark.parametrize("level", ["token", "sequence"])
def test_delta_matches_trl(level: str) -> None:
    # TRL 1.16.0 grpo_trainer.py 3112-3120: coef_1 = clamp(coef_1, max=delta) after coef_2.
    logp, old, _, adv, mask = _batch(7, spread=0.6)
    got = grpo_loss(logp, old, adv, mask, delta=1.5, importance_sampling_level=level)
    want = _trl_loss(logp, old, adv, mask, delta=1.5, level=level)
    assert got.loss == pytest.approx(want, rel=1e-12)
    if level == "token":  # the batch has a token with A < 0 and ratio > 1.5
        assert got.loss != grpo_loss(logp, old, adv, mask).loss


def test_delta_caps_negative_advantage_tokens(numeric_grad) -> None:
    above = _single(3.0, -1.0, delta=1.5)
    assert above.loss == pytest.approx(1.5)  # -min(1.5 * -1, 1.2 * -1)
    assert above.grad[0, 0] == 0.0 and above.clip_fraction == 1.0
    below = _single(1.4, -1.0, delta=1.5)
    assert below.grad[0, 0] == pytest.approx(1.4)
    logp, old, ref, adv, mask = _batch(8, spread=0.6)
    kwargs = {"delta": 1.3, "beta": 0.1, "ref_logp": ref}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ dual clip (verl)


@pytest.mark.parametrize("clip_ratio_c", [1.5, 3.0])
def test_dual_clip_matches_verl(clip_ratio_c: float) -> None:
    # verl 0.9.1 core_algos.py 1286-1376 (compute_policy_loss_vanilla), token-mean.
    logp, old, _, adv, mask = _batch(9, spread=0.9)
    got = grpo_loss(logp, old, adv, mask, clip_ratio_c=clip_ratio_c, loss_type="bnpo")
    losses = verl_dual_clip_losses(logp, old, adv, 0.2, 0.2, clip_ratio_c)
    assert got.loss == pytest.approx(verl_agg_loss(losses, mask, "token-mean"), rel=1e-12)
    plain = grpo_loss(logp, old, adv, mask, loss_type="bnpo")
    assert got.loss <= plain.loss
    if clip_ratio_c == 1.5:
        assert got.loss < plain.loss  # the floor binds somewhere in this batch


def test_dual_clip_gradient(numeric_grad) -> None:
    floored = _single(5.0, -1.0, clip_ratio_c=3.0)
    assert floored.loss == pytest.approx(3.0) and floored.grad[0, 0] == 0.0
    assert floored.clip_fraction == 1.0
    assert _single(2.0, -1.0, clip_ratio_c=3.0).grad[0, 0] == pytest.approx(2.0)
    logp, old, ref, adv, mask = _batch(10, spread=0.9)
    kwargs = {"clip_ratio_c": 1.5, "beta": 0.1, "ref_logp": ref, "epsilon_high": 0.28}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ CISPO


def test_cispo_is_trls_one_sided_clamp() -> None:
    # TRL 1.16.0 grpo_trainer.py 3109-3111: -sg[clamp(coef_1, max=epsilon_high)] A logp,
    # no lower clip; the bound is epsilon_high itself (ScaleRL's 5.0), by default epsilon.
    logp, old, _, adv, mask = _batch(11, spread=0.6)
    for options in ({"epsilon_high": 1.3}, {"epsilon_high": 5.0}, {}, {"epsilon": 0.5}):
        trl = trl_loss(logp, old, adv, mask, loss_type="cispo", **options)
        got = grpo_loss(logp, old, adv, mask, loss_type="cispo", **options)
        assert got.loss == pytest.approx(trl, rel=1e-12)
        high = options.get("epsilon_high", options.get("epsilon", 0.2))
        # TRL's cispo_clip_ratio (line 3285): (coef_1 > epsilon_high) & (A > 0)
        metric = trl_clip_metrics(logp, old, adv, mask, loss_type="cispo", epsilon_high=high)
        assert got.clip_fraction == pytest.approx(metric, rel=1e-12)
    assert 0 < trl_clip_metrics(logp, old, adv, mask, loss_type="cispo", epsilon_high=1.3) < 1


def test_cispo_with_verls_names_is_verls_two_sided_clip() -> None:
    # verl 0.9.1 core_algos.py 2048-2105: -sg[clip(ratio, 1 - low, 1 + high)] A log pi,
    # pg_clipfrac = mean(ratio != clipped_ratio), token-mean by default.
    logp, old, _, adv, mask = _batch(11, spread=0.6)
    for low, high in ((0.2, 0.28), (0.2, 0.2), (1.0, 4.0)):
        losses, clipped = verl_cispo_losses(logp, old, adv, low, high)
        got = grpo_loss(
            logp, old, adv, mask, loss_type="cispo", clip_ratio_low=low, clip_ratio_high=high
        )
        assert got.loss == pytest.approx(verl_agg_loss(losses, mask, "token-mean"), rel=1e-12)
        frac = (clipped * mask).sum() / mask.sum()
        assert got.clip_fraction == pytest.approx(frac, rel=1e-12)
    # One of verl's names alone leaves the other at verl's default clip_ratio, 0.2.
    alone = grpo_loss(logp, old, adv, mask, loss_type="cispo", clip_ratio_high=0.28)
    both = grpo_loss(
        logp, old, adv, mask, loss_type="cispo", clip_ratio_low=0.2, clip_ratio_high=0.28
    )
    assert alone.loss == both.loss
    # Without a lower clip, verl's clip_ratio_high = c - 1 is TRL's epsilon_high = c.
    no_lower = grpo_loss(
        logp, old, adv, mask, loss_type="cispo", clip_ratio_low=1.0, clip_ratio_high=4.0
    )
    trl = grpo_loss(logp, old, adv, mask, loss_type="cispo", epsilon_high=5.0)
    assert no_lower.loss == pytest.approx(trl.loss, rel=1e-12)
    np.testing.assert_allclose(no_lower.grad, trl.grad, rtol=1e-12, atol=0)


def test_cispo_keeps_the_gradient_of_clipped_tokens(numeric_grad) -> None:
    # PPO's clip zeroes the gradient of a token with A > 0 above 1 + eps; CISPO keeps
    # -w(ρ) A per token (times the aggregation weight). The numbers of issue 20: at
    # ρ = 1.5, A = 1 and default options TRL's w is min(1.5, 0.2) = 0.2, verl's
    # clip(1.5, 0.8, 1.2) = 1.2; at ρ = 0.5 and epsilon_high = 5, TRL's 0.5, verl's 0.8.
    assert _single(1.5, 1.0).grad[0, 0] == 0.0
    trl = _single(1.5, 1.0, loss_type="cispo")
    assert trl.grad[0, 0] == pytest.approx(-0.2) and trl.clip_fraction == 1.0
    verl = _single(1.5, 1.0, loss_type="cispo", clip_ratio_low=0.2, clip_ratio_high=0.2)
    assert verl.grad[0, 0] == pytest.approx(-1.2) and verl.clip_fraction == 1.0
    assert _single(0.5, 1.0, loss_type="cispo", epsilon_high=5.0).grad[0, 0] == pytest.approx(-0.5)
    lower = _single(0.5, 1.0, loss_type="cispo", clip_ratio_low=0.2, clip_ratio_high=4.0)
    assert lower.grad[0, 0] == pytest.approx(-0.8)
    # TRL counts a clipped weight only where A > 0; verl wherever the weight is clipped.
    assert _single(6.0, -1.0, loss_type="cispo", epsilon_high=5.0).clip_fraction == 0.0
    logp, old, ref, adv, mask = _batch(12, spread=0.6)
    for cispo in ({"epsilon_high": 1.3}, {"clip_ratio_low": 0.2, "clip_ratio_high": 0.28}):
        kwargs = {"loss_type": "cispo", "beta": 0.1, "ref_logp": ref, **cispo}
        result = grpo_loss(logp, old, adv, mask, **kwargs)
        numeric = numeric_grad(loss_of_logp(grpo_loss, logp, old, adv, mask, **kwargs), logp)
        np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ SAPO


@pytest.mark.parametrize("level", ["token", "sequence"])
def test_sapo_matches_trl_and_verl(level: str, numeric_grad) -> None:
    # TRL 1.16.0 grpo_trainer.py 3121-3124 (gate), 3153 (aggregated as "grpo"); verl
    # 0.9.1 core_algos.py 1623-1704 (tau_pos / tau_neg, seq-mean-token-mean).
    logp, old, ref, adv, mask = _batch(30, spread=0.6)
    for pos, neg in ((1.0, 1.05), (0.5, 4.0)):
        temperatures = {"sapo_temperature_pos": pos, "sapo_temperature_neg": neg}
        got = grpo_loss(
            logp, old, adv, mask, loss_type="sapo", importance_sampling_level=level, **temperatures
        )
        want = _trl_loss(logp, old, adv, mask, loss_type="sapo", level=level, **temperatures)
        assert got.loss == pytest.approx(want, rel=1e-12)
        assert got.clip_fraction == 0.0
        if level == "token":
            verl = verl_sapo_loss(logp, old, adv, mask, tau_pos=pos, tau_neg=neg)
            assert got.loss == pytest.approx(verl, rel=1e-7)  # verl adds 1e-8 to n_i
    kwargs = {"loss_type": "sapo", "importance_sampling_level": level, "beta": 0.1}
    kwargs |= {"ref_logp": ref, "use_bias_correction_kl": True, "sapo_temperature_neg": 2.0}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


def test_sapo_gate_is_the_unclipped_gradient_at_ratio_one_and_fades() -> None:
    # d/d log ρ of (4/τ) σ(τ(ρ - 1)) is 4 ρ σ(1 - σ): exactly 1 at ρ = 1, whatever τ.
    for tau in (0.5, 1.0, 1.05, 8.0):
        options = {"sapo_temperature_pos": tau, "sapo_temperature_neg": tau}
        at_one = _single(1.0, 1.0, loss_type="sapo", **options)
        assert at_one.grad[0, 0] == pytest.approx(-1.0, rel=1e-15)
        assert at_one.loss == pytest.approx(-2.0 / tau, rel=1e-15)  # -(4/τ) σ(0) A
    # Its weight on the token's gradient, relative to the unclipped ρA, is 4σ(1 - σ):
    # 0.42 at ρ = 3 with τ = 1 (PPO's clip gives exactly 0 there), 5e-4 at ρ = 10.
    for ratio, relative in ((3.0, 0.42), (10.0, 5e-4)):
        far = _single(ratio, 1.0, loss_type="sapo")
        sigma = 1 / (1 + np.exp(-(ratio - 1)))
        assert far.grad[0, 0] == pytest.approx(-4 * ratio * sigma * (1 - sigma), rel=1e-14)
        assert far.grad[0, 0] / -ratio == pytest.approx(relative, rel=0.02)
    # A larger temperature fades faster: SAPO's tau_neg > tau_pos for negative advantages.
    hot = _single(0.5, -1.0, loss_type="sapo", sapo_temperature_neg=4.0).grad[0, 0]
    cool = _single(0.5, -1.0, loss_type="sapo", sapo_temperature_neg=1.0).grad[0, 0]
    assert 0 < hot < cool
    # Far out the gate neither overflows nor loses its sign.
    huge = grpo_loss([[-1.0]], [[-700.0]], [1.0], loss_type="sapo")  # ρ = e^699
    assert huge.grad[0, 0] == 0.0 and huge.loss == pytest.approx(-4.0)


# ------------------------------------------------------------------ LUSPO


@pytest.mark.parametrize("level", ["token", "sequence"])
def test_luspo_matches_trl(level: str, numeric_grad) -> None:
    # TRL 1.16.0 grpo_trainer.py 3175-3180: (per_token_loss * mask).sum(-1).mean().
    logp, old, ref, adv, mask = _batch(31, spread=0.6)
    kwargs = {"loss_type": "luspo", "importance_sampling_level": level, "epsilon_high": 0.28}
    got = grpo_loss(logp, old, adv, mask, **kwargs)
    want = _trl_loss(logp, old, adv, mask, loss_type="luspo", level=level, epsilon_high=0.28)
    assert got.loss == pytest.approx(want, rel=1e-12)
    kwargs |= {"beta": 0.1, "ref_logp": ref}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


def test_luspo_is_gspo_times_each_length() -> None:
    # At the sequence level every token of a row has the same loss, so the row's sum is
    # n_i times GSPO's per-completion loss: LUSPO's "loss scaled by its length".
    logp, old, _, adv, mask = _batch(32, spread=0.6)
    n = mask.sum(1)
    gspo_rows = [
        grpo_loss(logp[i : i + 1], old[i : i + 1], adv[i : i + 1], mask[i : i + 1],
                  importance_sampling_level="sequence").loss
        for i in range(len(n))
    ]  # fmt: skip
    luspo = grpo_loss(logp, old, adv, mask, loss_type="luspo", importance_sampling_level="sequence")
    assert luspo.loss == pytest.approx(np.mean(n * np.array(gspo_rows)), rel=1e-12)


# ------------------------------------------------------------------ bias-corrected KL


@pytest.mark.parametrize("level", ["token", "sequence"])
def test_bias_correction_kl_matches_trl(level: str, numeric_grad) -> None:
    # TRL 1.16.0 grpo_trainer.py 3098-3106: per_token_kl * coef_1 (not detached).
    logp, old, ref, adv, mask = _batch(13, spread=0.5)
    kwargs = {"beta": 0.2, "ref_logp": ref, "importance_sampling_level": level}
    got = grpo_loss(logp, old, adv, mask, use_bias_correction_kl=True, **kwargs)
    want = _trl_loss(logp, old, adv, mask, beta=0.2, ref=ref, level=level, bias_kl=True)
    assert got.loss == pytest.approx(want, rel=1e-12)
    numeric = numeric_grad(
        lambda x: grpo_loss(x, old, adv, mask, use_bias_correction_kl=True, **kwargs).loss, logp
    )
    np.testing.assert_allclose(got.grad, numeric, rtol=1e-6, atol=1e-9)


def test_bias_correction_makes_k3_unbiased_for_off_policy_samples() -> None:
    # DeepSeek-V3.2 (2025): samples come from pi_old, so E_old[rho k3] = E_theta[k3] = KL.
    rng = np.random.default_rng(14)
    vocab = 5
    theta, old, ref = (np.log(rng.dirichlet(np.ones(vocab))) for _ in range(3))
    exact_kl = float(np.sum(np.exp(theta) * (theta - ref)))
    x = ref - theta
    k3 = np.exp(x) - x - 1
    weights = np.exp(old)  # the sampling distribution pi_old
    corrected = float(np.sum(weights * np.exp(theta - old) * k3))
    plain = float(np.sum(weights * k3))
    assert corrected == pytest.approx(exact_kl, rel=1e-12)
    assert abs(plain - exact_kl) > 1e-3
    # And grpo_loss computes mean(rho k3) in that case (A = 0, one token per "row").
    logp = np.tile(theta, (vocab, 1))[:, :1] * 0 + theta[:, None]
    result = grpo_loss(
        logp,
        old[:, None],
        np.zeros(vocab),
        beta=1.0,
        ref_logp=ref[:, None],
        loss_type="bnpo",
        use_bias_correction_kl=True,
    )
    assert result.loss == pytest.approx(float(np.mean(np.exp(theta - old) * k3)), rel=1e-12)


# ------------------------------------------------------------------ truncated IS


@pytest.mark.parametrize(
    "mode", ["token_truncate", "token_mask", "sequence_truncate", "sequence_mask"]
)
def test_importance_sampling_ratio_matches_trl(mode: str) -> None:
    # TRL 1.16.0 grpo_trainer.py 2660-2707 (vllm_importance_sampling_mode, clip_max/min).
    rng = np.random.default_rng(15)
    old = -rng.uniform(0.1, 2.0, size=(4, 5))
    sampling = np.minimum(old + rng.normal(0.0, 0.5, size=old.shape), 0.0)
    mask = np.ones_like(old)
    mask[1, 3:] = 0
    diff = (old - sampling) * mask
    if mode.startswith("sequence"):
        diff = diff.sum(-1, keepdims=True)
    ratio = np.exp(diff)
    if mode.endswith("truncate"):
        want = np.clip(ratio, 0.5, 1.5)
    else:
        want = np.where((ratio < 0.5) | (ratio > 1.5), 0.0, ratio)
    got = importance_sampling_ratio(old, sampling, mask, mode=mode, clip_max=1.5, clip_min=0.5)
    np.testing.assert_allclose(got, want[:, 0] if mode.startswith("sequence") else want)
    assert np.any(got != np.exp(diff).squeeze())  # the bounds bind somewhere


@pytest.mark.parametrize("shape", ["token", "sequence"])
def test_importance_sampling_ratio_weights_the_policy_term_only(shape: str, numeric_grad) -> None:
    # TRL 1.16.0 grpo_trainer.py 3146-3150: per_token_loss * ratio, before + beta * kl.
    logp, old, ref, adv, mask = _batch(16, spread=0.4)
    rng = np.random.default_rng(17)
    weights = rng.uniform(0.2, 3.0, size=logp.shape if shape == "token" else logp.shape[:1])
    kwargs = {"beta": 0.1, "ref_logp": ref, "importance_sampling_ratio": weights}
    got = grpo_loss(logp, old, adv, mask, **kwargs)
    trl_weights = weights if shape == "token" else weights[:, None]
    want = _trl_loss(logp, old, adv, mask, beta=0.1, ref=ref, is_ratio=trl_weights)
    assert got.loss == pytest.approx(want, rel=1e-12)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(got.grad, numeric, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ RLOO


def test_rloo_matches_verl_and_leaves_one_out() -> None:
    # verl 0.9.1 core_algos.py 588-636: score * G/(G-1) - mean * G/(G-1).
    rng = np.random.default_rng(18)
    rewards = rng.integers(0, 2, size=(6, 5)).astype(float)
    group = rewards.shape[1]
    verl = rewards * group / (group - 1) - rewards.mean(1, keepdims=True) * group / (group - 1)
    np.testing.assert_allclose(rloo_advantages(rewards), verl, atol=1e-15)
    others = (rewards.sum(1, keepdims=True) - rewards) / (group - 1)
    np.testing.assert_allclose(rloo_advantages(rewards), rewards - others, atol=1e-15)
    # GRPO's mean baseline includes r_i itself: (G - 1)/G times the RLOO advantage.
    np.testing.assert_allclose(
        group_advantages(rewards, scale="none"),
        (group - 1) / group * rloo_advantages(rewards),
        atol=1e-15,
    )


def test_rloo_bad_input_and_constant_groups() -> None:
    assert np.all(rloo_advantages([[0.1, 0.1, 0.1]]) == 0.0)
    with pytest.raises(ValueError, match="group_size >= 2"):
        rloo_advantages([[1.0], [0.0]])
    with pytest.raises(ValueError, match="rewards must be finite"):
        rloo_advantages([[1.0, np.nan]])
    with pytest.raises(ValueError, match="rewards"):
        rloo_advantages([[1e308, -1e308, 1e308]])


# ------------------------------------------------------------------ aggregation weights


def test_aggregation_weights_match_verl_agg_loss() -> None:
    # verl 0.9.1 core_algos.py 1140-1207, dp_size 1.
    rng = np.random.default_rng(19)
    losses = rng.normal(size=(3, 7))
    mask = np.array([[1, 1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 0.0]])
    total = {
        t: float(np.sum(aggregation_weights(mask, t, 7) * losses))
        for t in ("grpo", "sapo", "bnpo", "dr_grpo", "luspo")
    }
    assert total["grpo"] == pytest.approx(verl_agg_loss(losses, mask, "seq-mean-token-mean"))
    assert total["sapo"] == total["grpo"]
    assert total["bnpo"] == pytest.approx(verl_agg_loss(losses, mask, "token-mean"))
    assert total["luspo"] == pytest.approx(verl_agg_loss(losses, mask, "seq-mean-token-sum"))
    # Since verl 0.7.1, seq-mean-token-sum-norm divides by the batch size and then by the
    # padded width T (lines 1181-1193): Dr. GRPO with L_max = T, factor 1 (0.7.0 and
    # earlier divided by T alone: B times Dr. GRPO).
    norm = verl_agg_loss(losses, mask, "seq-mean-token-sum-norm")
    assert norm == pytest.approx(total["dr_grpo"], rel=1e-12)
    assert mask.shape[0] > 1  # the two conventions would differ here


def test_aggregation_weights_are_the_weights_of_grpo_loss() -> None:
    logp, _, _, _, mask = _batch(20)
    for loss_type in ("grpo", "bnpo", "dapo", "dr_grpo", "cispo", "luspo"):
        result = grpo_loss(
            logp,
            logp,
            -np.ones(4),
            mask,
            loss_type=loss_type,
            max_completion_length=6,
            epsilon_high=5.0,  # CISPO's weight min(1, 5) = 1; the others' clip is idle
        )
        np.testing.assert_allclose(
            result.grad, aggregation_weights(mask, loss_type, 6), rtol=1e-14, atol=0
        )
    # On-policy, SAPO's gate has slope 1 at ρ = 1: its gradient is -A times the weights.
    sapo = grpo_loss(logp, logp, -np.ones(4), mask, loss_type="sapo")
    np.testing.assert_allclose(sapo.grad, aggregation_weights(mask, "sapo"), rtol=1e-14, atol=0)


def test_clipped_surrogate_public_piece() -> None:
    s = clipped_surrogate([0.5, 1.0, 1.5, 0.5], [1.0, 1.0, 1.0, -1.0])
    np.testing.assert_allclose(s.value, [0.5, 1.0, 1.2, -0.8])
    np.testing.assert_allclose(s.slope, [0.5, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(s.clipped, [False, False, True, True])
    with pytest.raises(ValueError, match="ratio must be > 0"):
        clipped_surrogate([0.0], [1.0])
    with pytest.raises(ValueError, match="broadcast"):
        clipped_surrogate([1.0, 1.0], [1.0, 1.0, 1.0])


@pytest.mark.parametrize("level", ["token", "sequence"])
@pytest.mark.parametrize("loss_type", ["grpo", "dr_grpo", "cispo"])
def test_unchecked_core_gives_the_same_result(level: str, loss_type: str) -> None:
    logp, old, ref, adv, mask = _batch(21, spread=0.5)
    kwargs = {
        "beta": 0.1,
        "ref_logp": ref,
        "loss_type": loss_type,
        "max_completion_length": 6,
        "importance_sampling_level": level,
        "delta": 2.0,
    }
    checked = grpo_loss(logp, old, adv, mask, **kwargs)
    unchecked = grpo_loss_unchecked(logp, old, adv, mask, **kwargs)
    assert checked.loss == unchecked.loss
    np.testing.assert_array_equal(checked.grad, unchecked.grad)


# ------------------------------------------------------------------ bad input


def _good():
    logp = np.array([[-1.0, -2.0], [-0.5, -0.1]])
    return {"logp": logp, "old_logp": logp.copy(), "advantages": np.array([1.0, -1.0])}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"importance_sampling_level": "batch"}, "importance_sampling_level must be one of"),
        ({"delta": 1.0}, "delta must be > 1"),
        ({"delta": np.nan}, "delta must be finite"),
        ({"clip_ratio_c": 1.0}, "clip_ratio_c must be > 1"),
        ({"clip_ratio_c": -3.0}, "clip_ratio_c must be > 0"),
        ({"importance_sampling_ratio": np.ones(3)}, "importance_sampling_ratio must have shape"),
        ({"importance_sampling_ratio": -np.ones(2)}, "importance_sampling_ratio must be >= 0"),
        ({"importance_sampling_ratio": [np.nan, 1]}, "importance_sampling_ratio must be finite"),
        ({"clip_ratio_low": 0.2}, "clip_ratio_low / clip_ratio_high select verl's"),
        (
            {"loss_type": "cispo", "clip_ratio_high": 0.2, "epsilon_high": 5.0},
            "exclude each other",
        ),
        ({"loss_type": "cispo", "clip_ratio_low": 0.0}, "clip_ratio_low must be > 0"),
        ({"loss_type": "cispo", "epsilon_high": -1.0}, "epsilon_high must be > 0"),
        ({"sapo_temperature_neg": 0.0}, "sapo_temperature_neg must be > 0"),
        ({"sapo_temperature_pos": np.inf}, "sapo_temperature_pos must be finite"),
        ({"off_policy_mask_threshold": 0.0}, "off_policy_mask_threshold must be > 0"),
        (
            {"off_policy_mask_threshold": 0.5, "sampling_logp": np.zeros((3, 2))},
            "sampling_logp must have the same shape",
        ),
        (
            {"off_policy_mask_threshold": 0.5, "sampling_logp": np.full((2, 2), 0.5)},
            r"sampling_logp must be log-probabilities",
        ),
        ({"top_entropy_quantile": 1.5}, r"top_entropy_quantile must be in \[0, 1\]"),
        ({"top_entropy_quantile": -0.1}, "top_entropy_quantile must be >= 0"),
        ({"top_entropy_quantile": 0.2}, "entropies are required"),
        (
            {"top_entropy_quantile": 0.2, "entropies": -np.ones((2, 2))},
            "entropies must be >= 0",
        ),
        (
            {"top_entropy_quantile": 0.2, "entropies": np.ones((2, 3))},
            "entropies must have the same shape",
        ),
        ({"mask_truncated_completions": True}, "truncated is required"),
        (
            {"mask_truncated_completions": True, "truncated": np.array([True])},
            r"truncated must have shape \(2,\)",
        ),
        (
            {"mask_truncated_completions": True, "truncated": np.array([True, True])},
            "mask must keep at least one token",
        ),
    ],
)
def test_new_options_bad_input(change: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        grpo_loss(**(_good() | change))


def test_new_options_type_errors() -> None:
    with pytest.raises(TypeError, match="use_bias_correction_kl"):
        grpo_loss(**_good(), use_bias_correction_kl="yes")
    with pytest.raises(TypeError, match="delta"):
        grpo_loss(**_good(), delta="2")
    with pytest.raises(TypeError, match="mask_truncated_completions must be a bool"):
        grpo_loss(**_good(), mask_truncated_completions=1)
    with pytest.raises(TypeError, match="truncated must be booleans"):
        grpo_loss(**_good(), mask_truncated_completions=True, truncated=np.array([1, 0]))


def test_a_row_without_tokens_counts_in_the_batch_as_in_trl() -> None:
    # TRL 1.16.0 clamps each row's token count to 1 (lines 3091, 3154): an empty row adds
    # nothing to the sum and still counts in the batch size B (its mean is over B rows).
    logp, old, ref, adv, mask = _batch(33, spread=0.5)
    mask[1] = 0.0
    for loss_type in ("grpo", "sapo", "luspo", "bnpo", "dr_grpo", "cispo"):
        for level in ("token", "sequence"):
            kwargs = {"loss_type": loss_type, "importance_sampling_level": level}
            kwargs |= {"beta": 0.1, "ref_logp": ref, "max_completion_length": 6}
            got = grpo_loss(logp, old, adv, mask, **kwargs)
            want = trl_loss(
                logp, old, adv, mask, use_bias_correction_kl=False, ref=ref,
                **{k: v for k, v in kwargs.items() if k not in ("importance_sampling_level",
                   "ref_logp")}, level=level,
            )  # fmt: skip
            assert got.loss == pytest.approx(want, rel=1e-12), (loss_type, level)
            assert np.all(got.grad[1] == 0.0)
    rows = grpo_loss(logp, old, adv, mask).loss * 4  # "grpo": the mean over all 4 rows
    kept = grpo_loss(
        np.delete(logp, 1, 0), np.delete(old, 1, 0), np.delete(adv, 1), np.delete(mask, 1, 0)
    )
    assert rows == pytest.approx(kept.loss * 3, rel=1e-12)


def test_importance_sampling_ratio_bad_input() -> None:
    logp = np.array([[-1.0, -2.0]])
    with pytest.raises(ValueError, match="mode must be one of"):
        importance_sampling_ratio(logp, logp, mode="token")
    with pytest.raises(ValueError, match="sampling_logp must have the same shape"):
        importance_sampling_ratio(logp, np.zeros((2, 2)) - 1)
    with pytest.raises(ValueError, match=r"clip_min .* must be <= clip_max"):
        importance_sampling_ratio(logp, logp, clip_min=2.0, clip_max=1.0)


def test_sequence_level_with_per_token_advantages(numeric_grad) -> None:
    # A (B, T) advantage (process supervision) against one (B, 1) sequence ratio.
    logp, old, ref, _, mask = _batch(22, spread=0.3)
    adv = np.random.default_rng(23).normal(size=logp.shape)
    kwargs = {"importance_sampling_level": "sequence", "beta": 0.1, "ref_logp": ref}
    result = grpo_loss(logp, old, adv, mask, **kwargs)
    want = _trl_loss(logp, old, adv, mask, beta=0.1, ref=ref, level="sequence")
    assert result.loss == pytest.approx(want, rel=1e-12)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)


def test_aggregation_weights_bad_input() -> None:
    with pytest.raises(ValueError, match="loss_type must be one of"):
        aggregation_weights([[1, 1]], "sum")
    with pytest.raises(ValueError, match="mask must contain only 0 and 1"):
        aggregation_weights([[1, 0.5]])
    np.testing.assert_array_equal(
        aggregation_weights([[1, 1], [0, 0]], "grpo"), [[0.25, 0.25], [0, 0]]
    )
    with pytest.raises(ValueError, match="max_completion_length is required"):
        aggregation_weights([[1, 1]], "dr_grpo")
    np.testing.assert_array_equal(aggregation_weights([[1, 1], [0, 0]], "bnpo")[1], [0, 0])


def test_clipped_surrogate_option_errors() -> None:
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        clipped_surrogate([1.0], [1.0], epsilon=0.0)
    with pytest.raises(ValueError, match="delta must be > 1"):
        clipped_surrogate([1.0], [1.0], delta=0.5)
    with pytest.raises(ValueError, match="ratio must be finite"):
        clipped_surrogate([np.inf], [1.0])
    with pytest.raises(TypeError, match="advantages"):
        clipped_surrogate([1.0], ["a"])


def test_group_advantages_unchecked_matches_the_checked_path() -> None:
    rewards = np.random.default_rng(24).integers(0, 3, size=(20, 6)).astype(float)
    for scale in ("group", "batch", "none"):
        for ddof in (0, 1):
            np.testing.assert_array_equal(
                group_advantages_unchecked(rewards, scale=scale, ddof=ddof, eps=1e-6),
                group_advantages(rewards, scale=scale, ddof=ddof, eps=1e-6),
            )


# ------------------------------------------------------------------ token_gradient


@pytest.mark.parametrize(
    "options",
    [
        {"loss_type": "grpo"},
        {"loss_type": "dapo", "epsilon_high": 0.28, "delta": 1.5, "clip_ratio_c": 1.3},
        {"loss_type": "cispo", "epsilon_high": 1.3},
        {"loss_type": "cispo", "clip_ratio_low": 0.2, "clip_ratio_high": 0.28},
        {"loss_type": "sapo", "sapo_temperature_neg": 2.0},
        {"loss_type": "luspo"},
    ],
    ids=lambda o: "-".join(f"{v}" for v in o.values()),
)
def test_token_gradient_is_grpo_losss_gradient_per_token(options: dict) -> None:
    # One token per row: every aggregation weighs each row 1/N (N = 40 rows of one token),
    # so grpo_loss's gradient is -token_gradient / N on each row.
    rng = np.random.default_rng(34)
    ratio = np.exp(rng.normal(0.0, 0.6, size=40))
    adv = rng.normal(size=40)
    got = token_gradient(ratio, adv, **options)
    old = np.full((40, 1), -4.0)
    result = grpo_loss(old + np.log(ratio)[:, None], old, adv, **options)
    np.testing.assert_allclose(result.grad[:, 0], -got / 40, rtol=1e-12, atol=1e-15)
    if options["loss_type"] in ("grpo", "dapo"):
        slope = clipped_surrogate(
            ratio, adv, **{k: v for k, v in options.items() if k != "loss_type"}
        )
        np.testing.assert_array_equal(got, slope.slope)


def test_token_gradient_broadcasts_and_refuses_bad_input() -> None:
    grid = token_gradient(np.linspace(0.5, 1.5, 5)[:, None], [1.0, -1.0], loss_type="sapo")
    assert grid.shape == (5, 2)
    np.testing.assert_allclose(grid[2], [1.0, -1.0])  # ρ = 1: A itself
    with pytest.raises(ValueError, match="ratio must be > 0"):
        token_gradient([0.0], [1.0])
    with pytest.raises(ValueError, match="broadcast"):
        token_gradient([1.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="loss_type must be one of"):
        token_gradient([1.0], [1.0], loss_type="vespo")
    with pytest.raises(ValueError, match="need loss_type='cispo'"):
        token_gradient([1.0], [1.0], clip_ratio_low=0.2)
