# Two commands: `make demo` and `make test`. Both build .venv from nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@if ! $(PYTHON) -m venv --help >/dev/null 2>&1 || ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1; then \
		echo ">> python venv support is missing: installing Debian's python3-venv"; \
		(apt-get update -qq && apt-get install -y -qq python3-venv) || \
		(sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv); \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check rules_dsl engine mentorship tests
	$(BIN)/mypy rules_dsl
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check rules_dsl mentorship
	$(BIN)/mypy

demo: $(STAMP)
	@echo ">> 检查所有方案 / checking every scheme"
	$(BIN)/mentorship check schemes/
	@echo ">> 规范格式 / canonical layout of the 古猗小学 scheme"
	$(BIN)/mentorship fmt schemes/schools/gu_yi.scheme

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_compile.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
