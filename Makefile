# SoulSeer — the two front-door commands are `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# pytest-xdist workers for `make test`, each with its own embedded PostgreSQL and Redis; three on two
# cores, because the suite waits more than it computes (docs/testing.md).
TEST_WORKERS ?= 3

.PHONY: run test test-steps lint format bench chromium migrate seed-demo clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

## Start everything: embedded PostgreSQL and Redis, migrations, demo data, web + worker + cron.
run: $(VENV)/.run-installed
	$(PY) -m soulseer.launcher

## Lint, then the whole test suite (unit, integration, browser) against real services. The last
## line says how long the whole run took (install check, lint and tests), passed or not.
test:
	@start=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory test-steps || status=$$?; \
	took=$$(( $$(date +%s) - start )); \
	if [ $$status -eq 0 ]; then outcome=passed; else outcome=FAILED; fi; \
	printf 'make test %s in %dm%02ds (install check, lint and tests; load average now %s)\n' \
		"$$outcome" $$((took / 60)) $$((took % 60)) "$$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"; \
	exit $$status

test-steps: $(VENV)/.dev-installed chromium lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks: each figure beside a baseline measured in the same run.
bench: $(VENV)/.dev-installed
	$(PY) -m tests.bench

## Debian's Chromium for the browser tests (installed with apt when missing and possible).
chromium:
	@sh tools/ensure-chromium.sh

migrate: $(VENV)/.run-installed
	$(BIN)/flask --app wsgi db upgrade

seed-demo: $(VENV)/.run-installed
	$(BIN)/flask --app wsgi seed-demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
