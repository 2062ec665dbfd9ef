"""The whole R1-in-miniature pipeline, from imperfect demonstrations to distilled students.

1. **Base models.** Pre-train a teacher-sized and a student-sized MLP with supervised
   learning on the same imperfect demonstrations (the "pretrained base" of R1-Zero).
2. **R1-Zero in miniature.** GRPO on the teacher's base, rule-based reward only.
3. **Distillation into the smaller student, three ways at the same compute** (the
   same number of sampled sequences and of Adam updates on batches of the same size):

   a. ``student_rl``: GRPO on the student from its own base (R1's "RL on the small
      model", R1-Zero-Qwen-32B in Table 6);
   b. ``student_seq_kd``: supervised fine-tuning on the trained teacher's correct
      samples (rejection sampling, sequence-level KD: what R1 did for its Distill
      models);
   c. ``student_token_kd``: token-level KD, :func:`r1lib.distill.distillation_loss`
      at a temperature on the teacher's samples.
4. **Evaluation** of every model on held-out problems with R1's protocol
   (:mod:`r1lib.miniature.evaluation`).

Everything is a deterministic function of ``(config, seed)``: one
``numpy.random.SeedSequence(seed)`` is split into an independent stream per stage.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from r1lib._validation import check_whole_number
from r1lib.miniature.evaluation import Evaluation, evaluate
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.task import Demonstrator, Task, demonstrations
from r1lib.miniature.training import (
    GRPOConfig,
    GRPOLog,
    grpo_train,
    rejection_sample,
    supervised_finetune,
    token_distill,
)

__all__ = [
    "JSON_MODELS",
    "MODELS",
    "PipelineConfig",
    "PipelineResult",
    "base_model",
    "fast_config",
    "full_config",
    "notebook_config",
    "results_table",
    "run_jobs",
    "run_pipeline",
    "run_seeds",
]

#: every model the pipeline evaluates, in table order
MODELS = ("base", "grpo", "student_base", "student_rl", "student_seq_kd", "student_token_kd")
#: the models of the CLI's JSON (issue 6's schema)
JSON_MODELS = ("base", "grpo", "student_rl", "student_seq_kd", "student_token_kd")

_STREAMS = (
    "test",
    "demos",
    "teacher_init",
    "student_init",
    "teacher_sft",
    "student_sft",
    "teacher_grpo",
    "student_grpo",
    "seq_kd",
    "token_kd",
    "evaluation",
)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that defines a pipeline run (see :func:`fast_config`, :func:`full_config`).

    Parameters
    ----------
    task, demonstrator
        The task and the imperfect demonstrator of the base models' data.
    num_demos
        Number of demonstrations (one per training prompt).
    teacher_hidden, student_hidden
        Hidden widths of the two model sizes.
    precision
        Arithmetic of the policies' forward and backward passes (``"float32"`` or
        ``"float64"``; see :class:`~r1lib.miniature.policy.MLPPolicy`).
    sft_steps, sft_batch, sft_lr
        Pre-training of both base models (same recipe for both sizes).
    grpo
        GRPO hyper-parameters, for the teacher and (same compute) the student.
    kd_lr, kd_temperature, kd_sample_temperature
        Learning rate of both distillation variants (None: GRPO's, so the three students
        share their optimiser settings), the temperature of the token-level KD loss,
        and the teacher's sampling temperature for distillation data.
    num_test, eval_samples, eval_temperature, cons_k
        Held-out problems, samples per problem (``n``), sampling temperature and
        majority-vote size of the final evaluation.
    num_val, val_samples, eval_every
        The small validation set behind the pass@1 curve logged during GRPO.
    """

    task: Task = field(default_factory=Task)
    demonstrator: Demonstrator = field(default_factory=Demonstrator)
    num_demos: int = 4000
    teacher_hidden: tuple[int, ...] = (64,)
    student_hidden: tuple[int, ...] = (16,)
    precision: str = "float32"
    sft_steps: int = 300
    sft_batch: int = 128
    sft_lr: float = 1e-2
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    kd_lr: float | None = None
    kd_temperature: float = 2.0
    kd_sample_temperature: float = 1.0
    num_test: int = 100
    eval_samples: int = 256
    eval_temperature: float = 0.6
    cons_k: int = 16
    num_val: int = 64
    val_samples: int = 4
    eval_every: int = 5

    def __post_init__(self) -> None:
        for name in ("num_demos", "sft_steps", "sft_batch", "num_test", "eval_samples", "num_val"):
            check_whole_number(getattr(self, name), name, minimum=1)
        if self.cons_k > self.eval_samples:
            raise ValueError(
                f"cons_k must be <= eval_samples = {self.eval_samples}; got {self.cons_k}"
            )

    def with_grpo(self, **changes: object) -> PipelineConfig:
        """A copy with some GRPO hyper-parameters changed (e.g. ``group_size=16``)."""
        return replace(self, grpo=replace(self.grpo, **changes))


