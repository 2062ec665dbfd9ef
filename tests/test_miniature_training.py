"""Pre-training, GRPO and distillation loops of the miniature, and the shipped bases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from r1lib import distill, grpo
from r1lib.miniature.bases import TASK, base_metrics, load_bases, load_record
from r1lib.miniature.corpus import CorpusMix, generate_corpus
from r1lib.miniature.distillation import (
    DistillConfig,
    sequence_distill,
    teacher_samples,
    token_distill,
)
from r1lib.miniature.evaluation import sample_completions
from r1lib.miniature.model import GPT, GPTConfig
from r1lib.miniature.optim import Adam
from r1lib.miniature.pretrain import PretrainConfig, lm_loss, pretrain
from r1lib.miniature.rl import (
    LOG_KEYS,
    GRPOConfig,
    difficulty_buckets,
    grpo_step,
    grpo_train,
)
from r1lib.miniature.task import Task, completion_mask, rewards

SMALL = Task(num_values=16, max_steps=3)


def _small_model(task: Task, seed: int = 0, width: int = 16, dtype=np.float32) -> GPT:
    config = GPTConfig(vocab_size=task.vocab_size, block_size=task.block_size, n_embd=width)
    return GPT(config, np.random.default_rng(seed), dtype=dtype)


def test_short_pretraining_on_the_shipped_corpus_lowers_the_loss() -> None:
    """The shipped task and corpus mix (variable difficulty, drifting and checked chains)."""
    rng = np.random.default_rng(0)
    corpus = generate_corpus(TASK, 3000, rng, CorpusMix())
    model = _small_model(TASK, width=24)
    held_out = generate_corpus(TASK, 256, np.random.default_rng(1)).tokens
    before, _ = lm_loss(model, held_out)
    losses = pretrain(model, corpus, PretrainConfig(steps=120, batch_size=32, warmup=10), rng)
    after, _ = lm_loss(model, held_out)
    assert losses.shape == (120,)
    assert before == pytest.approx(math.log(TASK.vocab_size), abs=0.3)  # an untrained model
    assert after < before - 1.5


def test_pretraining_is_deterministic() -> None:
    corpus = generate_corpus(SMALL, 200, np.random.default_rng(0))
    runs = []
    for _ in range(2):
        model = _small_model(SMALL)
        pretrain(model, corpus, PretrainConfig(steps=5, batch_size=8), np.random.default_rng(3))
        runs.append(model.params["head"])
    assert np.array_equal(runs[0], runs[1])


def test_grpo_gradient_reaches_the_parameters_exactly(numeric_grad) -> None:
    """The loop's plumbing: grpo_loss's d/dlogp placed at the completion positions,
    then token_logprobs_backward, is the gradient of the loss w.r.t. a parameter."""
    task = SMALL
    model = _small_model(task, dtype=np.float64)
    rng = np.random.default_rng(2)
    prompts = np.repeat(task.prompts(*task.sample_problems(2, rng)), 3, axis=0)
    completions = sample_completions(model, task, prompts, rng, temperature=1.0)
    mask = completion_mask(completions)
    tokens = np.concatenate([prompts, completions], axis=1)
    p = task.prompt_length
    advantages = np.array([1.0, -0.5, -0.5, 0.3, 0.2, -0.5])
    old = model.token_logprobs(tokens)[0][:, p - 1 :] - 0.05  # a ratio away from 1

    def loss_of(params: dict[str, np.ndarray]) -> tuple[float, np.ndarray, object]:
        saved = model.params
        model.params = params
        logp, cache = model.token_logprobs(tokens)
        model.params = saved
        result = grpo.grpo_loss(logp[:, p - 1 :], old, advantages, mask, epsilon=0.2)
        return result.loss, result.grad, cache

    _, grad, cache = loss_of(model.params)
    dlogp = np.zeros((len(tokens), tokens.shape[1] - 1))
    dlogp[:, p - 1 :] = grad
    analytic = model.token_logprobs_backward(dlogp, cache)["h0.attn.w_qkv"][:3, :4]

    def f(block: np.ndarray) -> float:
        params = dict(model.params)
        w = params["h0.attn.w_qkv"].copy()
        w[:3, :4] = block
        params["h0.attn.w_qkv"] = w
        return loss_of(params)[0]

    numeric = numeric_grad(f, model.params["h0.attn.w_qkv"][:3, :4].copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


def _mean_reward(model: GPT, prompts: np.ndarray, seed: int) -> float:
    completions = sample_completions(
        model, TASK, prompts, np.random.default_rng(seed), temperature=1.0
    )
    return float(rewards(TASK, prompts, completions).mean())


def test_short_rl_from_the_shipped_base_raises_the_reward() -> None:
    _, base, _ = load_bases()
    prompts = np.repeat(TASK.prompts(*TASK.sample_problems(64, np.random.default_rng(5))), 8, 0)
    before = _mean_reward(base, prompts, 0)
    model = base.copy()
    config = GRPOConfig(steps=10, num_iterations=1)
    log = grpo_train(model, TASK, config, np.random.default_rng(0))
    after = _mean_reward(model, prompts, 0)
    # 512 samples each: the reward's standard error is below 0.025.
    assert after > before + 0.1
    arrays = log.as_arrays()
    assert set(arrays) == set(LOG_KEYS)
    assert all(len(v) == 10 for v in arrays.values())
    assert log["kl"][0] == pytest.approx(0.0, abs=1e-6)  # the first step samples the reference
    assert np.all(arrays["clip_fraction"] == 0.0)  # one update per batch: ratio 1
    assert not np.array_equal(model.params["head"], base.params["head"])
    record = log.as_json()
    assert all(v is None or isinstance(v, float) for v in record["wait_given_error"])


def test_grpo_with_several_iterations_clips_and_logs_every_key() -> None:
    _, base, _ = load_bases()
    model = base.copy()
    config = GRPOConfig(steps=1, num_iterations=3, learning_rate=1e-2, beta=0.04)
    optimiser = Adam(model.params, lr=config.learning_rate)
    record = grpo_step(model, base, optimiser, TASK, config, np.random.default_rng(0))
    assert set(record) == set(LOG_KEYS)
    assert record["clip_fraction"] > 0.0  # later iterations leave the trust region
    assert 0.0 <= record["think_share"] <= 1.0 and record["entropy"] > 0.0
    assert record["length_easy"] < record["length_hard"]  # hard problems think more


def test_difficulty_buckets_cover_the_range() -> None:
    buckets = difficulty_buckets(TASK)
    assert list(buckets) == ["easy", "medium", "hard"]
    covered = [s for low, high in buckets.values() for s in range(low, high + 1)]
    assert covered == list(range(TASK.min_steps, TASK.max_steps + 1))


def test_grpo_config_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="loss_type"):
        GRPOConfig(loss_type="ppo")
    with pytest.raises(ValueError, match="group_size"):
        GRPOConfig(group_size=1)
    with pytest.raises(ValueError, match="reward"):
        GRPOConfig(reward="neural")
    with pytest.raises(TypeError, match="config"):
        grpo_train(_small_model(SMALL), SMALL, "config", np.random.default_rng(0))  # type: ignore[arg-type]


def test_derived_configurations_change_only_what_they_name() -> None:
    config = GRPOConfig(steps=7, learning_rate=2e-3)
    derived = config.replace_unchecked(loss_type="dr_grpo")
    assert derived.loss_type == "dr_grpo" and derived.steps == 7 and config.loss_type == "grpo"
    with pytest.raises(TypeError, match="changes"):
        config.replace_unchecked(lr=1.0)
    distill_config = DistillConfig.unchecked(steps=3, batch_size=8)
    assert distill_config == DistillConfig(steps=3, batch_size=8)
    with pytest.raises(TypeError, match="values"):
        DistillConfig.unchecked(steps=3, epochs=2)


def test_adam_checks_its_settings_once_and_unchecked_matches() -> None:
    with pytest.raises(ValueError, match="lr"):
        Adam({"w": np.zeros(2)}, lr=-1.0)
    grads = {"w": np.array([0.5, -2.0])}
    checked = Adam({"w": np.zeros(2)}, lr=0.1, max_norm=1.0)
    unchecked = Adam.unchecked({"w": np.zeros(2)}, lr=0.1, max_norm=1.0)
    for _ in range(3):
        assert checked.step(grads) == unchecked.step(grads)
    np.testing.assert_array_equal(checked.params["w"], unchecked.params["w"])
    with pytest.raises(ValueError, match="finite"):
        checked.step({"w": np.array([np.nan, 0.0])})


def test_distillation_moves_the_student_towards_the_teacher() -> None:
    task, teacher, _ = load_bases()
    student_base = _small_model(task, seed=4)  # a fresh student, far from the teacher
    prompts, completions, correct = teacher_samples(
        teacher, task, 64, np.random.default_rng(9), temperature=1.0
    )
    tokens = np.concatenate([prompts, completions], axis=1)
    keep = correct
    p = task.prompt_length
    mask = completion_mask(completions)[keep]

    def nll(model: GPT) -> float:
        logp = model.token_logprobs(tokens[keep])[0][:, p - 1 :]
        return float(-(logp * mask).sum() / mask.sum())

    where = np.zeros(tokens.shape, dtype=bool)
    where[:, p - 1 : -1] = completion_mask(completions) > 0
    teacher_logits = teacher.forward(tokens)[0][where].astype(np.float64)

    def kl_to_teacher(model: GPT) -> float:
        student_logits = model.forward(tokens)[0][where].astype(np.float64)
        return distill.distillation_loss(teacher_logits, student_logits)

    config = DistillConfig(steps=15, batch_size=64, learning_rate=3e-3)
    seq = student_base.copy()
    ticks: list[int] = []
    kept = sequence_distill(
        seq, teacher, task, config, np.random.default_rng(1), callback=ticks.append
    )
    tok = student_base.copy()
    token_distill(tok, teacher, task, config, np.random.default_rng(1))
    assert ticks == list(range(15))
    assert 0 < kept["kept"] <= kept["drawn"] == 15 * 64
    # SFT on the correct samples raises their likelihood; token-level KD pulls the whole
    # next-token distribution towards the teacher's (on fresh teacher samples).
    assert nll(seq) < nll(student_base) - 0.2
    assert kl_to_teacher(tok) < kl_to_teacher(student_base) - 0.2


def test_token_kd_gradient_is_hintons_soft_target_gradient() -> None:
    """alpha = 1 in the combined gradient leaves the soft-target part alone."""
    rng = np.random.default_rng(0)
    teacher, student = rng.normal(size=(2, 7, 11))
    labels = rng.integers(0, 11, size=7)
    np.testing.assert_allclose(
        distill.combined_distillation_grad_unchecked(
            teacher, student, labels, alpha=1.0, temperature=2.0
        ),
        distill.distillation_grad(teacher, student, 2.0),
        rtol=1e-12,
        atol=1e-15,
    )


def test_shipped_bases_reproduce_their_recorded_metrics() -> None:
    """The record next to the weights matches a fresh evaluation of them.

    On the machine that made them the numbers are identical (same seeds); elsewhere a
    different BLAS can flip a few samples, so each pass@1 must agree within 2 of its
    recorded standard errors (SE over 200 problems x 32 samples, about 0.01-0.03).
    """
    record = load_record()
    task, teacher, student = load_bases()
    for name, model in (("base", teacher), ("student_base", student)):
        recorded = record["models"][name]["metrics"]
        fresh = base_metrics(model, task, record["seed"])
        for mode in recorded:
            se = recorded[mode]["pass@1_se"]
            assert fresh[mode]["pass@1"] == pytest.approx(
                recorded[mode]["pass@1"], abs=2 * se + 1e-9
            ), (name, mode)
