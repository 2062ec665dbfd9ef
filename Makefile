# r1course: two commands do everything on a fresh machine with Python 3.10+ and make.
#   make lab   - set up .venv and open JupyterLab on notebooks/
#   make test  - set up .venv and run every check of the project
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# JupyterLab refuses to start as root unless asked to.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))

.PHONY: help setup lab test lint unit notebooks sync bench book serve browser-test clean

help:
	@echo "make lab    open the course in JupyterLab (sets everything up first)"
	@echo "make test   run every check: lint, unit tests, notebooks, book, browser"
	@echo "make bench  print r1lib's speed ratios"
	@echo "make book   build the website into book/_build/html; make serve to read it"
	@echo "make sync   regenerate the jupytext twins (notebooks/*.py) from the notebooks"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,tests,book]"
	@touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# Every check. Each step stops the run when it fails.
test: setup lint unit notebooks book browser-test

lint: setup
	$(BIN)/ruff check r1lib tests benchmarks notebooks
	$(BIN)/ruff format --check r1lib tests benchmarks notebooks
	$(BIN)/mypy

# Unit tests, then the examples in r1lib's docstrings.
unit: setup
	$(BIN)/python -m pytest tests -q
	MPLBACKEND=Agg $(BIN)/python -m pytest --doctest-modules r1lib -q

notebooks: setup
ifneq ($(NOTEBOOKS),)
	MPLBACKEND=Agg $(BIN)/python -m pytest --nbval-lax --nbval-current-env --durations=0 -p no:cacheprovider $(NOTEBOOKS)
endif

sync: setup
	$(BIN)/jupytext --sync $(NOTEBOOKS)

# The website (book/README.md). npm ci installs MathJax, RequireJS and the widget manager
# from book/package-lock.json; prepare.py writes the toc (every notebooks/NN_*.ipynb),
# the API pages and book/_assets/. A fresh build (--all) re-executes every notebook
# against this r1lib; warnings are errors. check_offline.py fails on any resource from
# another host.
book: setup
	cd book && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python book/prepare.py
	rm -rf book/_build/html
	$(BIN)/jupyter-book build book --all -W -n --keep-going
	$(BIN)/python book/check_offline.py book/_build/html

PORT ?= 8000
serve:
	@test -f book/_build/html/index.html || { echo "no book yet: run make book"; exit 1; }
	@echo "the book: http://127.0.0.1:$(PORT)/"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory book/_build/html

# Headless Chromium (Debian's) opens every page of the built book (tests/browser).
browser-test: setup
	$(BIN)/python -m pytest tests/browser -q -p no:cacheprovider

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf book/_build .pytest_cache .hypothesis .ruff_cache
