"""Every combination of grpo_loss's options, on one batch where every option binds.

For each combination of the policy term (``loss_type``, with TRL's and verl's CISPO) x
``importance_sampling_level`` x clip options (``delta``, ``clip_ratio_c``, for the
losses that clip) x ``importance_sampling_ratio`` x KL term (none, k3, the
bias-corrected k3) x the shape of the advantages x the masks (none, or DeepSeek-V3.2's
off-policy mask, the high-entropy mask and a truncated completion at once):

* the exact gradient equals central finite differences;
* the value equals an independent numpy transcription of TRL 1.16.0's
  ``GRPOTrainer._compute_loss`` (``tests/trl_transcription.py``, which cites the
  lines), with verl 0.9.1's dual clip and two-sided CISPO;
* the unchecked core gives the checked result, bit for bit, and splitting the rows into
  blocks changes nothing but the rounding of the sums.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from grpo_batches import KINKS, batch_off_kinks, loss_of_logp
from trl_transcription import trl_loss

import r1lib.grpo.loss as loss_module
from r1lib.grpo import grpo_loss, grpo_loss_unchecked

CLIPPING = ("grpo", "bnpo", "dapo", "dr_grpo", "luspo")  # PPO's clip, with delta and c
POLICY = {name: {"loss_type": name} for name in CLIPPING}
POLICY["cispo (TRL)"] = {"loss_type": "cispo", "epsilon_high": 1.3}
POLICY["cispo (verl)"] = {"loss_type": "cispo", "clip_ratio_low": 0.2, "clip_ratio_high": 0.2}
POLICY["sapo"] = {"loss_type": "sapo", "sapo_temperature_neg": 2.0}
LEVELS = ("token", "sequence")
CLIPS = {"plain": {}, "delta": {"delta": 1.5}, "dual": {"clip_ratio_c": 1.3}}
CLIPS["both"] = CLIPS["delta"] | CLIPS["dual"]
WEIGHTS = ("none", "per sequence", "per token")
KL = {"none": {}, "k3": {"beta": 0.1}, "bias-corrected k3": {"beta": 0.1, "bias": True}}
ADVANTAGES = ("per sequence", "per token")
MASKS = ("none", "all three")
MAX_LEN = 7
OFF_POLICY_THRESHOLD = 0.1
_SAMPLER_DRIFT = np.array([0.3, -0.2, 0.2, 0.0])  # each row's mean log-ratio, roughly

OPTIONS = ("policy", "level", "clip", "weights", "kl", "advantages", "masks")
COMBINATIONS = [
    combination
    for combination in itertools.product(POLICY, LEVELS, CLIPS, WEIGHTS, KL, ADVANTAGES, MASKS)
    if combination[0] in CLIPPING or combination[2] == "plain"  # the others clip nothing
]


def _batch():
    """Seed 70: at both levels some tokens and rows are clipped, some with A < 0 lie
    above delta = 1.5 and c = 1.3, some are free; rows keep 6, 1, 6 and 4 tokens; every
    token and row log-ratio lies at least 1e-3 from a kink. The sampler's log-probs put
    rows with A < 0 on both sides of the off-policy threshold, 0.03 or more from it."""
    logp, old, ref, adv, mask = batch_off_kinks(70, spread=0.5)
    rng = np.random.default_rng(71)
    drift_noise = np.random.default_rng(72).normal(0.0, 0.1, size=logp.shape)
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
        "entropies": rng.uniform(0.0, 3.0, size=logp.shape),
        "sampling": np.minimum(logp + _SAMPLER_DRIFT[:, None] + drift_noise, 0.0),
        "truncated": np.array([False, False, True, False]),
    }


BATCH = _batch()


def _kwargs(policy, level, clip, weights, kl, advantages, masks):
    options = KL[kl]
    kwargs = {
        "advantages": BATCH["adv"][advantages],
        "mask": BATCH["mask"],
        "max_completion_length": MAX_LEN,
        "importance_sampling_level": level,
        "importance_sampling_ratio": BATCH["is_ratio"][weights],
        "beta": options.get("beta", 0.0),
        "ref_logp": BATCH["ref"] if options else None,
        "use_bias_correction_kl": options.get("bias", False),
        **POLICY[policy],
        **CLIPS[clip],
    }
    if masks == "all three":
        kwargs |= {
            "off_policy_mask_threshold": OFF_POLICY_THRESHOLD,
            "sampling_logp": BATCH["sampling"],
            "top_entropy_quantile": 0.6,
            "entropies": BATCH["entropies"],
            "mask_truncated_completions": True,
            "truncated": BATCH["truncated"],
        }
    return kwargs


def _reference_loss(logp, old, advantages, mask, **kw):
    """TRL 1.16.0 ``_compute_loss`` in numpy (one process), with verl's dual clip and
    two-sided CISPO; a truncated completion's mask row zeroed first (TRL 2488-2495)."""
    if kw.get("mask_truncated_completions"):
        mask = mask * ~kw["truncated"][:, None]
    verl_cispo = None
    if "clip_ratio_low" in kw:
        verl_cispo = (kw["clip_ratio_low"], kw["clip_ratio_high"])
    return trl_loss(
        logp,
        old,
        advantages,
        mask,
        loss_type=kw["loss_type"],
        epsilon_high=kw.get("epsilon_high"),
        beta=kw["beta"],
        ref=kw["ref_logp"],
        level=kw["importance_sampling_level"],
        delta=kw.get("delta"),
        use_bias_correction_kl=kw["use_bias_correction_kl"],
        importance_sampling_ratio=kw["importance_sampling_ratio"],
        sapo_temperature_neg=kw.get("sapo_temperature_neg", 1.05),
        off_policy_mask_threshold=kw.get("off_policy_mask_threshold"),
        sampling_logp=kw.get("sampling_logp"),
        top_entropy_quantile=kw.get("top_entropy_quantile", 1.0),
        entropies=kw.get("entropies"),
        max_completion_length=kw["max_completion_length"],
        clip_ratio_c=kw.get("clip_ratio_c"),
        verl_cispo=verl_cispo,
    )


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
    # The off-policy mask drops a row with A < 0 and keeps another: for both advantages.
    divergence = ((BATCH["sampling"] - logp) * mask).sum(1) / mask.sum(1)
    assert np.min(np.abs(divergence - OFF_POLICY_THRESHOLD)) > 0.03
    for a in (adv, BATCH["adv"]["per token"].mean(1)):
        negative = a < 0
        assert (negative & (divergence > OFF_POLICY_THRESHOLD)).any()
    assert (adv < 0)[divergence <= OFF_POLICY_THRESHOLD].any()


