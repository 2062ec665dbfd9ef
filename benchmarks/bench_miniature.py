"""Speed of the capstone's numpy GPT (``r1lib.miniature.model``) at the size RL runs it.

The RL batch of the shipped teacher: B = 128 sequences of T = 24 tokens (a 12-token
prompt and a completion), d = 48, 2 layers, 4 heads, V = 136.
Both lines follow the harness: ``ratio = baseline / ours``, higher is faster for ours.

* ``GPT fwd+bwd`` (``token_logprobs`` and ``token_logprobs_backward``, as a GRPO step
  calls them) against the **matmul floor**: the very same matrix products, of the same
  shapes and dtype (float32) on ready-made contiguous arrays, and nothing else (no
  softmax, GELU, LayerNorm, reshapes or Python). The ratio is below 1; ``1 / ratio`` is
  how many times the floor the model costs, the price of the element-wise work and the
  Python around the products. Goal: within 8x of the floor.
* ``generate 128x21, KV cache`` against the uncached loop that re-runs ``forward`` on
  the whole prefix at each step (``use_cache=False``), same prompts of 12 tokens, same
  rng seed, same tokens out. The ratio is the cache's speed-up (higher is better).
  Goal: >= 3x.

Both sides run on one BLAS thread: OpenBLAS's threads cost far more than they save on
matrices of a few dozen columns, and a shared machine makes them erratic.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from benchmarks._harness import Result, compare
from r1lib.miniature.model import GPT, GPTConfig

BATCH, LENGTH, VOCAB = 128, 24, 136
PROMPT, NEW_TOKENS = 12, 21


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    try:
        from r1lib.miniature._threads import single_blas_thread
    except ImportError:  # pragma: no cover - the helper is optional
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # effective only before numpy loads
        return contextlib.nullcontext()
    return single_blas_thread()


def _model() -> GPT:
    config = GPTConfig(vocab_size=VOCAB, block_size=PROMPT + NEW_TOKENS, n_embd=48)
    return GPT(config, np.random.default_rng(0))


def _forward_backward() -> Result:
    model = _model()
    cfg = model.config
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, VOCAB, size=(BATCH, LENGTH))
    dlogp = rng.standard_normal((BATCH, LENGTH - 1)).astype(np.float32)

    def ours() -> object:
        _, cache = model.token_logprobs_unchecked(tokens)
        return model.token_logprobs_backward(dlogp, cache)

    # The matmul floor: every product of forward + backward, same shapes, nothing else.
    n, d, heads = BATCH * LENGTH, cfg.n_embd, cfg.n_head
    hs = d // heads

    def arr(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    x, w_qkv, w_attn, w_fc, w_mlp, head = (
        arr(n, d),
        arr(d, 3 * d),
        arr(d, d),
        arr(d, 4 * d),
        arr(4 * d, d),
        arr(d, VOCAB),
    )
    hidden, qkv, logits = arr(n, 4 * d), arr(n, 3 * d), arr(n, VOCAB)
    q, k, v = (
        arr(BATCH, heads, LENGTH, hs),
        arr(BATCH, heads, LENGTH, hs),
        arr(BATCH, heads, LENGTH, hs),
    )
    att = arr(BATCH, heads, LENGTH, LENGTH)

    def linear(inp: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
        inp @ w  # forward
        inp.T @ out  # weight gradient
        out @ w.T  # input gradient

    def floor() -> object:
        for _ in range(cfg.n_layer):
            linear(x, w_qkv, qkv)
            q @ k.transpose(0, 1, 3, 2)  # scores
            att @ v  # weighted values
            q @ v.transpose(0, 1, 3, 2)  # d att = dy v^T
            att.transpose(0, 1, 3, 2) @ v  # d v
            att @ k  # d q
            att.transpose(0, 1, 3, 2) @ q  # d k
            linear(x, w_attn, x)
            linear(x, w_fc, hidden)
            linear(hidden, w_mlp, x)
        linear(x, head, logits)
        return None

    with _one_blas_thread():
        return compare(
            f"GPT fwd+bwd B={BATCH} T={LENGTH} (vs matmul floor)",
            ours,
            floor,
            min_ratio=1 / 8,
            goal="within 8x of its bare matmuls",
            repeats=9,
        )


def _generate() -> Result:
    model = _model()
    prompts = np.random.default_rng(2).integers(0, VOCAB, size=(BATCH, PROMPT))

    def sample(use_cache: bool) -> np.ndarray:
        return model.generate(
            prompts, NEW_TOKENS, temperature=1.0, rng=np.random.default_rng(3), use_cache=use_cache
        )

    with _one_blas_thread():
        assert np.array_equal(sample(True), sample(False))
        return compare(
            f"generate {BATCH}x{NEW_TOKENS} KV cache (vs re-run prefix)",
            lambda: sample(True),
            lambda: sample(False),
            min_ratio=3.0,
            goal=">= 3x faster than no cache",
            repeats=5,
        )


def run() -> list[Result]:
    return [_forward_backward(), _generate()]
