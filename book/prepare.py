"""Generate what the book derives from the project, just before `jupyter-book build`.

`make book` runs this after `npm ci`. It writes four gitignored things:

* ``book/notebooks/`` and ``book/_build/committed/`` - the lessons and r1lib **as
  committed** (``git archive HEAD``), never the working copies: a learner's answers,
  saved in ``notebooks/`` by JupyterLab, must not reach the website. The book's
  extension puts ``_build/committed`` first on the kernels' ``PYTHONPATH``, so the
  pages are a fresh execution of the committed lessons against the committed r1lib.
  Lessons that differ from the commit are named on the terminal;
  ``_build/committed/manifest.json`` records the commit and each lesson's git blob;
* ``book/_toc.yml`` - every committed ``notebooks/NN_*.ipynb``, in order, between the
  prose pages, so a new lesson appears in the book without anyone editing the toc;
* ``book/api/`` - one autodoc page per public r1lib module or package found on disk,
  so a new module appears in the API reference the same way;
* ``book/_assets/`` - MathJax 3, RequireJS and the Jupyter widgets HTML manager,
  copied from ``book/node_modules`` (installed from ``package-lock.json``). The folder
  is wired in through ``html_static_path``, ``mathjax_path`` and ``nb_ipywidgets_js``
  in ``_config.yml``; it is deliberately not ``_static/``, whose every ``.js`` file
  Jupyter Book would inject into every page.

Run ``python book/prepare.py --check`` to only verify that the toc on disk lists every
notebook (exit status 1 when it does not).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
NODE_MODULES = BOOK / "node_modules"
ASSETS = BOOK / "_assets"
API = BOOK / "api"
COMMITTED = BOOK / "_build" / "committed"
PACKAGE = COMMITTED / "r1lib"  # the API reference documents the committed r1lib
PAGES = BOOK / "notebooks"  # the lesson pages: copies of the committed lessons

LESSON = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")

# Prose pages around the lessons (paths relative to book/, without suffix).
ROOT_PAGE = "intro"
BEFORE = ["how-to-use"]
AFTER = ["trl-verl"]
BACK = ["bibliography"]

# (source inside node_modules, destination inside _assets): whole folders or files.
VENDORED = [
    ("mathjax/es5/tex-mml-chtml.js", "mathjax/tex-mml-chtml.js"),
    ("mathjax/es5/input", "mathjax/input"),
    ("mathjax/es5/output/chtml", "mathjax/output/chtml"),
    ("mathjax/es5/a11y", "mathjax/a11y"),
    ("mathjax/es5/sre", "mathjax/sre"),
    ("mathjax/es5/ui", "mathjax/ui"),
    ("mathjax/es5/adaptors", "mathjax/adaptors"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("requirejs/require.js", "requirejs/require.js"),
    ("@jupyter-widgets/html-manager/dist", "jupyter-widgets"),
]
# The book's own browser files (book/web/ -> _assets/).
OWN = [
    ("web/widgets-setup.js", "jupyter-widgets/widgets-setup.js"),
    ("web/r1book.css", "r1course/r1book.css"),
]
# Source maps and the non-AMD builds are not needed by the pages.
SKIP = re.compile(r"(\.map|/embed\.js|/libembed-amd\.js|\.LICENSE\.txt)$")


def lessons() -> list[Path]:
    """Every ``notebooks/NN_name.ipynb`` of the book, sorted by its two-digit number."""
    return sorted(
        p for p in PAGES.glob("*.ipynb") if LESSON.match(p.name) and p.name not in left_out()
    )


def _git(*args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        stderr = getattr(error, "stderr", b"") or b""
        sys.exit(
            "book/prepare.py builds the book from the committed lessons (git archive HEAD), "
            f"so it needs a git checkout with a commit: `git {' '.join(args)}` failed: "
            f"{stderr.decode(errors='replace').strip() or error}"
        )
    return done.stdout


def left_out() -> set[str]:
    """Lessons the Makefile leaves out of this build (``R1COURSE_LEAVE_OUT``, file names):
    on Python 3.10, lesson 13, whose production extra needs Python 3.11."""
    return set(os.environ.get("R1COURSE_LEAVE_OUT", "").split())


def committed_blobs() -> dict[str, str]:
    """Lesson file name -> git blob id, for every lesson committed at HEAD and not left out."""
    listing = _git("ls-tree", "HEAD", "notebooks/").decode()
    blobs = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        name = Path(path).name
        if LESSON.match(name) and name not in left_out():
            blobs[name] = meta.split()[2]
    return blobs


def export_committed() -> list[str]:
    """Write the committed lessons and r1lib (HEAD) for the book; return the lessons whose
    working copy differs from the commit (or is not committed)."""
    commit = _git("rev-parse", "HEAD").decode().strip()
    archive = _git("archive", "--format=tar", "HEAD", "notebooks", "r1lib")
    for folder in (COMMITTED, PAGES):
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
    COMMITTED.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12
            tar.extractall(COMMITTED, filter="data")
        else:
            tar.extractall(COMMITTED)  # our own repository's archive
    PAGES.mkdir()
    blobs = committed_blobs()
    for name in blobs:
        shutil.copy2(COMMITTED / "notebooks" / name, PAGES / name)
    (COMMITTED / "manifest.json").write_text(
        json.dumps({"commit": commit, "lessons": blobs}, indent=1), encoding="utf8"
    )
    changed = _git("status", "--porcelain", "--untracked-files=all", "--", "notebooks/")
    return sorted(
        {
            Path(line[3:]).with_suffix(".ipynb").name
            for line in changed.decode().splitlines()
            if LESSON.match(Path(line[3:]).with_suffix(".ipynb").name)
        }
    )


def toc_text(notebooks: list[Path]) -> str:
    """The ``_toc.yml``: prose pages, then every lesson in order, then reference pages."""
    api = "".join(f"          - file: api/{name}\n" for name in api_modules())
    parts = [
        ("Getting started", [f"      - file: {page}\n" for page in BEFORE]),
        ("Lessons", [f"      - file: notebooks/{nb.stem}\n" for nb in notebooks]),
        (
            "Going further",
            [f"      - file: {page}\n" for page in AFTER]
            + ["      - file: api/index\n" + ("        sections:\n" + api if api else "")],
        ),
        ("Back matter", [f"      - file: {page}\n" for page in BACK]),
    ]
    text = (
        "# GENERATED by book/prepare.py from the notebooks present: do not edit, do not commit.\n"
        "format: jb-book\n"
        f"root: {ROOT_PAGE}\n"
        "parts:\n"
    )
    for caption, chapters in parts:
        if chapters:
            text += f"  - caption: {caption}\n    chapters:\n" + "".join(chapters)
    return text


def api_modules() -> dict[str, list[str]]:
    """Public top-level modules/packages of r1lib -> the dotted modules each page documents."""
    pages: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py":
            pages[f"r1lib.{path.stem}"] = [f"r1lib.{path.stem}"]
        elif path.is_dir() and (path / "__init__.py").exists():
            members = []
            for module in sorted(path.rglob("*.py")):
                relative = module.relative_to(COMMITTED).with_suffix("")
                parts = list(relative.parts)
                if any(p.startswith("_") for p in parts[1:] if p != "__init__"):
                    continue
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                members.append(".".join(parts))
            pages[f"r1lib.{path.name}"] = sorted(members, key=lambda m: (m.count("."), m))
    return pages


def _summary(module: str) -> str:
    """First line of a module's docstring, read without importing it."""
    path = COMMITTED / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf8")))
    except (OSError, SyntaxError):
        doc = None
    return (doc or "").strip().splitlines()[0].rstrip(".") if doc else ""