@pytest.mark.parametrize(OPTIONS, COMBINATIONS)
def test_gradient_matches_finite_differences(
    policy, level, clip, weights, kl, advantages, masks, numeric_grad
) -> None:
    kw = _kwargs(policy, level, clip, weights, kl, advantages, masks)
    result = grpo_loss(BATCH["logp"], BATCH["old"], **kw)
    numeric = numeric_grad(
        loss_of_logp(grpo_loss_unchecked, BATCH["logp"], BATCH["old"], **kw), BATCH["logp"]
    )
    np.testing.assert_allclose(result.grad, numeric, rtol=1e-6, atol=1e-9)
    assert np.all(result.grad[BATCH["mask"] == 0] == 0.0)
    assert not np.any(np.signbit(result.grad[result.grad == 0.0]))  # +0.0, never -0.0


@pytest.mark.parametrize(OPTIONS, COMBINATIONS)
def test_value_matches_trl_and_every_path_agrees(
    policy, level, clip, weights, kl, advantages, masks, monkeypatch
) -> None:
    kw = _kwargs(policy, level, clip, weights, kl, advantages, masks)
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


def test_the_masks_bind() -> None:
    # Each mask changes the loss of the combination that has all three.
    kw = _kwargs("grpo", "token", "plain", "none", "none", "per sequence", "all three")
    full = grpo_loss(BATCH["logp"], BATCH["old"], **kw).loss
    for option in ("off_policy_mask_threshold", "top_entropy_quantile"):
        off = kw | {option: None if option == "off_policy_mask_threshold" else 1.0}
        assert grpo_loss(BATCH["logp"], BATCH["old"], **off).loss != full, option
    kept = kw | {"mask_truncated_completions": False}
    assert grpo_loss(BATCH["logp"], BATCH["old"], **kept).loss != full


def _fields(result):
    """The result's numbers (a missing mean_kl as nan, which approx compares as equal)."""
    mean_kl = np.nan if result.mean_kl is None else result.mean_kl
    return (result.loss, result.clip_fraction, result.mean_ratio, mean_kl)
