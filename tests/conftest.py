"""Shared pytest configuration: headless matplotlib, a deterministic hypothesis profile,
and the finite-difference gradient every analytic gradient is tested against."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
from hypothesis import settings

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
