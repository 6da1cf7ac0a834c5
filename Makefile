# make run: set everything up and open the window on examples/newsroom
# make test: set everything up and run the tests (offscreen)
# make lint: ruff and mypy, as CI runs them
# make fuzz: the long fuzz and crash runs (minutes)
# make dist: the wheel and the source archive in dist/ (what an editor installs with pipx)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := $(VENV)/.installed

# Libraries Qt needs even offscreen, and those its X11 (xcb) platform needs for a real window.
QT_LIBS := libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0 fonts-dejavu-core
XCB_LIBS := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
            libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 libxcb-xinerama0

# What the tests use beyond Qt's libraries: desktop-file-validate checks the launcher entry.
TEST_TOOLS := desktop-file-utils

.PHONY: run test lint fuzz dist venv syslibs syslibs-window bench newsroom clean

run: venv syslibs syslibs-window
	$(VENV)/bin/reviewer examples/newsroom

test: venv syslibs
	@scripts/ensure-packages $(TEST_TOOLS)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# The wheel and the sdist, built in an isolated environment as any installer builds them.
dist: venv
	rm -rf dist
	$(PY) -m build --outdir dist .
	@ls -l dist

# ruff (rules and formatting) and mypy (strict for reviewer/core and the command line).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# 10,000 damaged articles through check, list and set; 50 kill -9 trials of set over 3,000 files;
# 1,000 random corruptions of a folder index, 2,000 of a kept listing, 600 random trees walked in parts; the hostile cases of Hardening II (links out of
# the folder, git settings that run programs, huge numbers, problem lines, hostile bodies);
# 500 random editor sessions of 30-100 keys through the real window (test_key_sessions);
# 600 random runs of many articles changing, going and coming back in the list's model;
# 20,000 damaged articles read both ways, the fast YAML path against PyYAML (test_yaml_screen).
fuzz: venv syslibs
	REVIEWER_FUZZ_CASES=10000 REVIEWER_CRASH_TRIALS=50 REVIEWER_CRASH_FILES=3000 REVIEWER_INDEX_CORRUPTIONS=1000 \
	  REVIEWER_KEY_SESSIONS=500 REVIEWER_FUZZ_ALL=1 REVIEWER_LISTING_CORRUPTIONS=2000 REVIEWER_WALK_TREES=600 \
	  REVIEWER_BLOCK_OPENS=150 REVIEWER_MODEL_RUNS=600 \
	  QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s tests/core/test_fuzz.py tests/core/test_crash.py \
	  tests/core/test_index.py tests/core/test_index_blocks.py tests/core/test_index_first.py tests/core/test_kept_listing.py tests/core/test_links_out.py tests/core/test_git_guard.py \
	  tests/core/test_huge_numbers.py tests/core/test_problem_lines.py tests/core/test_preview.py \
	  tests/ui/test_key_sessions.py tests/ui/test_article_model.py tests/core/test_yaml_screen.py

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Reviewer needs Python 3.11 or newer; $(PYTHON) is older." >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]' --config-settings editable_mode=compat
	touch $(STAMP)

syslibs:
	@scripts/ensure-packages $(QT_LIBS)

syslibs-window:
	@scripts/ensure-packages $(XCB_LIBS)

newsroom: venv
	$(PY) examples/make_newsroom.py

bench: venv
	$(PY) benchmarks/bench_list.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
