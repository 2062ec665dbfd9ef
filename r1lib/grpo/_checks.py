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
    "VERL_CLIP_RATIO",
    "at_most_zero",
    "check_advantages",
    "check_cispo_options",
    "check_clip_options",
    "check_entropies",
    "check_entropy_options",
    "check_is_ratio",
    "check_mask",
    "check_off_policy_options",
    "check_tokens",
    "check_top_entropy_quantile",
    "cispo_bounds",
    "drop_truncated",
    "log_probs",
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


def tokens_per_row(mask: Array) -> Array:
    """The row sums of a 0/1 ``mask``, ``(B, 1)`` (einsum: a plain sum, faster than
    numpy's pairwise one, and exact on whole numbers)."""
    return np.einsum("ij->i", mask)[:, None]


def check_tokens(tokens: Array, loss_type: str, max_completion_length: int | None) -> int | None:
    """Check the mask keeps a token; return ``max_completion_length`` (L_max) checked
    against the longest row for ``"dr_grpo"``.

    ``tokens`` is the mask's row sums (:func:`tokens_per_row`), ``(B,)`` or ``(B, 1)``.
    A row with no token is allowed, as in TRL (``mask.sum(-1).clamp(min=1.0)``): it adds
    nothing and still counts in ``B`` (``mask_truncated_completions`` makes such rows).
    """
    tokens = tokens.ravel()
    if tokens.sum() == 0:
        raise ValueError("mask must keep at least one token; it is all 0")
    if loss_type != "dr_grpo":
        return (
            max_completion_length if max_completion_length is None else int(max_completion_length)
        )
    if max_completion_length is None:
        raise ValueError("max_completion_length is required when loss_type='dr_grpo'")
    length = check_whole_number(  # (1e400 would overflow 1/(B L))
        max_completion_length, "max_completion_length", minimum=1, maximum=MAX_WHOLE
    )
    if length < tokens.max():
        raise ValueError(
            f"max_completion_length ({length}) must be >= the longest "
            f"completion's number of unmasked tokens ({int(tokens.max())})"
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


#: verl's ``clip_ratio`` default, which ``clip_ratio_low`` / ``clip_ratio_high`` fall back to.
VERL_CLIP_RATIO = 0.2


def check_cispo_options(
    loss_type: str,
    epsilon_high: float,
    epsilon_high_given: bool,
    clip_ratio_low: float | None,
    clip_ratio_high: float | None,
) -> tuple[float | None, float]:
    """CISPO's bounds on the weight: ``(None, epsilon_high)`` as TRL, or verl's
    ``(1 - clip_ratio_low, 1 + clip_ratio_high)`` when either is given (with
    ``loss_type="cispo"`` and no ``epsilon_high``). ``epsilon_high`` arrives checked and
    resolved (``epsilon`` when it was ``None``)."""
    if clip_ratio_low is None and clip_ratio_high is None:
        return None, epsilon_high
    if loss_type != "cispo":
        raise ValueError(
            "clip_ratio_low / clip_ratio_high select verl's two-sided CISPO and need "
            f"loss_type='cispo'; got loss_type={loss_type!r} (its clip is epsilon / "
            "epsilon_high, TRL's names)"
        )
    if epsilon_high_given:
        raise ValueError(
            "epsilon_high (TRL's CISPO bound) and clip_ratio_low / clip_ratio_high (verl's "
            "two-sided CISPO) exclude each other: give one or the other"
        )
    low = None if clip_ratio_low is None else check_positive(clip_ratio_low, "clip_ratio_low")
    high = None if clip_ratio_high is None else check_positive(clip_ratio_high, "clip_ratio_high")
    return cispo_bounds(epsilon_high, low, high)


def cispo_bounds(
    epsilon_high: float, clip_ratio_low: float | None, clip_ratio_high: float | None
) -> tuple[float | None, float]:
    """CISPO's bounds on the weight from valid options, as :func:`check_cispo_options`
    returns them: TRL's ``(None, epsilon_high)`` when neither ``clip_ratio_*`` is given,
    else verl's ``(1 - clip_ratio_low, 1 + clip_ratio_high)``, a missing one at verl's
    default :data:`VERL_CLIP_RATIO`."""
    if clip_ratio_low is None and clip_ratio_high is None:
        return None, epsilon_high
    low = VERL_CLIP_RATIO if clip_ratio_low is None else clip_ratio_low
    high = VERL_CLIP_RATIO if clip_ratio_high is None else clip_ratio_high
    return 1.0 - low, 1.0 + high


def check_off_policy_options(
    threshold: float | None, sampling_logp: ArrayLike | None, logp: Array
) -> tuple[float | None, Array | None]:
    """The off-policy mask's threshold (``None`` or ``> 0``) and, when it is on, the
    sampling policy's log-probabilities (``logp``'s shape; ``None`` means ``old_logp``)."""
    if threshold is None:
        return None, None
    delta = check_positive(threshold, "off_policy_mask_threshold")
    if sampling_logp is None:
        return delta, None
    return delta, log_probs(sampling_logp, "sampling_logp", like=logp)[0]


def check_entropy_options(
    quantile: float, entropies: ArrayLike | None, logp: Array
) -> tuple[float, Array | None]:
    """``top_entropy_quantile`` in [0, 1] and, when it is below 1, the entropies
    (``logp``'s shape, finite and ``>= 0``)."""
    rho = check_top_entropy_quantile(quantile)
    if rho == 1.0:
        return rho, None
    if entropies is None:
        raise ValueError(
            f"entropies are required when top_entropy_quantile < 1 (got {rho:g}): the "
            "entropy of the policy at each position, (B, T)"
        )
    return rho, check_entropies(entropies, like=logp)


def check_top_entropy_quantile(quantile: float) -> float:
    """``top_entropy_quantile`` as a float in [0, 1]."""
    rho = check_positive(quantile, "top_entropy_quantile", allow_zero=True)
    if rho > 1.0:
        raise ValueError(f"top_entropy_quantile must be in [0, 1]; got {rho!r}")
    return rho


def check_entropies(entropies: ArrayLike, *, like: Array | None = None) -> Array:
    """Entropies as a finite 2-D float array ``>= 0`` (of ``like``'s shape)."""
    h = as_float_array(entropies, "entropies", ndim=2)
    if like is not None:
        check_same_shape(h, "entropies", like, "logp")
    if h.min() < 0:
        raise ValueError("entropies must be >= 0 (entropies of distributions, in nats)")
    return h


def drop_truncated(mask: Array, on: bool, truncated: ArrayLike | None) -> Array:
    """The mask with the rows of truncated completions zeroed when ``on`` (TRL's
    ``mask_truncated_completions``); ``truncated`` is ``(B,)`` booleans."""
    if not isinstance(on, bool | np.bool_):
        raise TypeError(f"mask_truncated_completions must be a bool; got {on!r}")
    if not on:
        return mask
    if truncated is None:
        raise ValueError(
            "truncated is required with mask_truncated_completions=True: which completions "
            "the length cap cut off, (B,) booleans (see r1lib.grpo.truncated_completions)"
        )
    flags = np.asarray(truncated)
    if flags.dtype != np.bool_:
        raise TypeError(f"truncated must be booleans; got an array of dtype {flags.dtype}")
    if flags.shape != mask.shape[:1]:
        raise ValueError(f"truncated must have shape ({mask.shape[0]},); got {flags.shape}")
    return mask * ~flags[:, None]


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
