"""Labels to values: every row is cut into label and value tokens, and each label takes
the value that follows it — in the same cell (`联系电话：54492290`, or glued:
`项目名称镇域内…项目属性…`), in the next cell, or, in one-cell-per-line exports, on the
next line.

A label counts where a person would read it as one: at the start of a cell, before a
colon, right after another label, or — for distinctive labels — after a space or
anywhere in a flattened line. Inside a table cell a label word without a colon is prose,
not a label. Weak labels (common words such as 其他 or 依据) need a start, a colon or a
label before them.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.model import Provenance
from normalize.labels import SECTION, LabelMatch, lexicon
from normalize.layout import Row
from normalize.text import clean_value


@dataclass
class FieldValue:
    field: str
    label: str
    text: str
    source: Provenance
    unit: str | None  # a money unit written with the label


@dataclass
class _Token:
    label: LabelMatch | None
    text: str
    source: Provenance
    col: int  # the cell's position in its row


def tokens(row: Row) -> list[_Token]:
    lex = lexicon()
    out: list[_Token] = []
    for col, seg in enumerate(row.segs):
        if not seg.text:
            continue
        text = lex.strip_prefix(seg.text)
        matches = lex.find(text)
        if not matches or matches[0].start != 0:  # an ordinal marker belongs to a label only
            text, matches = seg.text, lex.find(seg.text)
        # a free line that starts with a label is a flattened form row: distinctive labels
        # glued further on count too, but inside prose only another prose or section label
        flattened = row.is_line and bool(matches) and (matches[0].start == 0 or sum(not m.weak for m in matches) >= 3)
        accepted: list[LabelMatch] = []
        for m in matches:
            after_label = bool(accepted) and not text[accepted[-1].end:m.start].strip()
            after_space = m.start > 0 and text[m.start - 1].isspace() and row.is_line
            in_prose = bool(accepted) and accepted[-1].field.startswith("narrative.") and not after_label
            glued_ok = not m.weak and (flattened or after_space) and (not in_prose or _ends_prose(m.field))
            if m.start == 0 or m.colon or after_label or glued_ok:
                accepted.append(m)
        position = 0
        for m in accepted:
            if text[position:m.start].strip():
                out.append(_Token(None, text[position:m.start], seg.source, col))
            out.append(_Token(m, "", seg.source, col))
            position = m.end
        if text[position:].strip():
            out.append(_Token(None, text[position:], seg.source, col))
    return out


@dataclass
class Fields:
    values: dict[str, list[FieldValue]]  # by field, in reading order
    label_units: list[str]  # money units written with labels: 资金情况(万元), 本年度申请…(万元)


def _ends_prose(field: str) -> bool:
    return field.startswith("narrative.") or field == SECTION


def read_fields(rows: list[Row], accept) -> Fields:
    """`accept(field, text)` says whether a text is a possible value of a field (a money
    field needs a figure): a label whose first value fails it stays empty rather than
    taking a wrong value."""
    found: dict[str, list[FieldValue]] = {}
    units: list[str] = []
    pending: LabelMatch | None = None

    def keep(label: LabelMatch, text: str, source: Provenance) -> None:
        if accept(label.field, text):
            found.setdefault(label.field, []).append(FieldValue(label.field, label.label, text, source, label.unit))

    i = 0
    while i < len(rows):
        row = rows[i]
        row_tokens = tokens(row)
        units.extend(t.label.unit for t in row_tokens if t.label and t.label.unit)
        headings = _column_headings(row_tokens)
        if headings and i + 1 < len(rows):
            taken = _column_values(headings, rows, i + 1)
            for label, text, source in taken.values:
                keep(label, text, source)
            i += 1 + taken.rows
            pending = None
            continue
        for n, token in enumerate(row_tokens):
            if token.label is not None:
                pending = token.label if token.label.field != SECTION else None
                continue
            if pending is None:
                continue
            text = token.text.strip()
            if row.is_line and n == len(row_tokens) - 1 and pending.field.startswith("narrative."):
                more = _paragraphs(rows, i + 1)  # a flattened cell's further paragraphs
                text = "\n".join([text] + [r.joined for r in rows[i + 1:i + 1 + more]])
                i += more
            keep(pending, text, token.source)
            if pending.field not in lexicon().checkbox_fields:
                pending = None
        if pending is not None and not _continues(row_tokens, rows[i + 1] if i + 1 < len(rows) else None):
            pending = None
        i += 1
    return Fields(found, units)


def _paragraphs(rows: list[Row], start: int) -> int:
    """How many free lines from `start` on continue the prose before them: adjacent in
    the document and not starting with a label."""
    n = 0
    while start + n < len(rows):
        row = rows[start + n]
        if not row.is_line or not row.joined or row.index != rows[start + n - 1].index + 1:
            break
        row_tokens = tokens(row)
        if row_tokens and row_tokens[0].label:
            break
        n += 1
    return n


def _column_headings(row_tokens: list[_Token]) -> list[_Token]:
    """Prose labels heading columns (`长期目标 | 年度目标`, values in the row below): a row
    of two or more of them and no value."""
    labels = [t for t in row_tokens if t.label and t.label.field != SECTION]
    values = [t for t in row_tokens if not t.label and clean_value(t.text)]
    if len(labels) < 2 or values or not all(t.label.field.startswith("narrative.") for t in labels):
        return []
    return labels


@dataclass
class _Taken:
    values: list[tuple[LabelMatch, str, Provenance]]
    rows: int  # rows consumed below the headings


def _column_values(headings: list[_Token], rows: list[Row], start: int) -> _Taken:
    below = rows[start]
    if not below.is_line:  # a table row: the cell under each heading, or aligned from the right
        if len(below.segs) > max(t.col for t in headings):
            pairs = [(t, below.segs[t.col]) for t in headings]
        else:
            pairs = list(zip(headings[-len(below.filled):], below.filled))
        return _Taken([(t.label, seg.text, seg.source) for t, seg in pairs if seg.text], 1)
    # a flattened row: the first column's paragraphs on their own lines, the last line ending
    # with the second column after a space
    lines = []
    for row in rows[start:]:
        row_tokens = tokens(row)
        if not row.is_line or (row_tokens and row_tokens[0].label) or not row.joined:
            break
        lines.append(row)
    if len(headings) != 2 or not lines or " " not in lines[-1].joined.strip():
        return _Taken([], 0)
    head, tail = lines[-1].joined.strip().rsplit(" ", 1)
    first = "\n".join([r.joined for r in lines[:-1]] + [head])
    source = lines[0].segs[0].source
    return _Taken([(headings[0].label, first, source), (headings[1].label, tail, lines[-1].segs[0].source)], len(lines))


def _continues(row_tokens: list[_Token], following: Row | None) -> bool:
    """A label left without a value at the end of its row takes the next row's text only
    in one-cell-per-line exports: the label stood alone and the next row is one cell."""
    return (following is not None and len(row_tokens) == 1 and len(following.filled) == 1
            and following.is_line)
