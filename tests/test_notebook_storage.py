"""Notebooks are stored without outputs, each in sync with its jupytext twin (py:percent),
which lives in ``notebooks/py/`` so JupyterLab's file browser lists each lesson once."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
BOOK = ROOT / "book"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))
TWIN_DIR = NOTEBOOK_DIR / "py"
TWINS = sorted(TWIN_DIR.glob("[0-9]*.py"))
FORMATS = "ipynb,py//py:percent"
# The twins record content, not the jupytext release that wrote them (pyproject.toml).
NO_VERSION = "-jupytext.text_representation.jupytext_version"


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_no_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_paired_and_in_sync(notebook: Path) -> None:
    twin = TWIN_DIR / f"{notebook.stem}.py"
    assert twin.exists(), f"{notebook.name} has no jupytext twin py/{twin.name}; run `make twins`"
    stored = jupytext.read(notebook)
    assert stored.metadata.get("jupytext", {}).get("formats") == FORMATS, (
        f"{notebook.name} is not paired as {FORMATS}; run `make twins`"
    )
    expected = jupytext.writes(stored, fmt="py:percent")
    assert twin.read_text() == expected, (
        f"{twin.name} is out of sync with {notebook.name}; run `make sync`"
    )


@pytest.mark.parametrize("twin", TWINS, ids=_ids(TWINS))
def test_every_twin_has_a_notebook(twin: Path) -> None:
    assert (NOTEBOOK_DIR / f"{twin.stem}.ipynb").exists(), f"py/{twin.name} has no notebook"


def test_no_twin_left_in_the_lesson_folder() -> None:
    # JupyterLab's file browser would list the lesson twice (make twins moves them).
    stray = sorted(p.name for p in NOTEBOOK_DIR.glob("*.py"))
    assert not stray, f"twins in notebooks/ instead of notebooks/py/: {stray}; run `make twins`"


def test_jupytext_pairs_new_lessons_into_the_subfolder() -> None:
    from jupytext.config import load_jupytext_config

    # [tool.jupytext] in pyproject.toml, found by jupytext from any lesson's folder
    config = load_jupytext_config(str(NOTEBOOK_DIR / "NN_new_lesson.ipynb"))
    assert config is not None and config.formats == [FORMATS]
    assert config.notebook_metadata_filter == NO_VERSION


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_twin_does_not_record_the_jupytext_version(notebook: Path) -> None:
    # A jupytext patch release must not put the twins out of sync: the version is not content.
    twin = TWIN_DIR / f"{notebook.stem}.py"
    assert "jupytext_version:" not in twin.read_text(), (
        f"py/{twin.name} records jupytext's version; run `make sync`"
    )
    stored = jupytext.read(notebook)
    assert stored.metadata["jupytext"].get("notebook_metadata_filter") == NO_VERSION, (
        f"{notebook.name} lacks the version filter; run `make sync`"
    )


def test_a_new_jupytext_release_leaves_the_twins_in_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend a later jupytext writes the twin: the text must not change.
    import jupytext.header

    notebook = NOTEBOOKS[0]
    stored = jupytext.read(notebook)
    before = jupytext.writes(stored, fmt="py:percent")
    monkeypatch.setattr(jupytext.header, "__version__", "99.0.0")
    assert jupytext.writes(jupytext.read(notebook), fmt="py:percent") == before


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_names_its_kernel(notebook: Path) -> None:
    # Without a kernelspec, JupyterLab greets the learner with a "Select Kernel" dialog.
    kernelspec = json.loads(notebook.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", (
        f"{notebook.name} has no python3 kernelspec; run "
        f"`jupytext --set-kernel python3 notebooks/py/{notebook.stem}.py` then `make sync`"
    )


def _citations() -> object:
    """``book/citations.py`` (not a package: loaded from its path)."""
    spec = importlib.util.spec_from_file_location("citations", BOOK / "citations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_citations_read_in_jupyterlab(notebook: Path) -> None:
    # JupyterLab's MyST renderer has no bibliography: a {cite:p} role shows there as its
    # raw key. Lessons store author-year links instead (book/citations.py).
    citations = _citations()
    labels, base = citations.author_year(), citations.book_url()
    cells = [c["source"] for c in json.loads(notebook.read_text())["cells"]]
    markdown = ["".join(s) if isinstance(s, list) else s for s in cells]
    text = "\n".join(markdown)
    roles = re.findall(r"\{cite:\w+\}`[^`]*`", text)
    assert not roles, f"{notebook.name}: unconverted citations {roles[:3]}; run `make cite`"
    cited = [m["key"] for m in citations.LINK.finditer(text)]
    unknown = sorted(set(cited) - set(labels))
    assert not unknown, f"{notebook.name}: keys not in book/references.bib: {unknown}"
    prose = citations.LINK.sub(lambda m: m["text"], text)
    raw = sorted(key for key in labels if re.search(rf"\b{re.escape(key)}\b", prose))
    assert not raw, f"{notebook.name}: raw citation keys in the text: {raw}"
    stale = [s for s in markdown if citations.convert(s, labels, base) != s]
    assert not stale, f"{notebook.name}: citation text out of date; run `make cite`"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_book_turns_citation_links_back_into_roles(notebook: Path) -> None:
    # The book's extension applies citations.to_roles to the notebook file's text.
    citations = _citations()
    text = notebook.read_text()
    links = len(citations.LINK.findall(text))
    converted = json.loads(citations.to_roles(text))
    markdown = "".join(
        "".join(c["source"]) for c in converted["cells"] if c["cell_type"] == "markdown"
    )
    assert "bibliography.html#cite-" not in markdown
    keys = re.findall(r"\{cite:[pt]\}`([^`]+)`", markdown)
    assert sum(len(k.split(",")) for k in keys) == links


def test_lab_hands_out_lessons_with_the_kernels_language_info(tmp_path: Path) -> None:
    # JupyterLab marks a notebook changed as soon as the kernel's language_info differs
    # from the stored one (checked in Chromium: a lesson opened with the exact dict stays
    # clean, one without it or with another Python version does not). make lab's
    # jupyter_server_config.py adds this environment's language_info as a lesson opens.
    import asyncio
    import shutil
    import types

    from ipykernel.ipkernel import IPythonKernel

    notebook = NOTEBOOKS[0]
    shutil.copy(notebook, tmp_path / notebook.name)
    config = types.SimpleNamespace(ServerApp=types.SimpleNamespace())
    namespace = {"get_config": lambda: config}
    exec((ROOT / "jupyter_server_config.py").read_text(), namespace)
    manager = config.ServerApp.contents_manager_class(root_dir=str(tmp_path))
    assert hasattr(manager, "formats"), "jupytext's pairing must stay on"
    model = asyncio.run(manager.get(notebook.name, content=True, type="notebook"))
    assert model["content"]["metadata"]["language_info"] == IPythonKernel.language_info
