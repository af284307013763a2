"""A template (corpus/templates/*.json) and a Filing -> the Document as the form lays it
out, and the gold record: exactly the fields the template shows.

A template is pages of blocks. A block is ``{"line": TEXT}`` or ``{"table": NCOLS,
"rows": [ROW, ...]}``; a ROW is one of
  - a list of cells, each ``TEXT`` or ``{"text": TEXT, "span": N}`` (spans fill NCOLS);
  - ``{"label": TEXT, "rows": [...]}``: a label cell spanning the rows beside it;
  - ``{"each": LIST, "where": {FIELD: VALUE}, "merge": K, "cells": [...]}``: one row per
    item of a record list; the first K columns merge down while their text repeats
    (一级指标 over its 二级指标).
TEXT holds placeholders: ``{path}`` or ``{path|filter}`` (inside `each`, paths are the
item's fields first: ``{name}``, ``{target.raw}``; ``{item}`` is a plain list item and
``{#}`` its 1-based number), and ``{~a|b}``, a label variant chosen per filing.
Filters: money, money_unit, date, period, options, attribute, box, list. A template's
other keys (regions, styles, levels, funding, defects, …) are read by `corpus.records`
and `corpus.defects`; corpus/README-section.md lists them.
"""

from __future__ import annotations

import random
import re
import typing
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from corpus.records import Filing, wan
from extract.model import CHECKED, UNCHECKED, Cell, Document, Line, Page, Table
from normalize.model import Declaration

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Paths kept in the gold whatever the template shows: they come from the template itself.
ALWAYS = {"schema_version", "form", "indicators[].period"}
# What showing one field tells the reader about others.
IMPLIES = {
    "indicators[].level1_raw": ["indicators[].level1"],
    "indicators[].level2_raw": ["indicators[].level2"],
    "indicators[].target.raw": ["indicators[].target"],
    "project.category_options": ["project.category"],
}
# A filter that shows a whole object shows these fields of it.
FILTER_FIELDS = {"period": ["start_date", "end_date"]}
NOT_GOLD = ("source", "provenance", "unsure")


# ---------------------------------------------------------------- the Document

def render(filing: Filing) -> list[Page]:
    """The filing's pages, as its template lays them out (typos written in)."""
    written = filing.record.to_json()
    for path, wrong, right in filing.typos:
        text = get_path(written, path)
        set_path(written, path, text.replace(right, wrong, 1))
    ctx = _Context(filing, written, random.Random(filing.seed))
    pages = []
    for number, page in enumerate(filing.template["pages"], 1):
        blocks = []
        for block in page:
            if "line" in block:
                blocks.append(Line(ctx.fill(block["line"])))
            else:
                blocks.append(_table(block, ctx))
        pages.append(Page(number, blocks))
    return pages


def document(filings: list[Filing], name: str, sha256: str = "0" * 64) -> Document:
    """One file holding `filings` one after another."""
    pages = [page for filing in filings for page in render(filing)]
    for number, page in enumerate(pages, 1):
        page.number = number
    return Document(path=name, sha256=sha256, format="txt", pages=pages)


class _Context:
    def __init__(self, filing: Filing, written: dict, rng: random.Random):
        self.filing, self.record, self.rng = filing, written, rng
        self.item, self.index = None, 0

    def fill(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self._value(m.group(1)), text)

    def _value(self, expr: str) -> str:
        if expr.startswith("~"):
            return self.rng.choice(expr[1:].split("|"))
        if expr == "#":
            return str(self.index)
        path, _, flt = expr.partition("|")
        if isinstance(self.item, dict) and path.split(".")[0] in self.item:
            value = get_path(self.item, path)
        elif path == "item" and self.item is not None:
            value = self.item
        else:
            value = get_path(self.record, path)
        return _FILTERS[flt](value, self) if flt else ("" if value is None else str(value))


def _table(block: dict, ctx: _Context) -> Table:
    cells: list[Cell] = []
    _rows(block["rows"], 0, 0, block["table"], ctx, cells)
    return Table(cells)


def _rows(rows: list, r0: int, c0: int, ncols: int, ctx: _Context, out: list[Cell]) -> int:
    """Lays out `rows` from row r0, column c0; returns how many rows they took."""
    r = r0
    for spec in rows:
        if isinstance(spec, list):
            _row(spec, r, c0, ncols, ctx, out)
            r += 1
        elif "label" in spec:
            n = _rows(spec["rows"], r, c0 + 1, ncols, ctx, out)
            if n:
                out.append(Cell(r, c0, ctx.fill(spec["label"]), rowspan=n))
            r += n
        else:
            r += _each(spec, r, c0, ncols, ctx, out)
    return r - r0


