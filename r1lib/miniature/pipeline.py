"""The R1-Zero-in-miniature pipeline, from the shipped base models to the claims.

Starting from the shipped pre-trained bases (:mod:`r1lib.miniature.bases`):

1. **R1-Zero**: GRPO on the teacher-sized base with the rule-based reward only
   (``loss_type="grpo"``), and the same run with ``loss_type="dr_grpo"``;
2. **reward hacking**: the same run on the flawed verifier (gold anywhere in the output);
3. **distillation into the smaller student at equal budgets** (the same number of
   sampled sequences and of Adam updates on batches of the same size): GRPO on the
   student's own base (``student_rl``), rejection-sampled sequence-level KD from the
   RL-trained teacher (``student_seq_kd``) and token-level KD (``student_token_kd``);
4. **evaluation** of every model on held-out problems with R1's protocol
   (:mod:`r1lib.miniature.evaluation`).

Everything is a deterministic function of ``(config, seed)`` on one machine: one
``numpy.random.SeedSequence(seed)`` is split into an independent stream per stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from r1lib._validation import check_choice, check_positive, check_whole_number
from r1lib.miniature.bases import load_bases
from r1lib.miniature.distillation import (
    DistillConfig,
    sequence_distill_unchecked,
    token_distill_unchecked,
)
from r1lib.miniature.evaluation import JSON_KS, Evaluation, evaluate_unchecked
from r1lib.miniature.model import GPT
from r1lib.miniature.rl import GRPOConfig, GRPOLog, difficulty_buckets, grpo_train_unchecked
from r1lib.miniature.task import Task, flawed_rewards_unchecked

__all__ = [
    "BUDGETS",
    "EVAL_TEMPERATURE",
    "JSON_MODELS",
    "MODELS",
    "PipelineConfig",
    "PipelineResult",
    "budget_config",
    "results_table",
    "run_pipeline",
]

#: every model the pipeline evaluates, in table order
MODELS = (
    "base",
    "grpo",
    "dr_grpo",
    "hacked",
    "student_base",
    "student_rl",
    "student_seq_kd",
    "student_token_kd",
)
#: models evaluated with fewer samples (``PipelineConfig.side_samples``)
SIDE_MODELS = ("dr_grpo", "hacked", "student_base")
#: the models of the CLI's JSON schema
JSON_MODELS = ("base", "grpo", "student_rl", "student_seq_kd", "student_token_kd")
#: the named budgets
BUDGETS = ("fast", "notebook", "full")
#: sampling temperature of every evaluation (R1's protocol)
EVAL_TEMPERATURE = 0.6
_STREAMS = ("test", "grpo", "dr_grpo", "hacking", "student_rl", "seq_kd", "token_kd", "evaluation")


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that defines a pipeline run (see :func:`budget_config`).

    Every field is checked once, here; the run itself then calls unchecked cores. The
    properties :attr:`dr_grpo`, :attr:`hacking` and :attr:`distill` derive the other
    runs' configurations from these fields.

    Parameters
    ----------
    budget
        Its name (reported with the results).
    grpo
        GRPO for the teacher; the student's RL arm uses the same settings (equal budget).
    hacking_steps
        GRPO steps on the flawed verifier.
    distill_learning_rate
        Adam step size of both distillation arms.
    num_test, eval_samples, cons_k
        Held-out problems, samples per problem (``n``, at T = 0.6) and vote size.
    side_samples
        Samples per problem for the side models (``dr_grpo``, ``hacked``,
        ``student_base``), whose pass@k curve nothing reads.
    """

    budget: str = "notebook"
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    hacking_steps: int = 60
    distill_learning_rate: float = 1e-3
    num_test: int = 200
    eval_samples: int = 256
    cons_k: int = 16
    side_samples: int = 32

    def __post_init__(self) -> None:
        if not isinstance(self.budget, str):
            raise TypeError(f"budget must be a string; got {type(self.budget).__name__}")
        if not isinstance(self.grpo, GRPOConfig):
            raise TypeError(f"grpo must be a GRPOConfig; got {type(self.grpo).__name__}")
        for name in ("num_test", "eval_samples", "cons_k", "side_samples"):
            check_whole_number(getattr(self, name), name, minimum=2)
        check_whole_number(self.hacking_steps, "hacking_steps", minimum=0)
        if self.cons_k > min(self.eval_samples, self.side_samples):
            raise ValueError(
                f"cons_k must be <= eval_samples and side_samples "
                f"({self.eval_samples}, {self.side_samples}); got {self.cons_k}"
            )
        check_positive(self.distill_learning_rate, "distill_learning_rate")

    # The derived configurations reuse values checked above or in ``grpo``.

    @property
    def dr_grpo(self) -> GRPOConfig:
        """``grpo`` with ``loss_type="dr_grpo"``."""
        return self.grpo.replace_unchecked(loss_type="dr_grpo")

    @property
    def hacking(self) -> GRPOConfig:
        """``grpo`` with the flawed verifier, for ``hacking_steps`` steps."""
        return self.grpo.replace_unchecked(reward="flawed", steps=self.hacking_steps)

    @property
    def distill(self) -> DistillConfig:
        """The distillation arms' budget: the student RL arm's updates and sequences."""
        return DistillConfig.unchecked(
            steps=self.grpo.steps,
            batch_size=self.grpo.sequences_per_step,
            learning_rate=float(self.distill_learning_rate),
        )


