# newsmon: the two commands are `make run` and `make test`; everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := api/ui/node_modules/.package-lock.json
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
N      ?= 2000

.PHONY: install chromium run test unit bench chaos eval stop status lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The desk's map modules (d3-geo, topojson-client, world-atlas), pinned by package-lock.json.
$(VENDOR): api/ui/package.json api/ui/package-lock.json
	cd api/ui && npm ci --no-audit --no-fund --silent
	touch $(VENDOR)

# Debian's Chromium, which the browser tests drive through Playwright.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
	  $(SUDO) apt-get install -y -q --no-install-recommends chromium; }

install: $(STAMP) $(VENDOR)  ## .venv with pinned dependencies, and the desk's vendored modules

run: install       ## stack + worker + sample articles; Ctrl-C stops the worker
	$(BIN)/newsmon run

test: install chromium  ## every test: unit, then integration against the real local stack
	$(BIN)/pytest

unit: install      ## the fast tests only (no stack)
	$(BIN)/pytest tests/unit

bench: install     ## throughput of Kafka -> Faust -> ES against raw spaCy; writes bench/results.json
	$(BIN)/newsmon bench all --n $(N) --json bench/results.json

chaos: install    ## fault campaign on real processes: nothing lost or doubled; writes bench/chaos.json
	$(BIN)/newsmon chaos --n 5000 --json bench/chaos.json

eval: install      ## enrichment quality on ../shared/dev-eval, scored by its own scorer
	$(BIN)/newsmon eval

stop:              ## stop what `run --no-wait` left (worker, API, feeds), Kafka and Elasticsearch
	$(BIN)/newsmon stack down

status:
	$(BIN)/newsmon stack status

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) bench .pytest_cache .ruff_cache *.egg-info api/ui/node_modules screenshots