def _row(spec: list, r: int, c0: int, ncols: int, ctx: _Context, out: list[Cell], merged: list | None = None) -> None:
    """One row of cells. `merged` holds the last cell of each merging column: a cell
    repeating the text above it (and all merging columns left of it) extends that cell."""
    c, continuing = c0, True
    for i, cell in enumerate(spec):
        text, span = (cell, 1) if isinstance(cell, str) else (cell["text"], cell.get("span", 1))
        text = ctx.fill(text)
        merging = merged is not None and i < len(merged)
        if merging and continuing and merged[i] is not None and merged[i].text == text:
            merged[i].rowspan += 1
        else:
            new = Cell(r, c, text, colspan=span)
            out.append(new)
            if merging:
                merged[i], continuing = new, False
        c += span
    if c != ncols:
        raise ValueError(f"template {ctx.filing.template['family']}: a row fills {c} of {ncols} columns: {spec}")


def _each(spec: dict, r0: int, c0: int, ncols: int, ctx: _Context, out: list[Cell]) -> int:
    items = get_path(ctx.record, spec["each"]) or []
    where = spec.get("where", {})
    items = [it for it in items if all(isinstance(it, dict) and it.get(k) == v for k, v in where.items())]
    merged = [None] * spec.get("merge", 0)
    for index, item in enumerate(items, 1):
        ctx.item, ctx.index = item, index
        _row(spec["cells"], r0 + index - 1, c0, ncols, ctx, out, merged)
    ctx.item, ctx.index = None, 0
    return len(items)


# ---------------------------------------------------------------- filters: value -> text

def _money(value, ctx: _Context) -> str:
    if value is None:
        return ""
    if ctx.record["amount_unit"] == "万元":
        return wan(Decimal(value))
    if ctx.filing.style.get("money") == "int" and value.endswith(".00"):
        return value[:-3]
    return value


def _money_unit(value, ctx: _Context) -> str:
    return _money(value, ctx) + ctx.record["amount_unit"] if value is not None else ""


DATE_STYLES = {
    "iso": lambda d: d.isoformat(),
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dot": lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
}
PERIOD_STYLES = {
    "cn_range": lambda s, e: f"{DATE_STYLES['cn'](s)}至{DATE_STYLES['cn'](e)}",
    "dot_range": lambda s, e: f"{DATE_STYLES['dot'](s)}-{DATE_STYLES['dot'](e)}",
    "iso_range": lambda s, e: f"{s.isoformat()}至{e.isoformat()}",
    "month_range": lambda s, e: f"{s.year}.{s.month}-{e.year}.{e.month}",
}


def _date(value, ctx: _Context) -> str:
    return DATE_STYLES[ctx.filing.style.get("date", "iso")](date.fromisoformat(value)) if value else ""


def _period(project: dict, ctx: _Context) -> str:
    start, end = project["start_date"], project["end_date"]
    if not (start and end):
        return ""
    return PERIOD_STYLES[ctx.filing.style.get("period", "cn_range")](date.fromisoformat(start), date.fromisoformat(end))


def _marked(label: str, checked: bool, ctx: _Context) -> str:
    mark = CHECKED if checked else UNCHECKED
    return f"{label}{mark}" if ctx.filing.template.get("box") == "after" else f"{mark} {label}"


def _options(options: list, ctx: _Context) -> str:
    return " ".join(_marked(o["label"], o["checked"], ctx) for o in options)


def _attribute(value, ctx: _Context) -> str:
    labels = ctx.filing.template["attribute_options"]
    return " ".join(_marked(label, key == value, ctx) for key, label in labels.items())


def _box(value, ctx: _Context) -> str:
    return CHECKED if value else UNCHECKED


LIST_STYLES = {  # (marker for item n, separator between items)
    "dun": (lambda n: f"{n}、", "\n"),
    "dot": (lambda n: f"{n}.", "\n"),
    "cn_num": (lambda n: f"（{'一二三四五六七八九十'[n - 1]}）", "\n"),
    "paren": (lambda n: f"{n}) ", " "),
}


def _list(items: list, ctx: _Context) -> str:
    marker, sep = LIST_STYLES[ctx.filing.style.get("list", "dun")]
    last = len(items)
    return sep.join(f"{marker(n)}{item}{'。' if n == last else '；'}" for n, item in enumerate(items, 1))


