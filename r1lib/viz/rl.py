"""Lesson 01 (RL for language models): a tiny language model, policy gradients, PPO's clip.

The tiny model
--------------
A *bigram* language model over ``VOCAB = ("1", "2", "3")``: the probability of the next
token depends only on the previous one (or on the prompt, for the first token),

    π_θ(y_t | y_{t-1}) = softmax(θ[y_{t-1}])[y_t],

with ``θ`` a ``(V + 1, V)`` table of logits whose last row (index ``V``) is the prompt.
A completion is ``LENGTH = 3`` tokens, so there are ``V**LENGTH = 27`` completions: few
enough to compute every expectation exactly by enumeration. The reward is rule-based,
like DeepSeek-R1's accuracy reward: 1 if the completion's last token is the right
answer to the prompt "1+2=" (``"3"``), else 0.

Policy gradient (REINFORCE, Williams 1992): with J(θ) = E_{y~π_θ}[R(y)],

    ∇J(θ) = E_{y~π_θ}[(R(y) − b) ∇_θ log π_θ(y)]    for any constant baseline b.

PPO's clipped surrogate (Schulman et al. 2017, eq. 7): min(ρA, clip(ρ, 1−ε, 1+ε)A).
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.figure import Figure

from r1lib.distill import log_softmax, softmax
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "ANSWER",
    "BYTES_FROZEN",
    "BYTES_TRAINED",
    "LENGTH",
    "PROMPT",
    "SLIDERS",
    "THETA0",
    "VOCAB",
    "actor_critic_cost",
    "all_completions",
    "clipped_objective",
    "cost_figure",
    "estimator_variance",
    "exact_gradient",
    "expected_reward",
    "gradient_variance",
    "optimal_baseline",
    "ppo_clip_figure",
    "reward",
    "score_function",
    "sequence_log_prob",
    "train_reinforce",
    "training_figure",
]

VOCAB: tuple[str, ...] = ("1", "2", "3")
PROMPT = "1+2="
ANSWER = 2  # index of "3" in VOCAB
LENGTH = 3
V = len(VOCAB)
BOS = V  # row of θ used for the first token (the context is the prompt)

#: Illustration only (assumptions, not measurements): bytes per parameter of a model being
#: trained with Adam in mixed precision (bf16 weights 2 + bf16 gradients 2 + fp32 master
#: weights 4 + two fp32 Adam moments 4 + 4), and of a frozen bf16 model (weights only).
BYTES_TRAINED = 16
BYTES_FROZEN = 2


def all_completions(length: int = LENGTH) -> np.ndarray:
    """Every completion of ``length`` tokens, as an int array ``(V**length, length)``."""
    return np.array(list(itertools.product(range(V), repeat=length)), dtype=np.int64)


def reward(completions: np.ndarray) -> np.ndarray:
    """Rule-based reward: 1.0 where the last token is the answer ``"3"``, else 0.0."""
    return (np.asarray(completions)[..., -1] == ANSWER).astype(float)


def _contexts(completions: np.ndarray) -> np.ndarray:
    completions = np.asarray(completions)
    first = np.full((*completions.shape[:-1], 1), BOS, dtype=np.int64)
    return np.concatenate([first, completions[..., :-1]], axis=-1)


def sequence_log_prob(theta: np.ndarray, completions: np.ndarray) -> np.ndarray:
    """log π_θ(y) = Σ_t log softmax(θ[y_{t-1}])[y_t] for each completion (last axis)."""
    logp = log_softmax(theta, axis=-1)  # (V+1, V)
    return logp[_contexts(completions), np.asarray(completions)].sum(axis=-1)


def score_function(theta: np.ndarray, completions: np.ndarray) -> np.ndarray:
    """∇_θ log π_θ(y) for each completion: shape ``(n, V + 1, V)``.

    The row of context c collects Σ_{t: y_{t-1} = c} (onehot(y_t) − softmax(θ[c])).
    """
    completions = np.atleast_2d(completions)
    probs = softmax(theta, axis=-1)
    n = completions.shape[0]
    grad = np.zeros((n, V + 1, V))
    rows = np.arange(n)
    for context, token in zip(_contexts(completions).T, completions.T, strict=True):
        grad[rows, context, token] += 1.0
        grad[rows, context] -= probs[context]
    return grad


def expected_reward(theta: np.ndarray) -> float:
    """J(θ) = Σ_y π_θ(y) R(y), exactly, by enumerating all completions."""
    ys = all_completions()
    return float(np.exp(sequence_log_prob(theta, ys)) @ reward(ys))


def exact_gradient(theta: np.ndarray) -> np.ndarray:
    """∇J(θ) = Σ_y π_θ(y) R(y) ∇ log π_θ(y), exactly (shape of ``theta``)."""
    ys = all_completions()
    weights = np.exp(sequence_log_prob(theta, ys)) * reward(ys)
    return np.tensordot(weights, score_function(theta, ys), axes=1)


def estimator_variance(theta: np.ndarray, baseline: float, num_samples: int = 1) -> float:
    """Exact total variance (trace of the covariance) of the N-sample REINFORCE estimate.

    ĝ = (1/N) Σ_i (R(y_i) − b) ∇ log π_θ(y_i), y_i ~ π_θ independent; Var = tr Cov / N.
    """
    ys = all_completions()
    probs = np.exp(sequence_log_prob(theta, ys))
    terms = (reward(ys) - baseline)[:, None] * score_function(theta, ys).reshape(len(ys), -1)
    mean = probs @ terms
    return float(probs @ np.sum((terms - mean) ** 2, axis=1)) / num_samples


def optimal_baseline(theta: np.ndarray) -> float:
    """The constant b minimising the variance: E[R ‖s‖²] / E[‖s‖²], s = ∇ log π_θ(y)."""
    ys = all_completions()
    probs = np.exp(sequence_log_prob(theta, ys))
    norms = np.sum(score_function(theta, ys).reshape(len(ys), -1) ** 2, axis=1)
    return float(probs @ (reward(ys) * norms) / (probs @ norms))


def clipped_objective(ratio: np.ndarray, advantage: np.ndarray, epsilon: float) -> np.ndarray:
    """PPO's clipped surrogate per sample: min(ρA, clip(ρ, 1 − ε, 1 + ε) A)."""
    ratio = np.asarray(ratio, dtype=float)
    advantage = np.asarray(advantage, dtype=float)
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - epsilon, 1 + epsilon) * advantage)


