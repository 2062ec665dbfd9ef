"""Lesson 08 (the GRPO KL estimator): Schulman's table, the estimators' shapes, and the
gradient pitfall, as figures, slider callbacks and the small helpers behind them.

Notation (Schulman 2020; DeepSeekMath §4.1): samples ``x ~ q = pi_theta``, reference
``p = pi_ref``, ``log r = log p(x) - log q(x)``; the estimators are :func:`r1lib.kl.k1`,
:func:`r1lib.kl.k2`, :func:`r1lib.kl.k3`.

* **Gaussian test case** (Schulman's table): ``q = N(0, 1)``, ``p = N(mu, 1)``, so
  ``log r = mu x - mu^2 / 2`` and KL[q, p] = mu^2 / 2, with closed forms for the bias and
  standard deviation of each estimator (:func:`closed_form_table`).
* **Categorical policy** ``pi_theta = softmax(theta)`` against a fixed ``pi_ref``: the
  expected gradient, over samples from the policy, of each way of putting an estimator
  into training (:func:`expected_gradients`), exactly and from samples.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib import kl
from r1lib.distill import distillation_grad, log_softmax, reverse_kl_grad, softmax
from r1lib.viz.style import PALETTE, new_figure, styled

__all__ = [
    "ESTIMATORS",
    "GRADIENT_METHODS",
    "SCHULMAN_TABLE",
    "SLIDERS",
    "closed_form_table",
    "estimator_shapes",
    "estimator_statistics",
    "expected_gradients",
    "forward_regularised_optimum",
    "gaussian_log_ratio",
    "gradient_comparison",
    "per_sample_gradients",
    "regularised_policies",
    "sampled_gradients",
    "schulman_table",
    "toy_policy",
]

ESTIMATORS = {"k1": kl.k1, "k2": kl.k2, "k3": kl.k3}

#: Schulman (2020), table of (bias/true, stdev/true), as printed, keyed by mu.
SCHULMAN_TABLE: dict[float, dict[str, tuple[str, str]]] = {
    0.1: {"k1": ("0", "20"), "k2": ("0.002", "1.42"), "k3": ("0", "1.42")},
    1.0: {"k1": ("0", "2"), "k2": ("0.25", "1.73"), "k3": ("0", "1.7")},
}

# ---------------------------------------------------------------------------
# Schulman's Gaussian test case
# ---------------------------------------------------------------------------


def gaussian_log_ratio(mu: float, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``log r = log N(x; mu, 1) - log N(x; 0, 1) = mu x - mu^2/2`` for ``x ~ N(0, 1)``."""
    x = rng.standard_normal(int(num_samples))
    return mu * x - 0.5 * mu * mu


def closed_form_table(mu: float) -> dict[str, tuple[float, float]]:
    r"""Exact (bias/true, sd/true) of k1, k2, k3 for ``q = N(0,1)``, ``p = N(mu,1)``.

    With KL = mu^2/2: k1 (0, 2/mu); k2 (mu^2/4, sqrt(2 + mu^2));
    k3 (0, sqrt(e^{mu^2} - 1 - mu^2)/(mu^2/2)). Derivation: ``log r ~ N(-mu^2/2, mu^2)``
    and ``r`` is log-normal with mean 1 and variance ``e^{mu^2} - 1``;
    ``Cov(r, log r) = mu^2``.
    """
    mu = float(mu)
    true = 0.5 * mu * mu
    return {
        "k1": (0.0, 2.0 / abs(mu)),
        "k2": (mu * mu / 4.0, float(np.sqrt(2.0 + mu * mu))),
        "k3": (0.0, float(np.sqrt(np.expm1(mu * mu) - mu * mu)) / true),
    }


def estimator_statistics(values: np.ndarray, true_kl: float) -> dict[str, float]:
    """Sample (bias/true, sd/true) of one estimator's values, with standard errors.

    ``bias_se = s / (sqrt(n) true)``; ``sd_se = s sqrt((m4/s^4 - 1) / (4 n)) / true``
    (the large-sample standard error of a standard deviation, m4 the fourth central
    moment).
    """
    values = np.asarray(values, dtype=float)
    n = values.size
    mean = values.mean()
    centred = values - mean
    variance = np.mean(centred**2)
    sd = np.sqrt(variance * n / (n - 1))
    kurtosis = np.mean(centred**4) / variance**2
    return {
        "bias": (mean - true_kl) / true_kl,
        "bias_se": sd / np.sqrt(n) / true_kl,
        "sd": sd / true_kl,
        "sd_se": sd * np.sqrt(max(kurtosis - 1.0, 0.0) / (4 * n)) / true_kl,
    }


