"""``r1lib.viz`` draws and nothing else: no sampling, training, verifying, scoring or fitting.

The rule (CONTRIBUTING, "Figures and sliders"): every function of a lesson's figure
module takes data (or slider values) and returns a figure; the computation it draws is
*called* from the module whose job it is (``r1lib.toys``, ``r1lib.simulation``,
``r1lib.metrics``, ``r1lib.rewards``, ...), never defined here. Checked mechanically on
the source (``ast``), for every module of ``r1lib/viz/`` except the infrastructure
(``live.py`` and ``static.py``: the widgets and static sliders; ``style.py``: the one
style; ``__init__.py``: the registry of callbacks). A module-level function passes when
it is one of:

1. **a figure**: its return annotation is ``Figure`` (mypy checks that it returns one,
   and ``new_figure`` is the only way the style makes one);
2. **a drawing helper**: it returns ``None`` and draws on an axis passed to it (a
   parameter named ``axis``/``axes``/``ax`` or annotated ``Axes``, used in its body);
3. **a memo**: decorated with ``functools.lru_cache``/``functools.cache``, its body is
   one ``return`` of a call to a function imported from ``r1lib`` outside ``r1lib.viz``
   (a cache defines no computation; it keeps a slider under 100 ms).

Anything else (a function returning arrays, a class) is a computation or its data, and
belongs elsewhere. Inside the functions, no ``numpy.random.Generator`` sampling method
may be called (``rng.normal``, ``rng.binomial``, ...): a figure gets its random numbers
from an r1lib function it gives a seed or a generator. Creating a generator,
``np.random.default_rng(seed)``, to pass on is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

VIZ = Path(__file__).resolve().parents[1] / "r1lib" / "viz"
INFRASTRUCTURE = {"__init__.py", "live.py", "static.py", "style.py"}
#: Modules that break the rule today, with what must move (another change owns them).
KNOWN_EXCEPTIONS: dict[str, set[str]] = {
    # _records validates and normalises pipeline records and _log extracts a per-seed log
    # array: both belong with the records' producer, r1lib.miniature.pipeline (or a
    # records reader next to it), leaving capstone.py to draw the arrays it is given.
    "capstone.py": {"_records", "_log"},
}
AXIS_NAMES = {"axis", "axes", "ax"}
MEMO_DECORATORS = {"lru_cache", "cache"}
SAMPLING_METHODS = {
    "beta",
    "binomial",
    "choice",
    "dirichlet",
    "exponential",
    "gamma",
    "integers",
    "multinomial",
    "normal",
    "permutation",
    "permuted",
    "poisson",
    "random",
    "shuffle",
    "standard_normal",
    "uniform",
}


def _modules() -> list[Path]:
    return sorted(p for p in VIZ.glob("*.py") if p.name not in INFRASTRUCTURE)


def _r1lib_imports(tree: ast.Module) -> set[str]:
    """Names bound by ``from r1lib.x import name`` / ``from r1lib import x`` (x not viz)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("r1lib"):
            if node.module == "r1lib.viz" or node.module.startswith("r1lib.viz."):
                continue
            for alias in node.names:
                if node.module == "r1lib" and alias.name == "viz":
                    continue
                names.add(alias.asname or alias.name)
    return names


def _annotation_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    return None


def _is_figure(function: ast.FunctionDef) -> bool:
    return _annotation_name(function.returns) == "Figure"


def _draws_on_a_given_axis(function: ast.FunctionDef) -> bool:
    if _annotation_name(function.returns) != "None":
        return False
    arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
    axes = {
        a.arg for a in arguments if a.arg in AXIS_NAMES or _annotation_name(a.annotation) == "Axes"
    }
    used = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    return bool(axes & used)


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def _is_memo(function: ast.FunctionDef, imported: set[str]) -> bool:
    decorators = {
        _annotation_name(d.func if isinstance(d, ast.Call) else d) for d in function.decorator_list
    }
    body = _body_without_docstring(function)
    if not decorators & MEMO_DECORATORS or len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    call = body[0].value
    if not isinstance(call, ast.Call):
        return False
    root = call.func
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and root.id in imported


def violations(path: Path) -> list[str]:
    """What in one viz module breaks the rule, as readable lines."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported = _r1lib_imports(tree)
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found.append(f"class {node.name}: data or computation, not a figure")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert isinstance(node, ast.FunctionDef)
            if not (_is_figure(node) or _draws_on_a_given_axis(node) or _is_memo(node, imported)):
                found.append(
                    f"def {node.name}: neither returns a Figure, nor draws on an axis passed "
                    "to it, nor caches one r1lib call"
                )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SAMPLING_METHODS
        ):
            found.append(
                f"line {node.lineno}: .{node.func.attr}(...) samples; call an r1lib function "
                "with a seed instead"
            )
    return found


def _names(lines: list[str]) -> set[str]:
    return {line.split()[1].rstrip(":") for line in lines if line.startswith(("def ", "class "))}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_viz_module_only_draws(path: Path) -> None:
    found = violations(path)
    known = KNOWN_EXCEPTIONS.get(path.name, set())
    unexpected = [line for line in found if _names([line]) - known or not _names([line])]
    assert not unexpected, f"r1lib/viz/{path.name}:\n  " + "\n  ".join(unexpected)


def test_known_exceptions_are_still_needed() -> None:
    # When capstone.py's helpers move, drop them here, so the rule covers it fully.
    for name, known in KNOWN_EXCEPTIONS.items():
        assert _names(violations(VIZ / name)) == known, name


def test_the_check_catches_what_it_should(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "import functools\n"
        "import numpy as np\n"
        "from matplotlib.figure import Figure\n"
        "from r1lib.simulation import simulate_benchmark\n"
        "from r1lib.viz.style import new_figure\n\n"
        "class Fit:\n    pass\n\n"
        "def fit(x: np.ndarray) -> np.ndarray:\n    return x.argmin()\n\n"
        "def _draw(axis: object, x: np.ndarray) -> None:\n    axis.plot(x)\n\n"
        "def _ignores_its_axis(axis: object) -> None:\n    print('no drawing')\n\n"
        "@functools.lru_cache\n"
        "def _run() -> object:\n"
        "    return simulate_benchmark(np.random.default_rng(0), 3, 2)\n\n"
        "@functools.lru_cache\n"
        "def _computes() -> object:\n"
        "    return np.cumsum(np.arange(3))\n\n"
        "def figure(seed: int = 0) -> Figure:\n"
        "    noise = np.random.default_rng(seed).normal(size=3)\n"
        "    fig, axis = new_figure()\n"
        "    _draw(axis, noise)\n"
        "    return fig\n"
    )
    found = violations(module)
    assert _names(found) == {"Fit", "fit", "_ignores_its_axis", "_computes"}
    assert any(".normal(...) samples" in line for line in found)
    assert len(found) == 5
