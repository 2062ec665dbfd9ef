r"""The KL estimators k1, k2, k3 on two test cases small enough to solve exactly.

Notation (Schulman 2020; DeepSeekMath §4.1): samples ``x ~ q = π_θ``, reference
``p = π_ref``, ``log r = log p(x) − log q(x)``; the estimators are :func:`r1lib.kl.k1`,
:func:`r1lib.kl.k2`, :func:`r1lib.kl.k3`.

* **Gaussian test case** (Schulman's table): ``q = N(0, 1)``, ``p = N(μ, 1)``, so
  ``log r = μx − μ²/2`` and KL[q, p] = μ²/2, with closed forms for the bias and standard
  deviation of each estimator (:func:`closed_form_table`).
* **Categorical policy** ``π_θ = softmax(θ)`` against a fixed ``π_ref``: the expected
  gradient, over samples from the policy, of each way of putting an estimator into
  training (:func:`expected_gradients`), exactly and from samples.
* **Precision**: k3 written as ``exp(x) - 1 - x`` (:func:`naive_k3`), as a hand-written
  loss computes it, against :func:`r1lib.kl.k3`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib import kl
from r1lib.distill import distillation_grad, log_softmax, reverse_kl_grad, softmax

__all__ = [
    "ESTIMATORS",
    "GRADIENT_METHODS",
    "closed_form_table",
    "estimator_statistics",
    "expected_gradients",
    "gaussian_log_ratio",
    "naive_k3",
    "per_sample_gradients",
    "sampled_gradients",
    "toy_policy",
]

ESTIMATORS = {"k1": kl.k1, "k2": kl.k2, "k3": kl.k3}

#: How an estimator enters training, and the expected gradient each gives (see
#: :func:`expected_gradients`).
GRADIENT_METHODS = (
    "k1 as loss",
    "k2 as loss",
    "k3 as loss",
    "k1 in reward",
    "k3 in reward",
    "k3 × πθ/πold",
)

# --------------------------------------------------------------------------- Gaussian case


def gaussian_log_ratio(
    mu: float, num_samples: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``log r = log N(x; mu, 1) - log N(x; 0, 1) = mu x - mu^2/2`` for ``x ~ N(0, 1)``."""
    x = rng.standard_normal(int(num_samples))
    return mu * x - 0.5 * mu * mu


def closed_form_table(mu: float) -> dict[str, tuple[float, float]]:
    r"""Exact (bias/true, sd/true) of k1, k2, k3 for ``q = N(0,1)``, ``p = N(mu,1)``.

    With KL = mu^2/2: k1 (0, 2/mu); k2 (mu^2/4, sqrt(2 + mu^2));
    k3 (0, sqrt(e^{mu^2} - 1 - mu^2)/(mu^2/2)). Derivation: ``log r ~ N(-mu^2/2, mu^2)``
    and ``r`` is log-normal with mean 1 and variance ``e^{mu^2} - 1``;
    ``Cov(r, log r) = mu^2``.

    Examples
    --------
    >>> {name: round(sd, 4) for name, (_, sd) in closed_form_table(1.0).items()}
    {'k1': 2.0, 'k2': 1.7321, 'k3': 1.695}
    """
    mu = float(mu)
    true = 0.5 * mu * mu
    return {
        "k1": (0.0, 2.0 / abs(mu)),
        "k2": (mu * mu / 4.0, float(np.sqrt(2.0 + mu * mu))),
        "k3": (0.0, float(np.sqrt(np.expm1(mu * mu) - mu * mu)) / true),
    }


def estimator_statistics(values: ArrayLike, true_kl: float) -> dict[str, float]:
    """Sample (bias/true, sd/true) of one estimator's values, with standard errors.

    ``bias_se = s / (sqrt(n) true)``; ``sd_se = s sqrt((m4/s^4 - 1) / (4 n)) / true``
    (the large-sample standard error of a standard deviation, m4 the fourth central
    moment).
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    mean = float(x.mean())
    centred = x - mean
    variance = float(np.mean(centred**2))
    sd = float(np.sqrt(variance * n / (n - 1)))
    kurtosis = float(np.mean(centred**4)) / variance**2
    return {
        "bias": (mean - true_kl) / true_kl,
        "bias_se": sd / float(np.sqrt(n)) / true_kl,
        "sd": sd / true_kl,
        "sd_se": sd * float(np.sqrt(max(kurtosis - 1.0, 0.0) / (4 * n))) / true_kl,
    }


# --------------------------------------------------------------------------- categorical policy


def toy_policy(
    distance: float = 1.0, num_classes: int = 6, seed: int = 3
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Policy logits and reference probabilities ``distance`` apart in logit space.

    Reference logits ~ N(0, 1); policy logits = reference logits + ``distance`` times a
    fixed N(0, 1) direction. Returns ``(logits, ref_probs)``.
    """
    rng = np.random.default_rng(seed)
    ref_logits = rng.standard_normal(num_classes)
    direction = rng.standard_normal(num_classes)
    return ref_logits + float(distance) * direction, softmax(ref_logits)


