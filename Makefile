# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/catalog db upgrade
	@if [ ! -f instance/.demo-loaded ]; then $(BIN)/catalog demo && touch instance/.demo-loaded; fi
	@echo ""
	@echo "  Catalog is at http://127.0.0.1:5000"
	@echo "  Sign in as admin@demo.museum with the password demo-password-2026"
	@echo ""
	$(BIN)/catalog serve --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check catalog tests migrations $(wildcard bench)

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist build
