"""Argument checks of :mod:`r1lib.grpo.loss`, run once at the public edge.

Each raises a ``ValueError`` or ``TypeError`` that names the argument (DeepSeekMath's
loss, Shao et al. 2024, is only defined for valid log-probabilities and masks).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    MAX_WHOLE,
    as_float_array,
    check_positive,
    check_same_shape,
    check_whole_number,
)

__all__ = [
    "at_most_zero",
    "check_advantages",
    "check_clip_options",
    "check_is_ratio",
    "check_mask",
    "check_tokens",
    "log_probs",
    "mask_and_tokens",
    "tokens_per_row",
]

Array = NDArray[np.float64]


def log_probs(value: ArrayLike, name: str, *, like: Array | None = None) -> tuple[Array, float]:
    """A finite 2-D float array of log-probabilities (all <= 0); also returns its min.

    One min and one max reduction replace separate ``isfinite`` and ``<= 0`` passes
    (a NaN propagates through both), which keeps validation cheap for large batches.
    """
    array = as_float_array(value, name, ndim=2, finite=False)
    if like is not None:
        check_same_shape(array, name, like, "logp")
    low, high = array.min(), array.max()
    if not (np.isfinite(low) and high <= 0.0):
        if np.any(np.isnan(array)):
            raise ValueError(f"{name} must be finite; it contains NaN")
        if np.any(np.isinf(array)):
            raise ValueError(f"{name} must be finite; it contains inf")
        raise ValueError(f"{name} must be log-probabilities (<= 0); its maximum is {high:g}")
    return array, float(low)


def at_most_zero(value: ArrayLike, name: str, *, like: Array | None = None) -> Array:
    """A 2-D float array (of ``like``'s shape) with no NaN, no +inf and nothing above 0.

    One max reduction (a NaN propagates through it). A -inf passes: :func:`grpo_loss`
    finds it in its result, where it makes the ratio or k3 infinite.
    """
    array = as_float_array(value, name, ndim=2, finite=False)
    if like is not None:
        check_same_shape(array, name, like, "logp")
    high = array.max()
    if not high <= 0.0:
        if np.isnan(high):
            raise ValueError(f"{name} must be finite; it contains NaN")
        if np.isinf(high):
            raise ValueError(f"{name} must be finite; it contains inf")
        raise ValueError(f"{name} must be log-probabilities (<= 0); its maximum is {high:g}")
    return array


def check_advantages(advantages: ArrayLike, shape: tuple[int, ...]) -> Array:
    adv = as_float_array(advantages, "advantages", ndim=(1, 2))
    if adv.ndim == 1 and adv.shape != shape[:1]:
        raise ValueError(
            f"advantages must have shape ({shape[0]},) or {shape} to match logp; got {adv.shape}"
        )
    if adv.ndim == 2 and adv.shape != shape:
        raise ValueError(f"advantages must have the same shape as logp {shape}; got {adv.shape}")
    return adv


def check_mask(mask: ArrayLike | None, logp: Array | None) -> Array:
    """The mask as a float 0/1 array of ``logp``'s shape (all ones when ``None``).

    The 0/1 test also refuses NaN and inf, so finiteness is diagnosed only on failure.
    """
    if mask is None:
        assert logp is not None
        return np.ones(logp.shape)
    array = as_float_array(mask, "mask", ndim=2, finite=False)
    if logp is not None:
        check_same_shape(array, "mask", logp, "logp")
    if np.asarray(mask).dtype != np.bool_ and not np.all((array == 0.0) | (array == 1.0)):
        as_float_array(array, "mask")  # NaN or inf: say so
        raise ValueError("mask must contain only 0 and 1")
    return array


def mask_and_tokens(mask: ArrayLike | None, logp: Array) -> tuple[Array, Array]:
    """:func:`check_mask`, and the mask's row sums ``(B, 1)`` (its tokens per row)."""
    array = check_mask(mask, logp)
    return array, tokens_per_row(array)


def tokens_per_row(mask: Array) -> Array:
    """The row sums of a 0/1 ``mask``, ``(B, 1)`` (einsum: a plain sum, faster than
    numpy's pairwise one, and exact on whole numbers)."""
    return np.einsum("ij->i", mask)[:, None]


def check_tokens(
    tokens_per_row: Array, loss_type: str, max_completion_length: int | None, level: str
) -> int | None:
    """Check the mask keeps the tokens ``loss_type`` and ``level`` need; return L_max.

    ``tokens_per_row`` is the mask's row sums, ``(B,)`` or ``(B, 1)``.
    """
    tokens_per_row = tokens_per_row.ravel()
    if tokens_per_row.sum() == 0:
        raise ValueError("mask must keep at least one token; it is all 0")
    if (loss_type == "grpo" or level == "sequence") and np.any(tokens_per_row == 0):
        rows = np.flatnonzero(tokens_per_row == 0).tolist()
        why = "averages each row's tokens" if loss_type == "grpo" else "averages each row's ratio"
        raise ValueError(
            f"mask keeps no token in row(s) {rows}: loss_type='{loss_type}' with "
            f"importance_sampling_level='{level}' {why}, so every row needs one "
            "(drop the row, or use 'bnpo'/'dr_grpo' at the token level)"
        )
    if loss_type != "dr_grpo":
        return (
            max_completion_length if max_completion_length is None else int(max_completion_length)
        )
    if max_completion_length is None:
        raise ValueError("max_completion_length is required when loss_type='dr_grpo'")
    length = check_whole_number(  # (1e400 would overflow 1/(B L))
        max_completion_length, "max_completion_length", minimum=1, maximum=MAX_WHOLE
    )
    if length < tokens_per_row.max():
        raise ValueError(
            f"max_completion_length ({length}) must be >= the longest "
            f"completion's number of unmasked tokens ({int(tokens_per_row.max())})"
        )
    return length


def check_clip_options(
    epsilon: float, epsilon_high: float | None, delta: float | None, clip_ratio_c: float | None
) -> tuple[float, float, float | None, float | None]:
    epsilon = check_positive(epsilon, "epsilon")
    high = epsilon if epsilon_high is None else check_positive(epsilon_high, "epsilon_high")
    if delta is not None:
        delta = check_positive(delta, "delta")
        if delta <= 1.0:
            raise ValueError(f"delta must be > 1 (a cap on the ratio above 1); got {delta!r}")
    if clip_ratio_c is not None:
        clip_ratio_c = check_positive(clip_ratio_c, "clip_ratio_c")
        if clip_ratio_c <= 1.0:
            raise ValueError(f"clip_ratio_c must be > 1 (as verl asserts); got {clip_ratio_c!r}")
    return epsilon, high, delta, clip_ratio_c


def check_is_ratio(value: ArrayLike | None, shape: tuple[int, ...]) -> Array | None:
    if value is None:
        return None
    weights = as_float_array(value, "importance_sampling_ratio", ndim=(1, 2))
    if weights.shape not in (shape, shape[:1]):
        raise ValueError(
            f"importance_sampling_ratio must have shape ({shape[0]},) or {shape}; "
            f"got {weights.shape}"
        )
    if np.any(weights < 0):
        raise ValueError("importance_sampling_ratio must be >= 0")
    return weights
