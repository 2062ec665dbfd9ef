"""r1lib.grpo.masks and the grpo_loss options that apply them, against TRL 1.16.0.

The transcriptions (``tests/trl_transcription.py``) follow ``trl/trainer/grpo_trainer.py``
1.16.0: ``get_off_policy_mask`` 2945-2968 (DeepSeek-V3.2's off-policy sequence mask),
``get_high_entropy_mask`` 1380-1417 (``top_entropy_quantile``), the truncated
completions of ``mask_truncated_completions`` 2488-2495, and ``_compute_loss``
3020-3183, which multiplies ``per_token_loss`` by the first two (3140-3144).
"""

from __future__ import annotations

import numpy as np
import pytest
from grpo_batches import batch_off_kinks
from trl_transcription import trl_high_entropy_mask, trl_loss, trl_off_policy_mask, trl_truncated

from r1lib.grpo import (
    grpo_loss,
    high_entropy_mask,
    off_policy_kl,
    off_policy_mask,
    truncated_completions,
)


def _batch(seed: int, batch: int = 8, length: int = 7):
    """A batch whose sampler drifted: rows with A < 0 on both sides of 0.1."""
    logp, old, ref, adv, mask = batch_off_kinks(seed, batch=batch, length=length, spread=0.3)
    rng = np.random.default_rng(seed + 1)
    drift = rng.uniform(-0.3, 0.5, size=batch)
    sampling = np.minimum(logp + drift[:, None] + rng.normal(0, 0.05, logp.shape), 0.0)
    entropies = rng.gamma(2.0, 0.7, size=logp.shape)
    return logp, old, ref, adv, mask, sampling, entropies


# ------------------------------------------------------------------ off-policy mask


def test_off_policy_kl_is_the_mean_log_ratio() -> None:
    logp, _, _, _, mask, sampling, _ = _batch(40)
    want = ((sampling - logp) * mask).sum(1) / mask.sum(1)
    np.testing.assert_allclose(off_policy_kl(logp, sampling, mask), want, rtol=1e-14)
    # A completion sampled from π_θ itself has divergence 0.
    np.testing.assert_array_equal(off_policy_kl(logp, logp, mask), np.zeros(len(mask)))


@pytest.mark.parametrize("per_token", [False, True])
@pytest.mark.parametrize("threshold", [0.05, 0.1, 0.3])
def test_off_policy_mask_matches_trl(per_token: bool, threshold: float) -> None:
    logp, _, _, adv, mask, sampling, _ = _batch(41)
    if per_token:
        adv = np.random.default_rng(42).normal(size=logp.shape)
    got = off_policy_mask(adv, logp, sampling, mask, threshold=threshold)
    a = adv if per_token else adv[:, None]
    want = trl_off_policy_mask(a, logp, sampling, mask, threshold)
    np.testing.assert_array_equal(got, want if per_token else want[:, 0])
    assert got.shape == adv.shape


def test_off_policy_mask_drops_only_drifted_negative_rows() -> None:
    logp, _, _, adv, mask, sampling, _ = _batch(45)
    divergence = off_policy_kl(logp, sampling, mask)
    keep = off_policy_mask(adv, logp, sampling, mask, threshold=0.1)
    dropped = keep == 0
    assert dropped.any() and (~dropped & (adv < 0)).any()  # both kinds in the batch
    np.testing.assert_array_equal(dropped, (adv < 0) & (divergence > 0.1))


@pytest.mark.parametrize("level", ["token", "sequence"])
@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "cispo", "sapo"])
def test_grpo_loss_with_the_off_policy_mask_matches_trl(level, loss_type, numeric_grad) -> None:
    logp, old, ref, adv, mask, sampling, _ = _batch(44)
    kwargs = {"loss_type": loss_type, "importance_sampling_level": level, "beta": 0.05}
    kwargs |= {"ref_logp": ref, "off_policy_mask_threshold": 0.1, "sampling_logp": sampling}
    if loss_type == "cispo":
        kwargs["epsilon_high"] = 5.0
    got = grpo_loss(logp, old, adv, mask, **kwargs)
    want = trl_loss(
        logp, old, adv, mask, loss_type=loss_type, level=level, beta=0.05, ref=ref,
        use_bias_correction_kl=False, off_policy_mask_threshold=0.1, sampling_logp=sampling,
        epsilon_high=kwargs.get("epsilon_high"),
    )  # fmt: skip
    assert got.loss == pytest.approx(want, rel=1e-12)
    assert (
        got.loss
        != grpo_loss(logp, old, adv, mask, **kwargs | {"off_policy_mask_threshold": None}).loss
    )
    if loss_type != "cispo":  # CISPO's detached weight: tested in test_grpo_combinations
        numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
        np.testing.assert_allclose(got.grad, numeric, rtol=1e-6, atol=1e-9)


