# Quick start: `make run` (install, then ingest the bundled corpus) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The bundled corpus (hand-made samples and a small generated set) into ./shenbao.db
run: install
	$(BIN)/shenbao ingest corpus/samples corpus/generated

test: install
	scripts/system-deps
	$(BIN)/pytest

bench: install
	$(BIN)/python -m corpus.bench
	$(BIN)/python -m dataset.bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info shenbao.db
