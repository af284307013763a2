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
    "xlsx": "extract.xlsx",
    "xls": "extract.xls",
    "pdf": "extract.pdf",
    "html": "extract.html",
    "docx": "extract.docx",
    "doc": "extract.doc",
    "image": "extract.ocr",
}


def read_document(path: str | Path) -> Document:
    """Read any supported file into a Document. Raises ExtractError with the reason."""
    return read_raw(open_file(path))


def prepare(raws: list[RawFile]) -> None:
    """Let readers that convert through another program (legacy Word via LibreOffice)
    convert a whole batch at once, before `read_raw` is called on each file."""
    by_format: dict[str, list[RawFile]] = {}
    for raw in raws:
        by_format.setdefault(raw.format, []).append(raw)
    for fmt, group in by_format.items():
        module = READERS.get(fmt)
        if module and len(group) > 1:
            hook = getattr(import_module(module), "prepare", None)
            if hook:
                hook(group)


def read_raw(raw: RawFile) -> Document:
    module = READERS.get(raw.format)
    if module is None:
        raise ExtractError(f"{raw.format} files are not supported yet")
    return import_module(module).read(raw)
