"""Citations in the lessons that read the same in JupyterLab and in the book.

Lessons are written with MyST citations, ``{cite:p}`key``` (or ``{cite:t}``), keys
from ``book/references.bib``. The book resolves them, but JupyterLab's MyST renderer
(jupyterlab-myst 2.x) has no bibliography and shows each as its raw key with a
"Citation Not Found" mark. So the lessons store citations as plain markdown that
every renderer shows: author-year text linked to the entry on the book's bibliography
page, e.g.

    ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))

and the book turns those links back into ``{cite:p}`` roles when it reads a lesson
(``book/_ext/r1book.py``), so on the website they stay real citations with their
hover card and an in-site link (``bibtex_cite_id: cite-{key}`` gives the anchor).

Run after adding or editing a lesson (``make cite`` does)::

    python book/citations.py notebooks/*.ipynb

It rewrites every ``{cite:p}`` / ``{cite:t}`` in the markdown cells of each notebook
and its jupytext twin (idempotent; a link already converted is refreshed from the
current ``references.bib`` and book address). ``--check`` only reports what it would
change (exit status 1 if anything).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import yaml
from pybtex.database import parse_file

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
BIBFILE = BOOK / "references.bib"
CONFIG = BOOK / "_config.yml"

ROLE = re.compile(r"\{cite:(?P<kind>[pt])\}`(?P<keys>[^`]+)`")
KEY = r"[A-Za-z0-9_.:-]+"
# One converted citation: [text](<book>/bibliography.html#cite-<key>).
LINK = re.compile(
    r"\[(?P<text>[^\[\]\n\"]+)\]\((?P<url>[^)\s]*/bibliography\.html)#cite-(?P<key>" + KEY + r")\)"
)
# A parenthetical group of them: ([A, 2020](...); [B, 2021](...)).
_ONE = r"\[[^\[\]\n\"]+\]\([^)\s]*/bibliography\.html#cite-" + KEY + r"\)"
GROUP = r"\((?P<group>" + _ONE + r"(?:; " + _ONE + r")*)\)"
# A group, or else a single (textual) citation link; groups are tried first.
EITHER = re.compile(GROUP + "|" + LINK.pattern)


def book_url(config: Path = CONFIG) -> str:
    """Where the book is published: ``html.baseurl`` of ``_config.yml`` if set, else the
    GitHub Pages address of ``repository.url`` (github.com/OWNER/REPO ->
    OWNER.github.io/REPO)."""
    settings = yaml.safe_load(config.read_text(encoding="utf8"))
    base = (settings.get("html") or {}).get("baseurl") or ""
    if base:
        return base.rstrip("/") + "/"
    repo = settings["repository"]["url"].rstrip("/")
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repo)
    if not match:
        raise SystemExit(f"{config}: set html.baseurl (cannot derive it from {repo})")
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def _plain(text: str) -> str:
    """BibTeX name text without braces and the few LaTeX accents the file uses."""
    accents = {r"\'e": "é", r"\'a": "á", r"\"o": "ö", r"\"u": "ü", r"\`e": "è"}
    for latex, letter in accents.items():
        text = text.replace("{" + latex + "}", letter).replace(latex, letter)
    return text.replace("{", "").replace("}", "")


def author_year(bibfile: Path = BIBFILE) -> dict[str, tuple[str, str]]:
    """Key -> (authors as cited, year): "Shao et al.", "Kim and Rush", "Williams"."""
    entries = parse_file(str(bibfile), bib_format="bibtex").entries
    labels: dict[str, tuple[str, str]] = {}
    for key, entry in entries.items():
        people = entry.persons.get("author", [])
        names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
        if not names:
            who = _plain(entry.fields.get("organization", key))
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        labels[key] = (who, entry.fields.get("year", "n.d."))
    return labels


def _link(key: str, text: str, base: str) -> str:
    return f"[{text}]({base}bibliography.html#cite-{key})"


def convert(markdown: str, labels: dict[str, tuple[str, str]], base: str) -> str:
    """Rewrite the citations of one markdown text (roles and earlier links alike)."""

    def unknown(key: str) -> None:
        raise KeyError(f"citation key {key!r} is not in {BIBFILE.relative_to(ROOT)}")

    def parenthetical(keys: list[str]) -> str:
        for key in keys:
            if key not in labels:
                unknown(key)
        return (
            "(" + "; ".join(_link(k, f"{labels[k][0]}, {labels[k][1]}", base) for k in keys) + ")"
        )

    def textual(key: str) -> str:
        if key not in labels:
            unknown(key)
        return _link(key, f"{labels[key][0]} ({labels[key][1]})", base)

    def role(match: re.Match[str]) -> str:
        keys = [k.strip() for k in match["keys"].split(",") if k.strip()]
        if match["kind"] == "p":
            return parenthetical(keys)
        return " ".join(textual(k) for k in keys)

    markdown = ROLE.sub(role, markdown)
    # Refresh links written earlier (the bibliography or the book's address may change).
    return EITHER.sub(
        lambda m: (
            parenthetical([link["key"] for link in LINK.finditer(m["group"])])
            if m["group"]
            else textual(m["key"])
        ),
        markdown,
    )


def to_roles(text: str) -> str:
    """The inverse, for the book: converted links back to ``{cite:p}`` / ``{cite:t}``."""
    return EITHER.sub(
        lambda m: (
            "{cite:p}`" + ",".join(x["key"] for x in LINK.finditer(m["group"])) + "`"
            if m["group"]
            else "{cite:t}`" + m["key"] + "`"
        ),
        text,
    )


def convert_notebook(path: Path, labels: dict[str, tuple[str, str]], base: str) -> bool:
    """Convert one notebook and its twin(s); True if anything changed."""
    notebook = jupytext.read(path)
    changed = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            new = convert(cell.source, labels, base)
            if new != cell.source:
                cell.source, changed = new, True
    if changed:
        jupytext.write(notebook, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="lessons (.ipynb)")
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    labels, base = author_year(), book_url()
    stale = []
    for path in args.notebooks:
        if path.suffix != ".ipynb":
            parser.error(f"{path}: give the .ipynb (its jupytext twin follows)")
        if args.check:
            notebook = jupytext.read(path)
            cells = [c.source for c in notebook.cells if c.cell_type == "markdown"]
            if any(convert(s, labels, base) != s for s in cells):
                stale.append(path)
        elif convert_notebook(path, labels, base):
            stale.append(path)
            print(f"converted citations in {path}")
    if args.check and stale:
        print("citations to convert (run `make cite`):", *map(str, stale))
        return 1
    if stale:
        # The .ipynb is now the newest file of its pair: sync writes the twin from it.
        from jupytext.cli import jupytext as jupytext_cli

        jupytext_cli(["--sync", "--quiet", *map(str, stale)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
