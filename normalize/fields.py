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


def tokens(row: Row) -> list[_Token]:
    lex = lexicon()
    out: list[_Token] = []
    for seg in row.segs:
        if not seg.text:
            continue
        text = lex.strip_prefix(seg.text)
        matches = lex.find(text)
        if not matches or matches[0].start != 0:  # an ordinal marker belongs to a label only
            text, matches = seg.text, lex.find(seg.text)
        flattened = row.is_line and sum(not m.weak for m in matches) >= 3
        accepted: list[LabelMatch] = []
        for m in matches:
            after_label = bool(accepted) and not text[accepted[-1].end:m.start].strip()
            after_space = m.start > 0 and text[m.start - 1].isspace() and row.is_line
            if m.start == 0 or m.colon or after_label or (not m.weak and (flattened or after_space)):
                accepted.append(m)
        position = 0
        for m in accepted:
            if text[position:m.start].strip():
                out.append(_Token(None, text[position:m.start], seg.source))
            out.append(_Token(m, "", seg.source))
            position = m.end
        if text[position:].strip():
            out.append(_Token(None, text[position:], seg.source))
    return out


@dataclass
class Fields:
    values: dict[str, list[FieldValue]]  # by field, in reading order
    label_units: list[str]  # money units written with labels: 资金情况(万元), 本年度申请…(万元)


def read_fields(rows: list[Row], accept) -> Fields:
    """`accept(field, text)` says whether a text is a possible value of a field (a money
    field needs a figure): a label whose first value fails it stays empty rather than
    taking a wrong value."""
    found: dict[str, list[FieldValue]] = {}
    units: list[str] = []
    pending: LabelMatch | None = None
    for i, row in enumerate(rows):
        row_tokens = tokens(row)
        for token in row_tokens:
            if token.label is not None:
                if token.label.unit:
                    units.append(token.label.unit)
                pending = token.label if token.label.field != SECTION else None
                continue
            if pending is None:
                continue
            text = token.text.strip()
            if accept(pending.field, text):
                found.setdefault(pending.field, []).append(FieldValue(pending.field, pending.label, text, token.source, pending.unit))
            if pending.field not in lexicon().checkbox_fields:
                pending = None
        if pending is not None and not _continues(row_tokens, rows[i + 1] if i + 1 < len(rows) else None):
            pending = None
    return Fields(found, units)


def _continues(row_tokens: list[_Token], following: Row | None) -> bool:
    """A label left without a value at the end of its row takes the next row's text only
    in one-cell-per-line exports: the label stood alone and the next row is one cell."""
    return (following is not None and len(row_tokens) == 1 and len(following.filled) == 1
            and following.is_line)