def _reexports(package: str) -> dict[str, list[str]]:
    """Names a package's ``__init__`` imports from its submodules (read, not imported).

    They are documented once, under the package (the name users import), so each
    submodule's section leaves them out.
    """
    init = COMMITTED / Path(*package.split(".")) / "__init__.py"
    try:
        tree = ast.parse(init.read_text(encoding="utf8"))
    except (OSError, SyntaxError):
        return {}
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(package + "."):
                found.setdefault(node.module, []).extend(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            module = f"{package}.{node.module}"
            found.setdefault(module, []).extend(a.asname or a.name for a in node.names)
    return found


def write_api() -> None:
    if API.exists():
        shutil.rmtree(API)
    API.mkdir()
    pages = api_modules()
    rows = "".join(f"| [`{name}`]({name}.md) | {_summary(name)} |\n" for name in pages)
    (API / "index.md").write_text(
        "<!-- GENERATED by book/prepare.py: do not edit, do not commit. -->\n"
        "# API reference\n\n"
        "Generated from r1lib's docstrings. Every public function states its formula, the "
        "paper it comes from and the convention it follows where libraries differ; every "
        "argument is validated and a bad one raises a `ValueError` or `TypeError` that "
        "names it. The algorithm modules need only numpy; `r1lib.viz` and `r1lib.checks` "
        "(course support) also need matplotlib and ipywidgets.\n\n"
        "| module | what it holds |\n|---|---|\n" + rows,
        encoding="utf8",
    )
    for name, members in pages.items():
        reexported = _reexports(name)
        blocks = []
        for member in members:
            heading = "" if member == name else f"## `{member}`\n\n"
            options = "   :members:\n   :show-inheritance:\n"
            if reexported.get(member):
                options += "   :exclude-members: " + ", ".join(reexported[member]) + "\n"
            blocks.append(f"{heading}```{{eval-rst}}\n.. automodule:: {member}\n{options}```\n")
        (API / f"{name}.md").write_text(
            "<!-- GENERATED by book/prepare.py: do not edit, do not commit. -->\n"
            f"# `{name}`\n\n" + "\n".join(blocks),
            encoding="utf8",
        )


def copy_assets() -> None:
    if not NODE_MODULES.is_dir():
        sys.exit("book/node_modules is missing: run `npm ci --prefix book` (make book does).")
    if ASSETS.exists():
        shutil.rmtree(ASSETS)
    for source, destination in VENDORED:
        src, dst = NODE_MODULES / source, ASSETS / destination
        if not src.exists():
            sys.exit(f"{src} is missing: run `npm ci --prefix book` (make book does).")
        files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file()]
        for file in files:
            if SKIP.search(file.as_posix()):
                continue
            target = dst if src.is_file() else dst / file.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
    for source, destination in OWN:
        (ASSETS / destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BOOK / source, ASSETS / destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check book/_toc.yml")
    args = parser.parse_args(argv)
    toc = BOOK / "_toc.yml"
    if args.check:
        expected = toc_text(lessons())
        current = toc.read_text(encoding="utf8") if toc.exists() else ""
        if current != expected:
            print("book/_toc.yml does not list the notebooks present; run book/prepare.py")
            return 1
        return 0
    edited = export_committed()
    if edited:
        print(
            "book/prepare.py: the book shows the committed version of these lessons, not "
            "your working copies (commit your changes to publish them): " + ", ".join(edited)
        )
    toc.write_text(toc_text(lessons()), encoding="utf8")
    write_api()
    copy_assets()
    commit = json.loads((COMMITTED / "manifest.json").read_text(encoding="utf8"))["commit"]
    print(
        f"book/prepare.py: {len(lessons())} committed lessons (HEAD {commit[:10]}), "
        f"{len(api_modules())} API pages, assets"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
