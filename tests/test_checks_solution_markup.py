"""Every exercise solution is ONE collapsible element, in JupyterLab and in the book.

sphinx-exercise's gated markup (``solution-start`` / ``solution-end`` markdown cells around
the code) renders in JupyterLab as three pieces; ``tools/solution_markup.py`` replaces it
with one code cell, collapsed in JupyterLab (``jupyter.source_hidden``) and shown in the
book as one "Show the solution" dropdown (myst-nb's ``hide-input`` tag). These tests fail
on any lesson that keeps the old markup, and check the converter itself.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("solution_markup", ROOT / "tools/solution_markup.py")
assert _spec is not None and _spec.loader is not None
markup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(markup)

LESSONS = markup.lessons()
STRICT_CHECK = re.compile(r"\bcheck\.\w+\((?:[^()]|\([^()]*\))*strict=True")


def _cells(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


def test_there_are_lessons() -> None:
    assert len(LESSONS) >= 9


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_lesson_keeps_the_three_piece_solution_markup(path: Path) -> None:
    stale = [
        i
        for i, cell in enumerate(_cells(path))
        if "{solution-start}" in _source(cell) or "{solution-end}" in _source(cell)
    ]
    assert not stale, (
        f"{path.name}: cells {stale} hold sphinx-exercise's gated solution markup; run "
        f"`python tools/solution_markup.py {path.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_solution_is_one_collapsed_cell_that_runs_its_strict_check(path: Path) -> None:
    cells = _cells(path)
    solutions = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert solutions, f"{path.name} has no solution cell"
    for cell in solutions:
        metadata = cell["metadata"]
        first = _source(cell).splitlines()[0]
        assert cell["cell_type"] == "code"
        assert metadata.get("jupyter", {}).get("source_hidden") is True, first
        assert "hide-input" in metadata["tags"], first
        assert metadata.get("mystnb") == markup.PROMPTS, first
        assert first == markup.FIRST_LINE, "JupyterLab shows this line of the collapsed cell"
        assert STRICT_CHECK.search(_source(cell)), "the solution proves itself and its checker"
    for cell in cells:
        if cell["cell_type"] == "code" and STRICT_CHECK.search(_source(cell)):
            assert cell in solutions, "a strict check outside a solution cell"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_or_an_answer(path: Path) -> None:
    cells = _cells(path)
    starts = [i for i, c in enumerate(cells) if "{exercise-start}" in _source(c)]
    for start, end in zip(starts, [*starts[1:], len(cells)], strict=True):
        block = cells[start:end]
        label = re.search(r"\{exercise-start\}([^\n]*)", _source(cells[start]))
        assert any(
            "solution" in c["metadata"].get("tags", []) or "{admonition} Answer" in _source(c)
            for c in block
        ), f"{path.name}: exercise{label.group(1) if label else ''} has no solution"


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}


def _code(text: str, **metadata: Any) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": metadata,
        "source": text.splitlines(True),
        "outputs": [],
        "execution_count": None,
    }


OLD = {
    "cells": [
        _markdown("```{exercise-start} Demo\n:label: ex-demo\n```\nDo it.\n```{exercise-end}\n```"),
        _code("answer = None\ncheck.demo(answer)"),
        _markdown("```{solution-start} ex-demo\n:class: dropdown\n```\nWhy: $x = 1$."),
        _code(
            "# Reference solution: try the exercise above first.\ncheck.demo(1, strict=True)",
            jupyter={"source_hidden": True},
            tags=["solution"],
        ),
        _markdown("```{solution-end}\n```"),
        _markdown("Next section."),
    ]
}


def test_the_converter_makes_one_cell_and_keeps_the_prose_as_comments() -> None:
    notebook = copy.deepcopy(OLD)
    assert markup.has_old_markup(notebook)
    assert markup.convert(notebook)
    assert not markup.has_old_markup(notebook)
    kinds = [c["cell_type"] for c in notebook["cells"]]
    assert kinds == ["markdown", "code", "code", "markdown"]
    solution = notebook["cells"][2]
    assert _source(solution) == (
        "# Reference solution: try the exercise above first.\n"
        "# Why: $x = 1$.\n"
        "check.demo(1, strict=True)"
    )
    assert solution["metadata"] == {
        "jupyter": {"source_hidden": True},
        "tags": ["solution", "hide-input"],
        "mystnb": markup.PROMPTS,
    }
    again = copy.deepcopy(notebook)
    assert not markup.convert(again), "re-running the converter changes nothing"
    assert again == notebook


def test_the_converter_tidies_a_solution_cell_written_without_the_markup() -> None:
    notebook = {
        "cells": [_code("# Reference solution: ...\ncheck.x(1, strict=True)", tags=["solution"])]
    }
    assert markup.convert(notebook)
    assert "hide-input" in notebook["cells"][0]["metadata"]["tags"]
