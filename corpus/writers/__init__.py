"""Document -> file, one writer per format: the inverse of `extract/`. The corpus
generator saves each filing in every format from the same Document, so gold and
file cannot drift; tests use the pair to check that readers give back the layout."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from extract.model import Document

# format -> module with `write(doc: Document, path: Path) -> None`
WRITERS: dict[str, str] = {
    "txt": "corpus.writers.text",
    "txt-gbk": "corpus.writers.text_gbk",
    "flat": "corpus.writers.flat",
    "xlsx": "corpus.writers.xlsx",
    "xls": "corpus.writers.xls",
    "pdf": "corpus.writers.pdf",
    "html": "corpus.writers.html",
    "docx": "corpus.writers.docx",
    "doc": "corpus.writers.doc",
    "scan": "corpus.writers.scan",
}


def write_document(doc: Document, fmt: str, path: str | Path, **options) -> None:
    """`options` go to the writer (the scan writer's `wear`)."""
    module = WRITERS.get(fmt)
    if module is None:
        raise ValueError(f"no writer for {fmt}")
    import_module(module).write(doc, Path(path), **options)
