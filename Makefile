# r1course: two commands do everything on a fresh machine with Python 3.10+ and make.
#   make lab   - set up .venv and open JupyterLab on notebooks/
#   make test  - set up .venv and run every check of the project
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# requirements.lock pins every package (and pip, setuptools, wheel) at the versions CI
# tested, for every Python from 3.10 and every platform; make lock re-solves it.
# LOCKED=0 installs the newest versions pyproject.toml allows instead (make test-latest).
LOCK   := requirements.lock
LOCKED ?= 1
ifeq ($(LOCKED),1)
PIN       := --constraint $(LOCK)
PIN_BUILD := --build-constraint $(LOCK)
endif
# JupyterLab refuses to start as root unless asked to.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# TRL 1.16 needs Python 3.11: on 3.10 the production extra installs nothing, so the lesson
# that needs it (13) is left out of the notebook run and the book, and make says so
# (make sync and make cite, which do not run it, still take every lesson).
ifeq ($(shell $(PYTHON) -c 'import sys; print(sys.version_info < (3, 11))'),True)
NEEDS_TRL := $(wildcard notebooks/13_*.ipynb)
export R1COURSE_LEAVE_OUT := $(notdir $(NEEDS_TRL))
endif
RUNNABLE := $(filter-out $(NEEDS_TRL),$(NOTEBOOKS))
# make test BROWSER=0 skips the browser test (otherwise it needs Debian's Chromium, which
# make installs when it runs as root).
BROWSER ?= 1
CHROMIUM ?= /usr/bin/chromium

.PHONY: help setup lock test-latest lab test lint unit notebooks sync cite twins bench book serve browser-test chromium clean

help:
	@echo "make lab    open the course in JupyterLab (sets everything up first)"
	@echo "make test   run every check: lint, unit tests, notebooks, book, browser"
	@echo "make bench  print r1lib's speed ratios"
	@echo "make lock   re-solve requirements.lock (newest allowed versions), then make test"
	@echo "make test-latest  every check on the newest allowed versions, in .venv-latest"
	@echo "make book   build the website into book/_build/html; make serve to read it"
	@echo "make sync   regenerate the jupytext twins (notebooks/py/*.py) from the notebooks"
	@echo "make cite   turn {cite:p} keys in the lessons into author-year links"

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade $(PIN) pip
	$(BIN)/python -m pip install --quiet $(PIN) $(PIN_BUILD) -e ".[course,tests,book,production]"
	@touch $(STAMP)

setup: $(STAMP)

# The lock: uv's universal resolution of pyproject.toml's dependencies and all its extras,
# plus the installers themselves. Run it when pyproject.toml's requirements change (a test
# says so) and to take up new releases, after make test-latest has passed.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(if $(wildcard $(LOCK)),$(PIN)) uv
	printf 'pip\nsetuptools\nwheel\nuv\n' | $(BIN)/uv pip compile pyproject.toml - \
	  --all-extras --universal --python-version 3.10 --quiet \
	  --custom-compile-command "make lock" --output-file $(LOCK)

# Every check on the newest releases pyproject.toml allows, in a fresh .venv-latest: an
# upgrade that breaks the course fails here, on a branch, before a learner meets it.
test-latest:
	rm -rf .venv-latest
	$(MAKE) test VENV=.venv-latest LOCKED=0

# jupyter_server_config.py: lessons open without an unsaved mark (it says how).
lab: setup
	$(BIN)/jupyter lab --config=jupyter_server_config.py --notebook-dir=notebooks $(ROOT_FLAG)

# Every check. Each step stops the run when it fails.
test: setup lint unit notebooks book browser-test

lint: setup
	$(BIN)/ruff check r1lib tests benchmarks notebooks book jupyter_server_config.py
	$(BIN)/ruff format --check r1lib tests benchmarks notebooks book jupyter_server_config.py
	$(BIN)/mypy

# Unit tests, then the examples in r1lib's docstrings.
unit: setup
	R1COURSE_LOCKED=$(LOCKED) $(BIN)/python -m pytest tests -q
	MPLBACKEND=Agg $(BIN)/python -m pytest --doctest-modules r1lib -q

notebooks: setup
ifneq ($(NEEDS_TRL),)
	@echo "Python 3.10: $(NEEDS_TRL) needs TRL 1.16, hence Python 3.11; left out"
endif
ifneq ($(RUNNABLE),)
	MPLBACKEND=Agg $(BIN)/python -m pytest --nbval-lax --nbval-current-env --durations=0 -p no:cacheprovider $(RUNNABLE)
endif

sync: setup
	$(BIN)/jupytext --sync $(NOTEBOOKS)

# Move jupytext twins left at the old place (notebooks/NN_x.py, e.g. a lesson written
# before the twins moved) to notebooks/py/ and re-pair them; re-runnable.
twins: setup
	@for twin in $(wildcard notebooks/[0-9]*.py); do \
	  notebook=$${twin%.py}.ipynb; \
	  $(BIN)/jupytext --quiet --sync $$twin && \
	  mkdir -p notebooks/py && git mv -k $$twin notebooks/py/ && \
	  { [ -f $$twin ] && mv $$twin notebooks/py/ || true; } && \
	  $(BIN)/jupytext --quiet --set-formats ipynb,py//py:percent $$notebook || exit 1; \
	  echo "moved $$twin to notebooks/py/"; \
	done

# JupyterLab cannot resolve {cite:p}`key`: lessons store author-year links to the book's
# bibliography instead (book/citations.py), which the book turns back into citations.
cite: setup
	$(BIN)/python book/citations.py $(NOTEBOOKS)

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
# Never skipped silently: without Chromium, make installs it as root (apt-get) or stops
# and says how; BROWSER=0 is the explicit opt-out.
browser-test: setup chromium
ifeq ($(BROWSER),0)
	@echo "browser test skipped (BROWSER=0)"
else
	CHROMIUM=$(CHROMIUM) R1COURSE_BROWSER=1 $(BIN)/python -m pytest tests/browser -q -p no:cacheprovider
endif

chromium:
ifneq ($(BROWSER),0)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Chromium is missing: installing Debian's (apt-get install -y chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser test needs Chromium at $(CHROMIUM). Install it with"; \
	    echo "    sudo apt-get install -y chromium   (Debian; Ubuntu's is a snap: use CHROMIUM=/path)"; \
	    echo "or point CHROMIUM=/path/to/chromium at one, or skip the test: make test BROWSER=0"; \
	    exit 1; \
	  fi; \
	fi
endif

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf book/_build book/notebooks book/_toc.yml book/api book/_assets .pytest_cache .hypothesis .ruff_cache
