# Shortcuts; each target states the plain command it runs (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin
EVAL ?= ../shared/eval

.PHONY: install test lint format eval eval-set ci

$(BIN)/python:
	python3 -m venv $(VENV)

install: $(BIN)/python  ## the package with its test tools, editable
	$(BIN)/pip install -e '.[dev]'

test: install  ## the whole test suite (PostgreSQL tests skip if the server does not answer)
	$(BIN)/pytest

lint:  ## ruff, the one linter and formatter, and mypy --strict over bot/ and storage/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format:
	$(BIN)/ruff format .

eval: eval-set install  ## answer quality on the dev set (needs ../shared/eval, or EVAL=folder)
	python3 $(EVAL)/score.py --meetings $(EVAL)/dev/meetings.json \
		--questions $(EVAL)/dev/questions.jsonl --cmd "$(BIN)/meetbot"

# The evaluation set is not part of this repository; say so before installing anything.
eval-set:
	@test -f "$(EVAL)/score.py" || { echo "make eval needs the evaluation set (score.py, dev/) at $(EVAL), which is not part of this repository; put it there or run make eval EVAL=/path/to/eval." >&2; exit 1; }

ci:  ## what CI runs: fresh venv, PostgreSQL required, ruff, mypy, tests
	CI=true .ci/run
