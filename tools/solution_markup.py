"""Give every exercise solution of the lessons the one-element markup.

sphinx-exercise's gated solutions (a ``solution-start`` markdown cell, the code cell, a
``solution-end`` markdown cell) render in JupyterLab (jupyterlab-myst) as three pieces:
a "Start of Solution" box that opens to nothing, the code in a separate collapsed cell,
and an empty grey box. This script replaces them with ONE code cell that is

* collapsed in JupyterLab (``jupyter.source_hidden``: a single line, "# Reference
  solution: ...", that expands on click), and
* one collapsed dropdown in the Jupyter Book (myst-nb's ``hide-input`` tag, labelled by
  ``mystnb.code_prompt_show`` / ``code_prompt_hide``),

and still runs under nbval and the book's execution, so its ``strict=True`` check keeps
proving the solution and the checker. A correct strict check prints nothing, so the
collapsed cell has no output under it. Prose that sat in the ``solution-start`` cell
moves into the code cell as comments, after its first line.

Usage (from the repository root; re-running it changes nothing)::

    .venv/bin/python tools/solution_markup.py                 # every notebooks/NN_*.ipynb
    .venv/bin/python tools/solution_markup.py notebooks/10_grpo_clinic.ipynb
    .venv/bin/python tools/solution_markup.py --check         # exit 1 if a lesson has old markup

It edits the ``.ipynb`` and then runs ``jupytext --sync`` on it, which rewrites the paired
``.py`` twin wherever the notebook's pairing puts it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LESSON = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
START = re.compile(r"```\{solution-start\}[^\n]*\n(?::[^\n]*\n)*```[ \t]*\n?")
END = re.compile(r"```\{solution-end\}[^\n]*\n```[ \t]*\n?")
FIRST_LINE = "# Reference solution: try the exercise above first."
TAGS = ("solution", "hide-input")
PROMPTS = {"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _set_source(cell: dict[str, Any], text: str) -> None:
    lines = text.splitlines(keepends=True)
    cell["source"] = lines


def has_old_markup(notebook: dict[str, Any]) -> bool:
    """True if a cell still holds a gated ``solution-start`` or ``solution-end``."""
    return any(
        "{solution-start}" in _source(c) or "{solution-end}" in _source(c)
        for c in notebook["cells"]
    )


def solution_metadata(cell: dict[str, Any]) -> None:
    """Collapse ``cell`` in JupyterLab and put it in a "Show the solution" dropdown."""
    metadata = cell.setdefault("metadata", {})
    metadata.setdefault("jupyter", {})["source_hidden"] = True
    tags = list(metadata.get("tags", []))
    metadata["tags"] = tags + [t for t in TAGS if t not in tags]
    metadata.setdefault("mystnb", {}).update(PROMPTS)


def _as_comments(prose: str) -> list[str]:
    return ["# " + line if line.strip() else "#" for line in prose.strip().splitlines()]


def _with_first_line(code: str, comments: list[str]) -> str:
    lines = code.splitlines()
    if lines and lines[0].startswith("# Reference solution"):
        lines = lines[1:]
    return "\n".join([FIRST_LINE, *comments, *lines])


def convert(notebook: dict[str, Any]) -> bool:
    """Rewrite ``notebook`` in place; return whether anything changed."""
    changed = False
    cells: list[dict[str, Any]] = []
    inside = False
    prose = ""
    for cell in notebook["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "markdown" and START.search(text):
            before, _, after = text.partition(START.search(text).group(0))  # type: ignore[union-attr]
            inside, prose, changed = True, after, True
            if before.strip():
                _set_source(cell, before.rstrip() + "\n")
                cells.append(cell)
            continue
        if cell["cell_type"] == "markdown" and END.search(text):
            rest = END.sub("", text)
            inside, changed = False, True
            if rest.strip():
                _set_source(cell, rest)
                cells.append(cell)
            continue
        if inside and cell["cell_type"] == "markdown":  # prose between start and code
            prose += "\n" + text
            continue
        if inside and cell["cell_type"] == "code":
            _set_source(cell, _with_first_line(text, _as_comments(prose) if prose.strip() else []))
            prose = ""
            solution_metadata(cell)
        elif "solution" in cell.get("metadata", {}).get("tags", []):
            before = json.dumps(cell["metadata"], sort_keys=True)
            solution_metadata(cell)
            changed |= json.dumps(cell["metadata"], sort_keys=True) != before
        cells.append(cell)
    notebook["cells"] = cells
    return changed


def lessons() -> list[Path]:
    return sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if LESSON.match(p.name))


def _sync(path: Path) -> None:
    jupytext = Path(sys.executable).with_name("jupytext")
    command = [str(jupytext)] if jupytext.exists() else [sys.executable, "-m", "jupytext"]
    subprocess.run([*command, "--sync", str(path)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--check", action="store_true", help="only report old markup")
    args = parser.parse_args(argv)
    paths = args.notebooks or lessons()
    stale = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if args.check:
            if has_old_markup(notebook):
                stale.append(path)
            continue
        if convert(notebook):
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
            _sync(path)
            print(f"converted {path}")
    if stale:
        print("old solution markup (run tools/solution_markup.py):", *map(str, stale), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