def train_reinforce(
    num_samples: int,
    baseline: str,
    *,
    steps: int,
    learning_rate: float,
    rng: np.random.Generator,
    format_bonus: float = 0.0,
) -> np.ndarray:
    """Train the tiny model from ``THETA0`` with REINFORCE; return J(θ) before each step.

    Each step samples ``num_samples`` completions and ascends
    (1/N) Σ_i (R_i − b) ∇ log π_θ(y_i), with R_i = accuracy reward + ``format_bonus``
    (a constant every completion earns, like R1-Zero's format reward once the format is
    learned) and ``baseline`` ``"none"`` (b = 0) or ``"value"`` (b = E[R], the exact value
    of the prompt: what a perfect critic would predict). J(θ) is the expected *accuracy*.
    """
    ys = all_completions()
    contexts, accuracy = _contexts(ys), reward(ys)
    theta = THETA0.copy()
    history = np.empty(steps + 1)
    for step in range(steps + 1):
        z = theta - theta.max(axis=1, keepdims=True)  # a fast, unvalidated log-softmax
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        probs = np.exp(logp[contexts, ys].sum(axis=1))
        history[step] = probs @ accuracy
        if step == steps:
            break
        picks = rng.choice(len(ys), size=num_samples, p=probs / probs.sum())
        b = history[step] + format_bonus if baseline == "value" else 0.0
        advantages = accuracy[picks] + format_bonus - b
        scores = score_function(theta, ys[picks])
        theta = theta + learning_rate * np.tensordot(advantages, scores, axes=1) / num_samples
    return history


def actor_critic_cost(policy_params: float, critic_size: float = 1.0) -> dict[str, dict]:
    """Illustrative memory (bytes) and training FLOPs per token of PPO versus GRPO.

    Assumptions (illustration, not measurements): rule-based reward (no reward model);
    a KL penalty with beta > 0, hence a frozen reference model for both algorithms (with
    beta = 0 leave out the ``"reference"`` entries, and PPO costs exactly twice GRPO);
    a trained model costs ``BYTES_TRAINED`` bytes per parameter, a frozen one
    ``BYTES_FROZEN``; a forward pass costs 2 FLOPs per parameter per token and a backward
    pass twice a forward. PPO holds the actor (trained), a critic of
    ``critic_size × policy_params`` parameters (trained) and a frozen reference; GRPO
    holds the actor and the reference. Generating the completions (the same for both)
    is left out.
    """
    p, c = float(policy_params), float(policy_params) * float(critic_size)
    fwd = 2.0
    memory = {
        "PPO": {
            "actor": BYTES_TRAINED * p,
            "critic": BYTES_TRAINED * c,
            "reference": BYTES_FROZEN * p,
        },
        "GRPO": {"actor": BYTES_TRAINED * p, "critic": 0.0, "reference": BYTES_FROZEN * p},
    }
    # per token: old log-probs (actor forward), reference forward, values (critic forward),
    # then the update: forward + backward of every trained model.
    flops = {
        "PPO": {
            "actor": fwd * p + 3 * fwd * p,
            "critic": fwd * c + 3 * fwd * c,
            "reference": fwd * p,
        },
        "GRPO": {"actor": fwd * p + 3 * fwd * p, "critic": 0.0, "reference": fwd * p},
    }
    return {"memory": memory, "flops": flops}


