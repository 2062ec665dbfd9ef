"""The clinic's tiny language model: sampling, log-probs, the logits gradient, training."""

from __future__ import annotations

import re

import numpy as np
import pytest

from r1lib.grpo import grpo_loss
from r1lib.toys import tiny_policy as tp


def _accuracy(texts, golds):
    found = [re.search(r"<answer>(.*?)</answer>", t, re.DOTALL) for t in texts]
    return [float(m is not None and m.group(1) == g) for m, g in zip(found, golds, strict=True)]


def test_sampling_shapes_masks_and_text() -> None:
    logits = tp.base_logits(["1", "2", "3"], gold_logit=[1.0, 0.0, -1.0])
    batch = tp.sample(logits, np.repeat(np.arange(3), 5), 12, np.random.default_rng(0))
    assert batch.tokens.shape == batch.mask.shape == (15, 12)
    assert np.array_equal(batch.mask.sum(axis=1), batch.lengths)
    ended = ~batch.truncated
    assert np.all(batch.tokens[ended, batch.lengths[ended] - 1] == tp.EOS)
    assert tp.decode(tp.encode(["<think>", "hmm", "\n", "</think>", "7", "<eos>"])) == [
        "<think>hmm \n</think>7"
    ]


def test_log_probs_sum_to_sequence_probabilities() -> None:
    logits = tp.base_logits(["4"])
    batch = tp.sample(logits, np.zeros(4000, dtype=int), 6, np.random.default_rng(1))
    logp = tp.token_log_probs(logits, batch)
    assert np.all(logp[batch.mask == 0] == 0)
    # The empirical frequency of the most common completion matches its probability.
    keys, counts = np.unique(batch.tokens, axis=0, return_counts=True)
    top = np.argmax(counts)
    row = np.flatnonzero((batch.tokens == keys[top]).all(axis=1))[0]
    p = np.exp(logp[row].sum())
    assert abs(counts[top] / 4000 - p) < 4 * np.sqrt(p * (1 - p) / 4000)


def test_logits_gradient_matches_finite_differences(numeric_grad) -> None:
    rng = np.random.default_rng(2)
    logits = tp.base_logits(["1", "2"]) + rng.normal(0, 0.5, size=(2, tp.V + 1, tp.V))
    batch = tp.sample(logits, np.array([0, 0, 1, 1]), 6, rng)
    old = tp.token_log_probs(logits, batch)
    advantages = np.array([1.0, -0.5, 0.3, -0.8])

    def loss(table):
        return grpo_loss(tp.token_log_probs(table, batch), old, advantages, batch.mask).loss

    result = grpo_loss(old, old, advantages, batch.mask)
    analytic = tp.logits_gradient(logits, batch, result.grad)
    assert np.allclose(analytic, numeric_grad(loss, logits), atol=1e-7)


def test_training_learns_and_logs_trl_metrics() -> None:
    logits = tp.base_logits(["0", "1", "2", "3"], gold_logit=[2.0, 0.0, -1.0, 1.0])
    golds = ["0", "1", "2", "3"]
    config = tp.TrainConfig(steps=40, learning_rate=30.0)
    _, metrics = tp.train(logits, golds, _accuracy, config, np.random.default_rng(3))
    assert set(metrics) == set(config.metrics)
    assert metrics["reward"][-10:].mean() > metrics["reward"][:5].mean() + 0.3
    assert np.all(np.abs(metrics["loss"]) < 1e-12)  # beta = 0, one iteration: exactly 0
    assert metrics["kl"][0] == 0.0


def test_constant_reward_leaves_the_model_unchanged() -> None:
    logits = tp.base_logits(["1", "2"])
    trained, metrics = tp.train(
        logits,
        ["1", "2"],
        lambda t, g: [0.0] * len(t),
        tp.TrainConfig(steps=5),
        np.random.default_rng(4),
    )
    assert np.array_equal(trained, logits)
    assert np.all(metrics["frac_reward_zero_std"] == 1.0)


def test_bad_input() -> None:
    logits = tp.base_logits(["1", "2"])
    with pytest.raises(ValueError, match="logits"):
        tp.sample(np.zeros((2, 3, 3)), [0], 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="prompts"):
        tp.sample(logits, [5], 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="golds"):
        tp.train(logits, ["1"], _accuracy, tp.TrainConfig(), np.random.default_rng(0))
    with pytest.raises(ValueError, match="num_generations"):
        tp.train(
            logits,
            ["1", "2"],
            _accuracy,
            tp.TrainConfig(num_generations=1),
            np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="golds"):
        tp.base_logits(["12"])
    with pytest.raises(ValueError, match="words"):
        tp.encode(["banana"])


def test_dropped_rows_leave_the_model_unchanged() -> None:
    logits = tp.base_logits(["1", "2"])
    rng = np.random.default_rng(5)
    config = tp.TrainConfig(steps=3, drop_zero_std_groups=True)
    same, metrics = tp.train(logits, ["1", "2"], lambda t, g: [1.0] * len(t), config, rng)
    assert np.array_equal(same, logits) and np.all(metrics["grad_norm"] == 0)
    config = tp.TrainConfig(steps=3, max_completion_length=1, mask_truncated_completions=True)
    same, metrics = tp.train(logits, ["1", "2"], _accuracy, config, rng)
    assert np.array_equal(same, logits)
    assert np.all(metrics["completions/clipped_ratio"] == 1.0)
