"""Reference runs shipped with the package: every budget over seeds 0-2, and the sweeps.

Lesson 12 plots bands over seeds and moves sliders over group sizes and loss types;
training all of that live would take minutes, so it reads these precomputed runs,
made by one documented command::

    python -m r1lib.miniature reference

which runs the pipeline (:func:`r1lib.miniature.pipeline.run_pipeline`) at each budget
for seeds 0, 1 and 2, and the GRPO sweeps (:func:`run_sweeps`), and writes
``r1lib/miniature/data/reference_<budget>.json`` and ``sweeps.json``. The notebook
re-runs one seed live at the fast budget, so the learner sees the training happen.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from r1lib._validation import check_choice
from r1lib.miniature.bases import DATA_DIR, load_bases
from r1lib.miniature.pipeline import BUDGETS, budget_config, run_pipeline
from r1lib.miniature.rl import GRPOConfig, grpo_train

__all__ = [
    "SEEDS",
    "SWEEP_GROUP_SIZES",
    "SWEEP_LOSS_TYPES",
    "load_reference",
    "load_sweeps",
    "make_reference",
    "run_sweeps",
]

#: the seeds of the reference runs
SEEDS = (0, 1, 2)
#: the sweep's group sizes G (the samples per step stay 128: 128 / G prompts)
SWEEP_GROUP_SIZES = (2, 4, 8, 16)
#: the sweep's loss aggregations
SWEEP_LOSS_TYPES = ("grpo", "dr_grpo")
_SAMPLES_PER_STEP = 128


def run_sweeps(
    seeds: tuple[int, ...] = SEEDS, steps: int = 60, *, progress: bool = False
) -> dict[str, Any]:
    """GRPO from the shipped base for every (G, loss_type) of the sweep and every seed.

    Returns ``{"steps": steps, "runs": {"G=<g>,<loss_type>": [log per seed]}}`` with each
    log a dict of per-step lists (:data:`r1lib.miniature.rl.LOG_KEYS`).
    """
    task, base, _ = load_bases()
    runs: dict[str, list[dict[str, list[float]]]] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        total = len(SWEEP_GROUP_SIZES) * len(SWEEP_LOSS_TYPES) * len(seeds) * steps
        bar = tqdm(total=total, desc="GRPO sweeps", unit="step")
    for group_size in SWEEP_GROUP_SIZES:
        for loss_type in SWEEP_LOSS_TYPES:
            config = GRPOConfig(
                steps=steps,
                prompts_per_step=_SAMPLES_PER_STEP // group_size,
                group_size=group_size,
                loss_type=loss_type,
            )
            logs = []
            for seed in seeds:
                model = base.copy()
                rng = np.random.default_rng(np.random.SeedSequence([seed, group_size, 17]))
                log = grpo_train(
                    model,
                    task,
                    config,
                    rng,
                    reference=base,
                    callback=None if bar is None else (lambda *_: bar.update(1)),
                )
                logs.append({k: v.tolist() for k, v in log.as_arrays().items()})
            runs[f"G={group_size},{loss_type}"] = logs
    if bar is not None:
        bar.close()
    return {"steps": steps, "samples_per_step": _SAMPLES_PER_STEP, "runs": runs}


def make_reference(
    out_dir: Path | str = DATA_DIR,
    *,
    budgets: tuple[str, ...] = BUDGETS,
    seeds: tuple[int, ...] = SEEDS,
    sweeps: bool = True,
    progress: bool = False,
) -> None:
    """Run and write the reference files (see the module docstring)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for budget in budgets:
        check_choice(budget, "budget", BUDGETS)
        records = []
        for seed in seeds:
            result = run_pipeline(budget_config(budget), seed, progress=progress)
            records.append(result.as_json())
            print(f"{budget} seed {seed}: {result.seconds:.0f} s", flush=True)
        (out / f"reference_{budget}.json").write_text(json.dumps({"seeds": records}) + "\n")
    if sweeps:
        start = time.perf_counter()
        data = run_sweeps(seeds, progress=progress)
        data["seconds"] = time.perf_counter() - start
        (out / "sweeps.json").write_text(json.dumps(data) + "\n")


def load_reference(budget: str, data_dir: Path | str = DATA_DIR) -> list[dict[str, Any]]:
    """The shipped pipeline records of ``budget``, one per seed."""
    check_choice(budget, "budget", BUDGETS)
    return json.loads((Path(data_dir) / f"reference_{budget}.json").read_text())["seeds"]


def load_sweeps(data_dir: Path | str = DATA_DIR) -> dict[str, Any]:
    """The shipped GRPO sweeps (see :func:`run_sweeps`)."""
    return json.loads((Path(data_dir) / "sweeps.json").read_text())
