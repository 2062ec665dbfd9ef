"""Run the R1-in-miniature pipeline from the shell.

    python -m r1lib.miniature [--fast] [--seed N] [--json PATH] [--quiet]

Prints a results table (pass@1, cons@16 and pass@k on held-out problems for the base
model, the GRPO-trained model and the three students); ``--json`` also writes
``{"seconds": …, "base": M, "grpo": M, "student_rl": M, "student_seq_kd": M,
"student_token_kd": M}`` with ``M = {"pass@1": …, "cons@16": …, "pass@k": {"1": …,
"4": …, "16": …, "64": …, "256": …}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from r1lib.miniature.pipeline import fast_config, full_config, results_table, run_pipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m r1lib.miniature",
        description="DeepSeek-R1 in miniature: pre-train a tiny numpy model on imperfect "
        "demonstrations, train it with GRPO, distil it into a smaller student three ways, "
        "and evaluate everything with R1's protocol.",
    )
    parser.add_argument(
        "--fast", action="store_true", help="the quick setting used by CI and notebook 09"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random stream")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.seed < 0:
        _parser().error(f"--seed must be >= 0; got {args.seed}")
    config = fast_config() if args.fast else full_config()
    mode = "fast" if args.fast else "full"
    print(f"R1 in miniature ({mode} mode, seed {args.seed})", flush=True)
    result = run_pipeline(config, args.seed, progress=not args.quiet and sys.stderr.isatty())
    print(results_table(result))
    kept, drawn = result.seq_kd_accepted
    print(f"rejection sampling kept {kept} of {drawn} teacher samples; {result.seconds:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.as_json(), indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
