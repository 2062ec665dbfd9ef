"""KL divergence: Schulman's k1/k2/k3 sample estimators, the exact categorical KL and JSD.

Conventions (Schulman 2020, "Approximating KL Divergence"; DeepSeekMath §4.1)
-----------------------------------------------------------------------------
We want ``KL[q, p] = E_{x~q} log(q(x)/p(x))`` from samples ``x ~ q`` only. With

    r = p(x) / q(x),    log_ratio = log r = log p(x) - log q(x),

the three estimators are

    k1 = -log r                     unbiased,  high variance (can be negative)
    k2 = (log r)^2 / 2              biased,    low variance, always >= 0
    k3 = (r - 1) - log r            unbiased,  low variance, always >= 0

In GRPO the samples come from the policy, ``q = pi_theta``, and ``p = pi_ref``, so
``log_ratio = log pi_ref(o) - log pi_theta(o)`` per token, and ``k3`` is exactly the
per-token penalty ``pi_ref/pi_theta - log(pi_ref/pi_theta) - 1`` of DeepSeekMath.

Every function of this module takes ``log_ratio`` (never ``r``): the ratio itself
under- or overflows long before its logarithm does.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    check_axis,
    check_in_open_interval,
    check_positive,
    check_probability,
    check_same_shape,
)

__all__ = [
    "K3_SERIES_THRESHOLD",
    "MAX_FINITE_K3",
    "generalized_jsd",
    "k1",
    "k1_grad",
    "k2",
    "k2_grad",
    "k3",
    "k3_grad",
    "kl_divergence",
    "low_var_kl",
]

#: Below this ``|log_ratio|``, :func:`k3` uses its Taylor series (``expm1(x) - x`` cancels).
K3_SERIES_THRESHOLD = 0.1
#: Largest ``log_ratio`` for which ``k3`` is a finite double (``log`` of the largest double).
MAX_FINITE_K3 = math.log(np.finfo(np.float64).max)

# 1/n! for n = 11, 10, ..., 2 (Horner order). At |x| = 0.1 the first omitted term,
# x^12/12!, is ~4e-23 of x^2/2: far below double precision.
_K3_COEFFICIENTS = tuple(1.0 / math.factorial(n) for n in range(11, 1, -1))


def k1(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Schulman's k1 estimator of KL[q, p]: :math:`k_1 = -\log r`.

    Parameters
    ----------
    log_ratio
        :math:`\log r = \log p(x) - \log q(x)` for samples :math:`x \sim q`; in GRPO
        ``log pi_ref(o) - log pi_theta(o)`` per token. Scalar or array; +-inf allowed.

    Returns
    -------
    float or numpy.ndarray
        ``-log_ratio``, same shape (a float for scalar input).

    Notes
    -----
    Unbiased, :math:`E_q[k_1] = KL[q, p]`, but its standard deviation is large relative
    to a small KL (for ``q = N(0,1)``, ``p = N(mu,1)``: sd/KL = 2/mu, i.e. 20 at
    KL = 0.005) and individual samples are negative (Schulman 2020).

    As a *loss* on-policy its expected gradient is zero, :math:`E_q[\nabla_\theta k_1]
    = -E_q[\nabla_\theta \log q] = 0`: minimising it does not pull the policy toward the
    reference at all.

    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    """
    x = _log_ratio_array(log_ratio)
    return _result(-x)


