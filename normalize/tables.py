"""The cost breakdown (项目构成分解 / 测算依据), the guarantees table (制度保障) and the
implementation schedule (项目实施内容): tables whose columns are named by a header row.

A table row is read by aligning it with its header. A flattened export writes the header
glued on one line (`项目构成分解项目名称项目内容…`) and each row as words separated by
spaces, empty cells dropped; such a row is read by what its words are (amounts, stage
ticks) in the header's order."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import regex

from normalize.layout import Row
from normalize.model import CostItem, Guarantee, Stages
from normalize.values import format_yuan, is_checked_mark, parse_money

_SPACE = regex.compile(r"\s")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(Path(__file__).with_name("tables.json").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return _SPACE.sub("", text)


def header_cells(row: Row) -> list[str]:
    """The column names of a header row: its cells, or for a free line the names glued
    in it, when it holds little else (`制度保障文件名称具体措施保障阶段`)."""
    if not row.is_line:
        return row.grid()
    text = _norm(row.joined)
    names = _column_names().findall(text)
    rest = _column_names().sub("", text)
    for label in _data()["row_labels"]:
        rest = rest.replace(label, "")
    return names if len(names) >= 3 and len(rest) <= 4 else []


@lru_cache(maxsize=1)
def _column_names() -> regex.Pattern:
    data = _data()
    names = set(data["cost_columns"]) | set(data["guarantee_columns"]) | set(data["schedule_columns"])
    return regex.compile("|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True)))


def is_column_name(text: str) -> bool:
    return bool(text) and bool(_column_names().fullmatch(_norm(text)))


def is_row_label(text: str) -> bool:
    return _norm(text) in _data()["row_labels"]


def is_figure_or_dash(text: str) -> bool:
    return bool(_AMOUNT_WORD.match(text.strip())) or not _dashless(text)


def is_last_stage(text: str) -> bool:
    """The cell closing a guarantee row: its completion stage."""
    m = _stage_labels().match(_norm(text))
    return bool(m) and _data()["stages"][m.group(0)] == "completion"


def cost_columns(texts: list[str]) -> dict[int, str] | None:
    """Column index -> CostItem field, when `texts` is a cost table header."""
    return _cost_columns(tuple(texts))


@lru_cache(maxsize=4096)
def _cost_columns(texts: tuple[str, ...]) -> dict[int, str] | None:
    names = _data()["cost_columns"]
    columns: dict[int, str] = {}
    seen_price = seen_quantity = False
    for i, text in enumerate(texts):
        field = names.get(_norm(text))
        if field == "basis":
            field = "quantity_basis" if seen_quantity else "price_basis" if seen_price else None
        if field:
            columns[i] = field
            seen_price |= field == "unit_price"
            seen_quantity |= field == "quantity"
    fields = set(columns.values())
    return columns if "amount" in fields and fields & {"item", "unit_price", "quantity"} and len(fields) >= 3 else None


def is_total_row(texts: list[str]) -> bool:
    filled = [_norm(t) for t in texts if t.strip()]
    return bool(filled) and any(filled[0].startswith(label) for label in _data()["total_labels"])


def _aligned(row: Row, width: int) -> list[str]:
    """The row's texts aligned with a header of `width` columns. A text export that lost
    a row's leading (merged) cell is short by it: its cells are aligned from the right."""
    texts = row.grid()
    return ([""] * (width - len(texts)) + texts) if len(texts) < width else texts


def cost_item(row: Row, columns: dict[int, str], width: int, unit: str | None) -> CostItem | None:
    """A cost row aligned with its header; a row that lost cells on both sides (a merged
    label before, empty cells after) is read by meaning, like a flattened one."""
    texts = row.grid()
    if len(texts) < width - 1:
        return cost_item_by_meaning([t.strip() for t in texts if t.strip()], list(columns.values()), unit)
    texts = _aligned(row, width)
    return _cost_item({field: texts[i].strip() if i < len(texts) else "" for i, field in columns.items()}, unit)


def _with_values_of_bases(fields: list[str]) -> list[str]:
    """A glued header reads `单价依据数量依据` as two basis columns; a basis goes with its
    value, so the missing 单价 / 数量 column is put back before it."""
    out: list[str] = []
    for field in fields:
        value = {"price_basis": "unit_price", "quantity_basis": "quantity"}.get(field)
        if value and value not in fields:
            out.append(value)
        out.append(field)
    return out


def _cost_item(values: dict[str, str], unit: str | None) -> CostItem | None:
    if not values.get("item") and not values.get("amount"):
        return None
    money = {k: parse_money(_dashless(values.get(k)), unit) for k in ("amount", "unit_price")}
    return CostItem(
        project=values.get("project") or None, content=values.get("content") or None,
        item=values.get("item") or values.get("content") or "", amount=format_yuan(money["amount"] and money["amount"].yuan),
        unit_price=format_yuan(money["unit_price"] and money["unit_price"].yuan),
        price_basis=values.get("price_basis") or None, quantity=_dashless(values.get("quantity")) or None,
        quantity_basis=values.get("quantity_basis") or None, note=values.get("note") or None,
    )


