"""Run R1-Zero in miniature from the shell.

    python -m r1lib.miniature [--fast] [--seed N] [--json PATH] [--quiet]
    python -m r1lib.miniature pretrain [--seed N] [--out DIR] [--quiet]
    python -m r1lib.miniature reference [--budget B] [--no-sweeps] [--quiet]
    python -m r1lib.miniature export DIR [--data DIR]

The first form starts from the shipped base models, runs GRPO, Dr. GRPO, the
reward-hacking run and the three distillation arms, prints a results table and, with
``--json``, writes ``{"seconds": …, "base": M, "grpo": M, "student_rl": M,
"student_seq_kd": M, "student_token_kd": M, "hacking": {"proxy_reward": …,
"true_accuracy": …}, "random_guess_pass@k": {k: …}, …}`` with
``M = {"pass@1": …, "cons@16": …, "pass@k": {k: …}, "chain_verified_pass@k": {k: …},
"mean_length": …, "length_by_steps": {"steps", "mean_length", "slope", "slope_ci95"},
"wait_rate": …, "wait_given_error": …, "wait_given_correct": …,
"errors_per_completion": …, "self_correction_rate": …, …}`` and ``k`` = 1, 2, 4, …,
256 (see :meth:`r1lib.miniature.evaluation.Evaluation.as_json`). The second form re-makes
the shipped base models (:mod:`r1lib.miniature.bases`), the third the shipped reference
runs that lesson 12 plots (:mod:`r1lib.miniature.reference`). ``export`` writes the
shipped bases as ``transformers`` checkpoints (:mod:`r1lib.miniature.hf`; needs the
``production`` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from r1lib.miniature.bases import DATA_DIR, make_bases
from r1lib.miniature.pipeline import BUDGETS, budget_config, results_table, run_pipeline
from r1lib.miniature.reference import make_reference


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"--seed must be >= 0; got {value}")
    return value


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m r1lib.miniature",
        description="R1-Zero in miniature: GRPO with rule-based rewards from a pre-trained "
        "tiny GPT, reward hacking, distillation into a smaller student, and R1's "
        "evaluation protocol. 'python -m r1lib.miniature pretrain' re-makes the base models.",
    )
    parser.add_argument("--fast", action="store_true", help="the quick budget (CI)")
    parser.add_argument(
        "--budget", choices=("fast", "notebook", "full"), help="a named budget (default full)"
    )
    parser.add_argument("--seed", type=_seed, default=0, help="seed of every random stream")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _pretrain_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m r1lib.miniature pretrain",
        description="Generate the corpus, pre-train the teacher and student bases, "
        "evaluate them and write base.npz, student_base.npz and base.json.",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="seed of the corpus and training")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _reference_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m r1lib.miniature reference",
        description="Run every budget over seeds 0-2 and the GRPO sweeps from the shipped "
        "bases; write reference_<budget>.json and sweeps.json.",
    )
    parser.add_argument("--budget", choices=BUDGETS, action="append", help="default: all")
    parser.add_argument("--no-sweeps", action="store_true", help="skip the GRPO sweeps")
    parser.add_argument("--sweeps-only", action="store_true", help="only the GRPO sweeps")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["pretrain"]:
        args = _pretrain_parser().parse_args(args_list[1:])
        record = make_bases(args.seed, args.out, progress=not args.quiet)
        for name, entry in record["models"].items():
            metrics = entry["metrics"]
            forced = metrics["forced_think"]
            by_steps = ", ".join(f"{v:.2f}" for v in forced["pass@1_by_steps"].values())
            print(
                f"{name}: {entry['num_params']} parameters, {entry['seconds']:.0f} s; "
                f"pass@1 free {metrics['free']['pass@1']:.3f} (thinks "
                f"{metrics['free']['think_share']:.2f}), forced to think "
                f"{forced['pass@1']:.3f} (by difficulty: {by_steps}), forced to answer "
                f"{metrics['forced_answer']['pass@1']:.3f}; P(WAIT | error) "
                f"{_maybe(forced['wait_given_error'])}, P(WAIT | right) "
                f"{_maybe(forced['wait_given_correct'])}"
            )
        print(f"wrote {args.out}/base.npz, student_base.npz, base.json")
        return 0
    if args_list[:1] == ["reference"]:
        args = _reference_parser().parse_args(args_list[1:])
        make_reference(
            args.out,
            budgets=() if args.sweeps_only else tuple(args.budget or BUDGETS),
            sweeps=not args.no_sweeps,
            progress=not args.quiet,
        )
        print(f"wrote the reference runs into {args.out}")
        return 0
    if args_list[:1] == ["export"]:  # imports torch and transformers only when asked
        from r1lib.miniature.hf import export_command

        return export_command(args_list[1:])
    args = _run_parser().parse_args(args_list)
    budget = args.budget or ("fast" if args.fast else "full")
    if args.fast and args.budget not in (None, "fast"):
        _run_parser().error("--fast and --budget disagree")
    print(f"R1-Zero in miniature ({budget} budget, seed {args.seed})", flush=True)
    result = run_pipeline(budget_config(budget), args.seed, progress=not args.quiet)
    print(results_table(result))
    kept, drawn = result.seq_kd_kept
    print(f"rejection sampling kept {kept} of {drawn} teacher samples; {result.seconds:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.as_json(), indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
