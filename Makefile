# `make demo` and `make test` each bootstrap .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CODE := bot conversations storage
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint typecheck pytest browser bench stress clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/coproduce --config config.example.toml demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check $(CODE) tests benchmarks
	$(BIN)/ruff format --check $(CODE) tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# One worker per core: the suite is mostly waiting on the bot and the simulator.
pytest: $(STAMP) browser
	COPRODUCE_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n auto

# The browser test drives Debian's Chromium; install it when it is missing.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# 10,000 fuzzed updates and 50 kill -9 cycles against a real `coproduce run`; the last line
# is the summary (README, "Stress").
stress: $(STAMP)
	$(BIN)/python -m benchmarks.stress

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache
