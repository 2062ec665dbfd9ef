"""Lesson 11 (after GRPO): figures and slider callbacks.

Both figures sample from a real, if tiny, language model: a unigram model (one softmax
over a small vocabulary, the same at every position), so that sampling, log-probabilities
and exact gradients take microseconds. Every loss and gradient comes from
:mod:`r1lib.grpo`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from r1lib.grpo import group_advantages, grpo_loss_unchecked
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = ["SLIDERS", "off_policy_updates", "ratio_spread", "unigram_log_probs"]

SLIDERS: dict[str, dict[str, object]] = {
    "ratio_spread": {"length": (1, 1024, 1), "drift": (0.0, 0.5, 0.01)},
    "off_policy_updates": {"mu": (1, 6, 1), "minibatches": [1, 2, 4]},
}

#: The clip range both figures use (DeepSeekMath's, TRL's default).
EPSILON = 0.2


def unigram_log_probs(logits: np.ndarray) -> np.ndarray:
    """Log-softmax of a unigram model's logits: ``log π(v)`` for every token ``v``."""
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


# --------------------------------------------------------------------------- ratio levels


def _drifted_model(drift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """π_old (as probabilities) and the log-ratio log π_θ(v) - log π_old(v) per token v.

    π_old is a unigram model over 32 tokens; π_θ is π_old with its logits moved by
    ``drift`` times a fixed random direction.
    """
    rng = np.random.default_rng(seed)
    vocab = 32
    old_logits = rng.normal(0.0, 1.0, size=vocab)
    direction = rng.normal(0.0, 1.0, size=vocab)
    old = unigram_log_probs(old_logits)
    return np.exp(old), unigram_log_probs(old_logits + drift * direction) - old


@styled
def ratio_spread(length: int = 256, drift: float = 0.1) -> Figure:
    """How often each kind of ratio leaves the clip range [0.8, 1.2], against length.

    Left: the fraction of ratios outside the range for the token ratio (exact),
    GSPO's length-normalised sequence ratio and R1's per-output ratio (300 sampled
    completions per length, 95% binomial intervals). Right: their distributions at
    ``length``.
    """
    length, drift = int(length), float(drift)
    samples = 300
    lengths = np.unique(np.r_[np.geomspace(1, 1024, 11).round().astype(int), length])
    colours = {"token": PALETTE["blue"], "sequence (GSPO)": PALETTE["green"]}
    colours["per output (R1)"] = PALETTE["vermillion"]
    p_old, log_ratio = _drifted_model(drift, seed=1)
    rng = np.random.default_rng(2)
    token_far = (log_ratio > np.log1p(EPSILON)) | (log_ratio < np.log1p(-EPSILON))
    outside: dict[str, list[float]] = {name: [] for name in colours}
    counts: dict[str, list[int]] = {name: [] for name in colours}
    at_length: dict[str, np.ndarray] = {}
    for n in lengths:
        # A completion's log-ratio depends only on how often it holds each token.
        token_counts = rng.multinomial(n, p_old, size=samples)
        total = token_counts @ log_ratio
        for name, values in (("sequence (GSPO)", total / n), ("per output (R1)", total)):
            far = (values > np.log1p(EPSILON)) | (values < np.log1p(-EPSILON))
            outside[name].append(float(far.mean()))
            counts[name].append(samples)
            if n == length:
                at_length[name] = values
        outside["token"].append(float(p_old @ token_far))  # exact: no sampling error
        counts["token"].append(2**62)
        if n == length:
            at_length["token"] = np.repeat(log_ratio, token_counts.sum(axis=0))
    figure, (left, right) = new_figure(2, width=4.8, height=3.6)
    for name, colour in colours.items():
        p = np.array(outside[name])
        half = 1.96 * np.sqrt(p * (1 - p) / np.array(counts[name]))
        left.plot(lengths, p, color=colour, label=name)
        band(left, lengths, np.clip(p - half, 0, 1), np.clip(p + half, 0, 1), color=colour)
    left.axvline(length, color=PALETTE["black"], linewidth=0.8, linestyle=":")
    left.set_xscale("log")
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel("completion length (tokens, log scale)")
    left.set_ylabel("fraction outside [0.8, 1.2]")
    left.legend(loc="center left")
    left.set_title("Only R1's per-output ratio grows with length")
    bins = np.linspace(-1.5, 1.5, 61)
    for name, colour in colours.items():
        values = np.clip(at_length[name], bins[0], bins[-1])
        density, _ = np.histogram(values, bins=bins, density=True)
        right.stairs(density, bins, color=colour, fill=True, alpha=0.4, label=name)
    for bound in (np.log1p(-EPSILON), np.log1p(EPSILON)):
        right.axvline(bound, color=PALETTE["black"], linewidth=0.8, linestyle="--")
    right.set_xlabel("log ratio (clipped to ±1.5 for display)")
    right.set_ylabel("density")
    right.set_title(f"{length} tokens, drift {drift:g}")
    return figure


# --------------------------------------------------------------------------- off-policy


def _grpo_updates(
    mu: int, minibatches: int, level: str, seed: int, learning_rate: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """One rollout of a unigram model, then ``mu`` passes of ``minibatches`` updates each.

    Task: 4 prompts x 8 completions of 16 tokens over 8 token types; reward 1 when a
    completion holds token 0 at least 3 times. Each update is a plain gradient step on
    the logits with the exact gradient of :func:`r1lib.grpo.grpo_loss_unchecked`
    (d log π(v) / d logits = onehot(v) - π). Returns, per update, the clip fraction and
    the mean |log π_θ - log π_old| of the tokens it trained on.
    """
    rng = np.random.default_rng(seed)
    vocab, length, groups, group_size = 8, 16, 4, 8
    logits = np.zeros(vocab)
    old = unigram_log_probs(logits)
    tokens = rng.choice(vocab, size=(groups * group_size, length), p=np.exp(old))
    rewards = ((tokens == 0).sum(axis=1) >= 3).astype(float).reshape(groups, group_size)
    advantages = group_advantages(rewards).ravel()
    old_logp = old[tokens]
    mask = np.ones(tokens.shape)
    clip_fraction, drift = [], []
    for _ in range(mu):
        order = rng.permutation(tokens.shape[0])
        for rows in np.array_split(order, minibatches):
            logp = unigram_log_probs(logits)
            result = grpo_loss_unchecked(
                logp[tokens[rows]],
                old_logp[rows],
                advantages[rows],
                mask[rows],
                importance_sampling_level=level,
            )
            clip_fraction.append(result.clip_fraction)
            drift.append(float(np.abs(logp[tokens[rows]] - old_logp[rows]).mean()))
            weight = result.grad.ravel()
            grad_logits = np.bincount(tokens[rows].ravel(), weight, vocab)
            grad_logits -= weight.sum() * np.exp(logp)
            logits = logits - learning_rate * grad_logits
    return np.array(clip_fraction), np.array(drift)


@styled
def off_policy_updates(mu: int = 4, minibatches: int = 1) -> Figure:
    """Reusing one rollout: clip fraction and policy drift per update, over 5 rollouts.

    ``mu`` passes (TRL ``num_iterations``) over one rollout, each split into
    ``minibatches`` gradient steps. The first step is on-policy (ratio 1); every later
    step trains on samples from an older policy. Lines: mean over 5 seeds; bands: ± one
    standard deviation across seeds.
    """
    mu, minibatches = int(mu), int(minibatches)
    seeds = range(5)
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    steps = np.arange(1, mu * minibatches + 1)
    for level, colour in (("token", PALETTE["blue"]), ("sequence", PALETTE["green"])):
        runs = [_grpo_updates(mu, minibatches, level, seed) for seed in seeds]
        clip = np.array([run[0] for run in runs])
        drift = np.array([run[1] for run in runs])
        for axis, values in ((left, clip), (right, drift)):
            mean, spread = values.mean(axis=0), values.std(axis=0)
            axis.plot(steps, mean, color=colour, marker="o", markersize=3, label=f"{level} ratio")
            band(axis, steps, mean - spread, mean + spread, color=colour)
    for axis in (left, right):
        axis.set_xlabel("gradient step on the same rollout")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        for boundary in np.arange(1, mu) * minibatches + 0.5:
            axis.axvline(boundary, color=PALETTE["black"], linewidth=0.6, linestyle=":")
    left.set_ylabel("clip fraction of the step's tokens")
    left.set_title("The first step is on-policy: nothing clipped")
    left.legend(loc="upper left")
    right.set_ylabel("mean |log π_θ − log π_old| per token")
    right.set_title(f"μ = {mu}, {minibatches} mini-batch(es) per pass")
    return figure
