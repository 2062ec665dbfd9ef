r"""Lesson 01's task: a bigram model learns to answer "1+2=", by policy gradients.

The model is :mod:`r1lib.toys.bigram`'s, with logits ``θ`` of shape ``(V + 1, V)`` over
``VOCAB = ("1", "2", "3")`` (row ``V`` is the prompt). A completion is ``LENGTH = 3``
tokens, so there are ``V**LENGTH = 27``: few enough to compute every expectation exactly.
The reward is rule-based, like DeepSeek-R1's accuracy reward: 1 if the completion's last
token is the right answer (``"3"``), else 0.

Policy gradient (REINFORCE, Williams 1992): with :math:`J(\theta) = E_{y\sim\pi_\theta}[R(y)]`,

.. math::

    \nabla J(\theta) = E_{y\sim\pi_\theta}\big[(R(y) - b)\,\nabla_\theta\log\pi_\theta(y)\big]
    \quad\text{for any constant baseline } b.

PPO's clipped surrogate (Schulman et al. 2017, eq. 7) is
:func:`r1lib.grpo.clipped_surrogate`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib.grpo import clipped_surrogate
from r1lib.toys.bigram import (
    all_sequences,
    score_function,
    score_function_unchecked,
    sequence_log_prob,
)

__all__ = [
    "ANSWER",
    "BOS",
    "BYTES_FROZEN",
    "BYTES_TRAINED",
    "LENGTH",
    "PROMPT",
    "THETA0",
    "VOCAB",
    "actor_critic_cost",
    "all_completions",
    "clipped_objective",
    "estimator_variance",
    "exact_gradient",
    "expected_reward",
    "optimal_baseline",
    "reinforce_estimates",
    "reward",
    "train_reinforce",
]

VOCAB: tuple[str, ...] = ("1", "2", "3")
PROMPT = "1+2="
ANSWER = 2  # index of "3" in VOCAB
LENGTH = 3
V = len(VOCAB)
BOS = V  # row of θ used for the first token (the context is the prompt)

#: The starting point of lesson 01: every context gives "3" logit −1.5 and the others 0,
#: so π("3" | context) ≈ 0.10: a hard prompt, solved by about one completion in ten.
THETA0 = np.zeros((V + 1, V))
THETA0[:, ANSWER] = -1.5

#: Illustration only (assumptions, not measurements): bytes per parameter of a model being
#: trained with Adam in mixed precision (bf16 weights 2 + bf16 gradients 2 + fp32 master
#: weights 4 + two fp32 Adam moments 4 + 4), and of a frozen bf16 model (weights only).
BYTES_TRAINED = 16
BYTES_FROZEN = 2


def all_completions(length: int = LENGTH) -> NDArray[np.int64]:
    """Every completion of ``length`` tokens, as an int array ``(V**length, length)``."""
    return all_sequences(V, length)


def reward(completions: ArrayLike) -> NDArray[np.float64]:
    """Rule-based reward: 1.0 where the last token is the answer ``"3"``, else 0.0."""
    return (np.asarray(completions)[..., -1] == ANSWER).astype(float)


def expected_reward(theta: ArrayLike) -> float:
    """J(θ) = Σ_y π_θ(y) R(y), exactly, by enumerating all completions."""
    ys = all_completions()
    return float(np.exp(sequence_log_prob(theta, ys)) @ reward(ys))


def exact_gradient(theta: ArrayLike) -> NDArray[np.float64]:
    """∇J(θ) = Σ_y π_θ(y) R(y) ∇ log π_θ(y), exactly (shape of ``theta``)."""
    ys = all_completions()
    weights = np.exp(sequence_log_prob(theta, ys)) * reward(ys)
    return np.asarray(np.tensordot(weights, score_function(theta, ys), axes=1), dtype=np.float64)


def estimator_variance(
    theta: ArrayLike, baseline: ArrayLike, num_samples: int = 1
) -> float | NDArray[np.float64]:
    """Exact total variance (trace of the covariance) of the N-sample REINFORCE estimate.

    ĝ = (1/N) Σ_i (R(y_i) − b) ∇ log π_θ(y_i), y_i ~ π_θ independent; Var = tr Cov / N
    (Williams 1992), by enumerating all completions.

    Parameters
    ----------
    theta
        The model's logits.
    baseline
        ``b``: a number, or an array of baselines (one variance each).
    num_samples
        ``N``.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``baseline``, else an array of its shape.

    Examples
    --------
    >>> v = estimator_variance(THETA0, [0.0, 1.0])
    >>> bool(v[0] < v[1]), float(estimator_variance(THETA0, 0.0)) == float(v[0])
    (True, True)
    """
    ys = all_completions()
    probs = np.exp(sequence_log_prob(theta, ys))
    b = np.asarray(baseline, dtype=float)
    scores = score_function(theta, ys).reshape(len(ys), -1)
    terms = (reward(ys)[None, :] - b.reshape(-1, 1))[..., None] * scores[None]
    mean = np.einsum("y,byk->bk", probs, terms)
    variance = np.einsum("y,byk->b", probs, (terms - mean[:, None]) ** 2) / num_samples
    return float(variance[0]) if b.ndim == 0 else variance.reshape(b.shape)


def reinforce_estimates(
    theta: ArrayLike, baseline: float, num_samples: int, repeats: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``repeats`` independent N-sample REINFORCE estimates of ∇J(θ).

    ĝ = (1/N) Σ_i (R(y_i) − b) ∇ log π_θ(y_i), y_i ~ π_θ (Williams 1992). With only 27
    possible completions, an estimate depends on its samples through their counts, so
    each is one multinomial draw over the completions.

    Parameters
    ----------
    theta
        The model's logits.
    baseline
        ``b``.
    num_samples
        ``N``, samples per estimate.
    repeats
        Independent estimates.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        ``(repeats, theta.size)``: one flattened estimate per row (compare with
        ``exact_gradient(theta).ravel()``).

    Examples
    --------
    >>> estimates = reinforce_estimates(THETA0, 0.0, 8, 4000, np.random.default_rng(0))
    >>> error = estimates.mean(axis=0) - exact_gradient(THETA0).ravel()
    >>> bool(np.abs(error).max() < 0.02)
    True
    """
    ys = all_completions()
    probs = np.exp(sequence_log_prob(theta, ys))
    probs /= probs.sum()
    terms = (reward(ys) - baseline)[:, None] * score_function(theta, ys).reshape(len(ys), -1)
    counts = rng.multinomial(num_samples, probs, size=repeats)
    return counts @ terms / num_samples


