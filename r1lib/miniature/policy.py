"""A tiny autoregressive policy in numpy: an MLP over a fixed context window.

To predict the next completion token the policy sees five one-hot inputs:

* the previous token and the one before it (``BOS`` before the start),
* its current partial sum: the last digit it wrote before ``=`` ("none" before any),
* the prompt digit it added last, ``d_k``, and the next one to add, ``d_{k+1}``, where
  ``k`` is the number of digits it has written so far ("none" outside ``1..s``; the
  next digit is "none" after ``=``).

That fixed "attention" is all the context it has (not even the position), so it cannot
add ``s`` digits in one go; it can only compute one running-sum step per token, and a
step it learns at one position it knows at every position. Right after writing a
partial sum it can see the step it just took (previous partial, digit, new partial),
so it *can* learn to notice its own mistakes, as the demonstrator does.

The network is an MLP, ``h_0 = x``, ``h_{l+1} = relu(h_l W_l + b_l)``, logits
``z = h_L W_out + b_out``; token probabilities ``softmax(z / T)`` at temperature ``T``.
Gradients are exact backpropagation (tested against finite differences). The log-prob
of token ``y`` and its gradient with respect to the logits (at ``T = 1``) are

.. math:: \\log \\pi(y) = z_y - \\log \\sum_v e^{z_v}, \\qquad
          \\partial \\log \\pi(y) / \\partial z_v = 1[v = y] - \\pi(v).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import numpy as np

from r1lib._validation import (
    as_float_array,
    check_choice,
    check_positive,
    check_rng,
    check_whole_number,
)
from r1lib.miniature.task import BOS, EOS, EQ, NUM_OUTPUTS, NUM_TOKENS, PAD, Task

__all__ = ["ForwardCache", "MLPPolicy"]

_NO_DIGIT = 10
#: one-hot sizes: previous token, the one before, partial sum, last digit, next digit
_FEATURE_SIZES = (NUM_TOKENS, NUM_TOKENS, 11, 11, 11)
_NUM_FEATURES = len(_FEATURE_SIZES)


@dataclass
class ForwardCache:
    """What :meth:`MLPPolicy.backward` needs from a forward pass (rows = B·T positions)."""

    shape: tuple[int, int]
    index: np.ndarray  # (N, 5) active input units
    inputs: np.ndarray  # (N, input_size) the one-hot input rows
    activations: list[np.ndarray]  # inputs to each dense layer after the first
    pre: list[np.ndarray]  # pre-activations of the hidden layers
    logits: np.ndarray  # (N, V) raw logits
    probs: np.ndarray  # (N, V) softmax at temperature 1
    tokens: np.ndarray  # (N,) the tokens whose log-probs were taken


class MLPPolicy:
    """An autoregressive MLP policy for a :class:`~r1lib.miniature.task.Task`.

    Parameters
    ----------
    task
        The task (fixes the prompt length and the maximum completion length).
    hidden
        Widths of the hidden layers, e.g. ``(64,)`` or ``(32, 32)``.
    rng
        Generator for the initial weights (He initialisation, zero biases, a small
        output layer).
    precision
        ``"float64"`` or ``"float32"``: the arithmetic of the forward and backward
        passes (about twice as fast in float32). Parameters, gradients and returned
        log-probabilities are float64 either way; the finite-difference tests use
        float64.
    """

    def __init__(
        self,
        task: Task,
        hidden: tuple[int, ...],
        rng: np.random.Generator,
        *,
        precision: str = "float64",
    ) -> None:
        if not isinstance(task, Task):
            raise TypeError(f"task must be a Task; got {type(task).__name__}")
        hidden = tuple(hidden)
        if not hidden:
            raise ValueError("hidden must list at least one layer width")
        for width in hidden:
            check_whole_number(width, "hidden", minimum=1)
        check_rng(rng)
        check_choice(precision, "precision", ("float64", "float32"))
        self.task = task
        self.hidden = hidden
        self.precision = precision
        self._dtype = np.dtype(precision)
        self.offsets = np.cumsum([0, *_FEATURE_SIZES[:-1]])
        self.input_size = int(sum(_FEATURE_SIZES))
        sizes = [self.input_size, *hidden, NUM_OUTPUTS]
        self.params: dict[str, np.ndarray] = {}
        for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            active = _NUM_FEATURES if layer == 0 else fan_in  # one unit on per one-hot
            scale = np.sqrt(2.0 / active) if layer < len(hidden) else 0.1 / np.sqrt(fan_in)
            self.params[f"W{layer}"] = rng.normal(0.0, scale, size=(fan_in, fan_out))
            self.params[f"b{layer}"] = np.zeros(fan_out)

    # ------------------------------------------------------------------ basics
    @property
    def num_layers(self) -> int:
        return len(self.hidden) + 1

    def num_parameters(self) -> int:
        """Total number of weights and biases."""
        return int(sum(p.size for p in self.params.values()))

    def copy(self) -> MLPPolicy:
        """An independent copy (for the frozen reference model, or a student's start)."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return (
            f"MLPPolicy(hidden={self.hidden}, parameters={self.num_parameters()}, "
            f"steps={self.task.num_steps})"
        )

    # ---------------------------------------------------------------- features
    def _index(self, prompts: np.ndarray, completions: np.ndarray) -> np.ndarray:
        """Active input units for every position: ``(B, T, 5)`` (teacher forcing)."""
        b, t = completions.shape
        padded = np.concatenate([np.full((b, 2), BOS, dtype=np.int64), completions], axis=1)
        prev, prev2 = padded[:, 1:-1], padded[:, :-2]
        is_eq = completions == EQ
        eq_seen = (np.cumsum(is_eq, axis=1) - is_eq) > 0  # '=' strictly before t
        is_chain_digit = (completions < 10) & ~np.cumsum(is_eq, axis=1).astype(bool)
        written = np.cumsum(is_chain_digit, axis=1) - is_chain_digit  # chain digits before t
        # last chain digit before t: carry the latest chain digit forward
        last_pos = np.where(is_chain_digit, np.arange(t), -1)
        last_pos = np.maximum.accumulate(last_pos, axis=1)
        last_pos = np.concatenate([np.full((b, 1), -1), last_pos[:, :-1]], axis=1)
        partial = np.where(
            last_pos >= 0, np.take_along_axis(completions, np.maximum(last_pos, 0), 1), _NO_DIGIT
        )
        return self._units(prompts, prev, prev2, partial, written, eq_seen)

    def _units(
        self,
        prompts: np.ndarray,
        prev: np.ndarray,
        prev2: np.ndarray,
        partial: np.ndarray,
        written: np.ndarray,
        eq_seen: np.ndarray,
    ) -> np.ndarray:
        """Stack the five one-hot indices (shared by teacher forcing and sampling)."""
        s = self.task.num_steps
        rows = np.arange(prompts.shape[0]).reshape((-1,) + (1,) * (written.ndim - 1))
        last = np.where(written >= 1, prompts[rows, np.clip(written - 1, 0, s - 1)], _NO_DIGIT)
        last = np.where(written > s, _NO_DIGIT, last)
        nxt = np.where(
            (written < s) & ~eq_seen, prompts[rows, np.clip(written, 0, s - 1)], _NO_DIGIT
        )
        index = np.stack([prev, prev2, partial, last, nxt], axis=-1)
        return index + self.offsets

    def _check_inputs(self, prompts: object, completions: object) -> tuple[np.ndarray, np.ndarray]:
        prompts = self.task.check_prompts(prompts)
        completions = np.asarray(completions)
        if completions.ndim != 2 or completions.shape[0] != prompts.shape[0]:
            raise ValueError(
                f"completions must be (B, T) with B = {prompts.shape[0]}; got {completions.shape}"
            )
        if not 1 <= completions.shape[1] <= self.task.max_length:
            raise ValueError(
                f"completions must have 1..{self.task.max_length} columns; got {completions.shape}"
            )
        if completions.dtype.kind not in "iu":
            raise TypeError(f"completions must hold integer token ids; got {completions.dtype}")
        if completions.min() < 0 or completions.max() >= NUM_OUTPUTS:
            raise ValueError(f"completions must hold token ids 0..{NUM_OUTPUTS - 1}")
        return prompts, completions.astype(np.int64, copy=False)

    # ----------------------------------------------------------------- forward
    def _cast_params(self) -> dict[str, np.ndarray]:
        """The parameters in the compute precision (no copy in float64)."""
        return {k: v.astype(self._dtype, copy=False) for k, v in self.params.items()}

    def _one_hot(self, index: np.ndarray) -> np.ndarray:
        """Dense 0/1 input rows ``(N, input_size)`` from active-unit indices ``(N, 5)``.

        A dense product with ``W_0`` beats gathering its rows one feature at a time.
        """
        n = index.shape[0]
        inputs = np.zeros((n, self.input_size), dtype=self._dtype)
        inputs.reshape(-1)[(np.arange(n) * self.input_size)[:, None] + index] = 1.0
        return inputs

    def _forward_rows(
        self, inputs: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Logits, hidden activations and pre-activations for one-hot input rows."""
        p = self._cast_params()
        pre = inputs @ p["W0"] + p["b0"]
        pres, acts = [pre], []
        h = np.maximum(pre, 0)
        for layer in range(1, len(self.hidden)):
            acts.append(h)
            pre = h @ p[f"W{layer}"] + p[f"b{layer}"]
            pres.append(pre)
            h = np.maximum(pre, 0)
        acts.append(h)
        last = self.num_layers - 1
        return h @ p[f"W{last}"] + p[f"b{last}"], acts, pres

    def logits(self, prompts: np.ndarray, completions: np.ndarray) -> np.ndarray:
        """Next-token logits at every position (teacher forcing): ``(B, T, 13)``."""
        prompts, completions = self._check_inputs(prompts, completions)
        index = self._index(prompts, completions).reshape(-1, _NUM_FEATURES)
        z, _, _ = self._forward_rows(self._one_hot(index))
        return z.astype(np.float64, copy=False).reshape(*completions.shape, NUM_OUTPUTS)

    def log_probs(
        self, prompts: np.ndarray, completions: np.ndarray
    ) -> tuple[np.ndarray, ForwardCache]:
        """Per-token log-probabilities ``log π(o_t | x, o_<t)`` at temperature 1.

        Returns
        -------
        logp : numpy.ndarray
            ``(B, T)``; positions after EOS are computed too (mask them).
        cache : ForwardCache
            For :meth:`backward_logp` / :meth:`backward`.
        """
        prompts, completions = self._check_inputs(prompts, completions)
        index = self._index(prompts, completions).reshape(-1, _NUM_FEATURES)
        inputs = self._one_hot(index)
        logits, acts, pres = self._forward_rows(inputs)
        z = logits - logits.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        tokens = completions.reshape(-1)
        logp = log_p[np.arange(len(tokens)), tokens].astype(np.float64)
        cache = ForwardCache(
            completions.shape, index, inputs, acts, pres, logits, np.exp(log_p), tokens
        )
        return logp.reshape(completions.shape), cache

    # ---------------------------------------------------------------- backward
    def backward(self, cache: ForwardCache, dlogits: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of a scalar loss with respect to every parameter, given d loss / d logits.

        ``dlogits`` is ``(B, T, 13)`` (or ``(B·T, 13)``) for the positions of ``cache``.
        """
        n = cache.index.shape[0]
        dz = as_float_array(dlogits, "dlogits").reshape(n, NUM_OUTPUTS).astype(self._dtype)
        p = self._cast_params()
        grads: dict[str, np.ndarray] = {}
        last = self.num_layers - 1
        grads[f"W{last}"] = cache.activations[-1].T @ dz
        grads[f"b{last}"] = dz.sum(axis=0)
        dh = dz @ p[f"W{last}"].T
        for layer in range(last - 1, -1, -1):
            dpre = dh * (cache.pre[layer] > 0)
            grads[f"b{layer}"] = dpre.sum(axis=0)
            if layer == 0:
                grads["W0"] = cache.inputs.T @ dpre
            else:
                grads[f"W{layer}"] = cache.activations[layer - 1].T @ dpre
                dh = dpre @ p[f"W{layer}"].T
        return {key: value.astype(np.float64, copy=False) for key, value in grads.items()}

    def backward_logp(self, cache: ForwardCache, dlogp: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients given d loss / d logp (``(B, T)``, e.g. ``grpo_loss(...).grad``).

        Uses :math:`\\partial \\log\\pi(y)/\\partial z_v = 1[v=y] - \\pi(v)`.
        """
        g = as_float_array(dlogp, "dlogp").reshape(-1)
        if g.shape[0] != cache.index.shape[0]:
            raise ValueError(f"dlogp must have shape {cache.shape}; got {np.shape(dlogp)}")
        g = g.astype(self._dtype, copy=False)
        dz = -cache.probs * g[:, None]
        dz[np.arange(len(g)), cache.tokens] += g
        return self.backward(cache, dz)

    # ---------------------------------------------------------------- sampling
    def sample(
        self,
        prompts: np.ndarray,
        rng: np.random.Generator,
        *,
        temperature: float = 1.0,
        max_length: int | None = None,
    ) -> np.ndarray:
        """Sample one completion per prompt at ``temperature``, vectorised over the batch.

        Each position draws from ``softmax(z / T)``; sequences that have produced EOS are
        padded with ``PAD``. Returns ``(B, max_length)`` token ids.
        """
        prompts = self.task.check_prompts(prompts)
        check_rng(rng)
        temperature = check_positive(temperature, "temperature")
        length = self.task.max_length if max_length is None else max_length
        length = check_whole_number(length, "max_length", minimum=1)
        if length > self.task.max_length:
            raise ValueError(f"max_length must be <= {self.task.max_length}; got {length}")
        b = prompts.shape[0]
        out = np.full((b, length), PAD, dtype=np.int64)
        prev = np.full(b, BOS, dtype=np.int64)
        prev2 = np.full(b, BOS, dtype=np.int64)
        partial = np.full(b, _NO_DIGIT, dtype=np.int64)
        written = np.zeros(b, dtype=np.int64)
        eq_seen = np.zeros(b, dtype=bool)
        alive = np.arange(b)
        for t in range(length):
            index = self._units(
                prompts[alive],
                prev[alive],
                prev2[alive],
                partial[alive],
                written[alive],
                eq_seen[alive],
            )
            z, _, _ = self._forward_rows(self._one_hot(index))
            z = z / temperature
            z -= z.max(axis=1, keepdims=True)
            cdf = np.cumsum(np.exp(z), axis=1)
            u = rng.random(len(alive)) * cdf[:, -1]
            token = np.minimum((cdf < u[:, None]).sum(axis=1), NUM_OUTPUTS - 1)
            out[alive, t] = token
            chain_digit = (token < 10) & ~eq_seen[alive]
            partial[alive] = np.where(chain_digit, token, partial[alive])
            written[alive] += chain_digit
            eq_seen[alive] |= token == EQ
            prev2[alive] = prev[alive]
            prev[alive] = token
            alive = alive[token != EOS]
            if alive.size == 0:
                break
        return out
