# The README's two commands are `make demo` and `make test`; everything else is what they call.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY39 ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.9*/bin/python3.9) $(shell command -v python3.9))
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed-dev
SITE_BYTECODE := $(VENV)/.compiled
CHECKS := check-mypy check-py39 check-vermin check-ruff check-imports
CHECKS_BESIDE := $(filter-out check-py39,$(CHECKS))
CHECK_LOG := $(VENV)/check.log

# Debian packages the tests drive for real: Blender 3.4 + Xvfb for the GUI playblast, Chromium's
# headless shell for the review page (the same build as chromium, less CPU), Chromium for the
# export's PDF print, ffmpeg's ffprobe as an independent judge of encoded movies, Mesa EGL for bpy,
# PostgreSQL for the server's second backend (the tests start throwaway clusters with its initdb),
# curl as the baseline of bench/bench_upload.py (no test uses it), Node and npm for ftrack's
# JavaScript API client (tests/js, installed there by `make js-deps`), Firefox ESR for the review
# page in a second browser (tests/web/firefox, driven by tests/js's puppeteer-core).
# `make test` installs the missing ones itself (keep this a plain list of package names).
SYSTEM_PACKAGES := blender xvfb xauth chromium chromium-headless-shell firefox-esr ffmpeg postgresql curl nodejs npm poppler-utils systemd \
	libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon0 libsm6 libxi6 libxxf86vm1 libxfixes3 libxrender1 libx11-6
APT_INSTALL = DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

# `make test` runs pytest on this many parallel workers (pytest-xdist). Most tests wait on a
# subprocess (the embedded server, ffmpeg, Blender, Chromium, PostgreSQL), so more workers than
# cores pay; every worker gets its own servers, X displays and temp dirs. The tests that share a
# fixture instance (a module's server) run on one worker (tests/support/scheduling.py).
# Five on 2 cores: with four, the cores stood idle 92 core-s of a run (two workers waiting at once:
# a minute of hub events, publishes waiting out a stopped server's retries), with five 31, and
# the run took 9m57 instead of 10m55 (back to back, fresh clones; peak memory 6.2 GB, was 5.5).
TEST_WORKERS ?= 5

.PHONY: demo test test-ready check $(CHECKS) bytecode project-bytecode test-cache test-cache-half test-cache-rest system-deps install js-deps clean

# `make demo PORT=8766`: the demo's embedded server on another port (default 8765)
demo: $(SITE_BYTECODE)
	$(BIN)/ft-dcc demo $(if $(PORT),--port $(PORT))

# `make check` runs beside pytest, at low priority (nice: its ~12 CPU-s fill the run's idle
# moments instead of delaying the first test), into CHECK_LOG; after pytest its verdict is printed
# (its whole output when it failed) and a failing check fails `make test` as a failing test does.
# check-py39 runs before pytest instead, in test-ready: it makes the Python 3.9 venv a test uses.
# A plain `make` there, not make's MAKE variable: so `make -n test` prints that line, never runs it.
# On a bare machine apt installs the Debian packages beside pip (only npm waits for them: Node
# and npm are among them); nothing else before pytest needs them.
test:
	$(MAKE) --jobs=3 --output-sync=target system-deps test-ready
	@nice -n 10 make --no-print-directory --jobs=2 --keep-going --output-sync=target $(CHECKS_BESIDE) > $(CHECK_LOG) 2>&1 & checks=$$!; \
	trap 'kill $$checks 2>/dev/null' INT TERM; \
	FT_DCC_REQUIRE_ALL=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup; tests=$$?; \
	if wait $$checks; then echo "make test: $(CHECKS_BESIDE) (beside the tests) passed; output in $(CHECK_LOG)"; \
	else cat $(CHECK_LOG); echo "make test: a static check failed (its output above; rerun: make check)"; tests=1; fi; \
	exit $$tests

# What the suite needs before it starts, made side by side (`--jobs=3`: npm beside pip, then the
# bytecode and pytest's cache, longest first). The other checks run beside pytest (above).
test-ready: bytecode test-cache js-deps check-py39

# `make check`: every static check (its parts are targets too, e.g. `make check-mypy`).
check: $(CHECKS)

check-ruff: $(STAMP)
	$(BIN)/ruff check .

check-vermin: $(STAMP)
	$(BIN)/vermin --no-tips --violations --no-make-paths-absolute -t=3.9- --exclude-regex '^ft_dcc/server' ft_dcc hosts

check-imports: $(STAMP)
	$(BIN)/lint-imports

check-mypy: $(STAMP)
	mkdir -p $(VENV)/mypy-path && ln -sfn "$(CURDIR)/hosts" $(VENV)/mypy-path/ft_dcc_hosts
	$(BIN)/mypy

# Only the standard library and its own Python 3.9 venv: it runs while pip installs ours.
check-py39: $(BIN)/python
	$(BIN)/python tests/tools/check_py39_imports.py --python "$(PY39)"

install: $(STAMP)

# The venv's interpreter, before its packages: what needs only the standard library (the
# project's bytecode, check-py39) starts while pip installs the rest.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml setup.py
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	touch $(STAMP)