SLIDERS: dict[str, dict[str, object]] = {
    "schulman_table": {"mu": (0.1, 2.0, 0.1), "num_samples": (1000, 50_000, 1000)},
    "estimator_shapes": {"mu": (0.1, 2.0, 0.1)},
    "gradient_comparison": {"distance": (0.1, 3.0, 0.1), "num_samples": (10, 2000, 10)},
    "regularised_policies": {"beta": (0.05, 2.0, 0.05)},
}

_COLOURS = {"k1": PALETTE["blue"], "k2": PALETTE["orange"], "k3": PALETTE["green"]}


def _points(
    axis: object, x: object, y: object, half: object, colour: str, **kwargs: object
) -> None:
    """Points with vertical error bars of half-length ``half`` (cheaper than ``errorbar``)."""
    x, y, half = np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(half)
    axis.vlines(x, y - half, y + half, color=colour, linewidth=1.5)  # type: ignore[attr-defined]
    axis.plot(x, y, "o", color=colour, markersize=5, **kwargs)  # type: ignore[attr-defined]


@styled
def schulman_table(mu: float = 1.0, num_samples: int = 20_000, seed: int = 0) -> Figure:
    """Bias/true and sd/true of k1, k2, k3 against the shift ``mu``: closed forms (lines)
    and ``num_samples`` samples at the chosen ``mu`` (points with 95% error bars)."""
    mu = float(mu)
    rng = np.random.default_rng(seed)
    log_ratio = gaussian_log_ratio(mu, int(num_samples), rng)
    true = 0.5 * mu * mu
    mus = np.linspace(0.1, 2.0, 96)
    curves = [closed_form_table(m) for m in mus]

    figure, (left, right) = new_figure(2, width=5.2, height=3.9)
    for offset, (name, estimator) in zip((-0.02, 0.0, 0.02), ESTIMATORS.items(), strict=True):
        colour = _COLOURS[name]
        stats = estimator_statistics(estimator(log_ratio), true)
        right.plot(mus, [c[name][1] for c in curves], color=colour, label=f"{name} (closed form)")
        _points(right, mu + offset, stats["sd"], 1.96 * stats["sd_se"], colour)
        left.plot(mus, [c[name][0] for c in curves], color=colour, label=f"{name} (closed form)")
        _points(left, mu + offset, stats["bias"], 1.96 * stats["bias_se"], colour)
    for axis in (left, right):
        axis.axvline(mu, color=PALETTE["black"], linestyle=":", linewidth=1)
        axis.set_xlabel("shift μ of p = N(μ, 1) from q = N(0, 1)")
    left.plot(
        [], [], "o", color=PALETTE["black"], label=f"sampled, n = {int(num_samples):,} (95% bars)"
    )
    left.set_ylabel("bias / true KL")
    left.legend(loc="upper left", fontsize=9)
    left.set_title("Only k2 is biased (bias/true = μ²/4)")
    right.set_yscale("log")
    right.set_ylabel("standard deviation / true KL (log scale)")
    right.set_title(f"μ = {mu:g}: sd/true k1 {2 / mu:.2g}, k3 {closed_form_table(mu)['k3'][1]:.3g}")
    right.legend(loc="upper right", fontsize=9)
    return figure


