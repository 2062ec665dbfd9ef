"""Rewards in TRL's convention: the miniature's rule-based reward and r1lib.rewards,
handed to GRPOTrainer as they are, on a dataset of the task's own problems; and the
end-of-sequence pitfall (TRL decodes with skip_special_tokens=True)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("trl")

import trl
from datasets import Dataset

from r1lib import rewards as r1_rewards
from r1lib.miniature import hf
from r1lib.miniature.bases import load_bases
from r1lib.miniature.rl import GRPOConfig
from r1lib.miniature.task import EOS, PAD, Task, analyse, completion_lengths, rewards
from r1lib.trl_bridge import MiniatureReward, encode, pad_completions, prompt_dataset, trl_config

TASK, TEACHER, _ = load_bases()
OTHER_TASK = Task(num_values=11, min_steps=2, max_steps=4, num_ops=3, seed=5)


@pytest.mark.parametrize("task", [TASK, OTHER_TASK], ids=["shipped", "other"])
def test_dataset_holds_the_tasks_training_problems(task: Task) -> None:
    data = prompt_dataset(task, 200, np.random.default_rng(0))
    assert isinstance(data, Dataset)
    assert data.column_names == ["prompt", "answer"]
    ops, start = task.problems_of(encode(task, data["prompt"]))
    assert data["answer"] == task.answers(ops, start).tolist()
    assert not task.is_test(ops, start).any()  # never a held-out problem
    again = prompt_dataset(task, 200, np.random.default_rng(0))
    assert again["prompt"] == data["prompt"]  # the rng alone decides
    test = prompt_dataset(task, 50, np.random.default_rng(0), split="test")
    assert task.is_test(*task.problems_of(encode(task, test["prompt"]))).all()


def test_encode_inverts_decode() -> None:
    rows = np.random.default_rng(1).integers(0, TASK.vocab_size, size=(20, 9))
    assert np.array_equal(encode(TASK, [TASK.decode(row) for row in rows]), rows)
    with pytest.raises(ValueError, match="not a word"):
        encode(TASK, ["^ A zebra"])
    with pytest.raises(ValueError, match="same number"):
        encode(TASK, ["^ A", "^"])
    with pytest.raises(TypeError, match="list of strings"):
        encode(TASK, "^ A")


def test_reward_scores_token_ids_as_the_task_does() -> None:
    rng = np.random.default_rng(2)
    ops, start = TASK.sample_problems(32, rng)
    prompts = TASK.prompts(ops, start)
    right = TASK.completions(ops, start, think=True)
    wrong_answer = TASK.completions(ops, start, think=False)  # ANS y EOS ...
    wrong_answer[:, 1] = TASK.value_token((TASK.answers(ops, start) + 1) % TASK.num_values)
    reward = MiniatureReward(TASK, format_weight=0.1)
    texts = [TASK.decode(p) for p in prompts]
    for completions, expected in ((right, 1.0), (wrong_answer, 0.1)):
        ids = [row.tolist() for row in completions]
        got = reward(prompts=texts, completions=["unused"] * 32, completion_ids=ids)
        assert got == pytest.approx([expected] * 32)
        assert got == pytest.approx(rewards(TASK, prompts, completions).tolist())


def test_reward_refuses_to_guess_from_text() -> None:
    reward = MiniatureReward(TASK)
    prompt = TASK.decode(TASK.prompts(*TASK.sample_problems(1, np.random.default_rng(0))))
    with pytest.raises(ValueError, match="completion_ids"):
        reward(prompts=[prompt], completions=["= 3"])
    with pytest.raises(ValueError, match="one each"):
        reward(prompts=[prompt], completions=["= 3"], completion_ids=[[2], [2]])
    with pytest.raises(ValueError, match="token ids"):
        reward(prompts=[prompt], completions=["?"], completion_ids=[[TASK.vocab_size]])
    with pytest.raises(ValueError, match="prompts must"):  # not a prompt of the task
        reward(prompts=["^ A 3"], completions=["= 3"], completion_ids=[[2]])
    with pytest.raises(TypeError, match="Task"):
        MiniatureReward("task")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format_weight"):
        MiniatureReward(TASK, format_weight=1.5)


def test_pad_completions() -> None:
    out = pad_completions([[2, 9, 4], [7], []])
    assert out.tolist() == [[2, 9, 4], [7, PAD, PAD], [PAD, PAD, PAD]]
    assert pad_completions([]).shape == (0, 1)


@pytest.fixture(scope="module")
def one_step(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One GRPOTrainer step from the shipped base, with r1lib's rewards as they are."""
    folder = hf.export(TEACHER, TASK, tmp_path_factory.mktemp("base"))
    seen: dict[str, Any] = {}

    def recorder(**kwargs: Any) -> list[float | None]:  # what TRL hands a reward function
        seen.update(kwargs)
        return [0.0] * len(kwargs["completions"])

    overlong = functools.partial(
        r1_rewards.soft_overlong_penalty,
        max_completion_len=TASK.max_completion_length,
        soft_punish_cache=6,
    )
    config = GRPOConfig(steps=1, prompts_per_step=4, group_size=8, num_iterations=1)
    trainer = trl.GRPOTrainer(
        model=str(folder),
        reward_funcs=[MiniatureReward(TASK), r1_rewards.format_reward, overlong, recorder],
        args=trl_config(
            config,
            TASK,
            tmp_path_factory.mktemp("run"),
            reward_weights=[1.0, 0.0, 0.0, 0.0],
        ),
        train_dataset=prompt_dataset(TASK, 4, np.random.default_rng(0)),
    )
    trainer.train()
    return {"seen": seen, "log": trainer.state.log_history[0]}