def test_a_dropped_row_keeps_only_its_kl_gradient() -> None:
    logp, old, ref, adv, mask, sampling, _ = _batch(45)
    keep = off_policy_mask(adv, logp, sampling, mask, threshold=0.1)
    options = {"off_policy_mask_threshold": 0.1, "sampling_logp": sampling}
    masked = grpo_loss(logp, old, adv, mask, **options)
    assert np.all(masked.grad[keep == 0] == 0.0)
    np.testing.assert_array_equal(
        masked.grad[keep == 1], grpo_loss(logp, old, adv, mask).grad[keep == 1]
    )
    with_kl = grpo_loss(logp, old, adv, mask, beta=0.1, ref_logp=ref, **options)
    kl_only = grpo_loss(logp, old, np.zeros_like(adv), mask, beta=0.1, ref_logp=ref)
    np.testing.assert_allclose(with_kl.grad[keep == 0], kl_only.grad[keep == 0], rtol=1e-14)


def test_without_sampling_logp_the_mask_measures_old_logp_as_trl() -> None:
    # TRL line 3073: sampling_per_token_logps defaults to old_per_token_logps.
    logp, old, _, adv, mask, _, _ = _batch(46)
    got = grpo_loss(logp, old, adv, mask, off_policy_mask_threshold=0.05)
    explicit = grpo_loss(logp, old, adv, mask, off_policy_mask_threshold=0.05, sampling_logp=old)
    assert got.loss == explicit.loss
    assert got.loss == pytest.approx(
        trl_loss(logp, old, adv, mask, loss_type="grpo", off_policy_mask_threshold=0.05),
        rel=1e-12,
    )


def test_off_policy_bad_input() -> None:
    logp = np.array([[-1.0, -2.0]])
    with pytest.raises(ValueError, match="threshold must be > 0"):
        off_policy_mask([1.0], logp, logp, threshold=0.0)
    with pytest.raises(ValueError, match="sampling_logp must have the same shape"):
        off_policy_kl(logp, np.zeros((2, 2)) - 1)
    with pytest.raises(ValueError, match=r"advantages must have shape \(1,\)"):
        off_policy_mask([1.0, 2.0], logp, logp, threshold=0.5)
    with pytest.raises(ValueError, match="sampling_logp must be finite"):
        off_policy_kl(logp, [[np.nan, -1.0]])


# ------------------------------------------------------------------ entropy mask


@pytest.mark.parametrize("quantile", [0.0, 0.2, 0.5, 0.999, 1.0])
def test_high_entropy_mask_matches_trl(quantile: float) -> None:
    _, _, _, _, mask, _, entropies = _batch(47)
    got = high_entropy_mask(entropies, mask, top_entropy_quantile=quantile)
    np.testing.assert_array_equal(got, trl_high_entropy_mask(entropies, mask, 1 - quantile))
    kept = got.sum() / mask.sum()
    assert kept == pytest.approx(quantile, abs=1.5 / mask.sum()) or quantile == 0.0
    if quantile == 0.0:  # only the highest-entropy token
        assert got.sum() == 1 and entropies[got][0] == entropies[mask > 0].max()
    assert not got[mask == 0].any()


@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "sapo"])
def test_grpo_loss_with_the_entropy_mask_matches_trl(loss_type: str, numeric_grad) -> None:
    logp, old, ref, adv, mask, _, entropies = _batch(48)
    kwargs = {"loss_type": loss_type, "top_entropy_quantile": 0.2, "entropies": entropies}
    kwargs |= {"beta": 0.05, "ref_logp": ref}
    got = grpo_loss(logp, old, adv, mask, **kwargs)
    want = trl_loss(
        logp, old, adv, mask, loss_type=loss_type, top_entropy_quantile=0.2,
        entropies=entropies, beta=0.05, ref=ref, use_bias_correction_kl=False,
    )  # fmt: skip
    assert got.loss == pytest.approx(want, rel=1e-12)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(got.grad, numeric, rtol=1e-6, atol=1e-9)
    # Low-entropy tokens keep only the KL term's gradient; the 20% keep their policy's.
    keep = high_entropy_mask(entropies, mask, top_entropy_quantile=0.2)
    kl_only = grpo_loss(
        logp, old, np.zeros_like(adv), mask, **kwargs | {"top_entropy_quantile": 1.0}
    )
    low = (mask > 0) & ~keep
    np.testing.assert_allclose(got.grad[low], kl_only.grad[low], rtol=1e-14)
    assert np.any(got.grad[keep] != kl_only.grad[keep])  # (a clipped token has none)


