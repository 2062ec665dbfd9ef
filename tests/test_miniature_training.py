"""The miniature's training loops and evaluation: they learn, and they use r1lib's algorithms."""

from __future__ import annotations

import numpy as np
import pytest

import r1lib.grpo
from r1lib import metrics
from r1lib.miniature.evaluation import evaluate
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.task import (
    Demonstrator,
    Task,
    demonstrations,
    reference_completions,
    rewards,
)
from r1lib.miniature.training import (
    GRPOConfig,
    grpo_train,
    quick_pass_at_1,
    rejection_sample,
    supervised_finetune,
    token_distill,
)

TASK = Task(num_steps=4, slack=4)


def _base(seed: int = 0, steps: int = 200, hidden: tuple[int, ...] = (32,)) -> MLPPolicy:
    """A weak base model: supervised on imperfect demonstrations."""
    rng = np.random.default_rng(seed)
    prompts = TASK.sample_prompts(2000, rng)
    demos = demonstrations(TASK, prompts, Demonstrator(), rng)
    policy = MLPPolicy(TASK, hidden, rng)
    supervised_finetune(policy, prompts, demos, rng, steps=steps, lr=1e-2)
    return policy


@pytest.fixture(scope="module")
def base() -> MLPPolicy:
    return _base()


def test_supervised_finetuning_learns_clean_chains() -> None:
    rng = np.random.default_rng(1)
    prompts = TASK.sample_prompts(2000, rng)
    policy = MLPPolicy(TASK, (32,), rng)
    losses = supervised_finetune(
        policy, prompts, reference_completions(TASK, prompts), rng, steps=300, lr=1e-2
    )
    assert losses[-20:].mean() < 0.1 * losses[:5].mean()
    test = TASK.sample_prompts(200, np.random.default_rng(2))
    assert quick_pass_at_1(policy, test, rng, samples=2) > 0.8


