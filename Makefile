# The two commands: `make run` and `make test`. Only Python 3.11+ is needed on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Reinstall whenever either pyproject changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml sdk/pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
# The SDK's wheel, served by the portal at /sdk/ (settings.SDK_WHEEL_DIR: the same default).
SDK_WHEEL_DIR ?= $(or $(PORTAL_VAR_DIR),var)/sdk
SDK_VERSION   := $(shell sed -n 's/^version = "\(.*\)"/\1/p' sdk/pyproject.toml)
SDK_WHEEL     := $(SDK_WHEEL_DIR)/caio_integration_sdk-$(SDK_VERSION)-py3-none-any.whl
SDK_SOURCES   := sdk/pyproject.toml sdk/README.md sdk/LICENSE \
                 $(shell find sdk/caio_integration -type f ! -name '*.pyc' 2>/dev/null)

export DJANGO_SETTINGS_MODULE := portal.settings

.PHONY: help install run test lint migrate demo bench clean sdk-wheel lock

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat"
	@echo "make test   - the whole test suite (SDK, portal, browser)"
	@echo "make lint   - ruff"
	@echo "make bench  - the benchmarks under bench/"
	@echo "make sdk-wheel - build the SDK's wheel that the portal serves at /sdk/ (make install does it)"
	@echo "make lock   - pin the Docker image's dependencies with hashes (requirements.lock)"

$(STAMP): pyproject.toml sdk/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found %s)" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ./sdk -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Built at install time, never at start-up (several web processes would race). A clean
# build/ folder first, or setuptools would ship files deleted since the last build.
$(SDK_WHEEL): $(SDK_SOURCES) | $(STAMP)
	@mkdir -p $(SDK_WHEEL_DIR)
	@rm -rf sdk/build $(SDK_WHEEL_DIR)/caio_integration_sdk-*.whl
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps ./sdk -w $(SDK_WHEEL_DIR)
	@rm -rf sdk/build
	@test -f $@ || { echo "expected $@ (is sdk/pyproject.toml's version $(SDK_VERSION)?)"; exit 1; }

sdk-wheel: $(SDK_WHEEL)

install: $(STAMP) $(SDK_WHEEL)

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

# The Docker image installs requirements.lock with --require-hashes. uv pins it from
# requirements.in (both pyprojects); it keeps existing pins unless UV_ARGS=--upgrade. uv lives in
# its own venv under var/, in neither the image nor the project's venv.
UV := var/uv/bin/uv
lock:
	@test -x $(UV) || { $(PYTHON) -m venv var/uv && var/uv/bin/pip install --quiet 'uv>=0.9,<1'; }
	$(UV) pip compile requirements.in --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --no-emit-package caio-integration-sdk \
		--no-emit-package caio-portal --custom-compile-command "make lock" $(UV_ARGS) \
		-o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis test-artifacts