# ---------------------------------------------------------------- figures and sliders

#: The starting point of the figures: every context gives "3" logit −1.5 and the others 0,
#: so π("3" | context) ≈ 0.10: a hard prompt, solved by about one completion in ten.
THETA0 = np.zeros((V + 1, V))
THETA0[:, ANSWER] = -1.5
_REPEATS = 400
_YS = all_completions()
_PROBS = np.exp(sequence_log_prob(THETA0, _YS))
_PROBS /= _PROBS.sum()
_REWARDS = reward(_YS)
_SCORES = score_function(THETA0, _YS).reshape(len(_YS), -1)
_EXACT = exact_gradient(THETA0)
_VALUE = expected_reward(THETA0)
_BEST = optimal_baseline(THETA0)


def _variance_curve(baselines: np.ndarray, num_samples: int) -> np.ndarray:
    terms = (_REWARDS[None, :, None] - baselines[:, None, None]) * _SCORES[None]
    mean = np.einsum("y,byk->bk", _PROBS, terms)
    return np.einsum("y,byk->b", _PROBS, (terms - mean[:, None]) ** 2) / num_samples


@styled
def gradient_variance(num_samples: int = 8, baseline: float = 0.0) -> Figure:
    """How far REINFORCE estimates land from the exact gradient, and the variance versus b.

    At ``THETA0``. Left: histogram of the error ‖ĝ − ∇J‖ of 400 independent N-sample
    estimates ĝ, with the root-mean-square error √Var marked. Right: the exact total
    variance Var = E‖ĝ − ∇J‖² (summed over all entries of θ) versus the baseline b, with
    the chosen b, the value J(θ) and the variance-minimising b marked.
    """
    rng = np.random.default_rng(1)
    counts = rng.multinomial(num_samples, _PROBS, size=_REPEATS)
    estimates = counts @ ((_REWARDS - baseline)[:, None] * _SCORES) / num_samples
    errors = np.linalg.norm(estimates - _EXACT.ravel(), axis=1)
    variance = float(_variance_curve(np.array([baseline]), num_samples)[0])

    figure, (left, right) = new_figure(2, width=4.6, height=3.8)
    left.hist(
        errors,
        bins=30,
        color=PALETTE["blue"],
        alpha=0.8,
        histtype="stepfilled",
        label="400 estimates",
    )
    left.axvline(
        np.sqrt(variance),
        color=PALETTE["vermillion"],
        label=f"exact RMS error {np.sqrt(variance):.3f}",
    )
    left.set_xlim(0, None)
    left.set_xlabel("error of the estimate ‖ĝ − ∇J‖")
    left.set_ylabel("count")
    left.set_title(f"N = {num_samples}, b = {baseline:.2f}")
    left.legend(loc="upper right", fontsize=9)

    bs = np.linspace(-0.5, 1.5, 81)
    variances = _variance_curve(bs, num_samples)
    right.plot(bs, variances, color=PALETTE["blue"], label="exact variance")
    right.plot(
        [baseline], [variance], "o", color=PALETTE["vermillion"], label=f"your b = {baseline:.2f}"
    )
    right.axvline(_VALUE, color=PALETTE["green"], linestyle="--", label=f"J(θ) = {_VALUE:.2f}")
    right.axvline(_BEST, color=PALETTE["orange"], linestyle=":", label=f"best b = {_BEST:.2f}")
    right.set_ylim(0, float(variances.max()) * 1.05)
    right.set_xticks([-0.5, 0.0, 0.5, 1.0, 1.5])
    right.set_xlabel("baseline b (reward units)")
    right.set_ylabel("variance E‖ĝ − ∇J‖²")
    right.set_title("A baseline near J(θ) cuts the variance")
    right.legend(loc="upper center", fontsize=8)
    return figure


