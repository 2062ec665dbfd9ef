"""A tiny GPT in numpy: a decoder-only transformer with exact backpropagation.

The architecture is GPT-2's (Radford et al. 2019), itself the decoder of the
Transformer (Vaswani et al. 2017); the layout of this file follows the spirit of
Karpathy's nanoGPT: one short function per layer, its backward right next to it, and
a model class that strings them together. No code is copied from any of them.

For a batch of token ids ``tokens`` of shape ``(B, T)``::

    x = wte[tokens] + wpe[:T]                  # token + position embeddings   (B, T, d)
    for each of the n_layer blocks:            # pre-LayerNorm residual blocks
        x = x + attention(layer_norm(x))       # causal multi-head self-attention
        x = x + mlp(layer_norm(x))             # d -> 4d -> GELU -> d
    logits = layer_norm(x) @ head              # final LayerNorm, output head  (B, T, V)

* **Causal self-attention** with ``H = n_head`` heads of size ``d / H``: for each head,
  ``att = softmax(q k^T / sqrt(d / H) + mask)`` where ``mask`` is ``-inf`` above the
  diagonal, so position ``t`` only sees positions ``<= t``; ``y = att v``; the heads are
  concatenated and projected back to ``d`` (Vaswani et al. 2017, eq. 1 and section 3.2.2).
* **MLP**: ``gelu(x W_fc + b_fc) W_proj + b_proj`` with hidden size ``4 d`` and GPT-2's
  tanh form of GELU, ``gelu(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``
  (Hendrycks & Gimpel 2016), computed as the equal ``x sigmoid(2u)``. Powers are written
  as products: numpy's float32 ``x**3`` goes through ``pow`` and is about 80 times slower.
* **LayerNorm** ``(x - mean) / sqrt(var + 1e-5) * w + b`` over the feature axis.
* **Output head**: untied, a ``(d, V)`` matrix of its own without bias. GPT-2 ties it to
  the token embedding; here it is kept separate so that every parameter array has one
  job and one gradient path, which keeps the backward pass plain to read. It costs
  ``d V`` extra parameters (2,048 for ``d = 32``, ``V = 64``).
* **Initialisation** as in GPT-2 / nanoGPT: weights ``N(0, 0.02^2)``, biases zero,
  LayerNorm gains one, and the two projections that write into the residual stream
  scaled by ``1 / sqrt(2 n_layer)``.

Speed at this size is set by element-wise passes over arrays, not by the matrix
products, so the code avoids needless temporaries, and sums over a short last axis are
products with a ones vector (:func:`row_sum`), which numpy runs several times faster.

The model sees token ids and positions only. :meth:`GPT.generate` samples with a
key/value cache (each step runs one new token per row and attends over the stored keys
and values), at a temperature, optionally with nucleus (top-p) filtering
(Holtzman et al. 2020). :meth:`GPT.token_logprobs` gives the per-token log-probabilities
``log p(tokens[:, t+1] | tokens[:, :t+1])`` a policy-gradient loss needs, and
:meth:`GPT.token_logprobs_backward` their exact gradient.

Every public method checks its arguments once and raises a ``ValueError`` /
``TypeError`` naming the bad one. A training loop that has already checked its batch
calls the unchecked cores instead: :meth:`GPT.forward_unchecked`,
:meth:`GPT.backward_unchecked`, :meth:`GPT.token_logprobs_unchecked`,
:meth:`GPT.token_logprobs_backward_unchecked` and :meth:`GPT.generate_unchecked`.

References: A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017. A. Radford et
al., "Language Models are Unsupervised Multitask Learners", OpenAI 2019. A. Karpathy,
nanoGPT, https://github.com/karpathy/nanoGPT. D. Hendrycks and K. Gimpel, "Gaussian
Error Linear Units (GELUs)", arXiv:1606.08415. A. Holtzman et al., "The Curious Case of
Neural Text Degeneration", ICLR 2020.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from r1lib._validation import check_rng, check_whole_number

__all__ = [
    "GPT",
    "Cache",
    "GPTConfig",
    "cross_entropy",
    "cross_entropy_unchecked",
    "next_token_probs",
    "sample_next_token",
]

Array = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.int64]
Grads = dict[str, Array]

#: variance epsilon of every LayerNorm (GPT-2's value)
LN_EPS = 1e-5
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715


@dataclass(frozen=True)
class GPTConfig:
    """Sizes of a :class:`GPT`.

    Parameters
    ----------
    vocab_size : int
        Number of token ids ``V``; tokens are ``0 .. V-1``.
    block_size : int
        Longest sequence the model accepts (prompt + completion); the number of learned
        position embeddings.
    n_layer, n_head, n_embd : int
        Transformer blocks, attention heads per block and the width ``d``;
        ``n_embd`` must be a multiple of ``n_head``.
    """

    vocab_size: int
    block_size: int
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 32

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            check_whole_number(getattr(self, name), name, minimum=1)
        if self.n_embd % self.n_head:
            raise ValueError(
                f"n_embd must be a multiple of n_head; got n_embd={self.n_embd}, "
                f"n_head={self.n_head}"
            )


# ----------------------------------------------------------------------------------------
# Layers: each forward returns (output, what its backward needs); each backward returns
# the gradient with respect to its input and stores its parameters' gradients in `grads`.
# Activations are 2-D, (N, features) with N = B*T rows, except inside attention.
# ----------------------------------------------------------------------------------------


def row_sum(x: Array) -> Array:
    """Sum over the last axis, keeping it (size 1), as a product with a vector of ones.

    Same result as ``x.sum(axis=-1, keepdims=True)``; numpy's reductions over a short
    last axis (here 24 or 32 entries) run several times slower than the matrix product.
    """
    return x @ np.ones((x.shape[-1], 1), dtype=x.dtype)


def row_mean(x: Array) -> Array:
    """Mean over the last axis, keeping it (see :func:`row_sum`)."""
    return row_sum(x) * (1.0 / x.shape[-1])


def layer_norm(x: Array, w: Array, b: Array) -> tuple[Array, tuple[Array, Array]]:
    """``y = (x - mean(x)) / sqrt(var(x) + eps) * w + b`` over the last axis."""
    xc = x - row_mean(x)
    rstd = 1.0 / np.sqrt(row_mean(xc * xc) + LN_EPS)
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd)


def layer_norm_backward(
    dy: Array, w: Array, cache: tuple[Array, Array], grads: Grads, prefix: str
) -> Array:
    """``dx = rstd (g - mean(g) - xhat mean(g xhat))`` with ``g = dy w``."""
    xhat, rstd = cache
    grads[prefix + ".w"] = (dy * xhat).sum(axis=0)
    grads[prefix + ".b"] = dy.sum(axis=0)
    g = dy * w
    return rstd * (g - row_mean(g) - xhat * row_mean(g * xhat))


def gelu(x: Array) -> tuple[Array, tuple[Array, Array]]:
    """GELU in GPT-2's tanh form, computed as ``x sigmoid(2u)``.

    ``gelu(x) = x/2 (1 + tanh u) = x sigmoid(2u)``, ``u = c (x + a x^3)``,
    ``c = sqrt(2/pi)``, ``a = 0.044715`` (``(1 + tanh u)/2 = sigmoid(2u)`` exactly; the
    sigmoid form takes fewer passes over the array).
    """
    with np.errstate(over="ignore"):  # exp overflows for very negative x: s = 0, exactly
        s = 1.0 / (1.0 + np.exp(x * (-2 * _GELU_C - 2 * _GELU_C * _GELU_A * (x * x))))
    return x * s, (x, s)


def gelu_backward(dy: Array, cache: tuple[Array, Array]) -> Array:
    """``gelu'(x) = s + x s (1 - s) 2u' = s (1 + (1 - s) x 2c (1 + 3 a x^2))``."""
    x, s = cache
    return dy * s * (1.0 + (1.0 - s) * x * (2 * _GELU_C + 6 * _GELU_C * _GELU_A * (x * x)))


def linear(x: Array, w: Array, b: Array) -> Array:
    """``y = x w + b``; ``x`` is (N, fan_in)."""
    y = x @ w
    y += b
    return y


def linear_backward(dy: Array, x: Array, w: Array, grads: Grads, w_name: str, b_name: str) -> Array:
    """``dw = x^T dy``, ``db = sum(dy)``, ``dx = dy w^T``; stores dw, db under their names."""
    grads[w_name] = x.T @ dy
    grads[b_name] = dy.sum(axis=0)
    return dy @ w.T


def _causal_mask(t: int, dtype: npt.DTypeLike) -> Array:
    """(T, T) additive mask: 0 on and below the diagonal, -inf above it."""
    return np.triu(np.full((t, t), -np.inf, dtype=dtype), k=1)


def softmax(z: Array) -> Array:
    """Softmax over the last axis (max-shifted; rows of all ``-inf`` are not allowed)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / row_sum(e)