def fast_config() -> PipelineConfig:
    """The ``--fast`` setting (CI and notebook 09): about 10 s of CPU per seed."""
    return PipelineConfig(
        grpo=GRPOConfig(steps=60, prompts_per_step=32, group_size=8, mu=2, lr=1e-2, beta=0.04)
    )


def notebook_config() -> PipelineConfig:
    """Notebook 09's default: the fast setting's task and models on a smaller budget.

    Same task, demonstrator, model sizes, evaluation protocol and GRPO
    hyper-parameters as :func:`fast_config`; shorter pre-training (200 steps of 64
    sequences at learning rate 0.015 instead of 300 of 128 at 0.01), 35 GRPO steps
    instead of 60 (the students' budgets shrink alike) and 50 held-out problems instead
    of 100, so that three seeds and the slider sweeps fit the notebook's 20-second
    budget on two cores.
    """
    fast = fast_config()
    return replace(
        fast,
        sft_steps=200,
        sft_batch=64,
        sft_lr=1.5e-2,
        num_test=50,
        grpo=replace(fast.grpo, steps=35),
    )


def full_config() -> PipelineConfig:
    """The full run: longer pre-training and GRPO, 500 held-out problems."""
    return PipelineConfig(
        num_demos=8000,
        sft_steps=2000,
        grpo=GRPOConfig(steps=200, prompts_per_step=32, group_size=16, mu=2, lr=5e-3, beta=0.04),
        num_test=500,
        num_val=128,
    )


@dataclass
class PipelineResult:
    """Everything a pipeline run produced.

    Attributes
    ----------
    config, seed
        What was run.
    evaluations
        :class:`~r1lib.miniature.evaluation.Evaluation` per model name (:data:`MODELS`).
    teacher_log, student_log
        Per-step GRPO diagnostics of the teacher's and the student's RL runs.
    sft_losses
        Pre-training loss curves (``"teacher"``, ``"student"``).
    distill_losses
        ``"seq_kd"`` and ``"token_kd"`` loss curves.
    seq_kd_accepted
        Number of the teacher's samples kept by rejection sampling (and the number drawn).
    models
        The trained policies by name (the base models as ``"base"``/``"student_base"``).
    test_prompts
        The held-out problems.
    seconds
        Wall-clock time of the run.
    """

    config: PipelineConfig
    seed: int
    evaluations: dict[str, Evaluation]
    teacher_log: GRPOLog
    student_log: GRPOLog
    sft_losses: dict[str, np.ndarray]
    distill_losses: dict[str, np.ndarray]
    seq_kd_accepted: tuple[int, int]
    models: dict[str, MLPPolicy]
    test_prompts: np.ndarray
    seconds: float

    def as_json(self) -> dict[str, object]:
        """Issue 6's schema: ``seconds`` and, per model, pass@1, cons@16 and pass@k."""
        out: dict[str, object] = {"seconds": self.seconds}
        for name in JSON_MODELS:
            out[name] = self.evaluations[name].as_json()
        return out


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)
    }


@dataclass
class _Data:
    test: np.ndarray
    val: np.ndarray
    held_out: np.ndarray
    prompts: np.ndarray
    demos: np.ndarray


def _prepare(config: PipelineConfig, rng: dict[str, np.random.Generator]) -> _Data:
    """Held-out test and validation prompts, and the demonstrations (training prompts)."""
    task = config.task
    test = task.sample_prompts(config.num_test, rng["test"])
    val = task.sample_prompts(config.num_val, rng["test"], exclude=test)
    held_out = np.concatenate([test, val])
    prompts = task.sample_prompts(config.num_demos, rng["demos"], exclude=held_out)
    demos = demonstrations(task, prompts, config.demonstrator, rng["demos"])
    return _Data(test, val, held_out, prompts, demos)


