"""HTML filings (web pages, "save as web page" from Word) -> Document.

Text outside tables becomes Lines, one per paragraph (``<p>``, ``<div>``, ``<br>``
and other block boundaries), tables become Tables on their real grid
(rowspan/colspan). A table inside a table is either page layout or a small grid
inside a form cell; `extract.layout.is_layout` tells which: a layout frame is
dropped and the tables in it read as tables, a small grid's text goes into its
cell (rows on lines, cells separated by a tab).

Whitespace follows the page, not the file: a line break in the HTML source is a
space (none between two CJK characters, where browsers show none either), runs of
spaces stay as written. Checkbox ``<input>`` elements and symbol-font ticks
(inline style, ``<font face>`` or a stylesheet class) become the canonical marks.
Broken table markup is repaired as browsers do; a table without any text (a
layout spacer) is left out. Entities are decoded; nothing is ever fetched: the
parser never loads a DTD or an external entity.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from extract.layout import Grid, clean_line, has_text, is_layout, table_text
from extract.model import CHECKED, UNCHECKED, Document, ExtractError, Line, Page, Provenance, Table
from extract.source import RawFile
from extract.symbols import is_symbol_font, symbol_text, unfonted_text

# Block-level elements: their start and end break the text into a new line.
BLOCK_TAGS = frozenset("""
    address article aside blockquote body caption center dd details dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main menu nav ol p
    pre section summary table tbody td tfoot th thead tr ul
""".split())
SKIP_TAGS = frozenset("script style noscript template head title object iframe frame".split())

# Charsets that are really GB18030 (its subsets, under their many names).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "cp936",
              "ms936", "windows-936", "x-euc-cn", "chinese", "iso-ir-58", "hz-gb-2312"}
# Candidates for undeclared legacy pages: Chinese archives, so Chinese codecs only;
# a detector free to choose takes short GB text for Korean.
_DETECT_CANDIDATES = ["gb18030", "big5", "utf_16", "utf_32"]
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
_DECLARED = re.compile(rb"""(?:<meta[^>]+charset\s*=\s*["']?|<\?xml[^>]+encoding\s*=\s*["'])([\w.:-]+)""", re.I)
_SOURCE_BREAK = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")
_FONT_FAMILY = re.compile(r"(?:^|;)\s*font-family\s*:\s*([^;,]+)", re.I)
_TABLE_PARTS = frozenset("tr tbody thead tfoot caption colgroup col".split())
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_CLASS = re.compile(r"\.([\w-]+)$")
_BREAK = "\x00"  # a line break made by the markup; cannot occur in parsed text


def read(raw: RawFile) -> Document:
    text, encoding = decode(raw.data)
    if _binary(text):
        raise ExtractError("binary content, not an HTML page")
    root = parse(text)
    doc = Document(path=raw.path, sha256=raw.sha256, format="html", encoding=encoding)
    _repair_tables(root)
    reader = _Reader(doc, _class_fonts(root))
    body = root.find("body")
    reader.read_body(body if body is not None else root)
    if not has_text(doc):
        raise ExtractError("HTML page without any text")
    return doc


# --- bytes -> text ---------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The page's text and the codec it was read with: a BOM, then UTF-8 if the
    bytes are valid UTF-8 (pages converted to UTF-8 often keep their old
    declaration), then the declared charset, then detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(data[:8192])
    if declared:
        codec = codec_name(declared.group(1).decode("ascii", "replace"))
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass  # mislabelled: detect instead
    best = from_bytes(data[:200_000], cp_isolation=_DETECT_CANDIDATES).best()
    codec = codec_name(best.encoding) if best is not None else None
    codec = codec or "gb18030"
    return data.decode(codec, errors="replace"), codec


def _binary(text: str) -> bool:
    """Whether decoded bytes are no text at all (control characters, undecodable bytes)."""
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bool(sample) and bad / len(sample) > 0.02


def codec_name(label: str) -> str | None:
    """Python's codec for a charset label, GB2312 and GBK read as GB18030; None if unknown."""
    label = label.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    if label in ("big5", "big5-hkscs", "cn-big5", "x-x-big5"):
        return "big5hkscs"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def parse(text: str) -> etree._Element:
    """Parse with lxml's HTML parser: no network, no DTD, comments and PIs dropped."""
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                                  remove_pis=True, default_doctype=False)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"unreadable HTML ({exc})") from None
    if root is None:
        raise ExtractError("unreadable HTML")
    return root


