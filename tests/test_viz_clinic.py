"""Lesson 10 (the GRPO clinic): experiments and figures.

TRL metric names follow TRL 1.10.0.dev0 (commit f2cd577), trl/trainer/grpo_trainer.py
lines 2232-2240 (completions/*), 2748-2750 (reward, reward_std, frac_reward_zero_std),
3238-3249 (kl, entropy, clip_ratio/*). The human-eval estimator is OpenAI human-eval's
``estimate_pass_at_k`` (evaluation.py), whose ``n - c < k`` shortcut is issue #35.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib import kl
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.metrics import pass_at_k
from r1lib.toys.tiny_policy import TrainConfig, sample
from r1lib.viz import clinic


def test_format_checks() -> None:
    good = "<think>hmm so </think><answer>3</answer>\n"
    assert clinic.strict_format_reward([good]) == [1.0]
    assert clinic.strict_format_reward([good.rstrip("\n")]) == [0.0]  # no trailing newline
    assert clinic.strict_format_reward(["<think>hmm\nso </think><answer>3</answer>\n"]) == [0.0]


def test_answer_reward_uses_the_last_answer_block() -> None:
    texts = [
        "<answer>1</answer><answer>3</answer>",
        "<answer>3</answer>x",
        "3",
        "<answer>33</answer>",
    ]
    assert clinic.answer_reward(texts, ["3"] * 4) == [1.0, 1.0, 0.0, 0.0]


def test_strict_check_gives_no_gradient_and_priming_fixes_it() -> None:
    config = TrainConfig(steps=15, learning_rate=30.0)
    stuck = clinic.run_seeds(config, seeds=(0,), reward_fn=clinic.strict_format_reward)
    assert np.all(stuck["reward"] == 0) and np.all(stuck["grad_norm"] == 0)
    primed = clinic.prime_format(clinic.base_model())
    batch = sample(primed, np.repeat(np.arange(4), 64), 16, np.random.default_rng(0))
    assert 0 < np.mean(clinic.strict_format_reward(batch.texts)) < 0.9


def test_k3_gradients_match_finite_differences(numeric_grad) -> None:
    rng = np.random.default_rng(0)
    z, ref_logits = rng.normal(size=5), rng.normal(size=5)
    ref = np.exp(ref_logits) / np.exp(ref_logits).sum()

    def probs(logits):
        e = np.exp(logits - logits.max())
        return e / e.sum()

    gradients = clinic.k3_gradients(z, ref_logits)
    reverse = numeric_grad(lambda v: float(kl.kl_divergence(probs(v), ref)), z)
    forward = numeric_grad(lambda v: float(kl.kl_divergence(ref, probs(v))), z)
    assert np.allclose(gradients["∇KL(π‖π_ref)"], reverse, atol=1e-7)
    assert np.allclose(gradients["∇KL(π_ref‖π)"], forward, atol=1e-7)
    assert np.allclose(gradients["E[∇k3]"], forward, atol=1e-12)  # Tang & Munos 2025
    assert np.allclose(gradients["E[∇k2]"], reverse, atol=1e-12)


def test_naive_k3_loses_precision() -> None:
    assert abs(float(clinic.naive_k3(1e-9)) / 5e-19 - 1) > 1  # off by more than 100%
    assert kl.k3(1e-9) == pytest.approx(5e-19, rel=1e-12)
    assert abs(float(clinic.naive_k3(1e-3, np.float32)) / 5.0016675e-7 - 1) > 0.01


def test_zero_std_batch_and_step_shrink() -> None:
    rewards, logp, mask = clinic.zero_std_batch(6, 2, np.random.default_rng(1))
    assert np.all(rewards[:2] == 1) and np.all(rewards[2:].std(axis=1) > 0)
    adv = group_advantages(rewards).ravel()
    kept = np.repeat(np.arange(6) >= 2, 8)
    full = grpo_loss(logp, logp, adv, mask)
    only = grpo_loss(logp[kept], logp[kept], adv[kept], mask[kept])
    assert np.allclose(full.grad[kept], (4 / 6) * only.grad)
    ratios = clinic._zero_std_ratios()
    assert np.allclose(ratios["grpo"], 1 - np.arange(16) / 16)
    assert np.allclose(ratios["dr_grpo"], 1 - np.arange(16) / 16)


def test_human_eval_estimator_and_its_bug() -> None:
    assert clinic.human_eval_pass_at_k(4, 0, 8) == 1.0  # openai/human-eval#35
    for n, c, k in [(16, 2, 4), (10, 3, 1), (64, 4, 16), (5, 3, 4)]:
        expected = 1 - math.comb(n - c, k) / math.comb(n, k)
        assert clinic.human_eval_pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-12)
        assert pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-12)


def test_first_k_estimates() -> None:
    estimates = clinic.first_k_estimates(0.15, 16, 4, 20000, np.random.default_rng(2))
    truth = 1 - 0.85**4
    for name in ("first k", "unbiased (all n)"):
        se = estimates[name].std() / np.sqrt(20000)
        assert abs(estimates[name].mean() - truth) < 4 * se
    assert estimates["first k"].std() > 1.8 * estimates["unbiased (all n)"].std()
    assert estimates["plug-in"].mean() < truth


def test_figures() -> None:
    runs = {"a": {"reward": np.zeros((2, 5)), "loss": np.ones((2, 5))}}
    figures = [
        clinic.curves(runs, ["reward", "loss"], title="t"),
        clinic.kl_gradients_figure(),
        clinic.k3_precision(),
        clinic.advantage_scale(),
        clinic.zero_std_step(),
        clinic.aime_spread(),
        clinic.passk_estimators(),
        clinic.checker_advantages(["a", "b", "c"], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]),
    ]
    assert all(isinstance(f, Figure) and f.axes for f in figures)


def test_run_configs_shapes() -> None:
    out = clinic.run_configs({"x": {"config": TrainConfig(steps=3)}}, seeds=(0, 1), progress=False)
    assert out["x"]["reward"].shape == (2, 3)
