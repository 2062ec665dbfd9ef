"""The built book, opened the way a reader sees it: headless Chromium via Playwright.

Run with ``make browser-test`` after ``make book``. For every page of the table of
contents: no console error and no failed or 4xx/5xx request, math typeset by MathJax (no
raw ``$$`` or ``\\(`` left), every image loaded, widgets rendered from their embedded
state, solutions collapsed until clicked. On every lesson page: no raw citation key;
every control of every precomputed slider grid changes its figure when moved (each
``live()`` of the lesson is one grid); and the page is a fresh execution of the
committed lesson (the book was built from HEAD's lessons, the executed notebook holds
their code, and the page shows that execution's printed output and figures). Every
request must go to the local server. Screenshots go to ``artifacts/book/``.

Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``); Playwright's own browser
download is not used. Without it the test skips, except under ``CI=true`` where it
fails.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "book" / "_build" / "html"
TOC = ROOT / "book" / "_toc.yml"
LEFT_OUT = set(os.environ.get("R1COURSE_LEAVE_OUT", "").split())
COMMITTED = ROOT / "book" / "_build" / "committed"
EXECUTED = ROOT / "book" / "_build" / "jupyter_execute"
BIBFILE = ROOT / "book" / "references.bib"
ARTIFACTS = ROOT / "artifacts" / "book"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Lessons whose headline slider must work without a kernel: number -> what it moves.
HEADLINE = {"02": "group size G", "04": "temperature T", "06": "k"}
TIMEOUT_MS = 30_000


def _toc_pages() -> list[str]:
    """Docnames in reading order, from the generated ``book/_toc.yml``."""
    if not TOC.exists():
        return []
    toc = yaml.safe_load(TOC.read_text(encoding="utf8"))
    pages = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return pages


PAGES = _toc_pages()


def _chromium() -> str | None:
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


def _unavailable(reason: str) -> None:
    # make browser-test (and so make test) sets R1COURSE_BROWSER=1: there a missing book
    # or browser is a failure, never a silent skip (make test BROWSER=0 opts out).
    if os.environ.get("CI", "").lower() == "true" or os.environ.get("R1COURSE_BROWSER") == "1":
        pytest.fail(f"{reason} (the browser test must run; `make test BROWSER=0` skips it)")
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if not (HTML / "index.html").exists() or not PAGES:
        _unavailable("the book is not built: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        _unavailable(
            "Chromium not found: `sudo apt-get install -y chromium` (make does it as root), "
            "or CHROMIUM=/path/to/chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """One page opened in a fresh context, with everything it logged and requested."""

    def __init__(self, browser: object, base: str, docname: str) -> None:
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None,
        )
        self.page.goto(f"{base}/{docname}.html", wait_until="load")

    def _route(self, route: object) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or urlsplit(url).scheme in {"data", "blob"}:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, message: object) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: object, server: str) -> Iterator[object]:
    opened: list[Visit] = []

    def open_page(docname: str) -> Visit:
        opened.append(Visit(browser, server, docname))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def _wait_for_mathjax(page: object) -> int:
    """Wait until MathJax has typeset the page; return the number of typeset formulas."""
    if page.locator("script[src*='mathjax']").count() == 0:
        return 0
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")
    return page.locator("mjx-container").count()


def _wait_for_widgets(page: object) -> int:
    """Wait until every embedded widget view is rendered; return how many there are."""
    views = page.locator("script[type='application/vnd.jupyter.widget-view+json']").count()
    if views:
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll(
                   "script[type='application/vnd.jupyter.widget-view+json']"))
                 .every(s => s.parentElement.querySelector('.jupyter-widgets'))"""
        )
    return views


RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|\\begin\{")


def _raw_math(page: object) -> list[str]:
    """Text outside code that still looks like LaTeX source."""
    text = page.evaluate(
        """() => {
             const main = document.querySelector('main') || document.body;
             const clone = main.cloneNode(true);
             clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight,'
                                    + ' .r1-static-slider, .jupyter-widgets')
                  .forEach(e => e.remove());
             return clone.innerText;
           }"""
    )
    return [line.strip() for line in text.splitlines() if RAW_MATH.search(line)]


def _broken_images(page: object) -> list[str]:
    page.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete)", timeout=TIMEOUT_MS
    )
    return page.evaluate(
        """() => Array.from(document.images)
                 .filter(i => i.naturalWidth === 0)
                 .map(i => (i.currentSrc || i.src).slice(0, 120))"""
    )


# Pages saved whole; every other page is saved as its first screen only (long API pages
# are tens of thousands of pixels tall).
WHOLE_PAGES = {"intro", "how-to-use", "trl-verl", "bibliography", "api/index"}


