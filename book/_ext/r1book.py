"""Sphinx extension for the r1course book.

* ``{{ repo_url }}`` in the prose pages (code blocks included, where MyST substitutions
  do not reach) becomes the one repository URL of ``_config.yml`` (``repository.url``).
* The lessons run against the committed r1lib exported by ``prepare.py``
  (``_build/committed`` first on the path, for autodoc and the kernels).
* Lessons' author-year citation links (``book/citations.py``) become ``{cite:p}``
  roles again, so the website resolves them against ``references.bib``.
* A note above the first precomputed slider of a page says what its sliders do here.
* sphinx-thebe, which Jupyter Book always loads, is switched off.
* Docstrings of module constants are not misread as "type: description", and ``|A|``
  in prose is an absolute value, not an rst substitution.
* Exercises are numbered from 1 on each lesson page, not across the book.
* A short cross-reference (``:func:`maj_at_k```) finds the one r1lib object of that
  name wherever it is documented.

On the website there is no Python kernel: every ``live()`` slider of a lesson is shown
as a grid of figures precomputed over a few positions of each slider
(:mod:`r1lib.viz.static`; the kernels get ``R1COURSE_BOOK=1``). Above the first one of
a page this extension inserts a note saying so, and pointing to JupyterLab.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.nodes import make_refnode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # book/, for citations.py
import citations

STATIC_SLIDER = 'class="r1-static-slider"'
REPO_URL = "{{ repo_url }}"


def _is_static_slider(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and STATIC_SLIDER in node.astext()


def _cell(node: nodes.Element) -> nodes.Element:
    """The notebook cell (myst-nb container) holding an output node."""
    current = node
    while current.parent is not None:
        if "cell" in current.get("classes", []):
            return current
        current = current.parent
    return node


def add_live_slider_note(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Above the first precomputed slider of a page, say what its sliders can do here."""
    grids = list(doctree.findall(_is_static_slider))
    if not grids:
        return
    paragraph = nodes.paragraph()
    paragraph += nodes.Text(
        "The sliders on this page work without a Python kernel: each figure was drawn in "
        "advance for a few positions of every slider. In JupyterLab ("
    )
    paragraph += nodes.literal(text="make lab")
    paragraph += nodes.Text(
        ", or on Binder or Colab with the rocket button at the top of the page) they take "
        "every value of their range."
    )
    note = nodes.admonition(classes=["note", "r1-kernel-note"])
    note += nodes.title(text="Sliders: precomputed here, live in JupyterLab")
    note += paragraph
    cell = _cell(grids[0])
    cell.parent.insert(cell.parent.index(cell), note)


def substitute_repo_url(app: Sphinx, docname: str, source: list[str]) -> None:
    if REPO_URL not in source[0]:
        return
    url = app.config.html_theme_options.get("repository_url", "")
    if not url:
        raise ValueError("_config.yml: repository.url is not set but a page uses {{ repo_url }}")
    source[0] = source[0].replace(REPO_URL, url.rstrip("/"))


def citations_as_roles(app: Sphinx, docname: str, source: list[str]) -> None:
    """Lessons store citations as author-year links (``book/citations.py`` says why);
    on the website they become ``{cite:p}`` roles again, resolved by
    sphinxcontrib-bibtex against ``references.bib``."""
    if docname.startswith("notebooks/"):
        source[0] = citations.to_roles(source[0])


