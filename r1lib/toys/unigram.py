r"""Lesson 11's model: a unigram language model, for ratio levels and off-policy updates.

A unigram model is one softmax over a small vocabulary, the same at every position:
:math:`\pi(y) = \prod_t \mathrm{softmax}(z)[y_t]`. Sampling, log-probabilities and the
exact gradient take microseconds, and a completion's log-ratio depends only on how often
it holds each token, so its distribution is a multinomial sum:

* :func:`drifted_unigram` and :func:`completion_log_ratios`: how far the three ratios
  GRPO variants clip stray from 1 as completions grow: the token ratio (DeepSeekMath,
  arXiv:2402.03300 eq. 3; TRL ``importance_sampling_level="token"``), GSPO's
  length-normalised sequence ratio (arXiv:2507.18071, eq. 7; TRL ``"sequence"``) and the
  per-output ratio :math:`\pi_\theta(o)/\pi_{old}(o)` of DeepSeek-R1's objective
  (arXiv:2501.12948v1, eq. 1);
* :func:`reuse_rollout`: several gradient steps on one rollout (TRL
  ``num_iterations``), with :func:`r1lib.grpo.grpo_loss_unchecked` and
  :func:`logits_gradient`;
* :func:`off_policy_drift`: how far each completion of a rollout drifts from the policy
  that sampled it as the policy trains on it, the quantity DeepSeek-V3.2's off-policy
  sequence mask thresholds (:func:`r1lib.grpo.off_policy_mask`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    check_choice,
    check_in_open_interval,
    check_positive,
    check_rng,
    check_whole_number,
)
from r1lib.distill import log_softmax, softmax
from r1lib.grpo import IMPORTANCE_SAMPLING_LEVELS, group_advantages, grpo_loss_unchecked
from r1lib.grpo.masks import off_policy_kl_unchecked

__all__ = [
    "completion_log_ratios",
    "drifted_unigram",
    "logits_gradient",
    "off_policy_drift",
    "outside_clip_range",
    "reuse_rollout",
]


def drifted_unigram(
    drift: float, *, vocab_size: int = 32, seed: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""An old policy and a policy that drifted from it: :math:`\pi_{old}` and the log-ratio.

    :math:`\pi_{old} = \mathrm{softmax}(z)` with :math:`z \sim N(0, 1)` per token;
    :math:`\pi_\theta = \mathrm{softmax}(z + \text{drift} \cdot d)` for a fixed direction
    :math:`d \sim N(0, 1)` (both from ``seed``).

    Parameters
    ----------
    drift
        How far :math:`\pi_\theta` moved, in logits (0: no drift).
    vocab_size
        Tokens in the vocabulary.
    seed
        Seed of the ``numpy.random.default_rng`` for ``z`` and ``d``.

    Returns
    -------
    p_old : numpy.ndarray
        ``(vocab_size,)`` probabilities :math:`\pi_{old}(v)`.
    token_log_ratio : numpy.ndarray
        ``(vocab_size,)`` :math:`\log\pi_\theta(v) - \log\pi_{old}(v)`.

    Examples
    --------
    >>> p_old, log_ratio = drifted_unigram(0.0)
    >>> float(p_old.sum()), float(np.abs(log_ratio).max())
    (1.0, 0.0)
    """
    rng = np.random.default_rng(seed)
    old_logits = rng.normal(0.0, 1.0, size=vocab_size)
    direction = rng.normal(0.0, 1.0, size=vocab_size)
    old = log_softmax(old_logits)
    return np.exp(old), log_softmax(old_logits + float(drift) * direction) - old


def completion_log_ratios(
    p_old: NDArray[np.float64],
    token_log_ratio: NDArray[np.float64],
    length: int,
    num_samples: int,
    rng: np.random.Generator,
) -> dict[str, NDArray[np.float64]]:
    r"""Log-ratios of completions of ``length`` tokens sampled from :math:`\pi_{old}`, at
    three levels.

    A completion's log-ratio is :math:`\sum_v c_v \log r_v`, with
    :math:`c \sim \mathrm{Multinomial}(L, \pi_{old})` its token counts and
    :math:`\log r_v` the token log-ratio. The three levels (see the module docstring):

    * ``"token"``: the log-ratio of every sampled token (TRL's default);
    * ``"sequence (GSPO)"``: :math:`\frac1L \sum_t \log r_t`;
    * ``"per output (R1)"``: :math:`\sum_t \log r_t`, which grows with ``L``.

    Parameters
    ----------
    p_old, token_log_ratio
        From :func:`drifted_unigram`.
    length
        ``L``, tokens per completion.
    num_samples
        Completions.
    rng
        Source of randomness (one multinomial draw per completion).

    Returns
    -------
    dict of numpy.ndarray
        ``"token"``: ``(L * num_samples,)``; the other two ``(num_samples,)``.

    Examples
    --------
    >>> p_old, log_ratio = drifted_unigram(0.1)
    >>> ratios = completion_log_ratios(p_old, log_ratio, 8, 5, np.random.default_rng(0))
    >>> [ratios[k].shape for k in ratios]
    [(40,), (5,), (5,)]
    """
    n = check_whole_number(length, "length", minimum=1)
    counts = check_rng(rng).multinomial(n, p_old, size=num_samples)
    total = counts @ token_log_ratio
    return {
        "token": np.repeat(token_log_ratio, counts.sum(axis=0)),
        "sequence (GSPO)": total / n,
        "per output (R1)": total,
    }


