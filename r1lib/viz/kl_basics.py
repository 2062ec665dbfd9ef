"""Lesson 07 (KL divergence in RLHF): figures and slider callbacks.

The models are in :mod:`r1lib.toys`: a KL-regularised bandit
(:mod:`~r1lib.toys.bandit`) for what the penalty ``reward - beta * KL(pi || pi_ref)``
does, a two-peaked target and one-bump fits (:mod:`~r1lib.toys.bells`) for the
asymmetry of KL, and a bigram language model (:mod:`~r1lib.toys.bigram`) whose ``V**L``
sequences can all be enumerated, so the exact sequence-level KL can be compared with
Monte Carlo estimates (running means from :func:`r1lib.metrics.running_estimate`).

Every KL value comes from :mod:`r1lib.kl` (``kl_divergence``, ``k1``, ``k3``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib.kl import k1, k3, kl_divergence
from r1lib.metrics import running_estimate
from r1lib.toys.bandit import BANDIT_REFERENCE, BANDIT_REWARD, kl_regularised_optimum
from r1lib.toys.bells import discretised_bell, kl_by_centre, two_peaks
from r1lib.toys.bigram import (
    exact_sequence_kl,
    random_bigram_pair,
    sample_sequences,
    sequence_log_prob,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "SECONDS_PER_YEAR",
    "SEQUENCES_PER_SECOND",
    "SLIDERS",
    "asymmetry",
    "monte_carlo_convergence",
    "penalty_tradeoff",
    "sequence_count",
]

# ---------------------------------------------------------------------------
# 1. What the penalty does: a KL-regularised bandit
# ---------------------------------------------------------------------------

SLIDERS: dict[str, dict[str, object]] = {
    "penalty_tradeoff": {"beta": (0.02, 2.0, 0.02)},
    "asymmetry": {"width": (1.0, 10.0, 0.5)},
    "sequence_count": {
        "vocab_size": [2, 4, 1_000, 32_768, 100_000],
        "length": (1, 1000, 1),
    },
    "monte_carlo_convergence": {
        "num_samples": (100, 20_000, 100),
        "distance": (0.1, 2.0, 0.1),
    },
}


@styled
def penalty_tradeoff(beta: float = 0.3) -> Figure:
    """The optimal policy of ``reward - beta * KL(pi || pi_ref)`` on a six-answer toy.

    Left: reference and optimal policy. Right: expected reward and KL of the optimum
    over a range of ``beta`` (log axis), the current ``beta`` marked.
    """
    beta = float(beta)
    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    optimum = kl_regularised_optimum(BANDIT_REFERENCE, BANDIT_REWARD, beta)
    answers = np.arange(BANDIT_REFERENCE.size)
    left.bar(answers - 0.2, BANDIT_REFERENCE, 0.4, color=PALETTE["sky"], label=r"$\pi_{ref}$")
    left.bar(answers + 0.2, optimum, 0.4, color=PALETTE["vermillion"], label=r"optimal $\pi^*$")
    for answer, reward in zip(answers, BANDIT_REWARD, strict=True):
        left.annotate(
            f"R={reward:g}",
            (answer, 0.0),
            xytext=(0, -26),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            annotation_clip=False,
        )
    left.set_xticks(answers, [f"y{a}" for a in answers])
    left.set_ylabel("probability")
    left.set_ylim(0, 1)
    left.legend(loc="upper left")
    kl_now = kl_divergence(optimum, BANDIT_REFERENCE)
    left.set_title(f"β = {beta:g}: E[R] = {optimum @ BANDIT_REWARD:.2f}, KL = {kl_now:.2f} nats")

    betas = np.geomspace(0.01, 10.0, 120)
    policies = np.array([kl_regularised_optimum(BANDIT_REFERENCE, BANDIT_REWARD, b) for b in betas])
    rewards = policies @ BANDIT_REWARD
    kls = kl_divergence(policies, np.broadcast_to(BANDIT_REFERENCE, policies.shape).copy())
    right.plot(betas, rewards, color=PALETTE["vermillion"], label="expected reward E[R]")
    right.plot(betas, kls, color=PALETTE["blue"], label=r"KL($\pi^*\|\pi_{ref}$) (nats)")
    right.axhline(
        BANDIT_REFERENCE @ BANDIT_REWARD,
        color=PALETTE["sky"],
        linestyle=":",
        label=r"E[R] under $\pi_{ref}$",
    )
    right.axvline(beta, color=PALETTE["black"], linestyle="--", linewidth=1)
    right.set_xscale("log")
    right.set_xlabel("KL coefficient β (log scale)")
    right.set_ylabel("reward / nats")
    right.legend(loc="center right")
    right.set_title("Large β pins the policy to the reference")
    return figure


# ---------------------------------------------------------------------------
# 2. KL is asymmetric
# ---------------------------------------------------------------------------


@styled
def asymmetry(width: float = 2.0) -> Figure:
    """Fit one bell curve ``q`` (centre varies, ``width`` fixed) to a two-peaked ``p``.

    The target is :func:`r1lib.toys.bells.two_peaks`, the KLs per centre
    :func:`r1lib.toys.bells.kl_by_centre`.

    Left: both KLs against the centre of ``q``. Right: ``p`` and the two best fits.
    Forward KL(p‖q) is minimised between the peaks (mass-covering); reverse KL(q‖p),
    for narrow ``q``, at a peak (mode-seeking).
    """
    width = float(width)
    p = two_peaks()
    centres = np.linspace(0.0, 39.0, 157)
    classes = np.arange(p.size)
    forward, reverse = kl_by_centre(p, width, centres)
    best_forward = centres[np.argmin(forward)]
    best_reverse = centres[np.argmin(reverse)]

    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    left.plot(centres, forward, color=PALETTE["blue"], label="forward KL(p‖q)")
    left.plot(centres, reverse, color=PALETTE["vermillion"], label="reverse KL(q‖p)")
    left.set_yscale("log")
    left.set_xlabel("centre of q (class index)")
    left.set_ylabel("KL (nats, log scale)")
    left.legend(loc="upper center")
    left.set_title("The two directions disagree")

    right.bar(classes, p, color=PALETTE["sky"], label="target p (two peaks)")
    right.plot(
        classes,
        discretised_bell(best_forward, width),
        color=PALETTE["blue"],
        label=f"argmin forward: centre {best_forward:.1f}",
    )
    right.plot(
        classes,
        discretised_bell(best_reverse, width),
        color=PALETTE["vermillion"],
        linestyle="--",
        label=f"argmin reverse: centre {best_reverse:.1f}",
    )
    right.set_xlabel("class index")
    right.set_ylabel("probability")
    top = max(p.max(), discretised_bell(best_reverse, width).max())
    right.set_ylim(0, 1.5 * top)
    right.legend(loc="upper right", fontsize=8)
    kind = "a peak" if abs(best_reverse - 19.5) > 4 else "the middle"
    right.set_title(f"width {width:g}: reverse KL picks {kind}")
    return figure


# ---------------------------------------------------------------------------
# 3. Why the exact sum is infeasible: |V|^L sequences
# ---------------------------------------------------------------------------

#: An assumed (deliberately generous) rate of evaluating sequence probabilities.
SEQUENCES_PER_SECOND = 1e18
#: Seconds in a Julian year (365.25 days of 86,400 s), a definition.
SECONDS_PER_YEAR = 365.25 * 86_400


@styled
def sequence_count(vocab_size: int = 32_768, length: int = 100) -> Figure:
    """``log10(V**L)`` against ``L``, with the time to enumerate at 1e18 sequences/s."""
    vocab_size = int(vocab_size)
    length = int(length)
    lengths = np.arange(1, max(length, 20) + 1)
    log10_count = lengths * np.log10(vocab_size)
    log10_years = log10_count - np.log10(SEQUENCES_PER_SECOND) - np.log10(SECONDS_PER_YEAR)

    figure, axis = new_figure(width=7.0, height=4.0)
    axis.plot(
        lengths, log10_count, color=PALETTE["blue"], label=f"log10 |V|^L, |V| = {vocab_size:,}"
    )
    axis.plot(
        lengths,
        log10_years,
        color=PALETTE["vermillion"],
        linestyle="--",
        label="log10 years to enumerate at 1e18 sequences/s",
    )
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.axvline(length, color=PALETTE["black"], linestyle=":", linewidth=1)
    axis.set_xlabel("sequence length L (tokens)")
    axis.set_ylabel("log10 of the count / of the years")
    axis.legend(loc="upper left")
    count_now = length * np.log10(vocab_size)
    years_now = count_now - np.log10(SEQUENCES_PER_SECOND) - np.log10(SECONDS_PER_YEAR)
    axis.set_title(f"L = {length}: 10^{count_now:.1f} sequences, 10^{years_now:.1f} years to sum")
    return figure


# ---------------------------------------------------------------------------
# 4. A tiny autoregressive language model
# ---------------------------------------------------------------------------


#: Sequence length of the Monte Carlo figure (4 tokens: 4**6 = 4096 sequences).
MC_LENGTH = 6


@styled
def monte_carlo_convergence(
    num_samples: int = 5000, distance: float = 1.0, seed: int = 0
) -> Figure:
    """Running Monte Carlo estimates of the sequence KL(policy ‖ reference) with 95% bands.

    Sequences are sampled from the policy; each gives ``log_ratio = log pi_ref(y) -
    log pi_theta(y)``; the running means of :func:`r1lib.kl.k1` and
    :func:`r1lib.kl.k3` are both unbiased for the exact KL (dashed line, by
    enumeration of all 4**6 sequences). Bands: running mean +- 1.96 standard errors.
    """
    num_samples = int(num_samples)
    reference, policy = random_bigram_pair(distance=distance)
    exact = exact_sequence_kl(policy, reference, MC_LENGTH)
    rng = np.random.default_rng(seed)
    samples = sample_sequences(policy, MC_LENGTH, num_samples, rng)
    log_ratio = sequence_log_prob(reference, samples) - sequence_log_prob(policy, samples)
    n = np.arange(1, num_samples + 1)

    figure, axis = new_figure(width=7.0, height=4.0)
    start = min(10, num_samples - 1)
    for name, values, colour in (
        ("k1 = −log r", k1(log_ratio), PALETTE["blue"]),
        ("k3 = r − 1 − log r", k3(log_ratio), PALETTE["orange"]),
    ):
        mean, se = running_estimate(values)
        axis.plot(n[start:], mean[start:], color=colour, label=f"running mean of {name}")
        band(axis, n[start:], (mean - 1.96 * se)[start:], (mean + 1.96 * se)[start:], color=colour)
    axis.axhline(
        exact, color=PALETTE["black"], linestyle="--", label=f"exact KL = {exact:.3f} nats"
    )
    axis.set_xscale("log")
    axis.set_xlabel("number of sampled sequences (log scale)")
    axis.set_ylabel(r"estimate of KL($\pi_\theta\|\pi_{ref}$) (nats)")
    axis.legend(loc="upper right")
    axis.set_title(f"Sampling converges to the exact KL like 1/√n ({num_samples:,} sequences)")
    return figure
