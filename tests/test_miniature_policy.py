"""The miniature's policy: exact gradients (finite differences), sampling, features; and Adam."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.distill import log_softmax
from r1lib.miniature.optim import Adam, global_norm
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.task import EOS, NUM_OUTPUTS, PAD, Task, completion_mask

TASK = Task(num_steps=3, slack=2)


def _random_policy(hidden: tuple[int, ...], seed: int = 0, scale: float = 0.5) -> MLPPolicy:
    """A policy with non-trivial weights and biases (no dead or tiny units)."""
    rng = np.random.default_rng(seed)
    policy = MLPPolicy(TASK, hidden, rng)
    for value in policy.params.values():
        value += rng.normal(0.0, scale, value.shape)
    return policy


def _numeric_grad(policy: MLPPolicy, loss, key: str, h: float = 1e-6) -> np.ndarray:
    values = policy.params[key]
    grad = np.zeros_like(values)
    for i in np.ndindex(values.shape):
        old = values[i]
        values[i] = old + h
        up = loss()
        values[i] = old - h
        down = loss()
        values[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("hidden", [(6,), (5, 4)])
def test_log_prob_gradients_match_finite_differences(hidden: tuple[int, ...]) -> None:
    policy = _random_policy(hidden)
    rng = np.random.default_rng(1)
    prompts = TASK.sample_prompts(4, rng)
    completions = policy.sample(prompts, rng)
    weights = rng.normal(size=completions.shape) * completion_mask(completions)

    def loss() -> float:
        return float(np.sum(policy.log_probs(prompts, completions)[0] * weights))

    _, cache = policy.log_probs(prompts, completions)
    analytic = policy.backward_logp(cache, weights)
    for key in policy.params:
        numeric = _numeric_grad(policy, loss, key)
        np.testing.assert_allclose(analytic[key], numeric, rtol=1e-5, atol=1e-7, err_msg=key)


def test_logit_gradients_match_finite_differences() -> None:
    policy = _random_policy((7,), seed=2)
    rng = np.random.default_rng(3)
    prompts = TASK.sample_prompts(3, rng)
    completions = policy.sample(prompts, rng)
    weights = rng.normal(size=(*completions.shape, NUM_OUTPUTS))

    def loss() -> float:
        return float(np.sum(policy.logits(prompts, completions) * weights))

    _, cache = policy.log_probs(prompts, completions)
    analytic = policy.backward(cache, weights)
    for key in policy.params:
        numeric = _numeric_grad(policy, loss, key)
        np.testing.assert_allclose(analytic[key], numeric, rtol=1e-5, atol=1e-7, err_msg=key)


def test_log_probs_are_log_softmax_of_logits() -> None:
    policy = _random_policy((8,), seed=4)
    rng = np.random.default_rng(5)
    prompts = TASK.sample_prompts(6, rng)
    completions = policy.sample(prompts, rng)
    logp, _ = policy.log_probs(prompts, completions)
    table = log_softmax(policy.logits(prompts, completions))
    expected = np.take_along_axis(table, completions[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(logp, expected, atol=1e-12)
    assert np.all(logp <= 0)


def test_sampling_sees_the_same_inputs_as_teacher_forcing() -> None:
    policy = _random_policy((8,), seed=6, scale=1.5)
    seen = []
    original = policy._one_hot

    def spy(index: np.ndarray) -> np.ndarray:
        seen.append(index.copy())
        return original(index)

    policy._one_hot = spy  # type: ignore[method-assign]
    rng = np.random.default_rng(7)
    prompts = TASK.sample_prompts(64, rng)
    completions = policy.sample(prompts, rng)
    policy._one_hot = original  # type: ignore[method-assign]
    forced = policy._index(prompts, completions)
    mask = completion_mask(completions)
    assert len(seen) > 1
    for t, index in enumerate(seen):
        alive = np.flatnonzero(mask[:, t])  # still generating at position t
        np.testing.assert_array_equal(index, forced[alive, t])


def test_sampling_frequencies_follow_the_model() -> None:
    policy = _random_policy((8,), seed=8)
    prompts = np.tile(np.array([[4, 7, 1]]), (20000, 1))
    rng = np.random.default_rng(9)
    for temperature in (1.0, 0.6):
        first = policy.sample(prompts, rng, temperature=temperature, max_length=1)[:, 0]
        logits = policy.logits(prompts[:1], first[:1, None])[0, 0]
        expected = np.exp(log_softmax(logits, temperature=temperature))
        observed = np.bincount(first, minlength=NUM_OUTPUTS) / len(first)
        # 5 standard errors of a binomial proportion
        assert np.all(np.abs(observed - expected) < 5 * np.sqrt(expected / len(first)) + 1e-3)


def test_sampling_is_deterministic_and_padded_after_eos() -> None:
    policy = _random_policy((8,), seed=10)
    prompts = TASK.sample_prompts(50, np.random.default_rng(11))
    a = policy.sample(prompts, np.random.default_rng(12))
    b = policy.sample(prompts, np.random.default_rng(12))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (50, TASK.max_length)
    mask = completion_mask(a)
    assert np.all(a[mask == 0] == PAD)
    ended = (a == EOS).any(axis=1)
    assert np.all(mask[ended].sum(axis=1) == np.argmax(a[ended] == EOS, axis=1) + 1)


def test_low_temperature_is_greedy() -> None:
    policy = _random_policy((8,), seed=13)
    prompts = np.tile(np.array([[2, 5, 9]]), (200, 1))
    first = policy.sample(prompts, np.random.default_rng(14), temperature=1e-3, max_length=1)
    logits = policy.logits(prompts[:1], first[:1, :1])[0, 0]
    assert np.all(first[:, 0] == np.argmax(logits))


def test_copy_is_independent() -> None:
    policy = _random_policy((4,))
    clone = policy.copy()
    clone.params["W0"] += 1.0
    assert not np.allclose(clone.params["W0"], policy.params["W0"])
    assert (
        clone.num_parameters()
        == policy.num_parameters()
        == sum(v.size for v in policy.params.values())
    )


def test_policy_bad_inputs() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="task"):
        MLPPolicy("task", (4,), rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hidden"):
        MLPPolicy(TASK, (), rng)
    with pytest.raises(ValueError, match="hidden"):
        MLPPolicy(TASK, (0,), rng)
    with pytest.raises(TypeError, match="rng"):
        MLPPolicy(TASK, (4,), 0)  # type: ignore[arg-type]
    policy = MLPPolicy(TASK, (4,), rng)
    prompts = TASK.sample_prompts(2, rng)
    with pytest.raises(ValueError, match="temperature"):
        policy.sample(prompts, rng, temperature=0.0)
    with pytest.raises(ValueError, match="max_length"):
        policy.sample(prompts, rng, max_length=TASK.max_length + 1)
    with pytest.raises(ValueError, match="completions"):
        policy.log_probs(prompts, np.zeros((3, 4), dtype=int))
    with pytest.raises(ValueError, match="completions"):
        policy.log_probs(prompts, np.full((2, 4), NUM_OUTPUTS))  # BOS is never generated
    with pytest.raises(TypeError, match="completions"):
        policy.log_probs(prompts, np.zeros((2, 4)))
    _, cache = policy.log_probs(prompts, np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match="dlogp"):
        policy.backward_logp(cache, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="dlogp"):
        policy.backward_logp(cache, np.full((2, 4), np.nan))


# ------------------------------------------------------------------- Adam


def test_adam_first_step_is_lr_times_sign() -> None:
    """With bias correction, Adam's first update is -lr * g / (|g| + eps) (Kingma & Ba 2015)."""
    params = {"w": np.array([1.0, -2.0, 3.0])}
    Adam(params, lr=0.1).step({"w": np.array([0.5, -4.0, 1e-3])})
    np.testing.assert_allclose(params["w"], [0.9, -1.9, 2.9], rtol=1e-4)