# --- markup -> lines -------------------------------------------------------------

class _Flow:
    """Text pieces and markup breaks, turned into cleaned lines with the source line
    each starts on."""

    def __init__(self) -> None:
        self._pieces: list[tuple[str, int | None]] = []

    def text(self, text: str, sourceline: int | None) -> None:
        for i, part in enumerate(text.split(_BREAK)):
            if i:
                self.brk()
            if part:
                self._pieces.append((part, sourceline))

    def brk(self) -> None:
        self._pieces.append((_BREAK, None))

    def lines(self) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        current: list[str] = []
        start: int | None = None
        for text, sourceline in self._pieces + [(_BREAK, None)]:
            if text == _BREAK:
                line = clean_line(_source_breaks("".join(current)))
                if line:
                    out.append((line, start))
                current, start = [], None
                continue
            if start is None and text.strip():
                start = sourceline
            current.append(text)
        self._pieces = []
        return out


def _source_breaks(text: str) -> str:
    """Line breaks of the HTML source as the page shows them: a space, or nothing
    between two wide (CJK) characters."""
    def repl(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if before and after and _wide(before) and _wide(after):
            return ""
        return " "
    return _SOURCE_BREAK.sub(repl, text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


class _Reader:
    def __init__(self, doc: Document, class_fonts: dict[str, str]) -> None:
        self.doc = doc
        self.class_fonts = class_fonts
        self.page = Page(1)
        doc.pages.append(self.page)
        self.n_tables = 0

    def read_body(self, body: etree._Element) -> None:
        flow = _Flow()
        self.visit(body, flow, in_cell=False, font=None)
        self.flush(flow)

    def flush(self, flow: _Flow) -> None:
        for text, sourceline in flow.lines():
            self.page.blocks.append(Line(text, Provenance(page=1, line=sourceline)))

    def visit(self, el: etree._Element, flow: _Flow, in_cell: bool, font: str | None) -> None:
        """Add an element's content to `flow`; a table outside any cell becomes a
        Table block (the text before it flushed as Lines first)."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in SKIP_TAGS:
            return
        if tag == "table":
            self.visit_table(el, flow, in_cell, font)
            return
        if tag == "br":
            flow.brk()
            return
        if tag in ("input", "select"):
            flow.text(_control_text(el), el.sourceline)
            return
        font = _font(el, self.class_fonts) or font
        block = tag in BLOCK_TAGS
        if block:
            flow.brk()
        if el.text:
            flow.text(self.styled(el.text, font, tag == "pre"), el.sourceline)
        for child in el:
            if isinstance(child.tag, str):
                self.visit(child, flow, in_cell, font)
            if child.tail:
                flow.text(self.styled(child.tail, font, tag == "pre"), child.sourceline)
        if block:
            flow.brk()

    def styled(self, text: str, font: str | None, pre: bool) -> str:
        if pre:
            text = text.replace("\r\n", "\n").replace("\n", _BREAK)
        if is_symbol_font(font):
            return symbol_text(font, text, self.doc.warnings)
        return unfonted_text(text, self.doc.warnings)

    def visit_table(self, el: etree._Element, flow: _Flow, in_cell: bool, font: str | None) -> None:
        rows = _rows(el)
        if in_cell:
            flow.brk()
            flow.text(table_text(self.table(el, rows, None)).replace("\n", _BREAK), el.sourceline)
            flow.brk()
            return
        own = sum(len(_cells(tr)) for tr in rows)
        nested = sum(len(_cells(tr)) for inner in el.iter("table") if inner is not el for tr in _rows(inner))
        if nested and is_layout(own, nested):
            for tr in rows:
                for td in _cells(tr):
                    self.visit(td, flow, in_cell=False, font=font)
            return
        caption = el.find("caption")
        if caption is not None:
            self.visit(caption, flow, in_cell=False, font=font)
        self.flush(flow)
        table = self.table(el, rows, self.n_tables)
        if any(cell.text for cell in table.cells):  # not a spacer of the page layout
            self.page.blocks.append(table)
            self.n_tables += 1

    def table(self, el: etree._Element, rows: list[etree._Element], index: int | None) -> Table:
        grid = Grid()
        for r, tr in enumerate(rows):
            col = 0
            for td in _cells(tr):
                flow = _Flow()
                self.visit(td, flow, in_cell=True, font=None)
                rowspan = _span(td.get("rowspan"))
                cell = grid.place(r, col, "\n".join(text for text, _ in flow.lines()),
                                  rowspan if rowspan > 0 else len(rows) - r, _span(td.get("colspan")) or 1)
                col = cell.col + cell.colspan
        source = Provenance(page=1, line=el.sourceline, table=index)
        return grid.table(len(rows), source, Provenance(page=1, table=index))


def _repair_tables(root: etree._Element) -> None:
    """Fix tables as browsers do, so no text is lost: cells written straight into a
    table without ``<tr>`` form a row; other content inside a table but outside any
    cell (a stray ``<p>``) is shown before the table."""
    for section in list(root.iter("table", "tbody", "thead", "tfoot")):
        table = section if section.tag == "table" else section.getparent()
        row = None
        for child in list(section):
            if child.tag in ("td", "th"):
                if row is None:
                    row = etree.Element("tr")
                    child.addprevious(row)
                row.append(child)
                continue
            row = None
            if isinstance(child.tag, str) and child.tag not in _TABLE_PARTS and table.getparent() is not None:
                table.addprevious(child)


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (inside thead/tbody/tfoot too), not those of tables nested in it."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [td for td in tr if td.tag in ("td", "th")]


def _span(value: str | None) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, else 1."""
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 1


def _control_text(el: etree._Element) -> str:
    """A form control as text: a checkbox or radio button as its mark, a text field as
    its value, a drop-down list as its selected option."""
    if el.tag == "select":
        chosen = [o for o in el.iter("option") if o.get("selected") is not None]
        return (chosen[0].text_content() if chosen else "").strip()
    kind = (el.get("type") or "text").strip().lower()
    if kind in ("checkbox", "radio"):
        return CHECKED if el.get("checked") is not None else UNCHECKED
    if kind in ("text", "search", "tel", "email", "number", "date", "url"):
        return el.get("value") or ""
    return ""


def _font(el: etree._Element, class_fonts: dict[str, str]) -> str | None:
    """The font an element sets (style font-family, <font face>, or a class of the
    page's stylesheet), if it sets one."""
    m = _FONT_FAMILY.search(el.get("style") or "")
    if m:
        return m.group(1).strip().strip("'\"")
    face = el.get("face") if el.tag == "font" else None
    if face:
        return face.split(",")[0].strip().strip("'\"")
    return next((class_fonts[c] for c in (el.get("class") or "").split() if c in class_fonts), None)


def _class_fonts(root: etree._Element) -> dict[str, str]:
    """Class -> font family from the page's <style> rules such as
    ``.T1 { font-family:'Wingdings 2'; }`` (how exporters mark symbol runs)."""
    fonts: dict[str, str] = {}
    for style in root.iter("style"):
        for selectors, body in _CSS_RULE.findall(style.text or ""):
            family = _FONT_FAMILY.search(body.strip())
            for selector in selectors.split(","):
                cls = _CSS_CLASS.search(selector.strip())
                if family and cls:
                    fonts[cls.group(1)] = family.group(1).strip().strip("'\"")
    return fonts
