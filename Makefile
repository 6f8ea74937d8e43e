# fairs: `make run` to serve the demo on http://127.0.0.1:8000, `make test` to test.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test bench lint format messages system-deps clean

$(BIN)/fairs: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/fairs

install: $(BIN)/fairs

# What the browser and calendar tests need from Debian and npm (root, or skipped with a note).
system-deps:
	@bash scripts/system-deps.sh

run: install
	@mkdir -p var
	$(BIN)/fairs migrate
	$(BIN)/fairs demo --if-empty
	$(BIN)/fairs run --host $(HOST) --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check fairs tests bench scripts

format: install
	$(BIN)/ruff check --fix fairs tests bench scripts

messages: install
	$(BIN)/python scripts/messages.py

clean:
	rm -rf var/test-* .pytest_cache