def _pretrain(
    config: PipelineConfig,
    hidden: tuple[int, ...],
    data: _Data,
    rng: dict[str, np.random.Generator],
    role: str,
    progress: bool,
) -> tuple[MLPPolicy, np.ndarray]:
    """Supervised pre-training of a base model (``role`` is "teacher" or "student")."""
    policy = MLPPolicy(config.task, hidden, rng[f"{role}_init"], precision=config.precision)
    losses = supervised_finetune(
        policy,
        data.prompts,
        data.demos,
        rng[f"{role}_sft"],
        steps=config.sft_steps,
        batch_size=config.sft_batch,
        lr=config.sft_lr,
        progress=progress,
        desc="pretrain" if role == "teacher" else "pretrain student",
    )
    return policy, losses


def base_model(config: PipelineConfig | None = None, seed: int = 0) -> tuple[MLPPolicy, np.ndarray]:
    """The pipeline's pre-trained (teacher-sized) base model for ``seed``, and its held-out set.

    Identical to ``run_pipeline(config, seed).models["base"]`` (same random streams), for
    experiments that start from the base without running the whole pipeline. Returns
    ``(base, held_out)`` where ``held_out`` stacks the test and validation prompts.
    """
    config = fast_config() if config is None else config
    seed = check_whole_number(seed, "seed", minimum=0)
    rng = _streams(seed)
    data = _prepare(config, rng)
    policy, _ = _pretrain(config, config.teacher_hidden, data, rng, "teacher", False)
    return policy, data.held_out


def run_pipeline(
    config: PipelineConfig | None = None, seed: int = 0, *, progress: bool = False
) -> PipelineResult:
    """Run the whole pipeline for one seed (see the module docstring).

    Parameters
    ----------
    config
        Default: :func:`fast_config`.
    seed
        Seed of every random stream of the run.
    progress
        Show tqdm progress bars.
    """
    config = fast_config() if config is None else config
    if not isinstance(config, PipelineConfig):
        raise TypeError(f"config must be a PipelineConfig; got {type(config).__name__}")
    seed = check_whole_number(seed, "seed", minimum=0)
    start = time.perf_counter()
    rng = _streams(seed)
    task, g = config.task, config.grpo

    data = _prepare(config, rng)
    test, val, held_out = data.test, data.val, data.held_out

    # 1. base models: same data and recipe, two sizes
    base, teacher_sft = _pretrain(config, config.teacher_hidden, data, rng, "teacher", progress)
    student_base, student_sft = _pretrain(
        config, config.student_hidden, data, rng, "student", progress
    )
    sft_losses = {"teacher": teacher_sft, "student": student_sft}

    # 2. R1-Zero in miniature: GRPO from the base, reference = the frozen base
    teacher = base.copy()
    grpo_kw = {
        "exclude": held_out,
        "val_prompts": val,
        "eval_every": config.eval_every,
        "val_samples": config.val_samples,
        "eval_temperature": config.eval_temperature,
    }
    teacher_log = grpo_train(
        teacher,
        g,
        rng["teacher_grpo"],
        reference=base,
        progress=progress,
        desc="GRPO",
        **grpo_kw,
    )

    # 3a. RL on the small model from its own base, same compute
    student_rl = student_base.copy()
    student_log = grpo_train(
        student_rl,
        g,
        rng["student_grpo"],
        reference=student_base,
        progress=progress,
        desc="GRPO student",
        **grpo_kw,
    )
    batch = g.prompts_per_step * g.group_size
    updates = g.steps * g.mu
    kd_lr = g.lr if config.kd_lr is None else config.kd_lr

    # 3b. sequence-level KD: SFT on the teacher's correct samples (rejection sampling)
    drawn = g.steps * batch  # as many sampled sequences as the student's GRPO run
    kd_prompts = task.sample_prompts(drawn, rng["seq_kd"], exclude=held_out)
    kept_prompts, kept = rejection_sample(
        teacher, kd_prompts, rng["seq_kd"], temperature=config.kd_sample_temperature
    )
    student_seq = student_base.copy()
    if len(kept):
        seq_losses = supervised_finetune(
            student_seq,
            kept_prompts,
            kept,
            rng["seq_kd"],
            steps=updates,
            batch_size=batch,
            lr=kd_lr,
            progress=progress,
            desc="seq-level KD",
        )
    else:  # a teacher that never succeeds leaves nothing to distil
        seq_losses = np.full(updates, np.nan)

    # 3c. token-level KD with r1lib.distill.distillation_loss
    student_tok = student_base.copy()
    tok_losses = token_distill(
        student_tok,
        teacher,
        rng["token_kd"],
        steps=g.steps,
        batch_size=batch,
        updates_per_batch=g.mu,
        lr=kd_lr,
        temperature=config.kd_temperature,
        sample_temperature=config.kd_sample_temperature,
        exclude=held_out,
        progress=progress,
        desc="token-level KD",
    )

    # 4. evaluation (one stream per model, so models are compared on fresh samples)
    models = {
        "base": base,
        "grpo": teacher,
        "student_base": student_base,
        "student_rl": student_rl,
        "student_seq_kd": student_seq,
        "student_token_kd": student_tok,
    }
    eval_streams = rng["evaluation"].spawn(len(MODELS))
    evaluations = {
        name: evaluate(
            models[name],
            test,
            stream,
            n=config.eval_samples,
            temperature=config.eval_temperature,
            cons_k=config.cons_k,
        )
        for name, stream in zip(MODELS, eval_streams, strict=True)
    }
    return PipelineResult(
        config=config,
        seed=seed,
        evaluations=evaluations,
        teacher_log=teacher_log,
        student_log=student_log,
        sft_losses=sft_losses,
        distill_losses={"seq_kd": seq_losses, "token_kd": tok_losses},
        seq_kd_accepted=(len(kept), drawn),
        models=models,
        test_prompts=test,
        seconds=time.perf_counter() - start,
    )


