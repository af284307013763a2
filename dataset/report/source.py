"""The source side of a filing view: the file re-read as a Document and rendered as HTML,
each Line and Cell with an element id derived from its provenance, and for paged images
(PDF, scans) the pages as pictures on which provenance bboxes can be overlaid. A field's
provenance resolves to those ids, which is what lets a click on a field light up the
place it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from io import BytesIO
from pathlib import Path

from extract.model import Document, ExtractError, Line, Table
from extract.readers import read_document

DPI = 96  # page pictures: enough to read a form, small enough for thousands of pages
MAX_PAGES = 20  # pages drawn as pictures per file; the text below still has them all


@dataclass
class PageImage:
    number: int  # 1-based
    png: bytes
    width: float  # page size in the units of provenance bboxes (PDF points, image pixels)
    height: float


@dataclass
class Source:
    """A source file read for display: its Document and page pictures, or why not."""

    document: Document | None = None
    images: list[PageImage] = field(default_factory=list)
    problem: str | None = None  # why the source is not shown (missing, changed, unreadable)


def load(path: str, sha256: str) -> Source:
    """The file at `path` read again, if it is still the file the filing came from."""
    if not Path(path).is_file():
        return Source(problem=f"the source file is no longer at {path}")
    try:
        document = read_document(path)
    except ExtractError as exc:
        return Source(problem=f"the source file at {path} cannot be read again: {exc}")
    except Exception as exc:  # a reader's bug must not stop the report
        return Source(problem=f"the source file at {path} cannot be read again ({type(exc).__name__}: {exc})")
    if document.sha256 != sha256:
        return Source(problem=f"the file at {path} has changed since it was ingested; its content would not match the record")
    source = Source(document=document)
    try:
        source.images = page_images(path, document.format)
    except Exception as exc:  # pictures are a help; the text below still shows the source
        document.warnings.append(f"page pictures not drawn ({type(exc).__name__}: {exc})")
    return source


def page_images(path: str, fmt: str) -> list[PageImage]:
    """Page pictures for paged formats (PDF through pdfium, scans as they are); none for
    formats whose Document is the layout."""
    if fmt == "pdf":
        return _pdf_pages(path)
    if fmt == "image":
        return _image_pages(path)
    return []


def _pdf_pages(path: str) -> list[PageImage]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        out = []
        for index in range(min(len(pdf), MAX_PAGES)):
            page = pdf[index]
            width, height = page.get_size()
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            out.append(PageImage(index + 1, _png(image), width, height))
            page.close()
        return out
    finally:
        pdf.close()


def _image_pages(path: str) -> list[PageImage]:
    from PIL import Image, ImageSequence

    with Image.open(path) as picture:
        return [PageImage(n + 1, _png(frame.convert("L")), frame.width, frame.height)
                for n, frame in enumerate(ImageSequence.Iterator(picture)) if n < MAX_PAGES]


def _png(image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# Element ids. Tables are numbered across the document, lines within their page.
def line_id(page: int, line: int) -> str:
    return f"src-p{page}-l{line}"


def table_id(table: int, row: int | None = None, col: int | None = None) -> str:
    parts = [f"src-t{table}"] + ([f"r{row}"] if row is not None else []) + ([f"c{col}"] if col is not None else [])
    return "-".join(parts)


def render(document: Document) -> tuple[str, set[str]]:
    """The Document as HTML, and the element ids it holds (the first of a repeated id wins)."""
    ids: set[str] = set()

    def attr(element_id: str) -> str:
        if element_id in ids:
            return ""
        ids.add(element_id)
        return f' id="{element_id}"'

    out = []
    for page in document.pages:
        out.append(f'<section class="page"><h3>page {page.number}</h3>')
        for block in page.blocks:
            if isinstance(block, Line):
                line = block.source.line
                element = attr(line_id(block.source.page or page.number, line)) if line is not None else ""
                out.append(f'<p class="line"{element}>{escape(block.text) or "&nbsp;"}</p>')
            else:
                out.append(_table(block, attr))
        out.append("</section>")
    return "".join(out), ids


def _table(table: Table, attr) -> str:
    index = table.source.table
    out = [f'<table class="source"{attr(table_id(index)) if index is not None else ""}>']
    for r, row in enumerate(table.rows()):
        out.append(f'<tr{attr(table_id(index, r)) if index is not None else ""}>')
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            element = attr(table_id(index, cell.row, cell.col)) if index is not None else ""
            out.append(f"<td{element}{span}>{escape(cell.text)}</td>")
        out.append("</tr>")
    if not table.cells:
        out.append("<tr><td></td></tr>")
    out.append("</table>")
    return "".join(out)


def anchor(provenance: dict, ids: set[str]) -> str | None:
    """The most specific rendered element a provenance points at: the cell, else its row
    or table, else the line."""
    candidates = []
    table, row, col = provenance.get("table"), provenance.get("row"), provenance.get("col")
    if table is not None:
        candidates += [table_id(table, row, col), table_id(table, row), table_id(table)]
    if provenance.get("line") is not None:
        candidates.append(line_id(provenance.get("page") or 1, provenance["line"]))
    return next((c for c in candidates if c in ids), None)