def k2(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Schulman's k2 estimator of KL[q, p]: :math:`k_2 = \tfrac12 (\log r)^2`.

    Parameters
    ----------
    log_ratio
        :math:`\log r = \log p(x) - \log q(x)`, samples :math:`x \sim q`.

    Returns
    -------
    float or numpy.ndarray
        ``log_ratio**2 / 2`` (``+inf`` once the square exceeds the largest double,
        i.e. ``|log_ratio| > ~1.9e154``, without an overflow warning).

    Notes
    -----
    Biased but low-variance and never negative; it is an f-divergence estimate that
    agrees with KL to second order as ``p -> q``. For ``q = N(0,1)``, ``p = N(mu,1)``:
    bias/KL = mu^2/4 and sd/KL = sqrt(2 + mu^2) (Schulman 2020).

    As a loss, on-policy, :math:`E_q[\nabla_\theta k_2] = \nabla_\theta KL(\pi_\theta \|
    \pi_{ref})`: the gradient of the *reverse* KL, the penalty one usually means.

    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    """
    x = _log_ratio_array(log_ratio)
    with np.errstate(over="ignore"):
        return _result(0.5 * x * x)


def k3(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Schulman's k3 estimator of KL[q, p]: :math:`k_3 = (r - 1) - \log r`.

    The per-token KL penalty of GRPO (DeepSeekMath §4.1, DeepSeek-R1):
    :math:`\pi_{ref}/\pi_\theta - \log(\pi_{ref}/\pi_\theta) - 1` with
    ``log_ratio = log pi_ref - log pi_theta``.

    Parameters
    ----------
    log_ratio
        :math:`x = \log r = \log p - \log q`, samples from :math:`q`. Scalar or array.
        NaN raises ``ValueError``; ``-inf`` (reference probability 0) gives ``+inf``.

    Returns
    -------
    float or numpy.ndarray
        :math:`e^x - 1 - x \ge 0`, same shape as ``log_ratio``.

    Notes
    -----
    *Numerics.* Written as ``expm1(x) - x``, the two terms cancel for small ``|x|``
    (at ``|x| = 1e-12`` only ~4 significant digits survive: relative error ~5e-5,
    far from the 1e-6 this module promises). For ``|x| <`` :data:`K3_SERIES_THRESHOLD`
    (0.1) we use :math:`x^2 \sum_{n \ge 2} x^{n-2}/n!` up to ``x^11`` (relative error
    ~1e-16, continuous with ``expm1(x) - x`` at the threshold to a few ulps); above it
    ``expm1(x) - x`` loses at most ~2 of its 16 digits. The result is finite and >= 0 for
    ``x <=`` :data:`MAX_FINITE_K3` (``log`` of the largest double, ~709.78, so
    ``|x| <= 700`` is fine) and for every finite negative ``x``; for ``x > 709.78``
    :math:`e^x` itself exceeds the largest double and the result is ``+inf``,
    returned without an overflow warning.

    *Statistics.* Unbiased, :math:`E_q[r - 1] = 0`, so :math:`E_q[k_3] = E_q[k_1]
    = KL[q, p]`, and never negative, with much lower variance than ``k1`` when
    ``p`` is close to ``q``: for ``q = N(0,1)``, ``p = N(mu,1)``, sd/KL
    = sqrt(e^{mu^2} - 1 - mu^2)/(mu^2/2) = 1.4166 at mu = 0.1 (Schulman 2020).

    *Gradient pitfall.* The value estimates the reverse KL(pi_theta ‖ pi_ref), but
    as a loss differentiated on-policy its expected gradient is
    :math:`E_{\pi_\theta}[\nabla_\theta k_3] = \nabla_\theta KL(\pi_{ref} \|
    \pi_\theta)`: the *forward* KL's gradient (Tang & Munos 2025, arXiv 2506.09477;
    Liu et al. 2025, arXiv 2510.01555). ``k2``'s gradient is the reverse KL's.
    DeepSeek-V3.2 multiplies k3 by ``pi_theta/pi_old`` to correct this (TRL's
    ``use_bias_correction_kl``).

    *verl's ``low_var_kl``* clamps the log-ratio to [-20, 20] and the result to
    [-10, 10]; that changes the value for large ratios, so it is *not* this
    function's default. See :func:`low_var_kl`.

    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    Z. Shao et al., "DeepSeekMath", arXiv 2402.03300, 2024, §4.1.

    Examples
    --------
    Zero where the policy agrees with the reference, positive either side of it:

    >>> k3(0.0)
    0.0
    >>> k3([-1.0, 1.0]).round(4)   # e^x - 1 - x
    array([0.3679, 0.7183])
    """
    x = _log_ratio_array(log_ratio)
    return _result(_k3_values(x))


def k1_grad(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Derivative of :func:`k1` with respect to ``log_ratio``: :math:`-1`.

    With respect to the policy's log-probability ``logp`` (``log_ratio = ref_logp -
    logp``) multiply by -1.

    Parameters
    ----------
    log_ratio
        :math:`\log r` per sample, as for :func:`k1` (NaN raises ``ValueError``).

    Returns
    -------
    float or numpy.ndarray
        ``-1`` with the shape of ``log_ratio`` (a float for scalar input).
    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    """
    x = _log_ratio_array(log_ratio)
    return _result(np.full_like(x, -1.0))


def k2_grad(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Derivative of :func:`k2` with respect to ``log_ratio``: :math:`\log r`.

    With respect to the policy's ``logp`` (``log_ratio = ref_logp - logp``) it is
    ``-log_ratio`` = ``logp - ref_logp``.

    Parameters
    ----------
    log_ratio
        :math:`\log r` per sample, as for :func:`k2` (NaN raises ``ValueError``).

    Returns
    -------
    float or numpy.ndarray
        A copy of ``log_ratio`` (a float for scalar input).
    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    """
    x = _log_ratio_array(log_ratio)
    return _result(x.copy())


def k3_grad(log_ratio: ArrayLike) -> float | NDArray[np.float64]:
    r"""Derivative of :func:`k3` with respect to ``log_ratio``: :math:`r - 1 = e^x - 1`.

    With respect to the policy's ``logp`` (``log_ratio = ref_logp - logp``) it is
    :math:`1 - \pi_{ref}/\pi_\theta`, so the GRPO gradient coefficient of a token is
    :math:`A + \beta(\pi_{ref}/\pi_\theta - 1)` (DeepSeekMath §5.2.1). Computed with
    ``expm1`` (accurate for tiny ``|x|``); ``+inf`` above ~709.78, no warning.

    Parameters
    ----------
    log_ratio
        :math:`x = \log r` per sample, as for :func:`k3` (NaN raises ``ValueError``).

    Returns
    -------
    float or numpy.ndarray
        :math:`e^x - 1`, same shape as ``log_ratio`` (a float for scalar input).

    References
    ----------
    J. Schulman, "Approximating KL Divergence", 2020.
    Z. Shao et al., "DeepSeekMath", arXiv 2402.03300, 2024, §5.2.1.
    """
    x = _log_ratio_array(log_ratio)
    with np.errstate(over="ignore"):
        return _result(np.expm1(x))


def low_var_kl(
    log_ratio: ArrayLike, *, clamp_log_ratio: float = 20.0, clamp_kl: float = 10.0
) -> float | NDArray[np.float64]:
    r"""verl's ``low_var_kl``: k3 with the log-ratio and the result clamped.

    ``x = clip(log_ratio, -clamp_log_ratio, clamp_log_ratio)``;
    ``clip(k3(x), -clamp_kl, clamp_kl)`` (verl defaults 20 and 10). Since k3 >= 0 the
    lower clamp never acts; the upper one caps each token's penalty at 10 and zeroes
    its gradient there. Provided to compare with :func:`k3`, which is unclamped.

    Parameters
    ----------
    log_ratio
        ``log pi_ref - log pi_theta`` per token (NaN raises ``ValueError``).
    clamp_log_ratio, clamp_kl
        Positive clamp bounds.

    References
    ----------
    verl, ``core_algos.kl_penalty`` (``"low_var_kl"``).
    """
    x = _log_ratio_array(log_ratio)
    bound_x = check_positive(clamp_log_ratio, "clamp_log_ratio")
    bound_kl = check_positive(clamp_kl, "clamp_kl")
    values = _k3_values(np.clip(x, -bound_x, bound_x))
    return _result(np.clip(values, -bound_kl, bound_kl))


def kl_divergence(
    p: ArrayLike, q: ArrayLike, axis: int = -1, *, atol: float = 1e-6
) -> float | NDArray[np.float64]:
    r"""Exact KL(p ‖ q) of categorical distributions along ``axis``.

    .. math:: KL(p \| q) = \sum_i p_i \log \frac{p_i}{q_i}

    with :math:`0 \log 0 = 0` and :math:`+\infty` where some :math:`p_i > 0 = q_i`.

    Parameters
    ----------
    p, q
        Probability vectors of exactly the same shape (no broadcasting); entries >= 0,
        finite, summing to 1 within ``atol`` along ``axis``.
    axis
        The class axis.
    atol
        Tolerance on ``|sum - 1|``, in (0, 1) (so an all-zero row is never accepted).
        Inputs are renormalised before use.

    Returns
    -------
    float or numpy.ndarray
        KL in nats, >= 0, with ``axis`` removed (a float for 1-D input).

    Raises
    ------
    ValueError
        Mismatched shapes, empty class axis, NaN/inf, negative entries, sums off 1.

    Notes
    -----
    Computed as :math:`\sum_{p_i>0} p_i\,k_3(\log q_i - \log p_i) + \sum_{p_i=0} q_i`,
    which equals the definition when both sum to 1 (add :math:`\sum q_i - \sum p_i = 0`)
    and is a sum of non-negative terms, each accurate even when ``p_i ≈ q_i``: the
    result is never negative from rounding, and is 0 only when ``p == q`` (up to
    terms below the smallest double). Kullback & Leibler (1951).
    """
    p_array = as_float_array(p, "p")
    q_array = as_float_array(q, "q")
    check_same_shape(q_array, "q", p_array, "p")
    if p_array.ndim == 0:
        raise ValueError("p must have at least one dimension (the class axis); got a scalar")
    axis = check_axis(axis, p_array.ndim)
    tolerance = check_in_open_interval(atol, "atol", 0.0, 1.0)  # atol >= 1 admits 0 rows
    if p_array.shape[axis] == 0:
        raise ValueError(f"p must have at least one class along axis {axis}; got {p_array.shape}")
    p_array = _normalised(p_array, "p", axis, tolerance)
    q_array = _normalised(q_array, "q", axis, tolerance)

    positive = p_array > 0
    with np.errstate(divide="ignore"):
        x = np.log(q_array) - np.log(np.where(positive, p_array, 1.0))
    # x <= 1: p*k3(x) (exact near p == q; x may be -inf where q == 0 -> +inf).
    # x > 1: p*e^x = q, so use q - p - p*x (no overflow when p is tiny).
    near = positive & (x <= 1.0)
    far = positive & (x > 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        terms_near = p_array * _k3_values(np.where(near, x, 0.0))
    terms_far = q_array - p_array - p_array * np.where(far, x, 0.0)
    terms = np.where(near, terms_near, np.where(far, terms_far, q_array))
    return _result(np.sum(terms, axis=axis))


def generalized_jsd(
    p: ArrayLike, q: ArrayLike, beta: float = 0.5, axis: int = -1
) -> float | NDArray[np.float64]:
    r"""Exact generalized Jensen–Shannon divergence of categorical distributions (GKD).

    With the mixture :math:`m = \beta p + (1-\beta) q`,

    .. math:: JSD_\beta(p, q) = \beta\,KL(p \| m) + (1-\beta)\,KL(q \| m),
              \quad 0 < \beta < 1,

    and, at the ends, the two KLs themselves: ``beta = 0`` gives the forward
    :math:`KL(p \| q)`, ``beta = 1`` the reverse :math:`KL(q \| p)`. This is the
    convention of Hugging Face TRL's ``GKDTrainer.generalized_jsd_loss`` with ``p`` the
    teacher and ``q`` the student (Agarwal et al., "On-Policy Distillation of Language
    Models", GKD, ICLR 2024, arXiv:2306.13649, Eq. 1), on probabilities instead of
    logits: :func:`r1lib.distill.generalized_jsd_loss` is the mean over rows of this
    divergence of the two softmaxes. The interior formula tends to 0 at both ends; what
    tends to the KLs is :math:`JSD_\beta/\beta` and :math:`JSD_\beta/(1-\beta)`.

    Parameters
    ----------
    p, q
        Probability vectors of exactly the same shape, as for :func:`kl_divergence`.
    beta
        In ``[0, 1]``.
    axis
        The class axis.

    Returns
    -------
    float or numpy.ndarray
        The divergence in nats, >= 0, with ``axis`` removed.

    Examples
    --------
    >>> round(generalized_jsd([1.0, 0.0], [0.0, 1.0], 0.5), 6)  # log 2: disjoint supports
    0.693147
    >>> generalized_jsd([0.5, 0.5], [0.9, 0.1], 0.0) == kl_divergence([0.5, 0.5], [0.9, 0.1])
    True
    """
    b = check_probability(beta, "beta")
    p_array = as_float_array(p, "p")
    q_array = as_float_array(q, "q")
    check_same_shape(q_array, "q", p_array, "p")
    if b == 0.0:
        return kl_divergence(p_array, q_array, axis)
    if b == 1.0:
        return kl_divergence(q_array, p_array, axis)
    m = b * p_array + (1.0 - b) * q_array
    forward = np.asarray(kl_divergence(p_array, m, axis))
    backward = np.asarray(kl_divergence(q_array, m, axis))
    return _result(b * forward + (1.0 - b) * backward)


# ----------------------------------------------------------------- validation and numerics


def _normalised(array: np.ndarray, name: str, axis: int, atol: float) -> np.ndarray:
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative (probabilities); got a negative entry")
    totals = np.sum(array, axis=axis, keepdims=True)
    worst = float(np.max(np.abs(totals - 1.0)))
    if worst > atol:
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (within {atol:g}); "
            f"the worst sum is off by {worst:.3g}"
        )
    return array / totals


def _log_ratio_array(log_ratio: object) -> np.ndarray:
    """Validate ``log_ratio``: real numbers, not empty, no NaN (+-inf are allowed limits)."""
    array = as_float_array(log_ratio, "log_ratio", finite=False)
    if np.any(np.isnan(array)):
        raise ValueError("log_ratio must not contain NaN (log pi_ref - log pi_theta per token)")
    return array


def _result(array: np.ndarray) -> float | np.ndarray:
    return float(array) if array.ndim == 0 else array


def _k3_values(x: np.ndarray) -> np.ndarray:
    """``expm1(x) - x`` for an already validated array, accurate for tiny ``|x|``."""
    small = np.abs(x) < K3_SERIES_THRESHOLD
    xs = np.where(small, x, 0.0)
    series = np.zeros_like(xs)
    for coefficient in _K3_COEFFICIENTS:
        series = series * xs + coefficient
    series = series * xs * xs
    xl = np.where(small | np.isposinf(x), 0.0, x)
    with np.errstate(over="ignore"):
        direct = np.expm1(xl) - xl
    out = np.where(small, series, direct)
    return np.where(np.isposinf(x), np.inf, out)