def _screenshot(page: object, docname: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    whole = docname in WHOLE_PAGES or Path(docname).name[:2] in {"00", *HEADLINE}
    path = ARTIFACTS / (docname.replace("/", "__") + ".png")
    page.screenshot(path=str(path), full_page=whole)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout


def _committed_lessons() -> dict[str, str]:
    """Lesson file name -> git blob id at HEAD."""
    blobs = {}
    for line in _git("ls-tree", "HEAD", "notebooks/").splitlines():
        meta, path = line.split("\t", 1)
        name = Path(path).name
        # R1COURSE_LEAVE_OUT: lessons the Makefile leaves out of the book (book/prepare.py)
        if re.fullmatch(r"\d\d_[A-Za-z0-9_]+\.ipynb", name) and name not in LEFT_OUT:
            blobs[name] = meta.split()[2]
    return blobs


def _manifest() -> dict:
    path = COMMITTED / "manifest.json"
    if not path.exists():
        _unavailable("the book is not built: run `make book` first")
    return json.loads(path.read_text(encoding="utf8"))


def test_toc_lists_every_committed_lesson() -> None:
    notebooks = sorted(Path(name).stem for name in _committed_lessons())
    lessons = [p.split("/", 1)[1] for p in PAGES if p.startswith("notebooks/")]
    assert lessons == notebooks, "book/_toc.yml is stale: run `make book`"


def test_book_was_built_from_the_committed_lessons() -> None:
    # The book shows HEAD's lessons, never the working copies (where JupyterLab saves a
    # learner's answers): prepare.py exported them with git archive and recorded their
    # blobs; they must still be HEAD's, and the pages' sources must be those files.
    manifest = _manifest()
    assert manifest["lessons"] == _committed_lessons(), (
        f"the book was built from commit {manifest['commit'][:10]}, whose lessons are not "
        "HEAD's: run `make book`"
    )
    for name, blob in manifest["lessons"].items():
        page_source = ROOT / "book" / "notebooks" / name
        assert _git("hash-object", str(page_source)).strip() == blob, (
            f"book/notebooks/{name} is not the committed lesson"
        )


def _normal(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # ANSI colours (myst-ansi renders them)
    return " ".join(text.split())


def _executed(docname: str) -> dict:
    """The notebook myst-nb executed for this page (``execute_notebooks: force``)."""
    path = EXECUTED / f"{docname}.ipynb"
    assert path.exists(), f"{path} missing: the book was not executed; run `make book`"
    manifest = COMMITTED / "manifest.json"
    assert path.stat().st_mtime >= manifest.stat().st_mtime, (
        f"{path.name} was executed before the lessons were exported: run `make book`"
    )
    return json.loads(path.read_text(encoding="utf8"))


def _expected_outputs(notebook: dict) -> tuple[list[str], set[str]]:
    """Printed text (in order) and PNG digests of an executed notebook's outputs."""
    streams, pngs = [], set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if {"remove-output", "remove-cell"} & set(tags):
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream" and output.get("name") == "stdout":
                streams.append(_normal("".join(output["text"])))
            data = output.get("data", {})
            if "image/png" in data:
                pngs.add(hashlib.sha256(base64.b64decode(data["image/png"])).hexdigest())
    return [s for s in streams if s], pngs


@pytest.mark.parametrize("docname", PAGES)
def test_page_reads_well(visit: object, docname: str) -> None:
    view = visit(docname)
    page = view.page
    formulas = _wait_for_mathjax(page)
    widgets = _wait_for_widgets(page)
    broken = _broken_images(page)
    raw = _raw_math(page)
    _screenshot(page, docname)

    assert not view.foreign, f"requests to other hosts: {view.foreign}"
    assert not view.failed, f"failed requests: {view.failed}"
    assert not view.errors, f"console errors: {view.errors}"
    assert not broken, f"images that did not load: {broken}"
    assert not raw, f"math left as LaTeX source: {raw[:5]}"
    # (Sphinx also loads MathJax on a page whose toctree children have math.)
    if page.locator("main .math").count():
        assert formulas > 0, "the page has math but MathJax typeset none of it"
    if page.locator(".r1-static-slider").count():
        assert page.locator(".r1-kernel-note").count() == 1, "no note on where sliders are live"
    if docname.startswith("notebooks/"):
        source = (ROOT / "book" / f"{docname}.ipynb").read_text(encoding="utf8")
        # A solution is one code cell tagged "solution" (tools/solution_markup.py), shown
        # by myst-nb's hide-input as one closed <details> until the reader opens it.
        tagged = len(re.findall(r'"solution"', source))
        solutions = page.locator(".tag_solution details")
        assert solutions.count() >= (1 if tagged else 0), "solution cells not rendered"
        if solutions.count():
            first = solutions.first
            assert first.get_attribute("open") is None, "solutions must start collapsed"
            code = first.locator(".cell_input, .highlight").first
            assert not code.is_visible(), "a collapsed solution shows its code"
            first.locator("summary").click()
            code.wait_for(state="visible")
        if re.search(r"\binteract\(", source):
            assert widgets, "the lesson has interact() but the page embeds no widget state"
            shown = page.locator(
                ".jupyter-widgets .widget-slider, .jupyter-widgets select,"
                " .jupyter-widgets .widget-dropdown"
            )
            assert shown.count() > 0 and shown.first.is_visible(), "widget controls not shown"
        calls = len(re.findall(r"\blive\(", source))
        grids = page.locator(".r1-static-slider").count()
        assert grids >= calls, f"{calls} live() calls but {grids} precomputed slider grids"
        lesson = Path(docname).name
        if lesson[:2] in HEADLINE:
            assert grids >= 1, (
                f"lesson {lesson[:2]} has no kernel-free slider for {HEADLINE[lesson[:2]]}"
            )


LESSON_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


def _citation_keys() -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", BIBFILE.read_text(encoding="utf8"), re.MULTILINE)


@pytest.mark.parametrize("docname", LESSON_PAGES)
def test_no_raw_citation_key(visit: object, docname: str) -> None:
    page = visit(docname).page
    text = page.evaluate("() => (document.querySelector('main') || document.body).innerText")
    raw = [key for key in _citation_keys() if re.search(rf"\b{re.escape(key)}\b", text)]
    assert not raw, f"raw citation keys on the page: {raw}"
    assert "{cite" not in text, "an unresolved {cite:...} role on the page"
    cited = page.locator("main a[href*='bibliography.html#cite-']")
    if "bibliography.html#cite-" in (ROOT / "book" / f"{docname}.ipynb").read_text():
        assert cited.count() > 0, "the lesson cites papers but the page links none"


@pytest.mark.parametrize("docname", LESSON_PAGES)
def test_every_slider_changes_its_figure(visit: object, docname: str) -> None:
    page = visit(docname).page
    grids = page.locator(".r1-static-slider")
    moved = 0
    for g in range(grids.count()):
        grid = grids.nth(g)
        grid.scroll_into_view_if_needed()
        image = grid.locator("img")
        controls = grid.locator("input[type=range], select")
        assert controls.count() >= 1, "a precomputed slider without a control"
        for c in range(controls.count()):
            control, shown = controls.nth(c), grid.locator("output").nth(c)
            assert control.is_visible(), "a slider control is not visible"
            before_src, before_text = image.get_attribute("src"), shown.inner_text()
            if control.evaluate("e => e.tagName") == "SELECT":
                options = control.locator("option")
                current = control.evaluate("e => e.selectedIndex")
                control.select_option(index=0 if current else options.count() - 1)
            else:
                start, last = int(control.input_value()), int(control.get_attribute("max"))
                control.focus()
                page.keyboard.press("Home" if start == last else "End")
            page.wait_for_function(
                "([img, src]) => img.getAttribute('src') !== src && img.complete",
                arg=[image.element_handle(), before_src],
            )
            label = control.get_attribute("aria-label")
            assert shown.inner_text() != before_text, f"{label}: the value shown did not change"
            assert image.evaluate("i => i.naturalWidth") > 0, f"{label}: no figure loaded"
            moved += 1
    if moved:
        page.evaluate("e => e.scrollIntoView({block: 'center'})", grids.first.element_handle())
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"slider-moved__{Path(docname).name}.png"))