def test_entropy_mask_bad_input() -> None:
    with pytest.raises(ValueError, match="entropies must be >= 0"):
        high_entropy_mask([[-0.1, 1.0]], top_entropy_quantile=0.5)
    with pytest.raises(ValueError, match=r"top_entropy_quantile must be in \[0, 1\]"):
        high_entropy_mask([[0.1, 1.0]], top_entropy_quantile=2.0)
    with pytest.raises(ValueError, match="mask must keep at least one token"):
        high_entropy_mask([[0.1, 1.0]], [[0, 0]], top_entropy_quantile=0.5)
    with pytest.raises(ValueError, match="entropies must be finite"):
        high_entropy_mask([[np.nan, 1.0]], top_entropy_quantile=0.5)


# ------------------------------------------------------------------ truncated completions


def test_truncated_completions_match_trl() -> None:
    rng = np.random.default_rng(49)
    eos, pad = 2, 0
    ids = rng.integers(3, 30, size=(12, 9))
    lengths = rng.integers(1, 10, size=12)
    mask = (np.arange(9)[None, :] < lengths[:, None]).astype(float)
    stopped = rng.random(12) < 0.5
    ids[np.arange(12)[stopped], lengths[stopped] - 1] = eos  # these ended by themselves
    ids[mask == 0] = pad
    got = truncated_completions(ids, [eos, pad], mask)
    np.testing.assert_array_equal(got, trl_truncated(ids, mask, [eos, pad]))
    np.testing.assert_array_equal(got, ~stopped)
    # One id or several; no mask means every position is real.
    np.testing.assert_array_equal(truncated_completions([[5, 2], [5, 6]], 2), [False, True])
    # A row with no token is not truncated (nothing to mask).
    assert not truncated_completions([[5, 6]], 2, [[0, 0]])[0]


@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "dr_grpo", "luspo"])
@pytest.mark.parametrize("level", ["token", "sequence"])
def test_mask_truncated_completions_matches_trl(loss_type: str, level: str, numeric_grad) -> None:
    # TRL zeroes a truncated completion's mask row before the loss (2488-2495), so it
    # leaves every count; with "grpo" it still counts in B (clamped n_i = 1).
    logp, old, _, adv, mask, _, entropies = _batch(50)
    truncated = np.zeros(len(mask), dtype=bool)
    truncated[[1, 4]] = True
    kwargs = {
        "loss_type": loss_type,
        "importance_sampling_level": level,
        "max_completion_length": 7,
    }
    kwargs |= {"mask_truncated_completions": True, "truncated": truncated}
    kwargs |= {"top_entropy_quantile": 0.5, "entropies": entropies}
    got = grpo_loss(logp, old, adv, mask, **kwargs)
    cut = mask * ~truncated[:, None]
    want = trl_loss(
        logp, old, adv, cut, loss_type=loss_type, level=level, max_completion_length=7,
        top_entropy_quantile=0.5, entropies=entropies,
    )  # fmt: skip
    assert got.loss == pytest.approx(want, rel=1e-12)
    assert np.all(got.grad[truncated] == 0.0)
    numeric = numeric_grad(lambda x: grpo_loss(x, old, adv, mask, **kwargs).loss, logp)
    np.testing.assert_allclose(got.grad, numeric, rtol=1e-6, atol=1e-9)
    # The option off, or no row truncated: the mask as given.
    off = kwargs | {"mask_truncated_completions": False}
    none = kwargs | {"truncated": np.zeros(len(mask), dtype=bool)}
    assert (
        grpo_loss(logp, old, adv, mask, **off).loss == grpo_loss(logp, old, adv, mask, **none).loss
    )


def test_truncated_completions_bad_input() -> None:
    with pytest.raises(ValueError, match="completion_ids must be 2-D"):
        truncated_completions([1, 2], 2)
    with pytest.raises(ValueError, match="mask must have the same shape as completion_ids"):
        truncated_completions([[1, 2]], 2, [[1, 1, 1]])
    with pytest.raises(ValueError, match="completion_ids must"):
        truncated_completions([[1.5, 2]], 2)
    with pytest.raises(ValueError, match="eos_token_ids"):
        truncated_completions([[1, 2]], [[2]])