@styled
def ppo_clip_figure(epsilon: float = 0.2) -> Figure:
    """PPO's clipped surrogate min(ρA, clip(ρ, 1±ε)A) versus the ratio ρ, for A = ±1."""
    ratio = np.linspace(0.0, 2.0, 401)
    figure, axes = new_figure(2, width=4.4, height=3.6, sharey=True)
    for axis, advantage in zip(axes, (1.0, -1.0), strict=True):
        axis.plot(
            ratio, ratio * advantage, color=PALETTE["sky"], linestyle="--", label="unclipped ρA"
        )
        axis.plot(
            ratio,
            clipped_objective(ratio, advantage, epsilon),
            color=PALETTE["blue"],
            label="clipped (PPO)",
        )
        flat = (ratio > 1 + epsilon) if advantage > 0 else (ratio < 1 - epsilon)
        axis.fill_between(
            ratio,
            -2.2,
            2.2,
            where=flat,
            color=PALETTE["orange"],
            alpha=0.15,
            linewidth=0,
            label="zero gradient",
        )
        axis.axvline(1.0, color=PALETTE["black"], linewidth=0.8)
        axis.set_xlabel("probability ratio ρ = π_θ / π_old")
        axis.set_title(
            f"A = {advantage:+.0f}: "
            + ("no gain beyond ρ = 1 + ε" if advantage > 0 else "no gain below ρ = 1 − ε")
        )
        axis.set_ylim(-2.2, 2.2)
    axes[0].set_ylabel("objective (advantage units)")
    axes[0].legend(loc="upper left", fontsize=8)
    figure.suptitle(f"ε = {epsilon:.2f}: clipping removes the incentive to move ρ beyond 1 ± ε")
    return figure


@styled
def cost_figure(critic_size: float = 1.0, policy_billions: float = 7.0) -> Figure:
    """Stacked bars: memory (GB) and training compute per token, PPO versus GRPO."""
    cost = actor_critic_cost(policy_billions * 1e9, critic_size)
    figure, axes = new_figure(2, width=3.9, height=3.8)
    parts = [
        ("actor", PALETTE["blue"]),
        ("critic", PALETTE["vermillion"]),
        ("reference", PALETTE["sky"]),
    ]
    for axis, (key, unit, scale) in zip(
        axes,
        [("memory", "memory (GB)", 1e9), ("flops", "training GFLOPs per token", 1e9)],
        strict=True,
    ):
        bottoms = np.zeros(2)
        for part, color in parts:
            heights = np.array([cost[key][algo][part] for algo in ("PPO", "GRPO")]) / scale
            axis.bar(["PPO", "GRPO"], heights, bottom=bottoms, color=color, label=part)
            bottoms += heights
        for x, total in enumerate(bottoms):
            axis.text(x, total, f"{total:.0f}", ha="center", va="bottom", fontsize=9)
        axis.set_ylabel(unit)
        ratio = bottoms[0] / bottoms[1]
        axis.set_title(f"PPO / GRPO = {ratio:.2f}×")
        axis.set_ylim(0, bottoms.max() * 1.15)
    axes[0].legend(loc="upper right", fontsize=8)
    figure.suptitle(f"Illustration: {policy_billions:g}B policy, critic {critic_size:g}× its size")
    return figure


@styled
def training_figure(
    num_samples: int = 4, steps: int = 40, learning_rate: float = 2.0, runs: int = 20, seed: int = 0
) -> Figure:
    """Expected accuracy J(θ) while training with REINFORCE, without and with a baseline.

    Left: reward = accuracy (0/1). Right: reward = accuracy + a format bonus of 1 that
    every completion earns. Mean over ``runs`` independent runs, band from the 10th to
    the 90th percentile.
    """
    rng = np.random.default_rng(seed)
    figure, axes = new_figure(2, width=4.4, height=3.6, sharey=True)
    x = np.arange(steps + 1)
    for axis, bonus in zip(axes, (0.0, 1.0), strict=True):
        for name, label, color in [
            ("none", "no baseline (b = 0)", PALETTE["vermillion"]),
            ("value", "baseline b = E[R]", PALETTE["blue"]),
        ]:
            curves = np.array(
                [
                    train_reinforce(
                        num_samples,
                        name,
                        steps=steps,
                        learning_rate=learning_rate,
                        rng=rng,
                        format_bonus=bonus,
                    )
                    for _ in range(runs)
                ]
            )
            low, high = np.percentile(curves, [10, 90], axis=0)
            band(axis, x, low, high, color=color)
            axis.plot(x, curves.mean(axis=0), color=color, label=label)
        axis.set_xlabel("training step")
        axis.set_ylim(0, 1)
        axis.set_title("reward = accuracy" if bonus == 0 else f"reward = accuracy + {bonus:g}")
    axes[0].set_ylabel("expected accuracy J(θ)")
    axes[1].legend(loc="lower right")
    figure.suptitle(f"A baseline removes the reward's shift (N = {num_samples}, {runs} runs)")
    return figure


SLIDERS = {
    "gradient_variance": {"num_samples": (1, 64, 1), "baseline": (-0.5, 1.5, 0.05)},
    "ppo_clip_figure": {"epsilon": (0.05, 0.5, 0.05)},
    "cost_figure": {"critic_size": (0.0, 2.0, 0.1)},
}