def optimal_baseline(theta: ArrayLike) -> float:
    """The constant b minimising the variance: E[R ‖s‖²] / E[‖s‖²], s = ∇ log π_θ(y)."""
    ys = all_completions()
    probs = np.exp(sequence_log_prob(theta, ys))
    norms = np.sum(score_function(theta, ys).reshape(len(ys), -1) ** 2, axis=1)
    return float(probs @ (reward(ys) * norms) / (probs @ norms))


def clipped_objective(
    ratio: ArrayLike, advantage: ArrayLike, epsilon: float
) -> NDArray[np.float64]:
    """PPO's clipped surrogate per sample: min(ρA, clip(ρ, 1 − ε, 1 + ε) A).

    The value of :func:`r1lib.grpo.clipped_surrogate` with a symmetric clip range.

    Examples
    --------
    >>> clipped_objective([0.5, 1.5], 1.0, 0.2)
    array([0.5, 1.2])
    """
    return clipped_surrogate(ratio, advantage, epsilon=epsilon).value


def train_reinforce(
    num_samples: int,
    baseline: str,
    *,
    steps: int,
    learning_rate: float,
    rng: np.random.Generator,
    format_bonus: float = 0.0,
) -> NDArray[np.float64]:
    """Train the model from ``THETA0`` with REINFORCE; return J(θ) before each step.

    Each step samples ``num_samples`` completions and ascends
    (1/N) Σ_i (R_i − b) ∇ log π_θ(y_i), with R_i = accuracy reward + ``format_bonus``
    (a constant every completion earns, like R1-Zero's format reward once the format is
    learned) and ``baseline`` ``"none"`` (b = 0) or ``"value"`` (b = E[R], the exact value
    of the prompt: what a perfect critic would predict). J(θ) is the expected *accuracy*.
    """
    ys = all_completions()
    contexts = np.concatenate([np.full((len(ys), 1), BOS), ys[:, :-1]], axis=1)
    accuracy = reward(ys)
    theta: NDArray[np.float64] = THETA0.copy()
    history = np.empty(steps + 1)
    for step in range(steps + 1):
        # The loop calls unvalidated cores: θ is built here, always finite.
        z = theta - theta.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        probs = np.exp(logp[contexts, ys].sum(axis=1))
        history[step] = probs @ accuracy
        if step == steps:
            break
        picks = rng.choice(len(ys), size=num_samples, p=probs / probs.sum())
        b = history[step] + format_bonus if baseline == "value" else 0.0
        advantages = accuracy[picks] + format_bonus - b
        scores = score_function_unchecked(theta, ys[picks])
        theta = theta + learning_rate * np.tensordot(advantages, scores, axes=1) / num_samples
    return history


def actor_critic_cost(
    policy_params: float, critic_size: float = 1.0
) -> dict[str, dict[str, dict[str, float]]]:
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