def test_trl_passes_the_dataset_columns_and_the_ids(one_step: dict[str, Any]) -> None:
    seen = one_step["seen"]
    assert {"prompts", "completions", "completion_ids", "answer", "log_metric"} <= set(seen)
    prompts = encode(TASK, seen["prompts"])
    assert seen["answer"] == TASK.answers(*TASK.problems_of(prompts)).tolist()


def test_the_eos_pitfall_inside_trl(one_step: dict[str, Any]) -> None:
    seen = one_step["seen"]
    ids = pad_completions(seen["completion_ids"])
    stopped = (ids == EOS).any(axis=1)
    assert stopped.any()
    eos_word = TASK.decode([EOS])
    # The ids keep the EOS that ended each completion; the text TRL decoded has lost it.
    assert all(ids[row, completion_lengths(ids)[row] - 1] == EOS for row in np.flatnonzero(stopped))
    assert not any(eos_word in text.split() for text in seen["completions"])
    # So the same rules read from the text would find no well-formed completion at all,
    # while the ids have many.
    from_text = [
        encode(TASK, [text])[0] if text else np.array([PAD]) for text in seen["completions"]
    ]
    width = max(len(row) for row in from_text)
    text_tokens = np.array([np.pad(row, (0, width - len(row))) for row in from_text])
    prompts = encode(TASK, seen["prompts"])
    assert analyse(TASK, prompts, ids).well_formed.sum() > 0
    assert analyse(TASK, prompts, text_tokens).well_formed.sum() == 0


def test_trl_logs_the_rewards_r1lib_computes(one_step: dict[str, Any]) -> None:
    seen, log = one_step["seen"], one_step["log"]
    prompts = encode(TASK, seen["prompts"])
    completions = pad_completions(seen["completion_ids"])
    expected = rewards(TASK, prompts, completions)
    assert log["rewards/miniature_reward/mean"] == pytest.approx(expected.mean(), abs=1e-6)
    assert log["reward"] == pytest.approx(expected.mean(), abs=1e-6)  # weights 1, 0, 0, 0
    assert log["rewards/format_reward/mean"] == 0.0  # no <think> tags in this vocabulary
    penalty = r1_rewards.soft_overlong_penalty(
        completion_ids=seen["completion_ids"],
        max_completion_len=TASK.max_completion_length,
        soft_punish_cache=6,
    )
    assert log["rewards/soft_overlong_penalty/mean"] == pytest.approx(np.mean(penalty), abs=1e-6)
    assert np.mean(penalty) < 0  # some completions ran long: the penalty is not all zeros
    analysis = analyse(TASK, prompts, completions)
    assert log["accuracy"] == pytest.approx(analysis.correct.mean())
    assert log["think_share"] == pytest.approx(analysis.thinks.mean())
    assert log["wait_rate"] == pytest.approx((analysis.waits > 0).mean())
    assert log["self_correction_rate"] == pytest.approx((analysis.corrections > 0).mean())


def test_trl_config_refuses_what_it_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="GRPOConfig"):
        trl_config({"steps": 1}, TASK, tmp_path)
    with pytest.raises(ValueError, match="world_size"):
        trl_config(GRPOConfig(prompts_per_step=3, group_size=3), TASK, tmp_path, world_size=2)
    with pytest.raises(ValueError, match="reward='rule'"):
        trl_config(GRPOConfig(reward="flawed"), TASK, tmp_path)