def test_short_grpo_run_improves_the_reward(base: MLPPolicy) -> None:
    """R1-Zero in miniature: a few dozen GRPO steps must raise held-out pass@1."""
    val = TASK.sample_prompts(200, np.random.default_rng(3))
    before = quick_pass_at_1(base, val, np.random.default_rng(4), samples=8)
    policy = base.copy()
    config = GRPOConfig(steps=40, prompts_per_step=32, group_size=8, mu=2, lr=1e-2, beta=0.04)
    log = grpo_train(policy, config, np.random.default_rng(5), exclude=val)
    after = quick_pass_at_1(policy, val, np.random.default_rng(4), samples=8)
    assert before < 0.5
    assert after > before + 0.2
    assert log.reward[-5:].mean() > log.reward[:5].mean() + 0.1
    # the per-step log is complete and sane
    assert np.all(log.kl >= 0) and log.kl[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all((log.clip_fraction >= 0) & (log.clip_fraction <= 1))
    assert np.all(log.length >= 4) and np.all(log.length <= TASK.max_length)
    assert np.all((log.solved_fraction >= 0) & (log.solved_fraction <= 1))


def test_grpo_calls_r1lib_and_logs_validation(
    base: MLPPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"advantages": 0, "loss": 0}
    real_adv, real_loss = r1lib.grpo.group_advantages, r1lib.grpo.grpo_loss

    def adv(*args, **kwargs):
        calls["advantages"] += 1
        return real_adv(*args, **kwargs)

    def loss(*args, **kwargs):
        calls["loss"] += 1
        assert kwargs["loss_type"] == "dr_grpo" and kwargs["max_completion_length"] > 0
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(r1lib.grpo, "group_advantages", adv)
    monkeypatch.setattr(r1lib.grpo, "grpo_loss", loss)
    config = GRPOConfig(steps=4, prompts_per_step=4, group_size=4, mu=3, loss_type="dr_grpo")
    val = TASK.sample_prompts(8, np.random.default_rng(6))
    log = grpo_train(base.copy(), config, np.random.default_rng(7), val_prompts=val, eval_every=2)
    assert calls == {"advantages": 4, "loss": 12}
    assert np.isnan(log.pass_at_1[[0, 2]]).all() and not np.isnan(log.pass_at_1[[1, 3]]).any()


def test_grpo_with_mu_above_1_clips(base: MLPPolicy) -> None:
    config = GRPOConfig(steps=3, prompts_per_step=16, group_size=8, mu=4, lr=5e-2, epsilon=0.1)
    log = grpo_train(base.copy(), config, np.random.default_rng(8))
    assert log.clip_fraction.max() > 0


def test_rejection_sampling_keeps_only_correct_samples(base: MLPPolicy) -> None:
    prompts = TASK.sample_prompts(300, np.random.default_rng(9))
    kept_prompts, kept = rejection_sample(base, prompts, np.random.default_rng(10))
    assert 0 < len(kept) < len(prompts)
    assert np.all(rewards(kept_prompts, kept) == 1.0)


def test_token_distillation_moves_the_student_towards_the_teacher(base: MLPPolicy) -> None:
    student = MLPPolicy(TASK, (8,), np.random.default_rng(11))
    losses = token_distill(
        student,
        base,
        np.random.default_rng(12),
        steps=40,
        batch_size=64,
        lr=1e-2,
        updates_per_batch=2,
    )
    assert losses.shape == (80,)
    assert losses[-10:].mean() < 0.5 * losses[:4].mean()
    same = token_distill(base.copy(), base, np.random.default_rng(13), steps=1, batch_size=16)
    assert same[0] == pytest.approx(0.0, abs=1e-12)  # a copy of the teacher: KL = 0


def test_evaluation_uses_r1lib_metrics(base: MLPPolicy) -> None:
    prompts = TASK.sample_prompts(12, np.random.default_rng(14))
    result = evaluate(base, prompts, np.random.default_rng(15), n=32, cons_k=8)
    assert result.pass_at_1 == pytest.approx(np.mean(result.correct / 32))
    assert result.pass_at(1) == pytest.approx(result.pass_at_1)
    assert result.pass_at(32) == pytest.approx(np.mean(result.correct > 0))
    np.testing.assert_allclose(
        result.pass_curve[7], np.mean(metrics.pass_at_k(32, result.correct, 8))
    )
    assert np.all(np.diff(result.pass_curve) >= -1e-12)  # pass@k grows with k
    assert 0 <= result.cons <= 1 and 0 <= result.malformed <= 1
    same = evaluate(base, prompts, np.random.default_rng(15), n=32, cons_k=8)
    np.testing.assert_array_equal(same.correct, result.correct)  # deterministic


def test_evaluation_json_schema(base: MLPPolicy) -> None:
    prompts = TASK.sample_prompts(2, np.random.default_rng(16))
    result = evaluate(base, prompts, np.random.default_rng(17), n=256)
    out = result.as_json()
    assert list(out) == ["pass@1", "cons@16", "pass@k"]
    assert list(out["pass@k"]) == ["1", "4", "16", "64", "256"]  # type: ignore[call-overload]


def test_training_bad_inputs(base: MLPPolicy) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="group_size"):
        GRPOConfig(group_size=1)
    with pytest.raises(ValueError, match="loss_type"):
        GRPOConfig(loss_type="ppo")
    with pytest.raises(ValueError, match="scale"):
        GRPOConfig(scale="std")
    with pytest.raises(ValueError, match="epsilon"):
        GRPOConfig(epsilon=1.5)
    with pytest.raises(ValueError, match="beta"):
        GRPOConfig(beta=-0.1)
    with pytest.raises(TypeError, match="config"):
        grpo_train(base.copy(), {"steps": 1}, rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="completions"):
        supervised_finetune(
            base.copy(), TASK.sample_prompts(3, rng), np.zeros((2, 5)), rng, steps=1
        )
    with pytest.raises(ValueError, match="task"):
        token_distill(MLPPolicy(Task(num_steps=2), (4,), rng), base, rng, steps=1)
    with pytest.raises(ValueError, match="cons_k"):
        evaluate(base, TASK.sample_prompts(2, rng), rng, n=8, cons_k=16)