_FILTERS = {"money": _money, "money_unit": _money_unit, "date": _date, "period": _period, "options": _options,
            "attribute": _attribute, "box": _box, "list": _list}


# ---------------------------------------------------------------- the gold record

def gold(filing: Filing) -> dict:
    """The contract record the filing must come out as, without `source`: the fields
    its template shows, the citations and typo corrections in them; fields the form
    writes ambiguously (`filing.unscored`) left out, so they are not scored."""
    shown = template_paths(filing.template)
    record = {k: v for k, v in filing.record.to_json().items() if k not in NOT_GOLD}
    record = _project(record, "", shown, filing.unscored)
    record["form"]["template"] = None
    cited = []
    for citation, host in filing.cited:
        entry = citation.model_dump(mode="json")
        if generic(host) in shown and entry not in cited:
            cited.append(entry)
    record["citations"] = cited
    record["corrections"] = [{"path": path, "from": wrong, "to": right, "reason": "lexicon"}
                             for path, wrong, right in filing.typos if generic(path) in shown]
    return record


def _project(node, path: str, shown: set[str], unscored: set[str]):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if sub in unscored:
                continue
            out[key] = _project(value, sub, shown, unscored) if _is_shown(sub, shown) else _blank(value)
        return out
    if isinstance(node, list):
        return [_project(item, path + "[]", shown, unscored) for item in node]
    return node


def _blank(value):
    """What a field the form does not show holds: nothing."""
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    return [] if isinstance(value, list) else None


def _is_shown(path: str, shown: set[str]) -> bool:
    return any(path == s or s.startswith(path + ".") or s.startswith(path + "[")
               or path.startswith(s + ".") or path.startswith(s + "[") for s in shown)


def generic(path: str) -> str:
    """'indicators[3].note' -> 'indicators[].note'."""
    return re.sub(r"\[\d+\]", "[]", path)


_PATHS: dict[str, frozenset[str]] = {}


def template_paths(template: dict) -> frozenset[str]:
    """Generic paths of every record field the template shows ('project.name',
    'indicators[].target'), with what they imply, plus the fields always kept."""
    family = template["family"]
    if family not in _PATHS:
        _PATHS[family] = frozenset(_template_paths(template))
    return _PATHS[family]


def _template_paths(template: dict) -> set[str]:
    found: set[str] = set(ALWAYS)

    def texts(rows, item_path: str | None):
        for spec in rows:
            if isinstance(spec, list):
                for cell in spec:
                    yield (cell if isinstance(cell, str) else cell["text"]), item_path
            elif "label" in spec:
                yield spec["label"], item_path
                yield from texts(spec["rows"], item_path)
            else:
                yield from texts([spec["cells"]], spec["each"])

    for page in template["pages"]:
        for block in page:
            pairs = [(block["line"], None)] if "line" in block else texts(block["rows"], None)
            for text, item_path in pairs:
                for expr in PLACEHOLDER.findall(text):
                    if expr.startswith("~") or expr == "#":
                        continue
                    found |= _placeholder_paths(expr, item_path)
    for path in list(found):
        found |= set(IMPLIES.get(path, []))
    return found


def _placeholder_paths(expr: str, item_path: str | None) -> set[str]:
    path, _, flt = expr.partition("|")
    if item_path is not None:
        fields = _item_fields(item_path)
        if path.split(".")[0] in fields:
            path = f"{item_path}[].{path}"
        elif path == "item" and not fields:
            path = item_path
    fields = FILTER_FIELDS.get(flt)
    return {f"{path}.{f}" for f in fields} if fields else {path}


def _item_fields(list_path: str) -> set[str]:
    """Field names of the items of a record list ('indicators' -> Indicator's fields)."""
    model: type[BaseModel] = Declaration
    annotation = None
    for part in list_path.split("."):
        annotation = model.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    (item,) = typing.get_args(annotation)
    return set(item.model_fields) if isinstance(item, type) and issubclass(item, BaseModel) else set()


# ---------------------------------------------------------------- paths into JSON records

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list:
    return [int(i) if i else key for key, i in _STEP.findall(path)]


def get_path(node, path: str):
    for step in _steps(path):
        if node is None:
            return None
        node = node[step] if isinstance(step, int) else node.get(step)
    return node


def set_path(node, path: str, value) -> None:
    *parents, last = _steps(path)
    for step in parents:
        node = node[step]
    node[last] = value