def per_sample_gradients(logits: ArrayLike, ref_probs: ArrayLike) -> dict[str, NDArray[np.float64]]:
    r"""Gradient with respect to the logits, for each outcome ``x`` (row ``x``), of each
    way of using an estimator, with the sample ``x`` held fixed (no gradient through
    sampling, as autograd does with sampled tokens).

    ``log r_x = log pi_ref(x) - log pi_theta(x)``, ``score_x = grad log pi_theta(x) =
    e_x - pi``:

    * "k as loss": ``grad k(log r_x) = k'(log r_x) (-score_x)`` (pathwise);
    * "k in reward": ``k(log r_x) score_x`` (REINFORCE with ``-k`` as a reward, i.e.
      minimising the expected penalty by the score function);
    * "k3 × πθ/πold": gradient of ``(pi_theta(x)/pi_old(x)) k3(log r_x)`` at
      ``pi_old = pi_theta``: ``k3 score_x + grad k3`` (DeepSeek-V3.2's correction).
    """
    pi = softmax(logits)
    log_ratio = np.log(ref_probs) - log_softmax(logits)
    score = np.eye(pi.size) - pi[None, :]
    k3_value = np.asarray(kl.k3(log_ratio))
    loss = {
        "k1": -np.asarray(kl.k1_grad(log_ratio))[:, None] * score,
        "k2": -np.asarray(kl.k2_grad(log_ratio))[:, None] * score,
        "k3": -np.asarray(kl.k3_grad(log_ratio))[:, None] * score,
    }
    return {
        "k1 as loss": loss["k1"],
        "k2 as loss": loss["k2"],
        "k3 as loss": loss["k3"],
        "k1 in reward": np.asarray(kl.k1(log_ratio))[:, None] * score,
        "k3 in reward": k3_value[:, None] * score,
        "k3 × πθ/πold": k3_value[:, None] * score + loss["k3"],
    }


def expected_gradients(logits: ArrayLike, ref_probs: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """Exact on-policy expectation ``sum_x pi(x) g_x`` of every method of
    :func:`per_sample_gradients`, plus the two true gradients, "reverse KL"
    (``grad KL(pi_theta || pi_ref)``, :func:`r1lib.distill.reverse_kl_grad`) and
    "forward KL" (``grad KL(pi_ref || pi_theta)``, :func:`r1lib.distill.distillation_grad`)."""
    pi = softmax(logits)
    out = {name: pi @ rows for name, rows in per_sample_gradients(logits, ref_probs).items()}
    log_ref = np.log(ref_probs)
    out["reverse KL"] = reverse_kl_grad(log_ref, logits)
    out["forward KL"] = distillation_grad(log_ref, logits)
    return out


def sampled_gradients(
    logits: ArrayLike, ref_probs: ArrayLike, num_samples: int, rng: np.random.Generator
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Monte Carlo version of :func:`expected_gradients` (methods only): for each method,
    the mean over ``num_samples`` samples ``x ~ pi_theta`` and its standard error."""
    pi = softmax(logits)
    samples = rng.choice(pi.size, size=int(num_samples), p=pi)
    out = {}
    for name, rows in per_sample_gradients(logits, ref_probs).items():
        g = rows[samples]
        se = (
            g.std(axis=0, ddof=1) / np.sqrt(len(samples)) if len(samples) > 1 else np.zeros(pi.size)
        )
        out[name] = (g.mean(axis=0), se)
    return out


# --------------------------------------------------------------------------- precision


def naive_k3(log_ratio: ArrayLike, dtype: type[np.floating] = np.float64) -> NDArray[np.floating]:
    r"""k3 written as ``exp(x) - 1 - x`` in ``dtype``: what a hand-written loss computes.

    .. math:: k_3(x) = e^{x} - 1 - x, \quad x = \log\pi_{ref} - \log\pi_\theta

    (Schulman 2020's estimator, DeepSeekMath eq. 4's KL term). Near the reference,
    :math:`|x| \ll 1`, the subtraction cancels: the true value is about :math:`x^2/2`,
    and float32 loses it below :math:`|x| \approx 10^{-3}`, float64 below about
    :math:`10^{-8}`. :func:`r1lib.kl.k3` switches to the Taylor series there; this
    function exists to show what it avoids.

    Parameters
    ----------
    log_ratio
        ``x``, any shape.
    dtype
        The floating type every operation runs in (``numpy.float32`` as on a GPU).

    Returns
    -------
    numpy.ndarray
        ``exp(x) - 1 - x`` in ``dtype``.

    Examples
    --------
    The true value at ``x = 1e-9`` is ``5e-19``; float64's ``exp`` rounds it away:

    >>> float(naive_k3(1e-9)) / 5e-19 > 100, round(float(kl.k3(1e-9)) / 5e-19, 9)
    (True, 1.0)
    """
    x = np.asarray(log_ratio, dtype=dtype)
    return np.exp(x) - dtype(1.0) - x
