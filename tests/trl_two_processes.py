"""A few GRPOTrainer steps from the shipped base in one of several processes.

Launched by tests/test_trl_trainer.py as
``python -m torch.distributed.run --nproc_per_node 2 tests/trl_two_processes.py OUT``
(torchrun). accelerate's multi-CPU backend (gloo) splits each step's completions over the
processes and averages the gradients; every rank writes ``OUT/rank<k>.npz`` with the
world size it obtained and its final weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import trl

from r1lib.miniature import hf
from r1lib.miniature.bases import load_bases
from r1lib.miniature.rl import GRPOConfig
from r1lib.trl_bridge import MiniatureReward, prompt_dataset, trl_config

STEPS = 4


def main(out: Path) -> None:
    task, teacher, _ = load_bases()
    config = GRPOConfig(
        steps=STEPS, prompts_per_step=2, group_size=8, num_iterations=1, learning_rate=3e-3
    )
    args = trl_config(config, task, out / "run", seed=0, world_size=2)
    checkpoint = out / "base"  # written by the test before the launch
    trainer = trl.GRPOTrainer(
        model=str(checkpoint),
        reward_funcs=MiniatureReward(task),
        args=args,
        train_dataset=prompt_dataset(
            task, STEPS * config.prompts_per_step, np.random.default_rng(0)
        ),
    )
    trainer.train()
    rank = trainer.accelerator.process_index
    weights = hf.from_transformers(trainer.accelerator.unwrap_model(trainer.model))
    np.savez(
        out / f"rank{rank}.npz",
        num_processes=trainer.accelerator.num_processes,
        world_size=torch.distributed.get_world_size(),
        backend=str(torch.distributed.get_backend()),
        steps=trainer.state.global_step,
        **{f"param/{name}": value for name, value in weights.params.items()},
    )
    assert teacher.config == weights.config


if __name__ == "__main__":
    main(Path(sys.argv[1]))
