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

import functools
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from r1lib import metrics
from r1lib._validation import check_choice
from r1lib.miniature.bases import DATA_DIR, TASK, load_bases
from r1lib.miniature.pipeline import BUDGETS, budget_config, run_pipeline
from r1lib.miniature.rl import GRPOConfig, grpo_train_unchecked

__all__ = [
    "DIFFICULTIES",
    "SEEDS",
    "SWEEP_GROUP_SIZES",
    "SWEEP_LOSS_TYPES",
    "difficulty_summary",
    "load_reference",
    "load_sweeps",
    "make_reference",
    "run_sweeps",
    "sweep_summary",
]

#: the seeds of the reference runs
SEEDS = (0, 1, 2)
#: the difficulties of the shipped task
DIFFICULTIES = tuple(range(TASK.min_steps, TASK.max_steps + 1))
#: the k of the per-difficulty pass@k summary
_SUMMARY_KS = (1, 4, 16, 64, 256)
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
    runs: dict[str, list[dict[str, list[float | None]]]] = {}
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
                log = grpo_train_unchecked(
                    model,
                    task,
                    config,
                    rng,
                    reference=base,
                    callback=None if bar is None else (lambda *_: bar.update(1)),
                )
                logs.append(log.as_json())
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
        text = json.dumps({"seeds": records}, separators=(",", ":"))
        (out / f"reference_{budget}.json").write_text(text + "\n")
    if sweeps:
        start = time.perf_counter()
        data = run_sweeps(seeds, progress=progress)
        data["seconds"] = time.perf_counter() - start
        (out / "sweeps.json").write_text(json.dumps(data, separators=(",", ":")) + "\n")


def load_reference(budget: str, data_dir: Path | str = DATA_DIR) -> list[dict[str, Any]]:
    """The shipped pipeline records of ``budget``, one per seed."""
    check_choice(budget, "budget", BUDGETS)
    return json.loads((Path(data_dir) / f"reference_{budget}.json").read_text())["seeds"]


def load_sweeps(data_dir: Path | str = DATA_DIR) -> dict[str, Any]:
    """The shipped GRPO sweeps (see :func:`run_sweeps`)."""
    return json.loads((Path(data_dir) / "sweeps.json").read_text())


@functools.lru_cache(maxsize=1)
def sweep_summary(data_dir: Path | str = DATA_DIR) -> dict[str, Any]:
    """The shipped sweeps with each setting's final mean length (last 5 steps, all seeds)."""
    data = load_sweeps(data_dir)
    final = {
        key: float(np.mean([log["mean_length"][-5:] for log in logs]))
        for key, logs in data["runs"].items()
    }
    return {**data, "final_length": final}


@functools.lru_cache(maxsize=1)
def difficulty_summary(budget: str = "notebook", data_dir: Path | str = DATA_DIR) -> dict[str, Any]:
    """The base's and the RL model's behaviour at each difficulty, per seed.

    From the shipped reference runs of ``budget``: for each model (``"base"``,
    ``"grpo"``) a ``(seeds, difficulties)`` list of mean completion lengths, and for
    each difficulty ``S`` the ``(seeds, ks)`` pass@k and chain-verified pass@k over the
    seed's test problems of that difficulty (unbiased estimator, Chen et al. 2021); the
    uniform guesser's pass@k and the number of problems of each difficulty (first seed).
    """
    records = load_reference(budget, data_dir)
    ks = [k for k in _SUMMARY_KS if k <= records[0]["base"]["n"]]
    out: dict[str, Any] = {
        "ks": ks,
        "length": {},
        "pass@k": {},
        "chain_pass@k": {},
        "random_guess": [float(records[0]["random_guess_pass@k"][str(k)]) for k in ks],
        "problems": {},
    }
    for model in ("base", "grpo"):
        lengths: list[list[float]] = []
        plain: dict[int, list[list[float]]] = {s: [] for s in DIFFICULTIES}
        chain: dict[int, list[list[float]]] = {s: [] for s in DIFFICULTIES}
        for record in records:
            m = record[model]
            by_steps = m["length_by_steps"]  # the record's mean length at each difficulty
            mean_length = dict(zip(by_steps["steps"], by_steps["mean_length"], strict=True))
            lengths.append([mean_length.get(s, math.nan) for s in DIFFICULTIES])
            steps = np.asarray(m["per_problem"]["steps"])
            n = m["n"]
            for name, target in (("correct", plain), ("chain_correct", chain)):
                counts = np.asarray(m["per_problem"][name])
                for s in DIFFICULTIES:
                    c = counts[steps == s]
                    target[s].append([float(np.mean(metrics.pass_at_k(n, c, k))) for k in ks])
        out["length"][model] = lengths
        out["pass@k"][model] = plain
        out["chain_pass@k"][model] = chain
    first = np.asarray(records[0]["base"]["per_problem"]["steps"])
    out["problems"] = {s: int(np.sum(first == s)) for s in DIFFICULTIES}
    return out
