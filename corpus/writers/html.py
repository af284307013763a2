"""Document -> HTML page, the way archives have it: free lines as paragraphs, each
table an HTML table with rowspan/colspan, checkboxes as ``<input type="checkbox">``,
multi-paragraph cells as ``<p>`` elements, the charset declared in a ``<meta>``."""

from __future__ import annotations

from html import escape
from pathlib import Path

from extract.html import codec_name
from extract.model import CHECKED, UNCHECKED, Document, Line, Table

_BOXES = {CHECKED: '<input type="checkbox" checked="checked"/>', UNCHECKED: '<input type="checkbox"/>'}


def write(doc: Document, path: Path, charset: str = "utf-8", declare: bool = True) -> None:
    """Save `doc` as an HTML page in `charset` (e.g. ``gb2312``: written as GB18030,
    the charset legacy pages really use). With ``declare=False`` the page names no
    charset, like many old pages; readers must detect it. Characters the charset
    lacks are written as character references."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if declare else ""
    parts = [f"<!DOCTYPE html>\n<html>\n<head>\n{meta}<title>{escape(Path(doc.path).stem)}</title>\n</head>\n<body>\n"]
    for _, block in doc.blocks():
        parts.append(_table(block) if isinstance(block, Table) else _line(block))
    parts.append("</body>\n</html>\n")
    Path(path).write_bytes("".join(parts).encode(codec_name(charset) or charset, errors="xmlcharrefreplace"))


def _line(line: Line) -> str:
    return f"<p>{_inline(line.text)}</p>\n"


def _table(table: Table) -> str:
    rows = ['<table border="1" cellspacing="0" cellpadding="2">\n']
    for row in table.rows():
        rows.append("<tr>\n")
        for cell in row:
            spans = "".join(f' {name}="{n}"' for name, n in (("rowspan", cell.rowspan), ("colspan", cell.colspan)) if n > 1)
            rows.append(f"<td{spans}>{_cell_text(cell.text)}</td>\n")
        rows.append("</tr>\n")
    rows.append("</table>\n")
    return "".join(rows)


def _cell_text(text: str) -> str:
    paragraphs = text.split("\n")
    if len(paragraphs) == 1:
        return _inline(text)
    return "".join(f"<p>{_inline(p)}</p>" for p in paragraphs)


def _inline(text: str) -> str:
    return "".join(_BOXES.get(ch) or escape(ch, quote=False) for ch in text)
