# Everyday tasks. See docs/development.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.NOTPARALLEL:

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Extra pytest arguments, e.g. make test-sqlite PYTEST_ARGS="-k access -x"
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y

# Runs pytest with the given arguments; exit code 5 (no tests collected) counts as success.
define pytest
	$(1) -m pytest $(2) $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }
endef

.PHONY: help install run test lint typecheck test-sqlite test-postgres test-browser bench \
	messages compiled-messages postgresql chromium gettext clean

help:
	@echo "make run            set up .venv and the demo database, start web server and worker"
	@echo "make test           lint, typecheck, tests on SQLite and PostgreSQL, browser tests"
	@echo "make lint | typecheck | test-sqlite | test-postgres | test-browser"
	@echo "make bench          run bench/*.py, write var/bench.json"
	@echo "make messages       refresh and compile locale/ catalogues"
	@echo "make clean          remove .venv, var/ and caches"

# --- set-up -----------------------------------------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

install: $(STAMP)

# Compiles catalogues whose .mo file is missing or out of date (no gettext needed).
compiled-messages: install
	@$(PY) tools/compile_messages.py

run: install compiled-messages
	PORT=$(PORT) PYTHON=$(PY) tools/run.sh

# --- checks -----------------------------------------------------------------------------------

test: install compiled-messages lint typecheck test-sqlite test-postgres test-browser

lint: install
	$(PY) -m ruff check .

typecheck: install
	$(PY) -m mypy aanwezig

test-sqlite: install compiled-messages
	$(call pytest,$(PY),-m "not browser")

test-postgres: install compiled-messages postgresql
	$(call pytest,$(PY) tools/with_postgres.py -- $(PY),-m "not browser")

test-browser: install compiled-messages chromium
	$(call pytest,$(PY),-m browser)

postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(APT_INSTALL) postgresql; }

chromium:
	@command -v chromium >/dev/null || { $(APT_INSTALL) chromium; }

gettext:
	@command -v xgettext >/dev/null || { $(APT_INSTALL) gettext; }

# --- other ------------------------------------------------------------------------------------

bench: install compiled-messages
	@mkdir -p var && rm -f var/bench.json
	@# The seed comes first: the other benchmarks read the 40k database it leaves behind.
	@status=0; for script in bench/seed_demo_40k.py $$(ls bench/*.py | grep -v seed_demo_40k); do \
		case "$$(basename "$$script")" in _*) continue;; esac; \
		echo "--- $$script"; $(PY) "$$script" || status=1; \
	done; \
	[ -f var/bench.json ] && cat var/bench.json && echo; exit $$status

messages: install gettext
	$(PY) manage.py makemessages -l nl -l en -l tr -l ar -l pl -l uk -e html,txt,py --ignore=.venv --ignore=var \
		--ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
