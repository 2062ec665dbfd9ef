"""Shared pytest configuration: headless matplotlib, a deterministic hypothesis profile,
the finite-difference gradient every analytic gradient is tested against, and the tiny
capstone pipeline configuration."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
from hypothesis import settings

from r1lib.miniature.pipeline import PipelineConfig
from r1lib.miniature.task import Task
from r1lib.miniature.training import GRPOConfig

# Derandomised so a run is reproducible; deadline off because the machines are shared.
settings.register_profile("r1course", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("r1course")


def _central_difference(function, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of a scalar ``function`` at ``x``: (f(x + h e_i) - f(x - h e_i)) / 2h per entry."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (function(x + step) - function(x - step)) / (2 * h)
    return grad


@pytest.fixture(scope="session")
def numeric_grad():
    """``numeric_grad(function, x)``: the central-difference gradient of ``function`` at ``x``."""
    return _central_difference


@pytest.fixture(scope="session")
def tiny_config() -> PipelineConfig:
    """Every stage of the capstone pipeline, at a size that runs in about a second."""
    return PipelineConfig(
        task=Task(num_steps=3, slack=3),
        num_demos=300,
        teacher_hidden=(16,),
        student_hidden=(8,),
        sft_steps=20,
        sft_batch=32,
        grpo=GRPOConfig(steps=3, prompts_per_step=4, group_size=4, mu=2),
        num_test=3,
        eval_samples=256,
        num_val=4,
        eval_every=2,
    )