def outside_clip_range(log_ratio: ArrayLike, epsilon: float = 0.2) -> NDArray[np.bool_]:
    r"""Whether a ratio :math:`r = e^{\log r}` lies outside PPO's clip range
    :math:`[1 - \varepsilon, 1 + \varepsilon]`.

    Where it does (and the advantage's sign agrees), the clipped surrogate is flat and
    the sample's gradient is 0 (Schulman et al. 2017, arXiv:1707.06347, eq. 7).

    Parameters
    ----------
    log_ratio
        :math:`\log r`, any shape.
    epsilon
        :math:`\varepsilon` in (0, 1).

    Returns
    -------
    numpy.ndarray
        Booleans, the shape of ``log_ratio``.

    Examples
    --------
    >>> outside_clip_range(np.log([0.7, 1.0, 1.25]))
    array([ True, False,  True])
    """
    eps = check_in_open_interval(epsilon, "epsilon", 0.0, 1.0)
    x = as_float_array(log_ratio, "log_ratio")
    return (x > np.log1p(eps)) | (x < np.log1p(-eps))


def logits_gradient(
    logits: NDArray[np.float64], tokens: NDArray[np.int64], token_grad: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Gradient of a loss with respect to a unigram model's logits, from its token gradient.

    With :math:`g_{i,t} = \partial\,\text{loss} / \partial \log\pi(y_{i,t})` (for instance
    ``grpo_loss(...).grad``) and :math:`\partial \log \pi(y) / \partial z_v =
    \mathbb 1[v = y] - \pi(v)`,

    .. math:: \frac{\partial\,\text{loss}}{\partial z_v}
              = \sum_{i,t} g_{i,t} \big(\mathbb 1[v = y_{i,t}] - \pi(v)\big).

    Parameters
    ----------
    logits
        ``(V,)`` the model's logits :math:`z`.
    tokens
        Token ids in ``0..V-1``, any shape.
    token_grad
        :math:`g`, the shape of ``tokens``. Unchecked: the training loop calls it.

    Returns
    -------
    numpy.ndarray
        ``(V,)``.

    Examples
    --------
    >>> logits_gradient(np.zeros(2), np.array([0, 0]), np.array([1.0, 1.0]))
    array([ 1., -1.])
    """
    weight = np.ravel(token_grad)
    counted = np.bincount(np.ravel(tokens), weight, logits.size)
    return counted - weight.sum() * softmax(logits)


def reuse_rollout(
    mu: int,
    minibatches: int,
    importance_sampling_level: str = "token",
    seed: int = 0,
    learning_rate: float = 4.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""One rollout of a unigram model, then ``mu`` passes of ``minibatches`` updates each.

    Task: 4 prompts × 8 completions of 16 tokens over 8 token types, sampled from the
    uniform policy; reward 1 when a completion holds token 0 at least 3 times;
    :func:`r1lib.grpo.group_advantages`. Each pass shuffles the completions and splits
    them into ``minibatches`` gradient steps (``mu`` is TRL's ``num_iterations``), each a
    plain gradient step on the logits with the exact
    gradient of :func:`r1lib.grpo.grpo_loss_unchecked` (clip 0.2, ``loss_type="grpo"``)
    against the sampling policy. The first step is on-policy (every ratio 1); every
    later one trains on samples from an older policy.

    Parameters
    ----------
    mu
        Passes over the rollout, ``>= 1``.
    minibatches
        Gradient steps per pass, ``1..32``.
    importance_sampling_level
        ``"token"`` or ``"sequence"`` (GSPO), as TRL's option.
    seed
        Seed of the rollout and the shuffles.
    learning_rate
        Step size on the logits.

    Returns
    -------
    clip_fraction, drift : numpy.ndarray
        ``(mu * minibatches,)``: per update, the fraction of its tokens clipped and the
        mean :math:`|\log\pi_\theta - \log\pi_{old}|` of the tokens it trained on.

    Examples
    --------
    >>> clip, drift = reuse_rollout(2, 2)
    >>> float(clip[0]), float(drift[0]), clip.shape
    (0.0, 0.0, (4,))
    """
    mu = check_whole_number(mu, "mu", minimum=1)
    vocab, length, groups, group_size = 8, 16, 4, 8
    minibatches = check_whole_number(
        minibatches, "minibatches", minimum=1, maximum=groups * group_size
    )
    check_choice(importance_sampling_level, "importance_sampling_level", IMPORTANCE_SAMPLING_LEVELS)
    learning_rate = check_positive(learning_rate, "learning_rate")
    rng = np.random.default_rng(seed)
    logits, tokens, advantages, old_logp = _rollout(rng, vocab, length, groups, group_size)
    mask = np.ones(tokens.shape)
    clip_fraction, drift = [], []
    for _ in range(mu):
        order = rng.permutation(tokens.shape[0])
        for rows in np.array_split(order, minibatches):
            logp = log_softmax(logits)
            result = grpo_loss_unchecked(
                logp[tokens[rows]],
                old_logp[rows],
                advantages[rows],
                mask[rows],
                importance_sampling_level=importance_sampling_level,
            )
            clip_fraction.append(result.clip_fraction)
            drift.append(float(np.abs(logp[tokens[rows]] - old_logp[rows]).mean()))
            gradient = logits_gradient(logits, tokens[rows], result.grad)
            logits = logits - learning_rate * gradient
    return np.array(clip_fraction), np.array(drift)


def off_policy_drift(
    updates: int,
    *,
    engine_noise: float = 0.03,
    seed: int = 0,
    learning_rate: float = 2.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""A rollout trained on for ``updates`` steps: each completion's advantage, and its
    mean log-ratio of the sampler to the policy after each step.

    The task of :func:`reuse_rollout`, with 16 prompts x 8 completions of 16 tokens: the
    uniform policy samples, through an inference engine whose log-probabilities differ
    from the trainer's by Gaussian noise of std ``engine_noise`` per token (the
    training-inference mismatch); then ``updates`` full-batch gradient steps of
    :func:`r1lib.grpo.grpo_loss_unchecked` (clip 0.2, ``loss_type="grpo"``) against the
    trainer's own log-probabilities of the samples. After each step, each completion's
    :math:`D_i = \frac{1}{|o_i|}\sum_t (\log\pi_{engine} - \log\pi_\theta)`
    (:func:`r1lib.grpo.off_policy_kl`): training lowers the completions with
    :math:`A < 0`, so their :math:`D_i` grows, the case DeepSeek-V3.2's mask drops
    (arXiv:2512.02556, §3.1).

    Parameters
    ----------
    updates
        Gradient steps on the rollout, ``>= 0``.
    engine_noise
        Std ``>= 0`` of the engine's per-token log-probability error.
    seed
        Seed of the rollout and the engine's noise.
    learning_rate
        Step size on the logits.

    Returns
    -------
    advantages : numpy.ndarray
        ``(128,)`` GRPO advantages of the completions (:func:`r1lib.grpo.group_advantages`).
    divergence : numpy.ndarray
        ``(updates + 1, 128)``: :math:`D_i` before the first step (the engine's noise
        alone) and after each step.

    Examples
    --------
    >>> advantages, divergence = off_policy_drift(2, engine_noise=0.0)
    >>> divergence.shape, float(np.abs(divergence[0]).max())
    ((3, 128), 0.0)
    """
    steps = check_whole_number(updates, "updates", minimum=0)
    noise = check_positive(engine_noise, "engine_noise", allow_zero=True)
    learning_rate = check_positive(learning_rate, "learning_rate")
    vocab, length, groups, group_size = 8, 16, 16, 8
    rng = np.random.default_rng(seed)
    logits, tokens, advantages, old_logp = _rollout(rng, vocab, length, groups, group_size)
    engine_logp = np.minimum(old_logp + noise * rng.normal(size=old_logp.shape), 0.0)
    mask = np.ones(tokens.shape)
    counts = np.full((tokens.shape[0], 1), float(length))
    divergence = [off_policy_kl_unchecked(old_logp, engine_logp, mask, counts)[:, 0]]
    logp = old_logp  # the rollout's policy, before the first step
    for _ in range(steps):
        result = grpo_loss_unchecked(logp, old_logp, advantages, mask)
        logits = logits - learning_rate * logits_gradient(logits, tokens, result.grad)
        logp = log_softmax(logits)[tokens]
        divergence.append(off_policy_kl_unchecked(logp, engine_logp, mask, counts)[:, 0])
    return advantages, np.array(divergence)


def _rollout(
    rng: np.random.Generator, vocab: int, length: int, groups: int, group_size: int
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The task's rollout from the uniform policy (reward 1 for token 0 at least 3 times):
    the logits, the sampled tokens, their GRPO advantages and their log-probabilities."""
    logits = np.zeros(vocab)
    old = log_softmax(logits)
    tokens = rng.choice(vocab, size=(groups * group_size, length), p=np.exp(old))
    rewards = ((tokens == 0).sum(axis=1) >= 3).astype(float).reshape(groups, group_size)
    return logits, tokens, group_advantages(rewards).ravel(), old[tokens]
