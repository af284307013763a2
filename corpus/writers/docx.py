"""Document -> Word (.docx), the way archived forms have it: free lines as paragraphs,
tables with merged cells (``w:gridSpan``/``w:vMerge``), one paragraph per line of a
cell, and checkboxes in one of the encodings Word files really use (`CHECKBOX_STYLES`)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from extract.model import CHECKED, UNCHECKED, Document, Table

_SDT = ('<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{on}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
        '</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" '
        'w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>')
_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val=""/><w:enabled/><w:calcOnExit w:val="0"/>'
          '<w:checkBox><w:sizeAuto/><w:default w:val="{on}"/></w:checkBox></w:ffData></w:fldChar></w:r>'
          '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
_SYM = '<w:r><w:sym w:font="Wingdings 2" w:char="{char}"/></w:r>'

_MARKS = re.compile(f"([{CHECKED}{UNCHECKED}])")

# How a checkbox is written: a Wingdings 2 symbol (R ticked, £ empty, the common
# form template), a Word 2010 checkbox content control, a legacy form field (files
# that went through .doc), or the glyph typed as text.
CHECKBOX_STYLES = {
    "wingdings": lambda on: _SYM.format(char="F052" if on else "F0A3"),
    "content-control": lambda on: _SDT.format(on=int(on), glyph="☒" if on else "☐"),
    "form-field": lambda on: _FIELD.format(on=int(on)),
    "text": None,
}


def write(doc: Document, path: Path, checkboxes: str = "wingdings") -> None:
    """Save `doc` as a .docx with checkboxes written in the given CHECKBOX_STYLES style."""
    box = CHECKBOX_STYLES[checkboxes]
    word = docx.Document()
    _chinese_font(word)
    for _, block in doc.blocks():
        if isinstance(block, Table):
            _table(word, block, box)
            word.add_paragraph()  # Word keeps a paragraph after every table
        else:
            _text(word.add_paragraph(), block.text, box)
    word.save(str(path))


def _chinese_font(word: docx.document.Document) -> None:
    normal = word.styles["Normal"]
    normal.font.name = "宋体"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _table(word: docx.document.Document, table: Table, box) -> None:
    grid = word.add_table(rows=table.n_rows, cols=table.n_cols)
    grid.style = "Table Grid"
    for cell in table.cells:
        target = grid.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        for extra in target.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
        lines = cell.text.split("\n")
        _text(target.paragraphs[0], lines[0], box)
        for line in lines[1:]:
            _text(target.add_paragraph(), line, box)


def _text(paragraph: Paragraph, text: str, box) -> None:
    """Write `text` into the paragraph, checkbox marks in the chosen style."""
    for piece in _MARKS.split(text) if box else [text]:
        if piece in (CHECKED, UNCHECKED):
            paragraph._p.extend(parse_xml(f'<w:wrap {nsdecls("w", "w14")}>{box(piece == CHECKED)}</w:wrap>'))
        elif piece:
            paragraph.add_run(piece)
