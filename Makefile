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

run: install
	$(BIN)/shenbao extract corpus/samples corpus/generated > out.jsonl; \
	  echo "shenbao: $$(wc -l < out.jsonl) filings written to out.jsonl"

test: install
	scripts/system-deps
	$(BIN)/pytest

bench: install
	$(BIN)/python -m corpus.bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info out.jsonl