# The tests start hundreds of Python processes (servers, CLIs, publishes, workers): each reads
# bytecode compiled once here rather than compiling the sources again (Python reads it also where
# PYTHONDONTWRITEBYTECODE keeps processes from writing it). pip would compile the installed
# modules one file at a time (~20 s here); compileall -j 0 does it on every core.
bytecode: $(SITE_BYTECODE) project-bytecode

project-bytecode: $(BIN)/python
	$(BIN)/python -m compileall -q -j 0 ft_dcc hosts tests > /dev/null

# Not compiled: what no process of the suite imports (a log of the modules every venv Python
# imported over 1,170 tests of a dozen folders, the bpy and the pip-wheel tests among them; none
# imported these), 33 % of the installed source: pymel (90 MB of Maya command and API caches,
# and the package itself, which needs Maya) but mayaCmdsList$(MAYA_VERSION).py, the one file
# generate_schema.py --check (tests/maya/test_maya_fake.py) reads (MAYA_VERSION as in
# tests/fakes/maya/generate_schema.py); mypy and mypyc (mypy runs their compiled modules, in one
# process); Sphinx and what only it imports; numpy's own tests, f2py, distutils and array_api;
# sqlalchemy's test kit; playwright's asyncio API (the tests drive its sync one); pygments'
# lexers but Python's and diff's (pytest's); the pip bpy module's add-ons Blender does not
# enable. Kept: what a test process imports, even once (pip, setuptools, Cython and babel for the
# wheel test's build, vermin).
MAYA_VERSION := 2025
SITE_BYTECODE_SKIP := /pymel/(?!cache/mayaCmdsList$(MAYA_VERSION)\.py$$)$\
	|/numpy/((.*/)?tests|f2py|distutils|array_api)/|/sqlalchemy/testing/|/playwright/async_api/$\
	|/pygments/lexers/(?!(__init__|_mapping|python|diff)\.py$$)$\
	|/site-packages/(mypy|mypyc|sphinx|sphinxcontrib|docutils|snowballstemmer|alabaster|imagesize|roman_numerals)/$\
	|/bpy/[^/]+/scripts/(addons_core/(rigify|node_wrangler|viewport_vr_preview|ui_translate|hydra_storm)|freestyle)/

# pytest rewrites the asserts of every test module in each of its workers and caches the result
# only where it may write bytecode: collecting here writes that cache (the workers read it).
# After the installed packages' bytecode: collecting beside their compile took 14 CPU-s, after it 7.
# Two collections side by side, one core each: TEST_CACHE_HALF's folders (tests/server's modules
# above all) and every other one, about 4.5 CPU-s each (one collection of all: 10 CPU-s on one
# core). They write the same cached modules as one collection of tests/ does.
# Every module whatever PYTEST_ADDOPTS selects (a -k may select none of a half); a collection
# error is printed (the log's sections from pytest's first ==== line, not its list of tests).
TEST_CACHE_HALF := tests/server tests/blender tests/compat tests/events
COLLECT = env -u PYTHONDONTWRITEBYTECODE -u PYTEST_ADDOPTS $(BIN)/python -m pytest --collect-only -q \
	-p no:cacheprovider $(1) > $(VENV)/$@.log || { sed -n '/^==/,$$p' $(VENV)/$@.log; exit 1; }
test-cache: test-cache-half test-cache-rest

test-cache-half: $(SITE_BYTECODE)
	$(call COLLECT,$(TEST_CACHE_HALF))

test-cache-rest: $(SITE_BYTECODE)
	$(call COLLECT,tests $(addprefix --ignore=,$(TEST_CACHE_HALF)))

$(SITE_BYTECODE): $(STAMP)
	$(BIN)/python -m compileall -q -j 0 -x '$(SITE_BYTECODE_SKIP)' "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" > /dev/null
	touch $@

# ftrack's JavaScript client at the versions of tests/js/package-lock.json (written with
# --omit-lockfile-registry-resolved: no registry URL in the repo; npm uses its configured one).
JS_STAMP := tests/js/node_modules/.installed
js-deps: $(JS_STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json | system-deps
	cd tests/js && npm ci --no-audit --no-fund --omit-lockfile-registry-resolved
	touch $(JS_STAMP)

# Only the missing packages, and apt only when one is missing (a quick dpkg-query otherwise);
# the package lists are refreshed only when installing from the current ones fails.
# A package counts as there when an installed one provides it (NodeSource's nodejs provides npm).
system-deps:
	@provided="$$(dpkg-query -W -f='$${db:Status-Abbrev}|$${Provides}\n' 2>/dev/null \
		| sed -n 's/^ii *|//p' | tr ',' '\n' | sed 's/(.*//; s/ //g')"; \
	missing="$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' \
		|| grep -qx "$$p" <<<"$$provided" || echo "$$p"; \
	done | xargs)"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing the Debian packages the tests need: $$missing"; \
		$(APT_INSTALL) $$missing || { $(SUDO) apt-get update -qq && $(APT_INSTALL) $$missing; }; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache tests/js/node_modules
