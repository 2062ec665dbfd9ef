r"""A bigram language model, small enough to enumerate every sequence.

The probability of the next token depends only on the previous one (or, for the first
token, on the prompt):

.. math::

    \pi(y) = \pi_{start}(y_1) \prod_{t \ge 2} \pi(y_t \mid y_{t-1}).

A model is either a :class:`BigramLM` (the two probability tables) or a table of logits
``theta`` of shape ``(V + 1, V)`` whose rows ``0..V-1`` are the contexts "previous token
``u``" and whose last row ``V`` is the start (the prompt):
``π(y_t | y_{t-1}) = softmax(θ[y_{t-1}])[y_t]``. With ``V`` tokens and length ``L``
there are ``V**L`` sequences: for ``V = 3, L = 3`` (lesson 01) or ``V = 4, L = 6``
(lesson 07) every expectation is an exact sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import as_float_array
from r1lib.distill import log_softmax, softmax
from r1lib.kl import kl_divergence
from r1lib.toys.sampling import sample_categorical

__all__ = [
    "BigramLM",
    "all_sequences",
    "exact_sequence_kl",
    "random_bigram_pair",
    "sample_sequences",
    "score_function",
    "score_function_unchecked",
    "sequence_log_prob",
]


@dataclass(frozen=True)
class BigramLM:
    """A bigram language model as two probability tables.

    Attributes
    ----------
    start
        ``(V,)``: ``start[v]`` = P(first token ``v``).
    transition
        ``(V, V)``: ``transition[u, v]`` = P(next token ``v`` | previous token ``u``).
    """

    start: NDArray[np.float64]
    transition: NDArray[np.float64]

    @property
    def vocab_size(self) -> int:
        return int(self.start.size)

    @classmethod
    def from_logits(cls, theta: ArrayLike) -> BigramLM:
        """The model of a ``(V + 1, V)`` logits table (last row: the start)."""
        probs = softmax(theta, axis=-1)
        return cls(probs[-1], probs[:-1])


def _log_tables(model: BigramLM | ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(log start, log transition) of a model or of its logits table."""
    if isinstance(model, BigramLM):
        return np.log(model.start), np.log(model.transition)
    logp = log_softmax(model, axis=-1)
    return logp[-1], logp[:-1]


def all_sequences(vocab_size: int, length: int) -> NDArray[np.int64]:
    """Every sequence of ``length`` tokens, ``(V**L, L)``, in lexicographic order.

    Examples
    --------
    >>> all_sequences(2, 2)
    array([[0, 0],
           [0, 1],
           [1, 0],
           [1, 1]])
    """
    grids = np.indices((vocab_size,) * length)
    return grids.reshape(length, -1).T.astype(np.int64)


def sequence_log_prob(model: BigramLM | ArrayLike, sequences: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\log\pi(y) = \log\pi_{start}(y_1) + \sum_{t\ge2}\log\pi(y_t\mid y_{t-1})`.

    Parameters
    ----------
    model
        A :class:`BigramLM`, or its ``(V + 1, V)`` logits table ``theta``.
    sequences
        Integer tokens, ``(..., L)``.

    Returns
    -------
    numpy.ndarray
        One log-probability per sequence, shape ``sequences.shape[:-1]``.
    """
    log_start, log_transition = _log_tables(model)
    y = np.asarray(sequences)
    return log_start[y[..., 0]] + log_transition[y[..., :-1], y[..., 1:]].sum(axis=-1)


def score_function(theta: ArrayLike, sequences: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\nabla_\theta \log\pi_\theta(y)` for each sequence: shape ``(n, V + 1, V)``.

    The row of context ``c`` collects
    :math:`\sum_{t:\,y_{t-1} = c} (\mathrm{onehot}(y_t) - \mathrm{softmax}(\theta[c]))`,
    the start row ``V`` standing for the context of the first token.
    """
    checked = as_float_array(theta, "theta", ndim=2)
    y = np.atleast_2d(np.asarray(sequences))
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= checked.shape[1]:
        raise ValueError(f"sequences must be tokens in [0, {checked.shape[1] - 1}]")
    return score_function_unchecked(checked, y)


def score_function_unchecked(
    theta: NDArray[np.float64], sequences: NDArray[np.int64]
) -> NDArray[np.float64]:
    """:func:`score_function` without validation, for training loops (``(n, L)`` tokens)."""
    z = theta - theta.max(axis=-1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    n, start_row = sequences.shape[0], probs.shape[0] - 1
    contexts = np.concatenate([np.full((n, 1), start_row), sequences[:, :-1]], axis=1)
    grad = np.zeros((n, *probs.shape))
    rows = np.arange(n)
    for context, token in zip(contexts.T, sequences.T, strict=True):
        grad[rows, context, token] += 1.0
        grad[rows, context] -= probs[context]
    return grad


def sample_sequences(
    model: BigramLM, length: int, num_samples: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Draw ``num_samples`` sequences token by token (ancestral sampling)."""
    out = np.empty((num_samples, length), dtype=np.int64)
    probs = np.broadcast_to(model.start, (num_samples, model.vocab_size))
    for t in range(length):
        tokens = sample_categorical(probs, rng)
        out[:, t] = tokens
        probs = model.transition[tokens]
    return out


def exact_sequence_kl(p: BigramLM, q: BigramLM, length: int) -> float:
    """Exact KL(p ‖ q) over all ``V**L`` sequences, by enumeration and
    :func:`r1lib.kl.kl_divergence` on the two vectors of sequence probabilities."""
    sequences = all_sequences(p.vocab_size, length)
    probs_p = np.exp(sequence_log_prob(p, sequences))
    probs_q = np.exp(sequence_log_prob(q, sequences))
    return float(kl_divergence(probs_p, probs_q))


def random_bigram_pair(
    vocab_size: int = 4, distance: float = 1.0, seed: int = 7
) -> tuple[BigramLM, BigramLM]:
    """A reference model and a "fine-tuned" policy ``distance`` away in logit space.

    Reference logits ~ N(0, 1); the policy adds ``distance`` times a fixed N(0, 1)
    perturbation. Row 0 of each softmaxed ``(V + 1, V)`` table is the start
    distribution. Deterministic in ``seed``. Returns ``(reference, policy)``.
    """
    rng = np.random.default_rng(seed)
    ref_logits = rng.normal(size=(vocab_size + 1, vocab_size))
    shift = rng.normal(size=(vocab_size + 1, vocab_size))
    reference = softmax(ref_logits)
    policy = softmax(ref_logits + float(distance) * shift)
    return BigramLM(reference[0], reference[1:]), BigramLM(policy[0], policy[1:])
