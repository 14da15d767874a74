# Two commands on a fresh clone:  `make run` starts the assistant, `make test` passes the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# llama-cpp-python compiles from source once (~5–13 min on 2 cores); pip caches the wheel after.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install setup run serve test test-fast lint eval bench clean-index

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, so sentence-transformers does not pull a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[local,dev]"
	touch $@

setup: install
	$(PY) -m assistant setup

run: setup
	$(PY) -m assistant serve

serve: run

test: install lint
	bash scripts/system-deps.sh
	$(PY) -m assistant setup --skip-ingest
	$(PY) -m pytest -q

# Lint and types (configured in pyproject.toml); part of `make test`.
lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

test-fast: install
	$(PY) -m pytest -q -m "not local_model and not browser"

eval: setup
	$(PY) -m assistant eval --backend local

bench: setup
	$(PY) -m assistant bench

clean-index:
	rm -rf .data/index
