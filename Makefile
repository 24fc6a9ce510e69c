# The two commands: `make run` and `make test`. Only Python 3.11+ is needed on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Reinstall whenever either pyproject changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml sdk/pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

export DJANGO_SETTINGS_MODULE := portal.settings

.PHONY: help install run test lint migrate demo bench clean

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat"
	@echo "make test   - the whole test suite (SDK, portal, browser)"
	@echo "make lint   - ruff"
	@echo "make bench  - the benchmarks under bench/"

$(STAMP): pyproject.toml sdk/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found %s)" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ./sdk -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py rundev

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

test: install
	SECRET_KEY=$${SECRET_KEY:-insecure-test-key} DEBUG=$${DEBUG:-0} SECURE_COOKIES=0 \
		$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(PY) bench/validate.py
	SECRET_KEY=$${SECRET_KEY:-bench} $(PY) bench/editor.py
	SECRET_KEY=$${SECRET_KEY:-bench} $(PY) bench/api.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis test-artifacts
