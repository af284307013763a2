"""The cost breakdown (项目构成分解 / 测算依据) and the guarantees table (制度保障): tables
whose columns are named by a header row, read by aligning each row with it."""

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
    return bool(filled) and filled[0] in _data()["total_labels"]


def _aligned(row: Row, width: int) -> list[str]:
    """The row's texts aligned with a header of `width` cells: a row one cell short has
    lost its leading (merged) cell."""
    texts = row.texts
    return ([""] * (width - len(texts)) + texts) if len(texts) < width else texts


def cost_item(row: Row, columns: dict[int, str], width: int, unit: str | None) -> CostItem | None:
    texts = _aligned(row, width)
    values = {field: texts[i].strip() if i < len(texts) else "" for i, field in columns.items()}
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


def cost_total(row: Row, columns: dict[int, str], width: int, unit: str | None) -> str | None:
    texts = _aligned(row, width)
    amount_col = next(i for i, f in columns.items() if f == "amount")
    money = parse_money(_dashless(texts[amount_col] if amount_col < len(texts) else ""), unit)
    return format_yuan(money.yuan) if money else None


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
    stages = Stages()
    for text in texts[stage_col:] if stage_col is not None else []:
        for label, field in _data()["stages"].items():
            if _norm(text).startswith(label):
                marks = [ch for ch in text if is_checked_mark(ch) or ch in "□☐"]
                setattr(stages, field, is_checked_mark(marks[0]) if marks else None)
    return Guarantee(kind=kind, documents=values.get("documents") or None, measures=values.get("measures") or None,
                     stages=stages)


_SCHEDULE_DATES = regex.compile(r"(?:\s+[\d年月日度.．/\-—至]+)+\s*$")


def schedule_columns(row: Row) -> dict[str, int] | None:
    """The implementation schedule's header (项目实施内容 | 开始时间 | 完成时间): field ->
    column, or {} for a free line naming all three (a flattened export)."""
    names = _data()["schedule_columns"]
    if row.is_line:
        text = _norm(row.joined)
        wanted = {"content", "start", "end"}
        return {} if wanted <= {f for label, f in names.items() if label in text} and len(text) <= 30 else None
    columns = {names[_norm(t)]: i for i, t in enumerate(row.texts) if _norm(t) in names}
    return columns if {"content", "start", "end"} <= set(columns) else None


def schedule_item(row: Row, columns: dict[str, int]) -> str | None:
    """One activity of the schedule: its content cell, or a flattened line without the
    dates that end it."""
    if not columns:
        return _SCHEDULE_DATES.sub("", row.joined).strip() or None
    col = columns["content"]
    return row.segs[col].text.strip() or None if col < len(row.segs) else None
