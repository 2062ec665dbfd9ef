"""Pre-training: next-token prediction on the generated corpus (the base model).

The loss is the mean cross-entropy of every next token of every document, padding
excluded: :math:`-\\frac{1}{N}\\sum_{b,t} m_{b,t} \\log p_\\theta(x_{b,t+1} \\mid x_{b,\\le t})`
with :math:`m_{b,t} = 1[x_{b,t+1} \\ne \\text{PAD}]`. Nothing tells the model which tokens
matter: it models the buttons, the start value, the chains and the answers alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from r1lib._validation import check_positive, check_rng, check_whole_number
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.corpus import Corpus
from r1lib.miniature.model import GPT, cross_entropy_unchecked
from r1lib.miniature.optim import Adam
from r1lib.miniature.task import PAD

__all__ = ["PretrainConfig", "lm_loss", "lm_loss_unchecked", "pretrain"]


@dataclass(frozen=True)
class PretrainConfig:
    """Pre-training hyper-parameters.

    Parameters
    ----------
    steps
        Adam updates.
    batch_size
        Documents per update.
    lr
        Peak learning rate; it decays to ``lr / 10`` along a cosine after ``warmup`` steps.
    warmup
        Linear warm-up steps.
    max_norm
        Global gradient-norm clip.
    """

    steps: int = 3000
    batch_size: int = 64
    lr: float = 3e-3
    warmup: int = 100
    max_norm: float = 1.0

    def __post_init__(self) -> None:
        check_whole_number(self.steps, "steps", minimum=1)
        check_whole_number(self.batch_size, "batch_size", minimum=1)
        check_whole_number(self.warmup, "warmup", minimum=0)
        check_positive(self.lr, "lr")
        check_positive(self.max_norm, "max_norm")

    def learning_rate(self, step: int) -> float:
        """Warm-up then cosine decay to a tenth of the peak."""
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.steps - self.warmup)
        return self.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def lm_loss(model: GPT, tokens: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Mean next-token cross-entropy of ``tokens`` (padding excluded) and its gradients.

    Parameters
    ----------
    model
        The GPT.
    tokens
        ``(B, T)`` int documents, ``PAD``-padded, ``2 <= T <= block_size``.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT; got {type(model).__name__}")
    tokens = model.check_tokens(tokens)
    if tokens.shape[1] < 2:
        raise ValueError("tokens must have at least 2 positions")
    if not np.any(tokens[:, 1:] != PAD):
        raise ValueError("tokens must hold at least one token that is not PAD after the first")
    return lm_loss_unchecked(model, tokens)


def lm_loss_unchecked(model: GPT, tokens: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """:func:`lm_loss` on checked int64 tokens (the pre-training loop's core)."""
    logits, cache = model.forward_unchecked(tokens)
    targets = tokens[:, 1:]
    weights = (targets != PAD).astype(logits.dtype)
    loss, dz = cross_entropy_unchecked(logits[:, :-1], targets, weights)
    dlogits = np.zeros_like(logits)
    dlogits[:, :-1] = dz
    return loss, model.backward_unchecked(dlogits, cache)


def pretrain(
    model: GPT,
    corpus: Corpus,
    config: PretrainConfig,
    rng: np.random.Generator,
    *,
    callback: Callable[[int, float], None] | None = None,
) -> np.ndarray:
    """Train ``model`` in place on random batches of ``corpus``; returns the loss per step.

    Parameters
    ----------
    model
        The GPT to train (its block size and vocabulary must hold the documents).
    corpus
        The documents (:func:`r1lib.miniature.corpus.generate_corpus`).
    config
        Hyper-parameters (checked when the :class:`PretrainConfig` was built).
    rng
        Draws the batches.
    callback
        Called as ``callback(step, loss)`` after every update (a progress bar).
    """
    check_rng(rng)
    if not isinstance(config, PretrainConfig):
        raise TypeError(f"config must be a PretrainConfig; got {type(config).__name__}")
    if not isinstance(corpus, Corpus):
        raise TypeError(f"corpus must be a Corpus; got {type(corpus).__name__}")
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT; got {type(model).__name__}")
    width = int(np.max(np.sum(corpus.tokens != PAD, axis=1)))
    documents = corpus.tokens[:, :width]
    model.check_tokens(documents, "corpus.tokens")  # the model's vocabulary and block hold them
    optimiser = Adam.unchecked(model.params, lr=config.lr, max_norm=config.max_norm)
    losses = np.empty(config.steps)
    with single_blas_thread():
        for step in range(config.steps):
            batch = documents[rng.integers(0, len(documents), size=config.batch_size)]
            loss, grads = lm_loss_unchecked(model, batch)
            optimiser.lr = config.learning_rate(step)
            optimiser.step(grads)
            losses[step] = loss
            if callback is not None:
                callback(step, loss)
    return losses
