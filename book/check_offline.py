"""Fail when the built book would load anything from another host.

Scans every HTML page of ``book/_build/html`` for resources a browser fetches by
itself - ``src``/``srcset`` of scripts, images, frames and media, ``href`` of
``<link>`` elements (stylesheets, icons, preloads), ``data-jupyter-widgets-cdn`` - and
every CSS file for ``url(...)`` and ``@import``. Any absolute ``http(s)://`` or
protocol-relative ``//`` address is reported. Links a reader clicks (``<a href>``:
the repository, Binder, Colab, papers) are navigation, not loads, and are allowed.
The browser test (``tests/browser``) additionally watches the requests a page makes.

Usage: ``python book/check_offline.py [book/_build/html]``; exit status 1 on findings.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

EXTERNAL = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//")
LOCAL_SCHEMES = ("data:", "blob:", "#", "mailto:", "javascript:")
RESOURCE_ATTRIBUTES = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "frame": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "input": ["src"],
    "link": ["href"],
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = [*RESOURCE_ATTRIBUTES.get(tag, []), "data-jupyter-widgets-cdn", "style"]
        for name, value in attrs:
            if name not in wanted or not value:
                continue
            if name == "style":
                urls = [a or b for a, b in CSS_URL.findall(value)]
            elif name == "srcset":
                urls = [part.strip().split(" ")[0] for part in value.split(",")]
            else:
                urls = [value]
            for url in urls:
                if EXTERNAL.match(url) and not url.startswith(LOCAL_SCHEMES):
                    self.found.append((self.getpos()[0], f"<{tag} {name}>", url))


def external_references(root: Path) -> list[str]:
    problems = []
    for page in sorted(root.rglob("*.html")):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf8", errors="replace"))
        problems += [
            f"{page.relative_to(root)}:{line}: {what} {url}" for line, what, url in parser.found
        ]
    for sheet in sorted(root.rglob("*.css")):
        text = sheet.read_text(encoding="utf8", errors="replace")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments are not loaded
        for a, b in CSS_URL.findall(text):
            url = a or b
            if EXTERNAL.match(url):
                problems.append(f"{sheet.relative_to(root)}: css {url}")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "_build" / "html"
    if not (root / "index.html").exists():
        print(f"{root}: no built book (run `make book`)")
        return 1
    problems = external_references(root)
    for problem in problems:
        print(problem)
    pages = len(list(root.rglob("*.html")))
    if problems:
        print(f"{len(problems)} reference(s) to other hosts in the built book")
        return 1
    print(f"check_offline: {pages} pages, no resource loaded from another host")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