def attention(
    x: Array, p: dict[str, Array], prefix: str, shape: tuple[int, int], n_head: int
) -> tuple[Array, tuple[Array, ...]]:
    """Causal multi-head self-attention on ``x`` (B*T, d); returns (B*T, d).

    ``q, k, v = split(x W_qkv + b_qkv)``, each cut into ``H`` heads of size ``hs = d/H``;
    per head ``att = softmax(q k^T / sqrt(hs) + mask)`` and ``y = att v``; the heads'
    outputs side by side, projected: ``y W_proj + b_proj``.
    """
    batch, t = shape
    d = x.shape[1]
    hs = d // n_head
    qkv = linear(x, p[prefix + ".w_qkv"], p[prefix + ".b_qkv"])  # (N, 3d)
    # (N, 3d) -> (3, B, H, T, hs): one array per role, heads as a batch axis
    q, k, v = qkv.reshape(batch, t, 3, n_head, hs).transpose(2, 0, 3, 1, 4)
    scale = 1.0 / math.sqrt(hs)
    scores = q @ k.transpose(0, 1, 3, 2)  # (B, H, T, T)
    scores *= scale
    scores += _causal_mask(t, x.dtype)
    att = softmax(scores)
    y = (att @ v).transpose(0, 2, 1, 3).reshape(batch * t, d)  # heads side by side
    out = linear(y, p[prefix + ".w_proj"], p[prefix + ".b_proj"])
    return out, (x, q, k, v, att, y)