@styled
def estimator_shapes(mu: float = 1.0, seed: int = 0) -> Figure:
    """Left: k1, k2, k3 as functions of the ratio r. Right: histograms of their sampled
    values for the Gaussian case with shift ``mu`` (k1 takes negative values)."""
    mu = float(mu)
    r = np.geomspace(0.05, 8.0, 400)
    log_r = np.log(r)
    figure, (left, right) = new_figure(2, width=5.2, height=3.9)
    for name, estimator in ESTIMATORS.items():
        left.plot(r, estimator(log_r), color=_COLOURS[name], label=f"{name}")
    left.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    left.set_xscale("log")
    left.set_ylim(-2.5, 4.0)
    left.set_xlabel("ratio r = p(x)/q(x) (log scale)")
    left.set_ylabel("estimate for one sample (nats)")
    left.legend(loc="lower left")
    left.set_title("k2 and k3 are ≥ 0; k1 is negative for r > 1")

    rng = np.random.default_rng(seed)
    log_ratio = gaussian_log_ratio(mu, 4000, rng)
    true = 0.5 * mu * mu
    values = {name: estimator(log_ratio) for name, estimator in ESTIMATORS.items()}
    low = min(float(np.percentile(v, 0.5)) for v in values.values())
    high = max(float(np.percentile(v, 99.5)) for v in values.values())
    bins = np.linspace(low, high, 60)
    for name, v in values.items():
        right.hist(
            v,
            bins=bins,
            histtype="step",
            linewidth=1.8,
            color=_COLOURS[name],
            density=True,
            label=f"{name}: mean {v.mean():.3f}",
        )
    right.axvline(true, color=PALETTE["black"], linestyle="--", label=f"true KL {true:.3f}")
    right.set_xlabel("estimate for one sample (nats)")
    right.set_ylabel("density")
    right.legend(loc="upper right", fontsize=9)
    share = float(np.mean(values["k1"] < 0))
    right.set_title(f"μ = {mu:g}: {share:.0%} of k1 samples are negative")
    return figure


# ---------------------------------------------------------------------------
# The gradient pitfall on a categorical policy
# ---------------------------------------------------------------------------

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