def test_adam_minimises_a_quadratic() -> None:
    target = np.array([3.0, -1.0])
    params = {"w": np.zeros(2)}
    optimiser = Adam(params, lr=0.1)
    for _ in range(500):
        optimiser.step({"w": 2 * (params["w"] - target)})
    np.testing.assert_allclose(params["w"], target, atol=1e-3)


def test_adam_clips_the_global_norm() -> None:
    params = {"a": np.zeros(2), "b": np.zeros(1)}
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([4.0])}
    assert global_norm(grads) == pytest.approx(5.0)
    optimiser = Adam(params, lr=1.0, max_norm=1.0)
    assert optimiser.step(grads) == pytest.approx(5.0)  # reports the norm before clipping
    np.testing.assert_allclose(optimiser.m["a"], [0.1 * 0.6, 0.0])  # (1 - beta1) * g / 5


def test_adam_bad_inputs() -> None:
    with pytest.raises(TypeError, match="params"):
        Adam({}, lr=0.1)
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="lr"):
        Adam(params, lr=0.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(params, betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="grads"):
        Adam(params).step({"v": np.zeros(2)})
    with pytest.raises(ValueError, match="grads"):
        Adam(params).step({"w": np.array([np.nan, 0.0])})


def test_single_blas_thread_restores_the_setting() -> None:
    from r1lib.miniature._threads import _openblas, single_blas_thread

    handles = _openblas()
    if handles is None:
        pytest.skip("no OpenBLAS in this process: the context manager is a no-op")
    getter, _ = handles
    before = getter()
    with single_blas_thread():
        assert getter() == 1
    assert getter() == before


def test_float32_policy_matches_float64() -> None:
    policy = _random_policy((8,), seed=15)
    fast = MLPPolicy(TASK, (8,), np.random.default_rng(0), precision="float32")
    fast.params = {key: value.copy() for key, value in policy.params.items()}
    prompts = TASK.sample_prompts(20, np.random.default_rng(16))
    completions = policy.sample(prompts, np.random.default_rng(17))
    logp64, cache64 = policy.log_probs(prompts, completions)
    logp32, cache32 = fast.log_probs(prompts, completions)
    assert logp32.dtype == np.float64
    np.testing.assert_allclose(logp32, logp64, rtol=1e-4, atol=1e-5)
    weights = completion_mask(completions)
    grads64 = policy.backward_logp(cache64, weights)
    grads32 = fast.backward_logp(cache32, weights)
    for key in grads64:
        assert grads32[key].dtype == np.float64
        np.testing.assert_allclose(grads32[key], grads64[key], rtol=1e-3, atol=1e-4)
    with pytest.raises(ValueError, match="precision"):
        MLPPolicy(TASK, (4,), np.random.default_rng(0), precision="float16")