def attention_backward(
    dout: Array,
    p: dict[str, Array],
    cache: tuple[Array, ...],
    grads: Grads,
    prefix: str,
    n_head: int,
) -> Array:
    """Backward of :func:`attention`; the softmax's is ``dz = att (datt - sum(datt att))``."""
    x, q, k, v, att, y = cache
    batch, _, t, hs = q.shape
    d = x.shape[1]
    scale = 1.0 / math.sqrt(hs)
    dy = linear_backward(
        dout, y, p[prefix + ".w_proj"], grads, prefix + ".w_proj", prefix + ".b_proj"
    )
    dy = dy.reshape(batch, t, n_head, hs).transpose(0, 2, 1, 3)  # (B, H, T, hs)
    datt = dy @ v.transpose(0, 1, 3, 2)  # y = att v
    dv = att.transpose(0, 1, 3, 2) @ dy
    dz = att * (datt - row_sum(datt * att)) * scale  # through softmax and the 1/sqrt(hs)
    dq = dz @ k  # z = q k^T (masked entries have att = 0, so dz = 0 there)
    dk = dz.transpose(0, 1, 3, 2) @ q
    dqkv = np.stack((dq, dk, dv)).transpose(1, 3, 0, 2, 4).reshape(batch * t, 3 * d)
    return linear_backward(
        dqkv, x, p[prefix + ".w_qkv"], grads, prefix + ".w_qkv", prefix + ".b_qkv"
    )


def mlp(x: Array, p: dict[str, Array], prefix: str) -> tuple[Array, tuple[Any, ...]]:
    """``gelu(x W_fc + b_fc) W_proj + b_proj``."""
    h, gelu_cache = gelu(linear(x, p[prefix + ".w_fc"], p[prefix + ".b_fc"]))
    out = linear(h, p[prefix + ".w_proj"], p[prefix + ".b_proj"])
    return out, (x, h, gelu_cache)


def mlp_backward(
    dout: Array, p: dict[str, Array], cache: tuple[Any, ...], grads: Grads, prefix: str
) -> Array:
    """Backward of :func:`mlp`."""
    x, h, gelu_cache = cache
    dh = linear_backward(
        dout, h, p[prefix + ".w_proj"], grads, prefix + ".w_proj", prefix + ".b_proj"
    )
    dpre = gelu_backward(dh, gelu_cache)
    return linear_backward(dpre, x, p[prefix + ".w_fc"], grads, prefix + ".w_fc", prefix + ".b_fc")


@dataclass
class Cache:
    """What a backward pass needs from its forward pass.

    Three fields may be read by callers: ``tokens`` (B, T), ``logits`` (B, T, V) (the
    forward's output), and, after :meth:`GPT.token_logprobs`, ``probs`` (B, T-1, V):
    ``softmax(logits[:, :-1] / temperature)``, the full next-token distributions (for
    an entropy, say). The rest (``layers``, ``final``) is the backward's business.
    """

    tokens: IntArray
    logits: Array
    layers: list[tuple[Any, ...]] = field(default_factory=list)
    final: tuple[Array, tuple[Array, Array]] | None = None
    probs: Array | None = None
    temperature: float = 1.0


