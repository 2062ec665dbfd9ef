"""Every combination of grpo_loss's options, on one batch where every option binds.

For each combination of ``loss_type`` x ``importance_sampling_level`` x clip options
(``delta``, ``clip_ratio_c``) x ``importance_sampling_ratio`` x KL term (none, k3, the
bias-corrected k3) x the shape of the advantages:

* the exact gradient equals central finite differences;
* the value equals an independent numpy transcription of TRL 1.16.0's
  ``GRPOTrainer._compute_loss`` (``trl/trainer/grpo_trainer.py``: log-ratio and
  sequence level 3083-3093, ratio 3095, k3 and its bias correction 3098-3105, CISPO
  3109-3111, clip and ``delta`` 3112-3120, ``importance_sampling_ratio`` 3146-3147,
  ``beta`` 3149-3150, aggregation 3153-3184), with verl's dual clip and CISPO
  (volcengine/verl b178a3c, ``core_algos.py`` 1210-1235 and 1745-1758);
* the unchecked core gives the checked result, bit for bit, and splitting the rows into
  blocks changes nothing but the rounding of the sums.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from grpo_batches import batch_off_kinks

import r1lib.grpo.loss as loss_module
from r1lib.grpo import grpo_loss, grpo_loss_unchecked

LOSS_TYPES = ("grpo", "bnpo", "dapo", "dr_grpo", "cispo")
LEVELS = ("token", "sequence")
CLIPS = {"plain": {}, "delta": {"delta": 1.5}, "dual": {"clip_ratio_c": 1.3}}
CLIPS["both"] = CLIPS["delta"] | CLIPS["dual"]
WEIGHTS = ("none", "per sequence", "per token")
KL = {"none": {}, "k3": {"beta": 0.1}, "bias-corrected k3": {"beta": 0.1, "bias": True}}
ADVANTAGES = ("per sequence", "per token")
MAX_LEN = 7
KINKS = np.log([0.8, 1.2, 1.28, 1.3, 1.5])  # 1 - eps, 1 + eps, DAPO's 1.28, c, delta

OPTIONS = ("loss_type", "level", "clip", "weights", "kl", "advantages")
COMBINATIONS = list(itertools.product(LOSS_TYPES, LEVELS, CLIPS, WEIGHTS, KL, ADVANTAGES))


def _batch():
    """Seed 70: at both levels some tokens and rows are clipped, some with A < 0 lie
    above delta = 1.5 and c = 1.3, some are free; rows keep 6, 1, 6 and 4 tokens; every
    token and row log-ratio lies at least 1e-3 from a kink."""
    logp, old, ref, adv, mask = batch_off_kinks(70, spread=0.5)
    rng = np.random.default_rng(71)
    return {
        "logp": logp,
        "old": old,
        "ref": ref,
        "adv": {"per sequence": adv, "per token": rng.normal(size=logp.shape)},
        "mask": mask,
        "is_ratio": {
            "none": None,
            "per sequence": rng.uniform(0.3, 2.0, size=logp.shape[0]),
            "per token": rng.uniform(0.3, 2.0, size=logp.shape),
        },
    }


BATCH = _batch()


def _kwargs(loss_type, level, clip, weights, kl, advantages):
    options = KL[kl]
    return {
        "advantages": BATCH["adv"][advantages],
        "mask": BATCH["mask"],
        "loss_type": loss_type,
        "max_completion_length": MAX_LEN,
        "importance_sampling_level": level,
        "importance_sampling_ratio": BATCH["is_ratio"][weights],
        "beta": options.get("beta", 0.0),
        "ref_logp": BATCH["ref"] if options else None,
        "use_bias_correction_kl": options.get("bias", False),
        **CLIPS[clip],
    }


def _reference_loss(logp, old, advantages, mask, **kw):
    """TRL 1.16.0 ``_compute_loss`` in numpy (one process), plus verl's dual clip; CISPO
    as verl writes it, with a lower clip at 1 - epsilon."""
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    log_ratio = logp - old
    if kw["importance_sampling_level"] == "sequence":
        log_ratio = ((log_ratio * mask).sum(-1) / mask.sum(-1))[:, None]
    coef_1 = np.exp(log_ratio)
    if kw["beta"] != 0.0:
        x = kw["ref_logp"] - logp
        per_token_kl = np.exp(x) - x - 1
        if kw["use_bias_correction_kl"]:
            per_token_kl = per_token_kl * coef_1
    if kw["loss_type"] == "cispo":
        per_token_loss = -np.clip(coef_1, 0.8, 1.2) * a * logp
    else:
        coef_2 = np.clip(coef_1, 0.8, 1.2)
        if kw.get("delta") is not None:
            coef_1 = np.minimum(coef_1, kw["delta"])
        per_token_loss = -np.minimum(coef_1 * a, coef_2 * a)
        if kw.get("clip_ratio_c") is not None:  # verl: min(-A c, loss) where A < 0
            per_token_loss = np.where(
                a < 0, np.minimum(-a * kw["clip_ratio_c"], per_token_loss), per_token_loss
            )
    if kw["importance_sampling_ratio"] is not None:
        weights = kw["importance_sampling_ratio"]
        per_token_loss = per_token_loss * (weights[:, None] if weights.ndim == 1 else weights)
    if kw["beta"] != 0.0:
        per_token_loss = per_token_loss + kw["beta"] * per_token_kl
    per_token_loss = np.broadcast_to(per_token_loss, mask.shape)
    if kw["loss_type"] == "grpo":
        return np.mean((per_token_loss * mask).sum(-1) / mask.sum(-1))
    if kw["loss_type"] == "dr_grpo":
        return (per_token_loss * mask).sum() / (mask.shape[0] * kw["max_completion_length"])
    return (per_token_loss * mask).sum() / mask.sum()


def _loss_of_logp(kw):
    """The loss as a function of logp, whose derivative ``grad`` must be. CISPO's clipped
    ratio is detached (sg): its policy term moves old_logp with logp, holding the ratio."""
    old = BATCH["old"]
    if kw["loss_type"] != "cispo":
        return lambda x: grpo_loss_unchecked(x, old, **kw).loss
    policy = kw | {"beta": 0.0, "ref_logp": None}
    kl = kw | {"loss_type": "bnpo", "advantages": np.zeros_like(kw["advantages"])}

    def loss(x):
        frozen = grpo_loss_unchecked(x, old + (x - BATCH["logp"]), **policy).loss
        return frozen + grpo_loss_unchecked(x, old, **kl).loss

    return loss


def test_the_batch_exercises_every_option() -> None:
    logp, old, mask = BATCH["logp"], BATCH["old"], BATCH["mask"]
    adv = BATCH["adv"]["per sequence"]
    token_log_ratio = (logp - old)[mask > 0]
    row_log_ratio = ((logp - old) * mask).sum(1) / mask.sum(1)
    for log_ratio in (token_log_ratio, row_log_ratio):
        assert np.min(np.abs(log_ratio[:, None] - KINKS)) > 1e-3  # finite differences hold
    for level, a, ratio in [
        ("token", np.broadcast_to(adv[:, None], logp.shape)[mask > 0], np.exp(token_log_ratio)),
        ("sequence", adv, np.exp(row_log_ratio)),
    ]:
        clipped = ((a > 0) & (ratio > 1.2)) | ((a < 0) & (ratio < 0.8))
        above_delta_and_c = (a < 0) & (ratio > 1.5)
        assert clipped.any() and above_delta_and_c.any(), level
        assert (~clipped & ~above_delta_and_c).any(), level
    assert sorted(mask.sum(1)) == [1, 4, 6, 6]


@pytest.mark.parametrize(OPTIONS, COMBINATIONS)
def test_gradient_matches_finite_differences(
    loss_type, level, clip, weights, kl, advantages, numeric_grad
) -> None:
    kw = _kwargs(loss_type, level, clip, weights, kl, advantages)
    result = grpo_loss(BATCH["logp"], BATCH["old"], **kw)
    numeric = numeric_grad(_loss_of_logp(kw), BATCH["logp"])
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)
    assert np.all(result.grad[BATCH["mask"] == 0] == 0.0)
    assert not np.any(np.signbit(result.grad[result.grad == 0.0]))  # +0.0, never -0.0


@pytest.mark.parametrize(OPTIONS, COMBINATIONS)
def test_value_matches_trl_and_every_path_agrees(
    loss_type, level, clip, weights, kl, advantages, monkeypatch
) -> None:
    kw = _kwargs(loss_type, level, clip, weights, kl, advantages)
    checked = grpo_loss(BATCH["logp"], BATCH["old"], **kw)
    want = _reference_loss(BATCH["logp"], BATCH["old"], **kw)
    assert checked.loss == pytest.approx(want, rel=1e-12, abs=1e-15)
    unchecked = grpo_loss_unchecked(BATCH["logp"], BATCH["old"], **kw)
    assert _fields(unchecked) == pytest.approx(_fields(checked), rel=0, abs=0, nan_ok=True)
    np.testing.assert_array_equal(unchecked.grad, checked.grad)
    # The 4 x 6 batch is one block by default; split it into one row per block, then
    # into three rows and a block of one left over.
    for block_tokens in (1, 3 * 6):
        monkeypatch.setattr(loss_module, "_BLOCK_TOKENS", block_tokens)
        blocks = grpo_loss(BATCH["logp"], BATCH["old"], **kw)
        np.testing.assert_array_equal(blocks.grad, checked.grad)
        for got, expected in zip(_fields(blocks), _fields(checked), strict=True):
            assert got == pytest.approx(expected, rel=1e-14, abs=1e-16, nan_ok=True)


def _fields(result):
    """The result's numbers (a missing mean_kl as nan, which approx compares as equal)."""
    mean_kl = np.nan if result.mean_kl is None else result.mean_kl
    return (result.loss, result.clip_fraction, result.mean_ratio, mean_kl)
