"""TRL's GRPOTrainer on the exported miniature, on CPU: a short seeded run that must
raise the reward (and the held-out pass@1 by r1lib's own evaluation), and launches on
two processes (accelerate launch and torchrun, gloo) whose ranks finish with identical
weights; FSDP asked for on the CPU runs as plain data parallelism."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("trl")

import trl

from r1lib.miniature import hf
from r1lib.miniature.bases import load_bases
from r1lib.miniature.evaluation import evaluate
from r1lib.miniature.rl import GRPOConfig
from r1lib.trl_bridge import (
    COMPARISON,
    MiniatureReward,
    launch_distributed,
    trl_curves,
    trl_trainer,
)

TASK, TEACHER, _ = load_bases()


def _held_out_pass_at_1(model: object, seed: int) -> tuple[float, float, float]:
    """pass@1 at T = 0.6 (R1's protocol) on 64 held-out problems x 16 samples, 95% CI."""
    rng = np.random.default_rng(seed)
    prompts = TASK.prompts(*TASK.sample_problems(64, rng, split="test"))
    e = evaluate(model, TASK, prompts, rng, n=16, cons_k=16)  # type: ignore[arg-type]
    return e.pass_at_1.mean, e.pass_at_1.ci_low, e.pass_at_1.ci_high


def test_a_short_seeded_run_raises_the_reward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # R1-Zero in TRL with the comparison's recipe (16 prompts x G = 8 at T = 1, μ = 2,
    # beta = 0, lr 1e-3), cut to 20 steps.
    folder = hf.export(TEACHER, TASK, tmp_path / "base")
    config = GRPOConfig(steps=20)
    assert dataclasses.replace(config, steps=COMPARISON.steps) == COMPARISON
    trainer = trl_trainer(folder, config, TASK, tmp_path / "run", seed=0)
    assert isinstance(trainer, trl.GRPOTrainer)
    assert isinstance(trainer.reward_funcs[0], MiniatureReward)
    assert len(trainer.train_dataset) == 20 * 16  # steps x prompts_per_step problems
    trainer.train()
    assert "'loss'" not in capsys.readouterr().out  # quiet: the log is kept, not printed
    assert trainer.state.global_step == 20 * config.num_iterations
    curves = trl_curves(trainer.state.log_history)
    assert all(len(values) == 20 for values in curves.values())
    reward, think = np.array(curves["reward"]), np.array(curves["think_share"])
    # The first step samples from the base itself (its reward at T = 1 was 0.28-0.47 in
    # the ten shipped runs of both trainers); each step's reward is a mean over 128
    # samples of 16 problems. After 15 steps the base's habit of answering at once is gone.
    assert reward[0] < 0.55 and reward[-5:].mean() > 0.6
    assert think[0] < 0.5 and think[-5:].mean() > 0.9  # it learned to think
    # The course's own evaluation of the trained weights, back in numpy: held-out pass@1
    # at T = 0.6, the 95% intervals of base and trained model apart.
    trained = hf.from_transformers(trainer.model)
    base_mean, _, base_high = _held_out_pass_at_1(TEACHER, seed=1)
    trained_mean, trained_low, _ = _held_out_pass_at_1(trained, seed=1)
    assert trained_low > base_high
    assert trained_mean >= max(0.6, 2 * base_mean)


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Two-process runs of the same recipe: accelerate launch, torchrun, FSDP requested."""
    checkpoint = hf.export(TEACHER, TASK, tmp_path_factory.mktemp("base"))
    runs = {
        "accelerate": {"launcher": "accelerate"},
        "torchrun": {"launcher": "torchrun"},
        "fsdp": {"launcher": "accelerate", "fsdp": True},
    }
    return {
        name: launch_distributed(
            checkpoint, tmp_path_factory.mktemp(name), processes=2, steps=4, **options
        )
        for name, options in runs.items()
    }


def _same_weights(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return list(a["params"]) == list(b["params"]) and all(
        np.array_equal(value, b["params"][name]) for name, value in a["params"].items()
    )


@pytest.mark.parametrize("name", ["accelerate", "torchrun"])
def test_two_processes_on_cpu_agree(launched: dict[str, Any], name: str) -> None:
    # Two processes (gloo); the world size each rank obtained is read back.
    ranks = launched[name]
    for record in ranks:
        assert record["num_processes"] == 2
        assert record["world_size"] == 2
        assert record["backend"] == "gloo"
        assert record["distributed_type"] == "MULTI_CPU"
        assert record["wrapper"] == "DistributedDataParallel"
        assert record["updates"] == 4 * COMPARISON.num_iterations
    assert list(ranks[0]["params"]) == list(TEACHER.params)
    assert _same_weights(ranks[0], ranks[1])  # the gradients were averaged
    moved = max(np.abs(ranks[0]["params"][k] - v).max() for k, v in TEACHER.params.items())
    assert moved > 1e-4  # the weights were trained, identically on both ranks


def test_both_launchers_run_the_same_training(launched: dict[str, Any]) -> None:
    assert _same_weights(launched["accelerate"][0], launched["torchrun"][0])


def test_fsdp_on_cpu_is_plain_data_parallel(launched: dict[str, Any]) -> None:
    # accelerate 1.16 turns FSDP on only for GPU-like devices (state.py, lines 946-974),
    # so on the CPU the request is dropped without a word: DDP, the same weights.
    for record in launched["fsdp"]:
        assert record["fsdp_enabled"] is False
        assert record["distributed_type"] == "MULTI_CPU"
        assert record["wrapper"] == "DistributedDataParallel"
    assert _same_weights(launched["fsdp"][0], launched["accelerate"][0])


def test_launch_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="processes"):
        launch_distributed(tmp_path, tmp_path, processes=0)
    with pytest.raises(ValueError, match="must divide"):
        launch_distributed(tmp_path, tmp_path, processes=3)
    with pytest.raises(ValueError, match="steps"):
        launch_distributed(tmp_path, tmp_path, steps=0)
    with pytest.raises(ValueError, match="launcher"):
        launch_distributed(tmp_path, tmp_path, launcher="mpirun")
    with pytest.raises(TypeError, match="fsdp"):
        launch_distributed(tmp_path, tmp_path, fsdp="yes")  # type: ignore[arg-type]