def cost_total(row: Row, unit: str | None) -> str | None:
    """金额合计: the first amount after the label (flattened rows lose the column)."""
    text = _TOTAL_LABEL.sub("", row.joined, count=1)
    money = parse_money(_dashless(text), unit)
    return format_yuan(money.yuan) if money else None


_TOTAL_LABEL = regex.compile(r"^\s*(?:金额合计|合计|总计|小计)")
_AMOUNT_WORD = regex.compile(r"^-?\d[\d,]*(?:\.\d+)?(?:万元|千元|亿元|元|万)?$")
_TEXT_BEFORE_AMOUNT = ("project", "content", "item")


def cost_item_by_meaning(words: list[str], fields: list[str], unit: str | None) -> CostItem | None:
    """A cost row whose cells lost their columns (a flattened line's words, or cells
    with the empty ones dropped): the words before the first amount are the named
    columns (aligned from the right: the item stands next to its amount), then amount,
    unit price, its basis, quantity, its basis and the note, in the header's order."""
    fields = _with_values_of_bases(fields)
    numbers = [i for i, w in enumerate(words) if _AMOUNT_WORD.match(w)]
    if not numbers:
        return None
    first = numbers[0]
    values: dict[str, str] = {}
    named = [f for f in fields if f in _TEXT_BEFORE_AMOUNT]
    for field, word in zip(reversed(named), reversed(words[:first])):
        values[field] = word
    rest = words[first:]
    for field in [f for f in fields if f not in _TEXT_BEFORE_AMOUNT]:
        if not rest:
            break
        numeric = field in ("amount", "unit_price", "quantity")
        if numeric and not _AMOUNT_WORD.match(rest[0]):
            continue
        if not numeric and _AMOUNT_WORD.match(rest[0]) and field != "note":
            continue
        values[field] = rest.pop(0)
    return _cost_item(values, unit)


def _dashless(text: str | None) -> str:
    return "" if text is None or regex.fullmatch(r"\s*[-—－]*\s*", text) else text


def guarantee_columns(texts: list[str]) -> dict[int, str] | None:
    return _guarantee_columns(tuple(texts))


@lru_cache(maxsize=4096)
def _guarantee_columns(texts: tuple[str, ...]) -> dict[int, str] | None:
    names = _data()["guarantee_columns"]
    columns = {i: names[_norm(t)] for i, t in enumerate(texts) if _norm(t) in names}
    return columns if {"documents", "measures"} <= set(columns.values()) else None


def guarantee(row: Row, columns: dict[int, str], width: int) -> Guarantee | None:
    texts = _aligned(row, width)
    kind = next((t.strip() for t in texts if t.strip()), None)
    if not kind:
        return None
    values = {field: texts[i].strip() for i, field in columns.items() if i < len(texts) and field != "stages"}
    stage_col = next((i for i, f in columns.items() if f == "stages"), None)
    return Guarantee(kind=kind, documents=values.get("documents") or None, measures=values.get("measures") or None,
                     stages=_stages(" ".join(texts[stage_col:]) if stage_col is not None else ""))


def guarantee_from_words(row: Row) -> Guarantee | None:
    """A flattened guarantee row: kind, documents, measures, then the stage ticks."""
    text = row.joined
    first_stage = _stage_labels().search(text)
    head = text[: first_stage.start()] if first_stage else text
    words = head.split(maxsplit=2)
    if not words:
        return None
    return Guarantee(kind=words[0], documents=words[1] if len(words) > 1 else None,
                     measures=words[2].strip() if len(words) > 2 else None,
                     stages=_stages(text[first_stage.start():] if first_stage else ""))


def _stages(text: str) -> Stages:
    """Stage ticks written as `立项和计划阶段 ☑ 实施阶段 □ …`."""
    stages = Stages()
    for m in _stage_labels().finditer(text):
        marks = [ch for ch in text[m.end():m.end() + 3] if is_checked_mark(ch) or ch in "□☐"]
        setattr(stages, _data()["stages"][m.group(0)], is_checked_mark(marks[0]) if marks else None)
    return stages


@lru_cache(maxsize=1)
def _stage_labels() -> regex.Pattern:
    return regex.compile("|".join(regex.escape(n) for n in sorted(_data()["stages"], key=len, reverse=True)))


_SCHEDULE_DATES = regex.compile(r"(?:\s+[\d年月日度.．/\-—至]+)+\s*$")


def schedule_columns(row: Row) -> dict[str, int] | None:
    """The implementation schedule's header (项目实施内容 | 开始时间 | 完成时间): field ->
    column, or {} for a free line (a flattened export: rows are read by their words)."""
    names = _data()["schedule_columns"]
    columns = {names[_norm(t)]: i for i, t in enumerate(header_cells(row)) if _norm(t) in names}
    if not {"content", "start", "end"} <= set(columns):
        return None
    return {} if row.is_line else columns


def schedule_item(row: Row, columns: dict[str, int]) -> str | None:
    """One activity of the schedule: its content cell, or a flattened line without the
    dates that end it."""
    if not columns:
        return _SCHEDULE_DATES.sub("", row.joined).strip() or None
    texts = row.grid()
    col = columns["content"]
    return texts[col].strip() or None if col < len(texts) else None
