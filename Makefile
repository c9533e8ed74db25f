# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TOOLS := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-images test-fast lint format validate docs bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cryptonic needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# SAM CLI, cfn-lint and hadolint live apart: their pins would fight the runtime's.
$(TOOLS_STAMP): requirements-tools.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet -r requirements-tools.txt
	touch $(TOOLS_STAMP)

setup: $(STAMP) $(TOOLS_STAMP)

## run: train a first model if none exists (Yahoo, or the bundled data offline), then serve API + page
run: $(STAMP)
	$(PY) -m cryptonic.cli run --host $(HOST) --port $(PORT)

## test: lint, type-check, the whole test suite and the docs site. The container tests run beside
## the others (they wait mostly on Docker and the package index, the others on the CPU); their
## output follows, and any tier that failed fails the target.
test: setup lint
	@mkdir -p build
	@$(PY) -m pytest -m images > build/test-images.log 2>&1 & images=$$!; \
	$(PY) -m pytest -m "not images" -n auto; rest=$$?; \
	$(MAKE) docs; docs=$$?; \
	echo "waiting for the container tests (make test-images; log: build/test-images.log)"; \
	wait $$images; containers=$$?; cat build/test-images.log; \
	echo "tests: $$rest, docs: $$docs, container tests: $$containers (0 = passed)"; \
	test $$rest -eq 0 && test $$docs -eq 0 && test $$containers -eq 0

## test-images: build both Lambda images and run them (sam build, sam local invoke / start-api,
## Lambda's sandbox). Needs a running Docker engine and mmdebstrap: .ci/run provides both.
test-images: setup
	$(PY) -m pytest -m images

test-fast: setup
	$(PY) -m pytest -m "not slow and not images"

lint: setup
	$(PY) -m ruff check cryptonic functions tests bench docs
	$(PY) -m ruff format --check cryptonic functions tests bench docs
	$(PY) -m mypy cryptonic functions bench docs
	$(VENV)/bin/lint-imports

format: setup
	$(PY) -m ruff format cryptonic functions tests bench docs
	$(PY) -m ruff check --fix cryptonic functions tests bench docs

## validate: SAM/CloudFormation/Dockerfile linters, offline (also covered by `make test`)
validate: setup
	SAM_CLI_TELEMETRY=0 $(TOOLS)/bin/sam validate --lint
	SAM_CLI_TELEMETRY=0 $(TOOLS)/bin/sam validate --region us-east-1
	$(TOOLS)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/hadolint infra/predict.Dockerfile infra/retrain.Dockerfile infra/local-base/Dockerfile

## docs: the documentation site (mkdocs.yml) into build/site, offline; --strict: a broken link, a
## missing page or anchor, or a generated reference that finds something missing fails the build
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet

## bench: the figures in BENCHMARKS.md (trains real models; minutes, not seconds)
bench: setup
	command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| echo "wrk not installed: the throughput figure will be skipped"
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .cryptonic .pytest_cache .mypy_cache .ruff_cache build *.egg-info
