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

# Text formats at 1,000 and 10,000 filings; the binary formats at 200 by default, because
# writing the corpus (LibreOffice for .doc, reportlab for .pdf) takes far longer than reading
# it: `make bench BINARY_SIZES=1000` for the full run. Scans (OCR, seconds per page) at 10.
BINARY_SIZES ?= 200
bench: install
	$(BIN)/python -m corpus.bench --sizes 1000,10000 --formats txt,txt-gbk,flat
	$(BIN)/python -m corpus.bench --sizes $(BINARY_SIZES) --formats html,docx,doc,xlsx,xls,pdf
	$(BIN)/python -m corpus.bench --sizes 10 --formats scan
	$(BIN)/python -m dataset.bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info shenbao.db
