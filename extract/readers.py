"""Which reader reads which format. Readers are imported on first use, so a
text-only run never loads the PDF or Word libraries."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from extract.model import Document, ExtractError
from extract.source import RawFile, open_file

# format -> module with `read(raw: RawFile) -> Document`
READERS = {
    "txt": "extract.text",
}


def read_document(path: str | Path) -> Document:
    """Read any supported file into a Document. Raises ExtractError with the reason."""
    return read_raw(open_file(path))


def read_raw(raw: RawFile) -> Document:
    module = READERS.get(raw.format)
    if module is None:
        raise ExtractError(f"{raw.format} files are not supported yet")
    return import_module(module).read(raw)
