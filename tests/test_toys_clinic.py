"""r1lib.toys.clinic (lesson 10): the clinic's training runs and experiments.

TRL metric names follow TRL 1.10.0.dev0 (commit f2cd577), trl/trainer/grpo_trainer.py
lines 2748-2750 (reward, reward_std, frac_reward_zero_std). Reward functions are
called as TRL calls them: ``f(completions, solution=..., **kwargs)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import rewards
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.toys import clinic
from r1lib.toys.tiny_policy import Batch, TrainConfig, encode, sample, token_log_probs


def test_base_model_gold_probabilities() -> None:
    base = clinic.base_model()
    assert base.shape[0] == len(clinic.GOLDS) == len(clinic.GOLD_LOGITS)
    batch = sample(base, np.repeat(np.arange(4), 2000), 16, np.random.default_rng(0))
    answered = [t.split("<answer>")[-1][:1] for t in batch.texts]
    for q, (gold, g) in enumerate(zip(clinic.GOLDS, clinic.GOLD_LOGITS, strict=True)):
        mine = [a for a, p in zip(answered, batch.prompts, strict=True) if p == q and a.isdigit()]
        share = np.mean([a == gold for a in mine])
        expected = np.exp(g) / (np.exp(g) + 9)  # P(gold | <answer>)
        assert share == pytest.approx(expected, abs=4 * np.sqrt(expected / len(mine)) + 0.02)


def test_run_seeds_calls_rewards_as_trl_does_and_learns() -> None:
    seen: list[tuple[int, int]] = []

    def spy(completions: list[str], **kwargs: object) -> list[float | None]:
        solution = kwargs["solution"]
        assert isinstance(solution, list) and set(solution) <= set(clinic.GOLDS)
        seen.append((len(completions), len(solution)))
        return rewards.exact_match_reward(completions, solution)

    config = TrainConfig(steps=30, learning_rate=30.0)
    runs = clinic.run_seeds(config, seeds=(0, 1), reward_fn=spy)
    assert seen and all(a == b == 32 for a, b in seen)  # 4 prompts x G = 8
    assert runs["reward"].shape == (2, 30)
    assert np.all(runs["reward"][:, -5:].mean(axis=1) > runs["reward"][:, :5].mean() + 0.3)
    with pytest.raises(ValueError, match="seeds"):
        clinic.run_seeds(config, seeds=())


def test_strict_check_gives_no_gradient_and_priming_fixes_it() -> None:
    config = TrainConfig(steps=15, learning_rate=30.0)
    stuck = clinic.run_seeds(config, seeds=(0,), reward_fn=rewards.too_strict_format_reward)
    assert np.all(stuck["reward"] == 0) and np.all(stuck["grad_norm"] == 0)
    primed = clinic.prime_format(clinic.base_model())
    batch = sample(primed, np.repeat(np.arange(4), 64), 16, np.random.default_rng(0))
    assert 0 < np.mean(rewards.too_strict_format_reward(batch.texts)) < 0.9


def test_prime_format_descends_the_demonstrations_nll() -> None:
    base = clinic.base_model()
    demos = clinic.format_demonstrations()
    assert len(demos) == 10 and {d[5] for d in demos} == {str(i) for i in range(10)}

    def nll(table: np.ndarray) -> float:
        total = 0.0
        for words in demos:
            tokens = np.tile(encode(words), (4, 1))
            n = np.full(4, len(words))
            batch = Batch(np.arange(4), tokens, np.ones(tokens.shape), n, np.zeros(4, bool))
            total -= token_log_probs(table, batch).sum()
        return total

    losses = [nll(clinic.prime_format(base, steps=s)) for s in (0, 1, 5)]
    assert losses[0] > losses[1] > losses[2]
    assert np.array_equal(clinic.prime_format(base, steps=0), base)


def test_zero_std_batch_and_step_shrink() -> None:
    rewards_, logp, mask = clinic.zero_std_batch(6, 2, np.random.default_rng(1))
    assert np.all(rewards_[:2] == 1) and np.all(rewards_[2:].std(axis=1) > 0)
    adv = group_advantages(rewards_).ravel()
    kept = np.repeat(np.arange(6) >= 2, 8)
    full = grpo_loss(logp, logp, adv, mask)
    only = grpo_loss(logp[kept], logp[kept], adv[kept], mask[kept])
    assert np.allclose(full.grad[kept], (4 / 6) * only.grad)
    ratios = clinic.zero_std_step_ratios()
    assert np.allclose(ratios["grpo"], 1 - np.arange(16) / 16)
    assert np.allclose(ratios["dr_grpo"], 1 - np.arange(16) / 16)
    assert np.all(np.diff(ratios["bnpo"]) < 0) and ratios["bnpo"][0] == 1.0
    with pytest.raises(ValueError, match="num_constant"):
        clinic.zero_std_batch(3, 4, np.random.default_rng(0))


def test_first_k_estimates() -> None:
    estimates = clinic.first_k_estimates(0.15, 16, 4, 20000, np.random.default_rng(2))
    truth = 1 - 0.85**4
    for name in ("first k", "unbiased (all n)"):
        se = estimates[name].std() / np.sqrt(20000)
        assert abs(estimates[name].mean() - truth) < 4 * se
    assert estimates["first k"].std() > 1.8 * estimates["unbiased (all n)"].std()
    assert estimates["plug-in"].mean() < truth
    with pytest.raises(ValueError, match="n must be"):
        clinic.first_k_estimates(0.5, 3, 4, 10, np.random.default_rng(0))


def test_aime_model_is_a_30_question_beta_draw() -> None:
    p = clinic.AIME_SUCCESS_PROBS
    assert p.shape == (30,) and np.all((p > 0) & (p < 1))


def test_run_configs_shapes() -> None:
    out = clinic.run_configs({"x": {"config": TrainConfig(steps=3)}}, seeds=(0, 1), progress=False)
    assert out["x"]["reward"].shape == (2, 3)
    with pytest.raises(TypeError, match="TrainConfig"):
        clinic.run_configs({"x": {"config": {"steps": 3}}}, progress=False)
