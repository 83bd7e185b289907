# newsmon: the two commands are `make run` and `make test`; everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
N      ?= 2000

.PHONY: install run test unit bench eval stop status lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install newsmon with its pinned dependencies

run: install       ## stack + worker + sample articles; Ctrl-C stops the worker
	$(BIN)/newsmon run

test: install      ## every test: unit, then integration against the real local stack
	$(BIN)/pytest

unit: install      ## the fast tests only (no stack)
	$(BIN)/pytest tests/unit

bench: install     ## throughput of Kafka -> Faust -> ES against raw spaCy; writes bench/results.json
	$(BIN)/newsmon bench all --n $(N) --json bench/results.json

eval: install      ## enrichment quality on ../shared/dev-eval, scored by its own scorer
	$(BIN)/newsmon eval

stop:              ## stop the worker left by `run --no-wait`, Kafka and Elasticsearch
	$(BIN)/newsmon stack down

status:
	$(BIN)/newsmon stack status

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) bench .pytest_cache .ruff_cache *.egg-info
