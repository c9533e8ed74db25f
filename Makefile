# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint format bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cryptonic needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

## run: train a first model on the bundled data if none exists, then forecast
run: setup
	$(PY) -m cryptonic.cli run --host $(HOST) --port $(PORT)

## test: lint, type-check and the whole test suite
test: setup lint
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

lint: setup
	$(PY) -m ruff check cryptonic functions tests bench
	$(PY) -m ruff format --check cryptonic functions tests bench
	$(PY) -m mypy cryptonic functions

format: setup
	$(PY) -m ruff format cryptonic functions tests bench
	$(PY) -m ruff check --fix cryptonic functions tests bench

## bench: the figures in BENCHMARKS.md (trains real models; minutes, not seconds)
bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .cryptonic .pytest_cache .mypy_cache .ruff_cache build *.egg-info