@pytest.mark.parametrize("docname", LESSON_PAGES)
def test_page_is_a_fresh_execution_of_the_committed_lesson(visit: object, docname: str) -> None:
    name = Path(docname).name + ".ipynb"
    committed = json.loads(_git("show", f"HEAD:notebooks/{name}"))
    executed = _executed(docname)
    code = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in committed["cells"]
        if c["cell_type"] == "code"
    ]
    ran = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in executed["cells"]
        if c["cell_type"] == "code"
    ]
    assert ran == code, "the executed notebook's code is not the committed lesson's"
    assert all(c.get("execution_count") for c in executed["cells"] if c["cell_type"] == "code"), (
        "a code cell of the committed lesson was not executed"
    )
    streams, pngs = _expected_outputs(executed)

    page = visit(docname).page
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll(
               'main .cell_output .output.stream pre, main .cell_output .output.stdout pre'))
             .map(e => e.textContent)"""
    )
    shown = [s for s in (_normal(t) for t in shown) if s]
    assert shown == streams, (
        "the page's printed output differs from the fresh execution of the committed lesson"
    )
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll('main .cell_output img'))
             .map(i => i.getAttribute('src')).filter(s => !s.startsWith('data:'))"""
    )
    digests = {Path(src).stem for src in images}
    assert digests <= pngs, f"figures on the page that the execution did not draw: {digests - pngs}"
    assert len(digests) == len(pngs), "figures of the execution missing from the page"
    page.screenshot(path=str(ARTIFACTS / f"slider-moved__{Path(docname).name}.png"))