def run_jobs(
    jobs: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], *, processes: int | None = None
) -> list[Any]:
    """Run ``function(*args)`` for each ``(function, args)`` job, in parallel when possible.

    Worker processes are forked (so this works from a notebook, with module-level
    functions such as :func:`run_pipeline`); results come back in the jobs' order and
    are identical to running the jobs one after the other, since every job owns its
    random streams. ``processes=1``, a single job, or a platform other than Linux run
    the jobs sequentially in this process. Default: ``os.cpu_count()`` workers.
    """
    import multiprocessing
    import os

    jobs = list(jobs)
    workers = min(len(jobs), os.cpu_count() or 1) if processes is None else processes
    workers = check_whole_number(workers, "processes", minimum=1)
    # fork only on Linux: macOS offers it, but forking there is unsafe with some system
    # libraries (Python itself switched macOS to "spawn")
    if workers == 1 or len(jobs) <= 1 or not sys.platform.startswith("linux"):
        return [function(*args) for function, args in jobs]
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(function, *args) for function, args in jobs]
        return [future.result() for future in futures]


def run_seeds(
    config: PipelineConfig | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    *,
    processes: int | None = None,
) -> list[PipelineResult]:
    """Run the pipeline for several seeds (in parallel worker processes: :func:`run_jobs`).

    Results are identical to calling :func:`run_pipeline` per seed; only the wall-clock
    time changes.
    """
    config = fast_config() if config is None else config
    seeds = [check_whole_number(s, "seeds", minimum=0) for s in seeds]
    return run_jobs([(run_pipeline, (config, s)) for s in seeds], processes=processes)


def results_table(results: PipelineResult | Sequence[PipelineResult]) -> str:
    """A plain-text table of every model's scores (mean ± std over seeds when several)."""
    runs = [results] if isinstance(results, PipelineResult) else list(results)
    if not runs:
        raise ValueError("results must hold at least one PipelineResult")
    ks = [k for k in (1, 4, 16, 64, 256) if k <= runs[0].config.eval_samples]
    cons_k = runs[0].config.cons_k
    headers = ["model", "pass@1", f"cons@{cons_k}", *[f"pass@{k}" for k in ks[1:]], "length"]
    lines = []
    for name in MODELS:
        evs = [r.evaluations[name] for r in runs]
        cols = [[e.pass_at_1 for e in evs], [e.cons for e in evs]]
        cols += [[e.pass_at(k) for e in evs] for k in ks[1:]]
        cells = [_cell(c, len(runs)) for c in cols]
        cells.append(_cell([e.mean_length for e in evs], len(runs), digits=1))
        lines.append([name, *cells])
    widths = [max(len(row[i]) for row in [headers, *lines]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    seeds = ", ".join(str(r.seed) for r in runs)
    out = [fmt.format(*headers), *[fmt.format(*row) for row in lines]]
    note = f"held-out problems: {runs[0].config.num_test}, n = {runs[0].config.eval_samples}"
    note += f" samples each at T = {runs[0].config.eval_temperature}; seed(s) {seeds}"
    if len(runs) > 1:
        note += "; mean ± std over seeds"
    return "\n".join([*out, note])


def _cell(values: list[float], count: int, digits: int = 3) -> str:
    mean = float(np.mean(values))
    if count == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {float(np.std(values, ddof=1)):.{digits}f}"
