"""Run every ``benchmarks/bench_*.py`` module's ``run()`` and print the ratios."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._harness import report


def main() -> int:
    results = []
    folder = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            results += importlib.import_module(f"benchmarks.{module.name}").run()
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