def toy_policy(
    distance: float = 1.0, num_classes: int = 6, seed: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Policy logits and reference probabilities ``distance`` apart in logit space.

    Reference logits ~ N(0, 1); policy logits = reference logits + ``distance`` times a
    fixed N(0, 1) direction. Returns ``(logits, ref_probs)``.
    """
    rng = np.random.default_rng(seed)
    ref_logits = rng.standard_normal(num_classes)
    direction = rng.standard_normal(num_classes)
    return ref_logits + float(distance) * direction, softmax(ref_logits)


def per_sample_gradients(logits: np.ndarray, ref_probs: np.ndarray) -> dict[str, np.ndarray]:
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
    k3_value = kl.k3(log_ratio)
    loss = {
        "k1": -kl.k1_grad(log_ratio)[:, None] * score,
        "k2": -kl.k2_grad(log_ratio)[:, None] * score,
        "k3": -kl.k3_grad(log_ratio)[:, None] * score,
    }
    return {
        "k1 as loss": loss["k1"],
        "k2 as loss": loss["k2"],
        "k3 as loss": loss["k3"],
        "k1 in reward": kl.k1(log_ratio)[:, None] * score,
        "k3 in reward": k3_value[:, None] * score,
        "k3 × πθ/πold": k3_value[:, None] * score + loss["k3"],
    }


def expected_gradients(logits: np.ndarray, ref_probs: np.ndarray) -> dict[str, np.ndarray]:
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
    logits: np.ndarray, ref_probs: np.ndarray, num_samples: int, rng: np.random.Generator
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
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


@styled
def gradient_comparison(distance: float = 1.0, num_samples: int = 500, seed: int = 0) -> Figure:
    """Bars: the true gradients of the reverse and forward KL with respect to each logit.
    Points: the sampled gradients (95% error bars) of k1, k2, k3 used as losses, and of
    k1 in the reward; crosses: their exact expectations."""
    logits, ref = toy_policy(distance)
    exact = expected_gradients(logits, ref)
    sampled = sampled_gradients(logits, ref, num_samples, np.random.default_rng(seed))
    classes = np.arange(logits.size)
    figure, axis = new_figure(width=8.0, height=4.2)
    axis.bar(
        classes - 0.2,
        exact["reverse KL"],
        0.4,
        color=PALETTE["sky"],
        label="∇ reverse KL(πθ‖πref) (the penalty's)",
    )
    axis.bar(
        classes + 0.2,
        exact["forward KL"],
        0.4,
        color=PALETTE["yellow"],
        label="∇ forward KL(πref‖πθ)",
    )
    shown = (
        ("k2 as loss", PALETTE["orange"], -0.27),
        ("k1 in reward", PALETTE["blue"], -0.13),
        ("k3 as loss", PALETTE["green"], 0.13),
        ("k1 as loss", PALETTE["black"], 0.27),
    )
    for name, colour, offset in shown:
        mean, se = sampled[name]
        _points(
            axis,
            classes + offset,
            mean,
            1.96 * se,
            colour,
            label=f"{name}: sampled (n = {int(num_samples)})",
        )
        axis.plot(classes + offset, exact[name], "x", color=colour, markersize=7)
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(classes, [f"logit {c}" for c in classes])
    axis.set_ylabel("gradient of the penalty (nats per unit logit)")
    axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    axis.set_title(
        "As a loss, k3 follows the forward KL; k2 and k1-in-reward the reverse (× = exact)"
    )
    return figure


# ---------------------------------------------------------------------------
# Where training ends up: reward - beta * penalty with each gradient
# ---------------------------------------------------------------------------

#: A six-answer toy for training with a KL penalty: the best answer is rare under pi_ref.
TRAIN_REFERENCE = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
TRAIN_REWARD = np.array([0.0, 0.2, 0.5, 0.1, 1.0, 0.3])


def forward_regularised_optimum(
    reference: np.ndarray, reward: np.ndarray, beta: float
) -> np.ndarray:
    r"""The maximiser of :math:`E_\pi[R] - \beta\,KL(\pi_{ref}\|\pi)` (forward KL).

    Stationarity on the simplex gives :math:`\pi_j = \beta\,\pi_{ref,j}/(\beta + c - R_j)`
    with the constant :math:`c = E_\pi[R]` fixed by :math:`\sum_j \pi_j = 1`, found by
    bisection (the sum decreases in ``c``; ``c > max R - beta``). This is where gradient
    ascent with "k3 as loss" converges.
    """
    reference = np.asarray(reference, dtype=float)
    reward = np.asarray(reward, dtype=float)
    beta = float(beta)
    low = reward.max() - beta + 1e-15
    high = reward.max() + 1.0
    while np.sum(beta * reference / (beta + high - reward)) > 1.0:
        high = 2.0 * high
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.sum(beta * reference / (beta + middle - reward)) > 1.0:
            low = middle
        else:
            high = middle
    policy = beta * reference / (beta + 0.5 * (low + high) - reward)
    return policy / policy.sum()


@styled
def regularised_policies(beta: float = 0.3) -> Figure:
    """Where gradient ascent on ``E[R] - beta * penalty`` converges with each penalty
    gradient: the reverse-KL optimum ``pi_ref e^{R/beta}/Z`` (k2 as loss, k1 in the reward,
    k3 × πθ/πold), the forward-KL optimum (k3 as loss), and no penalty at all (k1 as loss:
    zero expected gradient, the policy drifts toward the best answer)."""
    beta = float(beta)
    reverse = softmax(np.log(TRAIN_REFERENCE) + TRAIN_REWARD / beta)
    forward = forward_regularised_optimum(TRAIN_REFERENCE, TRAIN_REWARD, beta)
    greedy = np.eye(TRAIN_REWARD.size)[np.argmax(TRAIN_REWARD)]
    answers = np.arange(TRAIN_REWARD.size)
    figure, axis = new_figure(width=8.0, height=4.0)
    width = 0.2
    for offset, probs, colour, label in (
        (-1.5 * width, TRAIN_REFERENCE, PALETTE["sky"], "πref"),
        (-0.5 * width, reverse, PALETTE["orange"], "reverse-KL optimum (k2 loss, k1 reward)"),
        (0.5 * width, forward, PALETTE["green"], "forward-KL optimum (k3 as loss)"),
        (1.5 * width, greedy, PALETTE["black"], "no penalty (k1 as loss): limit"),
    ):
        axis.bar(answers + offset, probs, width, color=colour, label=label)
    axis.set_xticks(answers, [f"y{a}\nR={r:g}" for a, r in zip(answers, TRAIN_REWARD, strict=True)])
    axis.set_ylabel("probability")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="upper left", fontsize=9)
    rev_kl = kl.kl_divergence(reverse, TRAIN_REFERENCE)
    fwd_kl = kl.kl_divergence(forward, TRAIN_REFERENCE)
    axis.set_title(
        f"β = {beta:g}: KL(π‖πref) = {rev_kl:.2f} at the intended optimum, "
        f"{fwd_kl:.2f} with k3 as loss"
    )
    return figure
