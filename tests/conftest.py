"""Shared pytest configuration: headless matplotlib and a deterministic hypothesis profile."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings

# Derandomised so a run is reproducible; deadline off because the machines are shared.
settings.register_profile("r1course", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("r1course")
