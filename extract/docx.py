"""Word (.docx) filings -> Document.

The main part is read straight from the zip with a safe XML parser (no entities,
no network), found through the package relationships, so macro-enabled files and
templates (.docm, .dotx) read too. Body paragraphs become Lines (a line break
inside a paragraph starts a new Line; `line` is the paragraph's 1-based position
in the body), tables become Tables with their merged cells as real spans
(``w:gridSpan``, ``w:vMerge``: a continuation cell is no new cell). Headers,
footers, footnotes, comments, deleted revisions, field codes and text boxes are
not part of the form and are left out.

Checkboxes, whatever Word made of them, come out as the canonical marks:
``w14:checkbox`` content controls, legacy FORMCHECKBOX fields and Wingdings /
Wingdings 2 / Symbol ticks (``w:sym`` or a run in that font); ☑/□ typed as text
stay as written. A table inside a table is read as in HTML (`extract.layout`).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from io import BytesIO

from lxml import etree

from extract import limits
from extract.layout import Grid, clean_line, has_text, is_layout, join_paragraphs, table_text
from extract.model import CHECKED, UNCHECKED, Document, ExtractError, Line, Page, Provenance, Table
from extract.source import RawFile
from extract.symbols import is_symbol_font, symbol_mark, symbol_text, unfonted_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_OFFICE_DOCUMENT = "/officeDocument"
MAX_PART_BYTES = 512 * 1024 * 1024  # an unpacked document.xml beyond this is a zip bomb

# Elements whose content is the text around them (runs inside links, fields, revisions...).
_TRANSPARENT = {W + t for t in ("hyperlink", "smartTag", "customXml", "ins", "moveTo", "fldSimple",
                                "dir", "bdo", "sdtContent")}
_RUN_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def read(raw: RawFile) -> Document:
    return read_package(raw, raw.format)


def read_package(raw: RawFile, fmt: str) -> Document:
    """Read the DOCX bytes in `raw` into a Document of source format `fmt` (``doc``
    for legacy files converted to DOCX first)."""
    body = _body(_main_part(raw.data))
    doc = Document(path=raw.path, sha256=raw.sha256, format=fmt)
    _Reader(doc).read_body(body)
    if not has_text(doc):
        raise ExtractError("Word document without any text")
    return doc


def _main_part(data: bytes) -> etree._Element:
    limits.check_zip(data, "Word document")
    try:
        package = zipfile.ZipFile(BytesIO(data))
        name = _main_part_name(package)
        info = package.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise ExtractError(f"Word document too large once unpacked ({info.file_size // 2**20} MiB)")
        xml = package.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise ExtractError("damaged zip container (not a readable DOCX)") from None
    except KeyError:
        raise ExtractError("damaged DOCX: no document part") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                             remove_pis=True)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"damaged DOCX: {name} is not well-formed XML ({exc})") from None


def _main_part_name(package: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (word/document.xml
    in nearly every file)."""
    try:
        rels = etree.fromstring(package.read("_rels/.rels"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for rel in rels:
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            return posixpath.normpath(rel.get("Target").lstrip("/"))
    return "word/document.xml"


def _body(root: etree._Element) -> etree._Element:
    body = root.find(W + "body")
    if body is None:
        raise ExtractError("DOCX without a document body")
    return body


class _Reader:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.page = Page(1)
        doc.pages.append(self.page)
        self.n_tables = 0
        self.n_paragraphs = 0

    # --- body --------------------------------------------------------------------

    def read_body(self, container: etree._Element) -> None:
        for el in _blocks(container):
            if el.tag == W + "p":
                self.n_paragraphs += 1
                for text in self.paragraph(el).split("\n"):
                    text = clean_line(text)
                    if text:
                        self.page.blocks.append(Line(text, Provenance(page=1, line=self.n_paragraphs)))
            elif _is_layout(el):
                for tc in (tc for tr in _rows(el) for tc in _cells(tr)):
                    self.read_body(tc)
            else:
                self.page.blocks.append(self.table(el, self.n_tables))
                self.n_tables += 1

    # --- tables ------------------------------------------------------------------

    def table(self, tbl: etree._Element, index: int | None) -> Table:
        grid = Grid()
        rows = _rows(tbl)
        for r, tr in enumerate(rows):
            col = _int(tr.find(f"{W}trPr/{W}gridBefore"), 0)
            for tc in _cells(tr):
                span = max(1, _int(tc.find(f"{W}tcPr/{W}gridSpan"), 1))
                text = self.cell_text(tc)
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                above = grid.above(r, col)
                if (merge is not None and merge.get(W + "val", "continue") == "continue" and above is not None
                        and above.col == col and above.colspan == span and above.row + above.rowspan == r):
                    grid.extend(above, 1)
                    above.text = join_paragraphs([above.text, text])  # Word hides it; keep it
                    col += span
                    continue
                cell = grid.place(r, col, text, 1, span)
                col = cell.col + cell.colspan
        return grid.table(len(rows), Provenance(page=1, table=index), Provenance(page=1, table=index))

    def cell_text(self, tc: etree._Element) -> str:
        lines: list[str] = []
        for el in _blocks(tc):
            if el.tag == W + "p":
                lines += self.paragraph(el).split("\n")
            else:
                lines += table_text(self.table(el, None)).split("\n")
        return join_paragraphs(lines)

    # --- paragraphs --------------------------------------------------------------

    def paragraph(self, p: etree._Element) -> str:
        out: list[str] = []
        self.inline(p, out)
        return "".join(out)

    def inline(self, el: etree._Element, out: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag == W + "r":
                self.run(child, out)
            elif tag == W + "sdt":
                mark = _checkbox_control(child)
                if mark:
                    out.append(mark)
                else:
                    self.inline(child, out)
            elif tag in _TRANSPARENT:
                self.inline(child, out)

    def run(self, r: etree._Element, out: list[str]) -> None:
        font = _run_font(r)
        for child in r:
            tag = child.tag
            if tag == W + "t":
                text = child.text or ""
                out.append(symbol_text(font, text, self.doc.warnings) if font else unfonted_text(text, self.doc.warnings))
            elif tag in _RUN_TEXT:
                out.append(_RUN_TEXT[tag])
            elif tag == W + "sym":
                out.append(self.symbol(child))
            elif tag == W + "fldChar":
                out.append(_form_checkbox(child))

    def symbol(self, sym: etree._Element) -> str:
        font = sym.get(W + "font") or ""
        try:
            code = int(sym.get(W + "char") or "", 16)
        except ValueError:
            return ""
        mark = symbol_mark(font, code)
        if mark is None:
            note = f"dropped {font or 'symbol'} symbol U+{code:04X}"
            if note not in self.doc.warnings:
                self.doc.warnings.append(note)
        return mark or ""


def _blocks(container: etree._Element):
    """The paragraphs and tables of a body or cell in order, looking through
    content controls and custom XML wrappers."""
    for el in container:
        if el.tag in (W + "p", W + "tbl"):
            yield el
        elif el.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
            yield from _blocks(el)


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return [el for el in _wrapped(tbl) if el.tag == W + "tr"]


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [el for el in _wrapped(tr) if el.tag == W + "tc"]


def _wrapped(el: etree._Element):
    for child in el:
        if child.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
            yield from _wrapped(child)
        else:
            yield child


def _is_layout(tbl: etree._Element) -> bool:
    own = sum(len(_cells(tr)) for tr in _rows(tbl))
    nested = sum(1 for _ in tbl.iter(W + "tc")) - own
    return nested > 0 and is_layout(own, nested)


def _int(el: etree._Element | None, default: int) -> int:
    try:
        return int(el.get(W + "val")) if el is not None else default
    except (TypeError, ValueError):
        return default


def _on(el: etree._Element | None, attr: str = W + "val") -> bool:
    """An OOXML on/off property: present and not 0/false/off."""
    return el is not None and (el.get(attr) or "1").lower() not in ("0", "false", "off")


def _run_font(r: etree._Element) -> str | None:
    """The run's symbol font (Wingdings, Symbol...), if its Latin font is one."""
    fonts = r.find(f"{W}rPr/{W}rFonts")
    if fonts is None:
        return None
    for attr in ("ascii", "hAnsi"):
        name = fonts.get(W + attr)
        if is_symbol_font(name):
            return name
    return None


def _checkbox_control(sdt: etree._Element) -> str | None:
    """A ``w14:checkbox`` content control's mark (its shown glyph is not read)."""
    box = sdt.find(f"{W}sdtPr/{W14}checkbox")
    if box is None:
        return None
    return CHECKED if _on(box.find(W14 + "checked"), W14 + "val") else UNCHECKED


def _form_checkbox(fld: etree._Element) -> str:
    """A legacy FORMCHECKBOX field's mark, at the field's start; other fields give
    no text here (their shown result follows as ordinary runs)."""
    box = fld.find(f"{W}ffData/{W}checkBox")
    if fld.get(W + "fldCharType") != "begin" or box is None:
        return ""
    checked = box.find(W + "checked")
    return CHECKED if _on(checked if checked is not None else box.find(W + "default")) else UNCHECKED