def budget_config(budget: str) -> PipelineConfig:
    """The ``"fast"`` (CI, the shell's ``--fast``), ``"notebook"`` or ``"full"`` budget."""
    check_choice(budget, "budget", BUDGETS)
    if budget == "fast":
        return PipelineConfig(
            budget="fast", grpo=GRPOConfig(steps=30), hacking_steps=30, num_test=32
        )
    if budget == "notebook":
        return PipelineConfig(budget="notebook")
    return PipelineConfig(
        budget="full", grpo=GRPOConfig(steps=120), hacking_steps=120, num_test=256
    )


@dataclass
class PipelineResult:
    """Everything one pipeline run measured.

    Attributes
    ----------
    config, seed
        What was run.
    evaluations
        :class:`~r1lib.miniature.evaluation.Evaluation` of every model of :data:`MODELS`.
    logs
        Per-step GRPO logs of the runs ``"grpo"``, ``"dr_grpo"``, ``"hacking"``,
        ``"student_rl"``.
    hacking
        ``proxy_reward`` (flawed verifier) and ``true_accuracy`` of the hacked model's
        test samples at the end of its run.
    seq_kd_kept
        ``(kept, drawn)``: teacher samples that passed rejection sampling.
    buckets
        The difficulty buckets of the logged lengths, ``{name: (low, high)}``.
    seconds
        Wall-clock time of the run.
    """

    config: PipelineConfig
    seed: int
    evaluations: dict[str, Evaluation]
    logs: dict[str, GRPOLog]
    hacking: dict[str, float]
    seq_kd_kept: tuple[int, int]
    buckets: dict[str, tuple[int, int]]
    seconds: float

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON: per-model scores, hacking, random guessing, logs and timing."""
        n = self.config.eval_samples
        first = self.evaluations["base"]
        out: dict[str, Any] = {
            "seconds": self.seconds,
            "budget": self.config.budget,
            "seed": self.seed,
        }
        for name in MODELS:
            out[name] = self.evaluations[name].as_json()
        out["hacking"] = dict(self.hacking)
        out["random_guess_pass@k"] = {
            str(k): float(first.random_guess(k)) for k in JSON_KS if k <= n
        }
        out["seq_kd_kept"] = list(self.seq_kd_kept)
        out["difficulty_buckets"] = {k: list(v) for k, v in self.buckets.items()}
        out["logs"] = {name: log.as_json() for name, log in self.logs.items()}
        return out


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    return tqdm(total=total, desc="R1-Zero in miniature", unit="step", leave=False)


def _check_bases(bases: object, task: Task) -> tuple[GPT, GPT]:
    if not (isinstance(bases, tuple) and len(bases) == 2):
        raise TypeError("bases must be a (teacher_base, student_base) tuple of GPTs")
    for name, model in zip(("teacher_base", "student_base"), bases, strict=True):
        if not isinstance(model, GPT):
            raise TypeError(f"bases: {name} must be a GPT; got {type(model).__name__}")
        if model.config.vocab_size != task.vocab_size or model.config.block_size < task.block_size:
            raise ValueError(
                f"bases: {name} does not fit the task (vocabulary {task.vocab_size}, "
                f"block {task.block_size}); got {model.config.vocab_size}, "
                f"{model.config.block_size}"
            )
    return bases[0], bases[1]


def run_pipeline(
    config: PipelineConfig,
    seed: int,
    *,
    progress: bool = False,
    bases: tuple[GPT, GPT] | None = None,
    task: Task | None = None,
) -> PipelineResult:
    """Run every stage for one seed (see the module docstring).

    The arguments are checked here, once; every stage then runs on unchecked cores.

    Parameters
    ----------
    config
        The budget (:func:`budget_config`).
    seed
        Seed of every random stream.
    progress
        Show a ``tqdm`` progress bar (one tick per training step and per evaluation).
    bases
        ``(teacher_base, student_base)``; default the shipped ones.
    task
        The task of the bases; default the shipped one.
    """
    if not isinstance(config, PipelineConfig):
        raise TypeError(f"config must be a PipelineConfig; got {type(config).__name__}")
    seed = check_whole_number(seed, "seed", minimum=0)
    if task is not None and not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    start = time.perf_counter()
    if bases is None or task is None:
        shipped_task, *shipped = load_bases()
        task = shipped_task if task is None else task
        bases = (shipped[0], shipped[1]) if bases is None else bases
    teacher_base, student_base = _check_bases(bases, task)
    streams = dict(zip(_STREAMS, np.random.SeedSequence(seed).spawn(len(_STREAMS)), strict=True))
    rng = {name: np.random.default_rng(s) for name, s in streams.items()}
    steps = config.grpo.steps
    total = 4 * steps + config.hacking_steps + len(MODELS)
    bar = _progress(total, progress)

    def tick(*_: object) -> None:
        if bar is not None:
            bar.update(1)

    ops, start_values = task.sample_problems_unchecked(config.num_test, rng["test"], split="test")

    def run_rl(base: GPT, grpo_config: GRPOConfig, stream: str) -> tuple[GPT, GRPOLog]:
        model = base.copy()
        log = grpo_train_unchecked(
            model, task, grpo_config, rng[stream], reference=base, callback=tick
        )
        return model, log

    models: dict[str, GPT] = {"base": teacher_base, "student_base": student_base}
    logs: dict[str, GRPOLog] = {}
    models["grpo"], logs["grpo"] = run_rl(teacher_base, config.grpo, "grpo")
    models["dr_grpo"], logs["dr_grpo"] = run_rl(teacher_base, config.dr_grpo, "dr_grpo")
    models["hacked"], logs["hacking"] = run_rl(teacher_base, config.hacking, "hacking")
    models["student_rl"], logs["student_rl"] = run_rl(student_base, config.grpo, "student_rl")
    models["student_seq_kd"] = student_base.copy()
    kept = sequence_distill_unchecked(
        models["student_seq_kd"], models["grpo"], task, config.distill, rng["seq_kd"], callback=tick
    )
    models["student_token_kd"] = student_base.copy()
    token_distill_unchecked(
        models["student_token_kd"],
        models["grpo"],
        task,
        config.distill,
        rng["token_kd"],
        callback=tick,
    )
    evaluations: dict[str, Evaluation] = {}
    for name in MODELS:
        evaluations[name] = evaluate_unchecked(
            models[name],
            task,
            ops,
            start_values,
            rng["evaluation"],
            n=config.side_samples if name in SIDE_MODELS else config.eval_samples,
            temperature=EVAL_TEMPERATURE,
            cons_k=config.cons_k,
        )
        tick()
    if bar is not None:
        bar.close()
    hacked = evaluations["hacked"]
    samples = hacked.completions.reshape(len(start_values) * hacked.n, -1)
    proxy = flawed_rewards_unchecked(
        task, np.repeat(ops, hacked.n, axis=0), np.repeat(start_values, hacked.n), samples
    )
    true_accuracy = float(hacked.counts["correct"].sum()) / proxy.size  # its pass@1
    hacking = {"proxy_reward": float(proxy.mean()), "true_accuracy": true_accuracy}
    return PipelineResult(
        config=config,
        seed=seed,
        evaluations=evaluations,
        logs=logs,
        hacking=hacking,
        seq_kd_kept=(int(kept["kept"]), int(kept["drawn"])),
        buckets=difficulty_buckets(task),
        seconds=time.perf_counter() - start,
    )


def _score(value: float | None, width: int, digits: int = 3) -> str:
    """``value`` right-aligned; a dash where a model was not sampled enough times to
    estimate it (pass@k needs n >= k samples) or where there was nothing to measure."""
    return f"{'—' if value is None else format(value, f'.{digits}f'):>{width}}"


def results_table(result: PipelineResult | dict[str, Any]) -> str:
    """A plain-text table of the models' scores (from a result or its JSON)."""
    data = result.as_json() if isinstance(result, PipelineResult) else result
    header = (
        f"{'model':<17}{'pass@1 [95% CI]':>22}{'cons@16':>8}{'pass@16':>8}{'pass@256':>9}"
        f"{'chain@1':>8}{'length':>7}{'slope':>6}{'thinks':>7}{'WAIT':>6}{'W|err':>6}"
        f"{'W|ok':>6}{'fixes':>6}"
    )
    lines = [header, "-" * len(header)]
    for name in MODELS:
        m = data[name]
        low, high = m["pass@1_ci95"]
        k = m["pass@k"]
        lines.append(
            f"{name:<17}{m['pass@1']:>7.3f} [{low:.3f}, {high:.3f}]{m['cons@16']:>8.3f}"
            f"{_score(k.get('16'), 8)}{_score(k.get('256'), 9)}"
            f"{m['chain_verified_pass@k']['1']:>8.3f}{m['mean_length']:>7.2f}"
            f"{_score(m['length_by_steps']['slope'], 6, 2)}"
            f"{m['think_share']:>7.3f}{m['wait_rate']:>6.3f}"
            f"{_score(m['wait_given_error'], 6, 2)}{_score(m['wait_given_correct'], 6, 2)}"
            f"{m['self_correction_rate']:>6.3f}"
        )
    guess = data["random_guess_pass@k"]
    g16, g256 = _score(guess.get("16"), 8), _score(guess.get("256"), 9)
    lines.append(f"{'random guess':<17}{guess['1']:>7.3f}{'':>23}{g16}{g256}")
    hack = data["hacking"]
    lines.append(
        f"reward hacking: proxy reward {hack['proxy_reward']:.3f}, "
        f"true accuracy {hack['true_accuracy']:.3f}"
    )
    lines.append(
        "slope: length on difficulty (tokens per press); WAIT: share with a WAIT; "
        "W|err, W|ok: P(WAIT | wrong, right value); fixes: share that really self-correct"
    )
    return "\n".join(lines)
