"""The tiny numpy GPT: exact gradients, KV-cache sampling, causality, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from r1lib.miniature.model import (
    GPT,
    GPTConfig,
    cross_entropy,
    next_token_probs,
    sample_next_token,
)

SMALL = GPTConfig(vocab_size=11, block_size=9, n_layer=2, n_head=2, n_embd=8)


def _model(config: GPTConfig = SMALL, dtype: type = np.float64, seed: int = 0) -> GPT:
    """A model whose weights are far from their initialisation (LayerNorm gains and biases
    non-trivial, attention not uniform), so every gradient path carries signal."""
    model = GPT(config, np.random.default_rng(seed), dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    for name, value in model.params.items():
        model.params[name] = (value + 0.3 * rng.standard_normal(value.shape)).astype(dtype)
    return model


def _sampled_entries(shape: tuple[int, ...], rng: np.random.Generator, count: int = 10) -> list:
    size = math.prod(shape)
    flat = rng.choice(size, size=min(count, size), replace=False)
    return [np.unravel_index(i, shape) for i in flat]


def _check_param_grads(model: GPT, loss, grads: dict, numeric_grad, rng) -> None:
    """Compare ``grads`` with central differences of ``loss()`` at a few entries per array."""
    assert set(grads) == set(model.params)
    for name, param in model.params.items():
        assert grads[name].shape == param.shape, name
        assert grads[name].dtype == param.dtype, name
        entries = _sampled_entries(param.shape, rng)
        values = np.array([param[e] for e in entries])

        def at(v: np.ndarray, param=param, entries=entries) -> float:
            saved = [param[e] for e in entries]
            for e, x in zip(entries, v, strict=True):
                param[e] = x
            result = loss()
            for e, x in zip(entries, saved, strict=True):
                param[e] = x
            return result

        numeric = numeric_grad(at, values)
        analytic = np.array([grads[name][e] for e in entries])
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8, err_msg=name)


# ------------------------------------------------------------------ gradients


def test_backward_matches_finite_differences_for_every_parameter(numeric_grad):
    rng = np.random.default_rng(0)
    model = _model()
    tokens = rng.integers(0, SMALL.vocab_size, size=(3, 7))
    weights = rng.standard_normal((3, 7, SMALL.vocab_size))

    def loss() -> float:
        return float((model.forward(tokens)[0] * weights).sum())

    _, cache = model.forward(tokens)
    _check_param_grads(model, loss, model.backward(weights, cache), numeric_grad, rng)


@pytest.mark.parametrize("temperature", [1.0, 0.6])
def test_token_logprobs_backward_matches_finite_differences(numeric_grad, temperature):
    rng = np.random.default_rng(1)
    model = _model(seed=1)
    tokens = rng.integers(0, SMALL.vocab_size, size=(4, 9))  # full block_size
    dlogp = rng.standard_normal((4, 8))

    def loss() -> float:
        logp, _ = model.token_logprobs(tokens, temperature=temperature)
        return float((dlogp * logp).sum())

    logp, cache = model.token_logprobs(tokens, temperature=temperature)
    assert logp.shape == (4, 8)
    z = cache.logits[:, :-1] / temperature
    np.testing.assert_allclose(cache.probs, np.exp(z) / np.exp(z).sum(-1, keepdims=True))
    _check_param_grads(model, loss, model.token_logprobs_backward(dlogp, cache), numeric_grad, rng)


def test_wide_model_gradients_with_one_head_and_one_layer(numeric_grad):
    config = GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=6)
    rng = np.random.default_rng(2)
    model = _model(config, seed=2)
    tokens = rng.integers(0, 5, size=(2, 4))
    dlogp = rng.standard_normal((2, 3))

    def loss() -> float:
        return float((dlogp * model.token_logprobs(tokens)[0]).sum())

    _, cache = model.token_logprobs(tokens)
    _check_param_grads(model, loss, model.token_logprobs_backward(dlogp, cache), numeric_grad, rng)


def test_token_logprobs_are_log_softmax_of_forward_logits():
    rng = np.random.default_rng(3)
    model = _model()
    tokens = rng.integers(0, SMALL.vocab_size, size=(2, 6))
    logits, _ = model.forward(tokens)
    z = logits[:, :-1] / 0.6
    expected = z - np.log(np.exp(z).sum(-1, keepdims=True))
    expected = np.take_along_axis(expected, tokens[:, 1:, None], -1)[..., 0]
    np.testing.assert_allclose(model.token_logprobs(tokens, temperature=0.6)[0], expected)


def test_cross_entropy_value_and_gradient(numeric_grad):
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((2, 3, 5))
    targets = rng.integers(0, 5, size=(2, 3))
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    loss, dlogits = cross_entropy(logits, targets, mask)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    picked = np.take_along_axis(logp, targets[..., None], -1)[..., 0]
    assert loss == pytest.approx(-picked[mask].mean(), rel=1e-12)
    numeric = numeric_grad(lambda z: cross_entropy(z, targets, mask)[0], logits)
    np.testing.assert_allclose(dlogits, numeric, atol=1e-8)
    assert np.all(dlogits[~mask] == 0)


def test_pretraining_steps_lower_the_loss():
    """A few plain gradient steps on one batch reduce the next-token loss (float32)."""
    rng = np.random.default_rng(5)
    model = GPT(GPTConfig(vocab_size=16, block_size=12), rng)
    tokens = (np.arange(12)[None, :] + rng.integers(0, 16, size=(8, 1))) % 16  # counting

    def step() -> float:
        logits, cache = model.forward(tokens)
        loss, dz = cross_entropy(logits[:, :-1], tokens[:, 1:])
        full = np.zeros_like(logits)
        full[:, :-1] = dz
        for name, g in model.backward(full, cache).items():
            model.params[name] -= 0.5 * g
        return loss

    first = step()
    for _ in range(30):
        last = step()
    assert last < 0.5 * first


# ------------------------------------------------------------------ structure


def test_parameter_count_of_the_capstone_size():
    model = GPT(GPTConfig(vocab_size=64, block_size=32), np.random.default_rng(0))
    d, v, t = 32, 64, 32
    per_block = (
        2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d)
    )
    assert model.num_params() == v * d + t * d + 2 * per_block + 2 * d + d * v == 30_592
    assert all(p.dtype == np.float32 for p in model.params.values())


def test_causality_later_tokens_never_change_earlier_logits():
    rng = np.random.default_rng(6)
    model = _model()
    tokens = rng.integers(0, SMALL.vocab_size, size=(4, 9))
    logits, _ = model.forward(tokens)
    for t in range(9):
        changed = tokens.copy()  # change only the token at position t
        changed[:, t] = (changed[:, t] + rng.integers(1, SMALL.vocab_size)) % SMALL.vocab_size
        other, _ = model.forward(changed)
        np.testing.assert_array_equal(other[:, :t], logits[:, :t])  # bit for bit
        assert not np.allclose(other[:, t:], logits[:, t:])  # but it is seen from t on


def test_copy_is_deep_and_save_load_round_trips(tmp_path):
    model = _model(dtype=np.float32)
    clone = model.copy()
    clone.params["wte"] += 1.0
    assert not np.allclose(clone.params["wte"], model.params["wte"])
    path = tmp_path / "model.weights"  # saved at exactly this path
    model.save(path)
    loaded = GPT.load(path)
    assert loaded.config == model.config
    tokens = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(loaded.forward(tokens)[0], model.forward(tokens)[0])
    assert loaded.forward(tokens)[0].dtype == np.float32


def test_same_seed_same_model_same_samples():
    def run() -> np.ndarray:
        model = GPT(SMALL, np.random.default_rng(7))
        prompts = np.full((5, 2), 3)
        return model.generate(prompts, 6, temperature=1.0, rng=np.random.default_rng(8))

    np.testing.assert_array_equal(run(), run())


# ------------------------------------------------------------------ sampling


def _naive_generate(model, prompts, steps, temperature, rng, top_p=None, stop=None, pad=0):
    """Re-run forward() on the whole prefix at every step: the definition of sampling."""
    tokens = prompts.astype(np.int64)
    stopped = np.zeros(len(prompts), dtype=bool)
    logits_per_step = []
    for _ in range(steps):
        logits = model.forward(tokens)[0][:, -1]
        logits_per_step.append(logits)
        new = sample_next_token(logits, temperature=temperature, rng=rng, top_p=top_p)
        new[stopped] = pad
        tokens = np.concatenate([tokens, new[:, None]], axis=1)
        if stop is not None:
            stopped |= new == stop
            if stopped.all():
                break
    width = prompts.shape[1] + steps
    padded = np.full((len(prompts), width), pad, dtype=np.int64)
    padded[:, : tokens.shape[1]] = tokens
    return padded, np.stack(logits_per_step, axis=1)


@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize(("temperature", "top_p"), [(1.0, None), (0.6, 0.9), (0.0, None)])
def test_kv_cache_sampling_equals_rerunning_the_prefix(dtype, tolerance, temperature, top_p):
    model = _model(dtype=dtype, seed=9)
    prompts = np.random.default_rng(10).integers(0, SMALL.vocab_size, size=(16, 3))
    cached, cached_logits = model.generate(
        prompts,
        6,
        temperature=temperature,
        rng=np.random.default_rng(11),
        top_p=top_p,
        return_logits=True,
    )
    naive, naive_logits = _naive_generate(
        model, prompts, 6, temperature, np.random.default_rng(11), top_p=top_p
    )
    np.testing.assert_allclose(cached_logits, naive_logits, rtol=tolerance, atol=tolerance)
    np.testing.assert_array_equal(cached, naive)
    uncached = model.generate(
        prompts,
        6,
        temperature=temperature,
        rng=np.random.default_rng(11),
        top_p=top_p,
        use_cache=False,
    )
    np.testing.assert_array_equal(uncached, naive)


@pytest.mark.parametrize(("prompt_len", "new"), [(1, 8), (8, 1), (4, 5)])
def test_kv_cache_from_one_token_prompts_to_a_full_block(prompt_len, new):
    model = _model(seed=22)
    prompts = np.random.default_rng(23).integers(0, SMALL.vocab_size, size=(8, prompt_len))
    cached = model.generate(prompts, new, temperature=1.0, rng=np.random.default_rng(24))
    naive, _ = _naive_generate(model, prompts, new, 1.0, np.random.default_rng(24))
    assert cached.shape == (8, prompt_len + new)  # (1, 8) and (8, 1) fill the block of 9
    np.testing.assert_array_equal(cached, naive)


def test_stop_token_pads_the_rest_and_width_is_always_full():
    model = _model(seed=12)
    prompts = np.random.default_rng(13).integers(0, SMALL.vocab_size, size=(64, 2))
    stop, pad = 4, 0
    out = model.generate(
        prompts, 7, temperature=2.0, rng=np.random.default_rng(14), stop_token=stop, pad_token=pad
    )
    naive, _ = _naive_generate(model, prompts, 7, 2.0, np.random.default_rng(14), stop=stop)
    np.testing.assert_array_equal(out, naive)
    assert out.shape == (64, 9)
    np.testing.assert_array_equal(out[:, :2], prompts)
    completions = out[:, 2:]
    stopped_rows = 0
    for row in completions:
        hits = np.flatnonzero(row == stop)
        if hits.size:
            stopped_rows += 1
            assert np.all(row[hits[0] + 1 :] == pad)
    assert 0 < stopped_rows < 64  # both kinds of row are exercised


def test_everyone_stops_at_once_still_full_width():
    model = _model(seed=15)
    prompts = np.zeros((3, 2), dtype=np.int64)
    first = model.generate(prompts, 1, temperature=0.0, rng=np.random.default_rng(0))[:, -1]
    assert len(set(first)) == 1  # same prompt, greedy: same first token
    out = model.generate(
        prompts,
        5,
        temperature=0.0,
        rng=np.random.default_rng(0),
        stop_token=int(first[0]),
        pad_token=7,
    )
    assert out.shape == (3, 7)
    assert np.all(out[:, 3:] == 7)


def test_temperature_zero_and_tiny_top_p_are_greedy():
    model = _model(seed=16)
    prompts = np.random.default_rng(17).integers(0, SMALL.vocab_size, size=(32, 2))
    greedy = model.generate(prompts, 5, temperature=0.0, rng=np.random.default_rng(0))
    cold = model.generate(prompts, 5, temperature=1e-6, rng=np.random.default_rng(1))
    nucleus = model.generate(prompts, 5, temperature=1.0, top_p=1e-9, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(cold, greedy)
    np.testing.assert_array_equal(nucleus, greedy)


def _frequency_test(logits: np.ndarray, expected: np.ndarray, **kwargs) -> None:
    """Sampled frequencies match ``expected`` per token: each within a 5-sigma binomial band."""
    n = 40_000
    draws = sample_next_token(np.tile(logits, (n, 1)), rng=np.random.default_rng(18), **kwargs)
    freq = np.bincount(draws, minlength=logits.size) / n
    band = 5 * np.sqrt(expected * (1 - expected) / n) + 1e-12
    assert np.all(np.abs(freq - expected) <= band), (freq, expected)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sampled_frequencies_match_softmax_of_logits_over_temperature(temperature):
    logits = np.array([1.0, 0.0, -1.0, 2.0, 0.5])
    p = np.exp(logits / temperature)
    _frequency_test(logits, p / p.sum(), temperature=temperature)


def _transformers_top_p_keep(probs: np.ndarray, top_p: float) -> np.ndarray:
    """transformers' TopPLogitsWarper.__call__ (src/transformers/generation/logits_process.py,
    commit 00857b6c): sort ascending, remove tokens whose cumulative probability is
    <= 1 - top_p, always keep the most likely one. Re-expressed in numpy for the test."""
    order = np.argsort(probs, axis=-1, kind="stable")
    cumulative = np.cumsum(np.take_along_axis(probs, order, axis=-1), axis=-1)
    remove_sorted = cumulative <= 1 - top_p
    remove_sorted[..., -1] = False
    remove = np.empty_like(remove_sorted)
    np.put_along_axis(remove, order, remove_sorted, axis=-1)
    return ~remove


@pytest.mark.parametrize("top_p", [0.05, 0.3, 0.6, 0.9, 0.99])
def test_nucleus_is_the_transformers_top_p_rule(top_p):
    rng = np.random.default_rng(21)
    logits = rng.standard_normal((500, 12)) * 2.0
    probs = next_token_probs(logits, temperature=0.8, top_p=top_p)
    full = next_token_probs(logits, temperature=0.8)
    np.testing.assert_array_equal(probs > 0, _transformers_top_p_keep(full, top_p))
    kept = np.where(probs > 0, full, 0.0)
    np.testing.assert_allclose(probs, kept / kept.sum(-1, keepdims=True), rtol=1e-12)
    # the smallest such set: without its least likely member it holds less than top_p
    least = np.where(probs > 0, full, np.inf).min(-1)
    assert np.all(kept.sum(-1) >= top_p - 1e-12)
    assert np.all(kept.sum(-1) - least < top_p)


def test_top_p_keeps_the_smallest_nucleus_and_renormalises():
    logits = np.log(np.array([0.1, 0.4, 0.05, 0.3, 0.15]))
    # sorted: 0.4, 0.3, 0.15, 0.1, 0.05 -> mass before each: 0, 0.4, 0.7, 0.85, 0.95
    expected = np.array([0.0, 0.4, 0.0, 0.3, 0.15]) / 0.85  # top_p = 0.8 keeps three
    _frequency_test(logits, expected, temperature=1.0, top_p=0.8)
    _frequency_test(logits, np.array([0, 4, 0, 3, 0]) / 7, temperature=1.0, top_p=0.7)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("tokens", "error", "match"),
    [
        (np.array([[1.0, 2.0]]), TypeError, "tokens"),
        ([[1, 2]], TypeError, "tokens"),
        (np.array([1, 2]), ValueError, "tokens"),
        (np.zeros((0, 3), dtype=int), ValueError, "tokens"),
        (np.array([[1, 11]]), ValueError, "tokens"),
        (np.array([[-1, 2]]), ValueError, "tokens"),
        (np.zeros((1, 10), dtype=int), ValueError, "block_size"),
    ],
)
def test_bad_tokens_are_refused(tokens, error, match):
    model = _model()
    with pytest.raises(error, match=match):
        model.forward(tokens)
    with pytest.raises(error, match=match):
        model.token_logprobs(tokens)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"temperature": -0.1}, ValueError, "temperature"),
        ({"temperature": float("nan")}, ValueError, "temperature"),
        ({"temperature": "1"}, TypeError, "temperature"),
        ({"top_p": 0.0}, ValueError, "top_p"),
        ({"top_p": 1.5}, ValueError, "top_p"),
        ({"rng": 0}, TypeError, "rng"),
        ({"max_new_tokens": 0}, ValueError, "max_new_tokens"),
        ({"max_new_tokens": 8}, ValueError, "block_size"),
        ({"stop_token": 11}, ValueError, "stop_token"),
        ({"pad_token": -1}, ValueError, "pad_token"),
        ({"prompts": np.array([[1.5, 2]])}, TypeError, "prompts"),
    ],
)
def test_bad_generate_arguments_are_refused(kwargs, error, match):
    model = _model()
    args = {
        "prompts": np.array([[1, 2]]),
        "max_new_tokens": 3,
        "temperature": 1.0,
        "rng": np.random.default_rng(0),
    } | kwargs
    with pytest.raises(error, match=match):
        model.generate(**args)


def test_bad_backward_arguments_and_config_are_refused():
    model = _model()
    logits, cache = model.forward(np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match="dlogits"):
        model.backward(np.zeros((1, 2, 11)), cache)
    with pytest.raises(TypeError, match="cache"):
        model.backward(np.zeros_like(logits), None)
    with pytest.raises(ValueError, match="token_logprobs"):
        model.token_logprobs_backward(np.zeros((1, 2)), cache)
    _, cache = model.token_logprobs(np.array([[1, 2, 3]]))
    with pytest.raises(ValueError, match="dlogp"):
        model.token_logprobs_backward(np.zeros((1, 3)), cache)
    with pytest.raises(ValueError, match="tokens"):
        model.token_logprobs(np.array([[1]]))
    with pytest.raises(ValueError, match="temperature"):
        model.token_logprobs(np.array([[1, 2]]), temperature=0.0)
    with pytest.raises(ValueError, match="n_embd"):
        GPTConfig(vocab_size=5, block_size=4, n_head=3, n_embd=8)
    with pytest.raises(ValueError, match="vocab_size"):
        GPTConfig(vocab_size=0, block_size=4)
    with pytest.raises(TypeError, match="rng"):
        GPT(SMALL, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dtype"):
        GPT(SMALL, np.random.default_rng(0), dtype=np.int64)


def test_cross_entropy_refuses_bad_input():
    logits = np.zeros((1, 2, 3))
    with pytest.raises(ValueError, match="targets"):
        cross_entropy(logits, np.array([[0, 3]]))
    with pytest.raises(ValueError, match="targets"):
        cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match="mask"):
        cross_entropy(logits, np.array([[0, 1]]), np.zeros((1, 2)))


def test_gelu_is_gpt2_tanh_form_and_its_derivative(numeric_grad):
    from r1lib.miniature.model import gelu, gelu_backward

    x = np.linspace(-6.0, 6.0, 241)
    y, cache = gelu(x)
    c = math.sqrt(2 / math.pi)
    np.testing.assert_allclose(y, 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**3))), atol=1e-15)
    numeric = np.array(
        [numeric_grad(lambda v: float(gelu(v)[0][0]), np.array([xi]))[0] for xi in x]
    )
    np.testing.assert_allclose(gelu_backward(np.ones_like(x), cache), numeric, atol=1e-8)


def test_float32_model_computes_in_float32_end_to_end():
    model = GPT(SMALL, np.random.default_rng(19))
    tokens = np.random.default_rng(20).integers(0, SMALL.vocab_size, size=(2, 5), dtype=np.int32)
    logits, cache = model.forward(tokens)
    assert logits.dtype == np.float32
    assert all(g.dtype == np.float32 for g in model.backward(np.ones_like(logits), cache).values())
    logp, cache = model.token_logprobs(tokens)
    assert logp.dtype == np.float32
    grads = model.token_logprobs_backward(np.ones((2, 4)), cache)  # float64 in, cast once
    assert all(g.dtype == np.float32 for g in grads.values())
    out, step_logits = model.generate(
        tokens[:, :2], 3, temperature=1.0, rng=np.random.default_rng(0), return_logits=True
    )
    assert out.dtype == np.int64 and step_logits.dtype == np.float32