def plain_data_docstrings(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Keep napoleon from reading "AIME scores: ..." as "type: description".

    For data, attributes and properties napoleon takes the text before the first colon of
    the first line as the value's type. r1lib's docstrings are prose, so a blank first
    line (which napoleon consumes as an empty type) keeps the sentence whole.
    """
    if what in {"data", "attribute", "property"} and lines and ":" in lines[0]:
        lines.insert(0, "")


ABSOLUTE_VALUE = re.compile(r"(?<![\\`|])\|([^|\s`](?:[^|`]*[^|\s`])?)\|(?![`_|])")


def absolute_values(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Keep ``|A|`` or ``|logit / T|`` (absolute values in prose) from being read as rst
    substitutions.

    Lines with math or inline code are left alone (``\\|`` means something else there).
    """
    for i, line in enumerate(lines):
        if "math" not in line and "``" not in line and "|" in line:
            lines[i] = ABSOLUTE_VALUE.sub(r"\\|\1\\|", line)


def _importable(dotted: str) -> bool:
    """Whether ``dotted`` names a module or an attribute that exists in r1lib."""
    if not dotted.startswith("r1lib."):
        return False
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


def resolve_short_names(
    app: Sphinx, env: object, node: nodes.Element, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve r1lib cross-references Sphinx's exact lookup misses.

    Each object is documented once (a function that a package re-exports, under the
    package's name), so a docstring in ``r1lib.metrics.voting`` that says
    ``:func:`maj_at_k``` finds nothing at ``r1lib.metrics.voting.maj_at_k``. Resolve a
    reference to the one documented r1lib object whose name ends with the target; if
    none is documented but the name exists in r1lib (an undocumented constant, say),
    show it as code without a link. Anything else stays a warning (a typo, a removed
    function).
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    domain = env.get_domain("py")
    matches = {
        name: entry
        for name, entry in domain.objects.items()
        if name.startswith("r1lib.") and (name == target or name.endswith("." + target))
    }
    if len(matches) > 1:
        # Several objects of that name (a function and the checker of the same name):
        # keep those sharing the longest package prefix with the referring module.
        here = (node.get("py:module") or "").split(".")

        def shared(name: str) -> int:
            count = 0
            for mine, theirs in zip(here, name.split("."), strict=False):
                if mine != theirs:
                    break
                count += 1
            return count

        best = max(shared(name) for name in matches)
        matches = {name: entry for name, entry in matches.items() if shared(name) == best}
    if len(matches) == 1:
        ((name, entry),) = matches.items()
        return make_refnode(
            app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name
        )
    if matches:
        return None
    context = [node.get("py:class"), node.get("py:module")]
    candidates = [target] + [f"{c}.{target}" for c in context if c]
    candidates += [f"{node.get('py:module')}.{c}.{target}" for c in context[:1] if c]
    if any(_importable(c) for c in candidates):
        return contnode
    return None


def _switch_off_thebe(app: Sphinx) -> None:
    """Jupyter Book always loads sphinx-thebe. Unused here, it would still put a CDN
    address (unpkg.com) and a foreign Binder configuration into every page, so its
    handlers are disconnected (launch buttons come from sphinx-book-theme, not thebe)."""
    app.setup_extension("sphinx_thebe")
    for listeners in list(app.events.listeners.values()):
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "") == "sphinx_thebe":
                app.disconnect(listener.id)
    # ... and its stylesheet, registered at setup but never copied without those handlers.
    app.registry.css_files[:] = [
        entry for entry in app.registry.css_files if "thebe" not in str(entry[0])
    ]


def number_per_page(app: Sphinx, env: object) -> list[str]:
    """Number exercises (and figures, tables) from 1 on every page.

    Without a numbered toctree Sphinx counts them across the whole book, so the first
    exercise of lesson 02 would be "Exercise 9". Runs after Sphinx assigned the numbers
    (``env-get-updated``), keeping their order within each page.
    """
    for numbers in env.toc_fignumbers.values():
        for figtype, ids in numbers.items():
            ordered = sorted(ids, key=lambda figure_id: ids[figure_id])
            numbers[figtype] = {figure_id: (i + 1,) for i, figure_id in enumerate(ordered)}
    return []


COMMITTED = Path(__file__).resolve().parents[1] / "_build" / "committed"


def use_committed_r1lib() -> None:
    """Execute the lessons and document the API against r1lib as committed.

    book/prepare.py exports HEAD's lessons and r1lib to ``_build/committed``; putting it
    first on the path (this process for autodoc, the kernels through ``PYTHONPATH``)
    makes every page a fresh execution of the committed lesson with the committed
    library, whatever the working tree holds.
    """
    if not (COMMITTED / "r1lib" / "__init__.py").exists():
        raise RuntimeError("book/_build/committed is missing: run book/prepare.py (make book)")
    sys.path.insert(0, str(COMMITTED))
    paths = [str(COMMITTED), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)


def setup(app: Sphinx) -> dict[str, object]:
    use_committed_r1lib()
    # The kernels that execute the lessons inherit this: r1lib.viz.live.live then shows
    # precomputed figures for every slider instead of widgets no kernel can redraw.
    os.environ["R1COURSE_BOOK"] = "1"
    app.setup_extension("sphinx.ext.autodoc")
    _switch_off_thebe(app)
    app.connect("source-read", substitute_repo_url)
    app.connect("source-read", citations_as_roles)
    # Before sphinx.ext.napoleon, which listens at the default priority 500.
    app.connect("autodoc-process-docstring", plain_data_docstrings, priority=400)
    app.connect("autodoc-process-docstring", absolute_values, priority=400)
    app.connect("missing-reference", resolve_short_names)
    app.connect("env-get-updated", number_per_page, priority=900)
    app.connect("doctree-resolved", add_live_slider_note)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
