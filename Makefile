# Two commands: `make demo` and `make test`. Both build .venv from nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo cli-demo test lint bench clean venv bytecode system-deps

# Python writes no bytecode where PYTHONDONTWRITEBYTECODE is set (as on our CI machines), and
# then compiles every module of ours from source on each run: 80 ms of a command's start-up.
# compileall writes it anyway, and only for the files that changed.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q rules_dsl engine mentorship service synth

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

# The browser and PostgreSQL tests need Debian's chromium and postgresql: installed here when missing.
# Where they cannot be installed the tests that need them are skipped with a loud message.
system-deps:
	@missing=""; test -x /usr/bin/chromium || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo ">> installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
		($$SUDO apt-get install -y -qq $$missing >/dev/null 2>&1 || ($$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null)) \
		|| echo "!!! could not install$$missing: the tests that need them will be SKIPPED !!!"; \
	fi

test: $(STAMP) system-deps
	$(BIN)/ruff check rules_dsl engine mentorship synth service conformance tests
	$(BIN)/mypy rules_dsl engine service conformance
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check rules_dsl mentorship
	$(BIN)/mypy

DEMO := build/demo
DEMO_SCHEME := schemes/schools/gu_yi.scheme

PORT ?= 8000

# The demo district (three schools, one of 3,000 students) in instance/demo.db, served under gunicorn on
# 127.0.0.1:$(PORT). The first run loads it (under a minute); later runs reuse it.
demo: $(STAMP) bytecode
	$(BIN)/mentorship demo --db instance/demo.db --port $(PORT)

# The command-line tour: schemes checked, a messy Chinese Excel workbook generated and evaluated.
cli-demo: $(STAMP) bytecode
	@echo ">> 检查所有方案 / checking every scheme"
	$(BIN)/mentorship check schemes/
	@echo ">> 生成一所示例学校：中文表头、杂乱数据的 Excel 工作簿 / a synthetic school as a messy Chinese Excel workbook"
	$(BIN)/mentorship generate --out $(DEMO) --scheme $(DEMO_SCHEME) --students 300 --seed 7 --force --mess --headers zh --format workbook
	@echo ">> 截至 2025-12-01 的任务状态（前 40 行）/ duties as of 2025-12-01 (first 40 lines)"
	$(BIN)/mentorship evaluate --scheme $(DEMO_SCHEME) --data $(DEMO) --as-of 2025-12-01 | head -n 40
	@echo ">> 导师 T001 的任务说明（前 15 行）/ why mentor T001's duties stand as they do (first 15 lines)"
	$(BIN)/mentorship explain --scheme $(DEMO_SCHEME) --data $(DEMO) --as-of 2025-12-01 --mentor T001 | head -n 15

bench: $(STAMP) bytecode
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_compile.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_engine.py --messy
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis *.egg-info instance/demo.db*