class GPT:
    """A decoder-only transformer language model (see the module docstring).

    Parameters
    ----------
    config : GPTConfig
        Its sizes.
    rng : numpy.random.Generator
        Draws the initial weights.
    dtype : numpy float dtype, default float32
        Dtype of every parameter and activation; float64 for gradient checks.

    Attributes
    ----------
    params : dict[str, numpy.ndarray]
        Every trainable array by name: ``wte`` (V, d), ``wpe`` (block_size, d), per
        block ``l``: ``h{l}.ln1.w/.b``, ``h{l}.attn.w_qkv/.b_qkv`` (d, 3d),
        ``h{l}.attn.w_proj/.b_proj`` (d, d), ``h{l}.ln2.w/.b``,
        ``h{l}.mlp.w_fc/.b_fc`` (d, 4d), ``h{l}.mlp.w_proj/.b_proj`` (4d, d); then
        ``ln_f.w/.b`` and ``head`` (d, V). An optimiser may update them in place.
    """

    def __init__(
        self, config: GPTConfig, rng: np.random.Generator, dtype: npt.DTypeLike = np.float32
    ) -> None:
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig; got {type(config).__name__}")
        check_rng(rng)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype must be float32 or float64; got {self.dtype}")
        self.config = config
        d, std = config.n_embd, 0.02
        proj_std = std / math.sqrt(2 * config.n_layer)
        shapes_and_init: list[tuple[str, tuple[int, ...], float | str]] = [
            ("wte", (config.vocab_size, d), std),
            ("wpe", (config.block_size, d), std),
        ]
        for layer in range(config.n_layer):
            h = f"h{layer}"  # block l's parameters are named h{l}.*
            shapes_and_init += [
                (f"{h}.ln1.w", (d,), "ones"),
                (f"{h}.ln1.b", (d,), "zeros"),
                (f"{h}.attn.w_qkv", (d, 3 * d), std),
                (f"{h}.attn.b_qkv", (3 * d,), "zeros"),
                (f"{h}.attn.w_proj", (d, d), proj_std),
                (f"{h}.attn.b_proj", (d,), "zeros"),
                (f"{h}.ln2.w", (d,), "ones"),
                (f"{h}.ln2.b", (d,), "zeros"),
                (f"{h}.mlp.w_fc", (d, 4 * d), std),
                (f"{h}.mlp.b_fc", (4 * d,), "zeros"),
                (f"{h}.mlp.w_proj", (4 * d, d), proj_std),
                (f"{h}.mlp.b_proj", (d,), "zeros"),
            ]
        shapes_and_init += [
            ("ln_f.w", (d,), "ones"),
            ("ln_f.b", (d,), "zeros"),
            ("head", (d, config.vocab_size), std),
        ]
        self.params: dict[str, Array] = {}
        for name, shape, init in shapes_and_init:
            if init == "ones":
                value = np.ones(shape)
            elif init == "zeros":
                value = np.zeros(shape)
            else:
                value = rng.normal(0.0, float(init), size=shape)
            self.params[name] = value.astype(self.dtype)

    # ------------------------------------------------------------------ bookkeeping

    def num_params(self) -> int:
        """Number of trainable scalars."""
        return sum(int(p.size) for p in self.params.values())

    def copy(self) -> GPT:
        """A deep copy (e.g. a frozen reference model); shares no array with ``self``."""
        clone = GPT.__new__(GPT)
        clone.config = self.config
        clone.dtype = self.dtype
        clone.params = {name: p.copy() for name, p in self.params.items()}
        return clone

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the config and every parameter to an ``.npz`` file at exactly ``path``."""
        arrays: dict[str, Any] = {f"param/{k}": v for k, v in self.params.items()}
        arrays.update({f"config/{k}": np.int64(v) for k, v in asdict(self.config).items()})
        with open(path, "wb") as file:  # a file object: numpy adds no ".npz" suffix
            np.savez(file, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GPT:
        """Read a model written by :meth:`save` (its dtype is the saved arrays')."""
        with np.load(path, allow_pickle=False) as data:
            config = GPTConfig(
                **{k.split("/", 1)[1]: int(data[k]) for k in data.files if k.startswith("config/")}
            )
            params = {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith("param/")}
        model = cls(config, np.random.default_rng(0), dtype=params["wte"].dtype)
        if set(params) != set(model.params):
            raise ValueError(
                f"path holds parameters {sorted(params)}; expected {sorted(model.params)}"
            )
        for name, value in params.items():
            if value.shape != model.params[name].shape:
                raise ValueError(
                    f"path: parameter {name} has shape {value.shape}; "
                    f"expected {model.params[name].shape}"
                )
            model.params[name] = value
        return model

    # ------------------------------------------------------------------ validation

    def check_tokens(self, tokens: object, name: str = "tokens") -> IntArray:
        """``tokens`` as an int64 ``(B, T)`` array this model can read (``T`` at most the
        block size, ids in its vocabulary); a ``TypeError`` / ``ValueError`` naming
        ``name`` otherwise."""
        if not isinstance(tokens, np.ndarray):
            raise TypeError(f"{name} must be a numpy array of int; got {type(tokens).__name__}")
        if tokens.dtype.kind not in "iu":
            raise TypeError(f"{name} must have an integer dtype; got {tokens.dtype}")
        if tokens.ndim != 2 or tokens.shape[0] == 0 or tokens.shape[1] == 0:
            raise ValueError(f"{name} must be 2-D (batch, time), non-empty; got {tokens.shape}")
        if tokens.shape[1] > self.config.block_size:
            raise ValueError(
                f"{name} has {tokens.shape[1]} positions; block_size is {self.config.block_size}"
            )
        low, high = int(tokens.min()), int(tokens.max())
        if low < 0 or high >= self.config.vocab_size:
            raise ValueError(
                f"{name} must be token ids in [0, {self.config.vocab_size}); "
                f"got values in [{low}, {high}]"
            )
        return tokens.astype(np.int64, copy=False)

    def _check_grad(self, value: object, name: str, shape: tuple[int, ...]) -> Array:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must contain real numbers; got dtype {array.dtype}")
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape} (the forward's); got {array.shape}")
        return array.astype(self.dtype, copy=False)

    @staticmethod
    def _check_cache(cache: object) -> Cache:
        if not isinstance(cache, Cache):
            raise TypeError(
                f"cache must be the Cache a forward returned; got {type(cache).__name__}"
            )
        return cache

    # ------------------------------------------------------------------ forward / backward

    def forward(self, tokens: np.ndarray) -> tuple[Array, Cache]:
        """Logits of the next token at every position.

        Parameters
        ----------
        tokens : numpy.ndarray of int, shape (B, T)
            Token ids in ``[0, vocab_size)``, ``1 <= T <= block_size``.

        Returns
        -------
        logits : numpy.ndarray, shape (B, T, V)
            ``logits[b, t]`` scores the token that follows ``tokens[b, :t+1]``.
        cache : Cache
            For :meth:`backward`.
        """
        return self.forward_unchecked(self.check_tokens(tokens))

    def forward_unchecked(self, tokens: IntArray) -> tuple[Array, Cache]:
        """:meth:`forward` without argument checks, for loops that have checked already."""
        p, cfg = self.params, self.config
        batch, t = tokens.shape
        x: Array = (p["wte"][tokens] + p["wpe"][:t]).reshape(batch * t, cfg.n_embd)
        cache = Cache(tokens=tokens, logits=x)  # logits filled in below
        for layer in range(cfg.n_layer):
            block = f"h{layer}"
            xn, ln1 = layer_norm(x, p[block + ".ln1.w"], p[block + ".ln1.b"])
            a, att = attention(xn, p, block + ".attn", (batch, t), cfg.n_head)
            x = x + a
            xn, ln2 = layer_norm(x, p[block + ".ln2.w"], p[block + ".ln2.b"])
            m, mlp_cache = mlp(xn, p, block + ".mlp")
            x = x + m
            cache.layers.append((ln1, att, ln2, mlp_cache))
        x, lnf = layer_norm(x, p["ln_f.w"], p["ln_f.b"])
        logits = (x @ p["head"]).reshape(batch, t, cfg.vocab_size)
        cache.final, cache.logits = (x, lnf), logits
        return logits, cache

    def backward(self, dlogits: np.ndarray, cache: Cache) -> dict[str, Array]:
        """Gradients of a scalar loss ``L`` given ``dL/dlogits``.

        Parameters
        ----------
        dlogits : array, shape (B, T, V)
            ``dL/dlogits`` for the logits :meth:`forward` returned with ``cache``.
        cache : Cache
            From that forward.

        Returns
        -------
        dict[str, numpy.ndarray]
            ``dL/dparam`` with the keys and shapes of :attr:`params`.
        """
        cache = self._check_cache(cache)
        return self.backward_unchecked(
            self._check_grad(dlogits, "dlogits", cache.logits.shape), cache
        )

    def backward_unchecked(self, dlogits: Array, cache: Cache) -> dict[str, Array]:
        """:meth:`backward` without argument checks (``dlogits`` in the model's dtype)."""
        p, cfg = self.params, self.config
        batch, t = cache.tokens.shape
        grads: Grads = {}
        assert cache.final is not None
        xf, lnf = cache.final
        dlogits = dlogits.reshape(batch * t, cfg.vocab_size)
        grads["head"] = xf.T @ dlogits
        dx = layer_norm_backward(dlogits @ p["head"].T, p["ln_f.w"], lnf, grads, "ln_f")
        for layer in reversed(range(cfg.n_layer)):
            block = f"h{layer}"
            ln1, att, ln2, mlp_cache = cache.layers[layer]
            dxn = mlp_backward(dx, p, mlp_cache, grads, block + ".mlp")
            dx = dx + layer_norm_backward(dxn, p[block + ".ln2.w"], ln2, grads, block + ".ln2")
            dxn = attention_backward(dx, p, att, grads, block + ".attn", cfg.n_head)
            dx = dx + layer_norm_backward(dxn, p[block + ".ln1.w"], ln1, grads, block + ".ln1")
        dx = dx.reshape(batch, t, cfg.n_embd)
        grads["wpe"] = np.zeros_like(p["wpe"])
        grads["wpe"][:t] = dx.sum(axis=0)
        # each row's gradient goes to its token's embedding: onehot(tokens)^T dx
        onehot = np.eye(cfg.vocab_size, dtype=dx.dtype)[cache.tokens.ravel()]  # (N, V)
        grads["wte"] = onehot.T @ dx.reshape(batch * t, cfg.n_embd)
        return {name: grads[name] for name in p}  # in the order of params

    # ------------------------------------------------------------------ per-token log-probs

    def token_logprobs(
        self, tokens: np.ndarray, *, temperature: float = 1.0
    ) -> tuple[Array, Cache]:
        """Log-probability of each next token under the model.

        ``logp[b, t] = log softmax(logits[b, t] / temperature)[tokens[b, t+1]]``.

        Parameters
        ----------
        tokens : numpy.ndarray of int, shape (B, T), T >= 2
        temperature : float, default 1.0
            Logits are divided by it first, as TRL's GRPOTrainer does when it scores
            completions sampled at a temperature. Must be > 0.

        Returns
        -------
        logp : numpy.ndarray, shape (B, T-1)
        cache : Cache
            For :meth:`token_logprobs_backward`.
        """
        tokens = self.check_tokens(tokens)
        if tokens.shape[1] < 2:
            raise ValueError(f"tokens must have at least 2 positions; got {tokens.shape}")
        temperature = _check_temperature(temperature, allow_zero=False)
        return self.token_logprobs_unchecked(tokens, temperature=temperature)

    def token_logprobs_unchecked(
        self, tokens: IntArray, *, temperature: float = 1.0
    ) -> tuple[Array, Cache]:
        """:meth:`token_logprobs` without argument checks."""
        logits, cache = self.forward_unchecked(tokens)
        z = logits[:, :-1]
        if temperature != 1.0:
            z = z / temperature
        z = z - z.max(axis=-1, keepdims=True)
        log_norm = np.log(row_sum(np.exp(z)))
        logp_all = z - log_norm
        logp = np.take_along_axis(logp_all, tokens[:, 1:, None], axis=-1)[..., 0]
        cache.probs = np.exp(logp_all)
        cache.temperature = temperature
        return logp, cache

    def token_logprobs_backward(self, dlogp: np.ndarray, cache: Cache) -> dict[str, Array]:
        """Gradients of ``sum(dlogp * logp)`` with respect to every parameter.

        Uses ``d logp[b,t] / d logits[b,t,v] = (1[v = y] - p_v) / temperature`` with
        ``y = tokens[b, t+1]``; the last position's logits get no gradient.
        """
        cache = self._check_cache(cache)
        if cache.probs is None:
            raise ValueError("cache must come from token_logprobs, not forward")
        batch, t = cache.tokens.shape
        dlogp = self._check_grad(dlogp, "dlogp", (batch, t - 1))
        return self.token_logprobs_backward_unchecked(dlogp, cache)

    def token_logprobs_backward_unchecked(self, dlogp: Array, cache: Cache) -> dict[str, Array]:
        """:meth:`token_logprobs_backward` without argument checks."""
        assert cache.probs is not None
        dz = -cache.probs * dlogp[..., None]
        np.put_along_axis(
            dz,
            cache.tokens[:, 1:, None],
            np.take_along_axis(dz, cache.tokens[:, 1:, None], axis=-1) + dlogp[..., None],
            axis=-1,
        )
        dlogits = np.zeros_like(cache.logits)
        dlogits[:, :-1] = dz / cache.temperature if cache.temperature != 1.0 else dz
        return self.backward_unchecked(dlogits, cache)

    # ------------------------------------------------------------------ sampling

    def generate(
        self,
        prompts: np.ndarray,
        max_new_tokens: int,
        *,
        temperature: float,
        rng: np.random.Generator,
        top_p: float | None = None,
        stop_token: int | None = None,
        pad_token: int = 0,
        use_cache: bool = True,
        return_logits: bool = False,
    ) -> Any:
        """Sample ``max_new_tokens`` continuations of every prompt.

        Each step draws the next token of every row from ``softmax(logits / temperature)``
        (``temperature == 0``: the argmax), after nucleus filtering when ``top_p`` is
        given (see :func:`sample_next_token`). With ``use_cache`` (the default) the
        prompt runs through the model once and then each step feeds one new token per
        row, attending over the stored keys and values of the earlier positions; without
        it, each step re-runs :meth:`forward` on the whole prefix (slower, same tokens).

        Parameters
        ----------
        prompts : numpy.ndarray of int, shape (B, P)
            All prompts have the same length ``P``; ``P + max_new_tokens <= block_size``.
        max_new_tokens : int >= 1
        temperature : float >= 0
        rng : numpy.random.Generator
            One ``rng.random(B)`` draw per step (none when greedy).
        top_p : float in (0, 1], optional
        stop_token : int, optional
            A row that samples it keeps it, and every later position is ``pad_token``.
            Sampling stops early once every row has stopped.
        pad_token : int, default 0
        use_cache : bool, default True
        return_logits : bool, default False
            Also return the raw (untempered) logits that produced each new token.

        Returns
        -------
        tokens : numpy.ndarray of int64, shape (B, P + max_new_tokens)
            The prompts followed by the samples, always padded to full width.
        logits : numpy.ndarray, shape (B, max_new_tokens, V)
            Only with ``return_logits``. Steps not run (every row had stopped) are 0;
            a row that had stopped holds 0 or the logits computed on its padding (stopped
            rows are dropped from the computation once a quarter of the rows are done).
        """
        prompts = self.check_tokens(prompts, "prompts")
        max_new_tokens = check_whole_number(max_new_tokens, "max_new_tokens", minimum=1)
        if prompts.shape[1] + max_new_tokens > self.config.block_size:
            raise ValueError(
                f"max_new_tokens: prompt length {prompts.shape[1]} + max_new_tokens "
                f"{max_new_tokens} exceeds block_size {self.config.block_size}"
            )
        temperature = _check_temperature(temperature, allow_zero=True)
        rng = check_rng(rng)
        if top_p is not None:
            top_p = _check_top_p(top_p)
        vocab = self.config.vocab_size
        if stop_token is not None:
            stop_token = check_whole_number(stop_token, "stop_token", maximum=vocab - 1)
        pad_token = check_whole_number(pad_token, "pad_token", maximum=vocab - 1)
        tokens, logits = self.generate_unchecked(
            prompts,
            max_new_tokens,
            temperature=temperature,
            rng=rng,
            top_p=top_p,
            stop_token=stop_token,
            pad_token=pad_token,
            use_cache=bool(use_cache),
            return_logits=bool(return_logits),
        )
        return (tokens, logits) if return_logits else tokens

    def generate_unchecked(
        self,
        prompts: IntArray,
        max_new_tokens: int,
        *,
        temperature: float,
        rng: np.random.Generator,
        top_p: float | None = None,
        stop_token: int | None = None,
        pad_token: int = 0,
        use_cache: bool = True,
        return_logits: bool = False,
    ) -> tuple[IntArray, Array | None]:
        """:meth:`generate` without argument checks, for loops that checked them once.

        Returns ``(tokens, logits)``; ``logits`` is ``None`` unless ``return_logits``.
        """
        batch, prompt_len = prompts.shape
        total = prompt_len + max_new_tokens
        tokens = np.full((batch, total), pad_token, dtype=np.int64)
        tokens[:, :prompt_len] = prompts
        all_logits = None
        if return_logits:
            all_logits = np.zeros((batch, max_new_tokens, self.config.vocab_size), dtype=self.dtype)
        live = np.ones(batch, dtype=bool)  # rows that have not sampled the stop token
        rows = np.arange(batch)  # the rows still computed (a stopped row may linger)
        kv: list[tuple[Array, Array]] = []
        for step in range(max_new_tokens):
            pos = prompt_len + step  # where the new token goes
            if not use_cache:
                logits = self.forward_unchecked(tokens[rows, :pos])[0][:, -1]
            elif step == 0:
                logits, kv = self._prefill(prompts, total)
            else:
                logits = self._decode_step(tokens[rows, pos - 1], pos - 1, kv)
            if all_logits is not None:
                all_logits[rows, step] = logits
            if temperature == 0.0:
                new = logits.argmax(axis=-1).astype(np.int64)
            else:  # one uniform per row of the whole batch, whichever rows are computed
                uniform = rng.random((batch, 1))[rows]
                new = _inverse_cdf(logits, temperature, uniform, top_p)
            new[~live[rows]] = pad_token
            tokens[rows, pos] = new
            if stop_token is not None:
                live[rows] &= new != stop_token
                if not live.any():
                    break
                keep = live[rows]
                if keep.mean() < 0.75:  # drop the stopped rows from the work
                    rows = rows[keep]
                    kv = [(keys[keep], values[keep]) for keys, values in kv]
        return tokens, all_logits

    def _prefill(self, prompts: IntArray, total: int) -> tuple[Array, list[tuple[Array, Array]]]:
        """Run the prompts; return the last position's logits and each layer's K/V store.

        Identical prompts (a group of samples of one problem) run once. The stores have
        room for ``total`` positions, shape (B, H, total, hs).
        """
        unique, inverse = np.unique(prompts, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        logits, cache = self.forward_unchecked(unique)
        t = prompts.shape[1]
        kv = []
        for _, att, _, _ in cache.layers:
            _, _, k, v, _, _ = att
            k_store = np.zeros((len(prompts), k.shape[1], total, k.shape[3]), dtype=self.dtype)
            v_store = np.zeros_like(k_store)
            k_store[:, :, :t] = k[inverse]
            v_store[:, :, :t] = v[inverse]
            kv.append((k_store, v_store))
        return logits[inverse, -1], kv

    def _decode_step(self, token: IntArray, pos: int, kv: list[tuple[Array, Array]]) -> Array:
        """Logits after one new ``token`` per row at position ``pos`` (B,), filling K/V."""
        p, cfg = self.params, self.config
        batch = token.shape[0]
        n_head, hs = cfg.n_head, cfg.n_embd // cfg.n_head
        x = p["wte"][token] + p["wpe"][pos]  # (B, d)
        scale = 1.0 / math.sqrt(hs)
        for layer in range(cfg.n_layer):
            block = f"h{layer}"
            keys, values = kv[layer]  # (B, H, room, hs), filled up to pos - 1
            xn, _ = layer_norm(x, p[block + ".ln1.w"], p[block + ".ln1.b"])
            qkv = linear(xn, p[block + ".attn.w_qkv"], p[block + ".attn.b_qkv"])
            q, k, v = qkv.reshape(batch, 3, n_head, 1, hs).transpose(1, 0, 2, 3, 4)
            keys[:, :, pos : pos + 1] = k
            values[:, :, pos : pos + 1] = v
            # the new position attends to itself and everything before: no mask needed
            scores = (q @ keys[:, :, : pos + 1].transpose(0, 1, 3, 2)) * scale  # (B,H,1,pos+1)
            y = (softmax(scores) @ values[:, :, : pos + 1]).reshape(batch, cfg.n_embd)
            x = x + linear(y, p[block + ".attn.w_proj"], p[block + ".attn.b_proj"])
            xn, _ = layer_norm(x, p[block + ".ln2.w"], p[block + ".ln2.b"])
            m, _ = mlp(xn, p, block + ".mlp")
            x = x + m
        x, _ = layer_norm(x, p["ln_f.w"], p["ln_f.b"])
        return x @ p["head"]


# ----------------------------------------------------------------------------------------
# Sampling and the pre-training loss
# ----------------------------------------------------------------------------------------


def _check_temperature(value: object, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"temperature must be a real number; got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"temperature must be finite and {bound}; got {value!r}")
    return value


def _check_top_p(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"top_p must be a real number or None; got {type(value).__name__}")
    value = float(value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"top_p must lie in (0, 1]; got {value!r}")
    return value


def next_token_probs(logits: Array, *, temperature: float, top_p: float | None = None) -> Array:
    """The distribution :func:`sample_next_token` draws from, (B, V) float64 (unchecked).

    ``p = softmax(logits / temperature)`` (``temperature > 0``). With ``top_p`` only the
    nucleus is kept (Holtzman et al. 2020): the most likely tokens, in decreasing order,
    up to and including the first at which their cumulative probability reaches
    ``top_p``, i.e. a token stays when the mass of the tokens more likely than it is
    below ``top_p`` (so the most likely token always stays); then renormalised. This is
    transformers' ``TopPLogitsWarper`` rule, which TRL's ``top_p`` uses.
    """
    z = logits.astype(np.float64) / temperature
    probs = np.exp(z - z.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    if top_p is None or top_p >= 1.0:
        return probs
    order = np.argsort(-probs, axis=-1, kind="stable")  # most likely first
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    mass_before = np.cumsum(sorted_probs, axis=-1) - sorted_probs
    keep = np.empty(probs.shape, dtype=bool)
    np.put_along_axis(keep, order, mass_before < top_p, axis=-1)
    nucleus = np.where(keep, probs, 0.0)
    return nucleus / nucleus.sum(axis=-1, keepdims=True)


def sample_next_token(
    logits: Array, *, temperature: float, rng: np.random.Generator, top_p: float | None = None
) -> IntArray:
    """Draw one token per row of ``logits`` (B, V); unchecked core of :meth:`GPT.generate`.

    ``temperature == 0`` returns the argmax (first index on ties) and draws nothing.
    Otherwise the token is drawn from :func:`next_token_probs` by inverse CDF from one
    ``rng.random(B)``, so the same rng state gives the same tokens for the same logits.
    """
    if temperature == 0.0:
        return logits.argmax(axis=-1).astype(np.int64)
    return _inverse_cdf(logits, temperature, rng.random((logits.shape[0], 1)), top_p)


def _inverse_cdf(
    logits: Array, temperature: float, uniform: Array, top_p: float | None
) -> IntArray:
    """The token whose cumulative probability first exceeds ``uniform`` (B, 1), per row."""
    cdf = np.cumsum(next_token_probs(logits, temperature=temperature, top_p=top_p), axis=-1)
    choice = (cdf <= uniform * cdf[:, -1:]).sum(axis=-1)  # first index whose cdf exceeds u
    return np.minimum(choice, logits.shape[-1] - 1).astype(np.int64)


def cross_entropy(
    logits: Array, targets: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, Array]:
    """Mean next-token cross-entropy over the masked positions, and its gradient.

    ``loss = sum_{b,t} m[b,t] (-log softmax(logits[b,t])[targets[b,t]]) / sum m`` and
    ``dloss/dlogits[b,t] = m[b,t] (softmax(logits[b,t]) - onehot(targets[b,t])) / sum m``.
    For pre-training, call it with ``logits[:, :-1]`` of :meth:`GPT.forward` and
    ``targets = tokens[:, 1:]`` (pad the gradient's last position with zeros).

    Parameters
    ----------
    logits : numpy.ndarray, shape (B, T, V)
    targets : numpy.ndarray of int, shape (B, T)
    mask : array of bool or 0/1, shape (B, T), optional
        Positions that count (e.g. not padding); all of them when omitted.

    Returns
    -------
    loss : float
    dlogits : numpy.ndarray, shape (B, T, V), dtype of ``logits``
    """
    logits = np.asarray(logits)
    if logits.ndim != 3 or logits.dtype.kind != "f":
        raise ValueError(f"logits must be a 3-D float array (B, T, V); got {logits.shape}")
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must have an integer dtype; got {targets.dtype}")
    if targets.shape != logits.shape[:2]:
        raise ValueError(f"targets must have shape {logits.shape[:2]}; got {targets.shape}")
    if targets.min() < 0 or targets.max() >= logits.shape[2]:
        raise ValueError(f"targets must be token ids in [0, {logits.shape[2]})")
    if mask is None:
        weights = np.ones(targets.shape, dtype=logits.dtype)
    else:
        mask_array = np.asarray(mask)
        if mask_array.shape != targets.shape:
            raise ValueError(f"mask must have shape {targets.shape}; got {mask_array.shape}")
        weights = mask_array.astype(logits.dtype)
    if float(weights.sum()) == 0:
        raise ValueError("mask must select at least one position")
    return cross_entropy_unchecked(logits, targets, weights)


def cross_entropy_unchecked(
    logits: Array, targets: IntArray, weights: Array
) -> tuple[float, Array]:
    """:func:`cross_entropy` without checks: ``weights`` (B, T) in the logits' dtype, not all 0."""
    count = float(weights.sum())
    z = logits - logits.max(axis=-1, keepdims=True)
    probs = np.exp(z)
    norm = probs.sum(axis=-1, keepdims=True)
    probs /= norm
    logp = np.take_along_axis(z, targets[..., None], axis=-1)[..., 0] - np.log(norm[..., 0])
    loss = float(-(logp * weights).sum() / count)
    dlogits = probs
    np.put_along_axis(
        dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1, -1
    )
    dlogits *= (weights / count)[..., None]
    return loss, dlogits
