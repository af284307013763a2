"""Does a figure written in the narrative contradict the tables?

The narrative fields are held as one spaCy Doc (a blank Chinese pipeline: character
tokens, no model) and each figure found in them becomes a span in `doc.spans["figures"]`
labelled PRODUCT (`21*9500元/个小区`), AMOUNT (`19.95万元`), RATE (`780元/生/年`) or COUNT
(`21个小区`, `6万人`). Three comparisons are made, each firing only on a clear
contradiction:

- a PRODUCT against the cost items: when no item agrees with it in every figure it
  states, and exactly one item shares one of its figures (quantity other than 1, unit
  price or amount), that item contradicts it; a price per unit of time (`5000元/月`)
  leaves the number of periods out, so such a product is not compared;
- an AMOUNT right after a budget word (`项目总预算为…`) against the budget: it must match
  项目总预算, 当年预算, 财政拨款 or 金额合计;
- an AMOUNT right after a cost item's name (`代理记账费19.95万元`) against that item's
  amount or unit price.

Prose figures are round: `0.95万元` agrees with any table figure within half a unit of its
last written digit (±50 元). Amounts marked as approximate (`约`, `左右`, `以上`) or about
another time (`上年`, `累计`, another year), rates, counts and indicator targets are not
compared: a count in prose rarely says what it
counts, and goals such as `不少于6万人` state aims, not table figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import regex

from normalize.model import CostItem, Declaration
from rules.common import MONEY_UNITS, finding, label, money, show, to_decimal, to_fen, unit_of, yuan
from rules.model import Finding
from rules.registry import NotCheckable, rule

CODE = "PROSE_TABLE_MISMATCH"
LEXICON = json.loads((Path(__file__).with_name("prose.json")).read_text("utf-8"))
BUDGET = ("funding.total", "funding.current_year", "funding.fiscal", "cost_total")
ITEM_FIELDS = {"quantity": "数量", "unit_price": "单价", "amount": "金额"}

_NUM = r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?"
_SP = r"[ \t\u3000]*"  # spaces within a figure; never a line break, which ends a field
_MW = "|".join(sorted(map(regex.escape, LEXICON["measure_words"]), key=len, reverse=True))
_MONEY = r"[亿万千]?元"
_TIMES = rf"{_SP}[*×xX✕]{_SP}"


def _per(name: str) -> str:
    """What a price is per: `/个小区`, `/每户`."""
    return rf"(?:{_SP}/{_SP}每?(?P<{name}>(?:{_MW})?\p{{Han}}{{0,2}}))?"


FIGURE = regex.compile(
    rf"(?P<q1>{_NUM})(?:{_SP}(?:{_MW}))?{_TIMES}(?P<p1>{_NUM}){_SP}(?P<u1>{_MONEY}){_per('per1')}"
    rf"|(?P<p2>{_NUM}){_SP}(?P<u2>{_MONEY}){_per('per2')}{_TIMES}(?P<q2>{_NUM})(?:{_SP}(?:{_MW})\p{{Han}}{{0,2}})?"
    rf"|(?P<m>{_NUM}){_SP}(?P<mu>{_MONEY})(?P<rate>{_SP}/)?"
    rf"|(?P<c>{_NUM}){_SP}(?P<cmul>[万千])?(?P<cmw>{_MW})(?P<cnoun>\p{{Han}}{{0,2}})"
)
_GAP = rf"{_SP}[{regex.escape(LEXICON['gap'])}]{{0,3}}{_SP}$"
_BUDGET_BEFORE = regex.compile(rf"(?:{'|'.join(map(regex.escape, LEXICON['budget_words']))}){_GAP}")
_APPROXIMATE = regex.compile(rf"^{_SP}(?:{'|'.join(map(regex.escape, LEXICON['approximate_after']))})")
_MULTIPLIER = {"万": 10000, "千": 1000}
_CLAUSE = regex.compile(rf"[^{regex.escape(LEXICON['clause_end'])}]*$")
_OTHER_TIME = regex.compile("|".join(map(regex.escape, LEXICON["other_time"])))
_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年")
_PER_TIME = regex.compile(rf"^(?:{'|'.join(map(regex.escape, LEXICON['per_time']))})")


@dataclass(frozen=True)
class Money:
    """A money figure from prose: exact fen, and how far the table may differ from it
    before the two disagree (half a unit of the last written digit)."""

    fen: Decimal
    tolerance: Decimal

    @classmethod
    def parse(cls, number: str, unit: str) -> "Money":
        text = number.replace(",", "")
        places = len(text.split(".")[1]) if "." in text else 0
        factor = Decimal(MONEY_UNITS[unit]) * 100
        return cls(Decimal(text) * factor, factor / Decimal(10) ** places / 2)

    def agrees(self, fen: int | Decimal | None, times: Decimal = Decimal(1)) -> bool:
        return fen is not None and abs(self.fen * times - fen) <= self.tolerance * abs(times)


@dataclass
class Figure:
    kind: str  # PRODUCT, AMOUNT, RATE or COUNT
    span: object  # spacy.tokens.Span in the narrative Doc
    path: str  # the narrative field it was written in
    offset: int  # where the figure starts within that field
    before: str  # the field's text before the figure
    after: str  # the field's text after it
    quantity: Decimal | None = None
    money: Money | None = None
    per: str | None = None  # what a PRODUCT's price is per (`个小区`)


@cache
def _nlp():
    import spacy  # loaded on first use: importing `rules` must stay fast

    return spacy.blank("zh")


def _doc(text: str):
    """The text as a Doc of one token per character: what the blank Chinese pipeline's
    character segmenter gives, built directly (three times faster on long narratives)."""
    from spacy.tokens import Doc

    return Doc(_nlp().vocab, words=list(text), spaces=[False] * len(text))


def narrative(d: Declaration) -> tuple[str, list[tuple[int, int, str]]]:
    """The narrative text, one field (or list item) after another, and each part's
    (start, end, path)."""
    parts: list[tuple[str, str]] = []
    for name in LEXICON["fields"]:
        value = getattr(d.narrative, name)
        if isinstance(value, list):
            parts.extend((f"narrative.{name}[{i}]", item) for i, item in enumerate(value) if item)
        elif value:
            parts.append((f"narrative.{name}", value))
    segments, offset = [], 0
    for path, text in parts:
        segments.append((offset, offset + len(text), path))
        offset += len(text) + 1
    return "\n".join(text for _, text in parts), segments


def _figure(match, field: str, field_start: int, path: str) -> Figure:
    g = match.groupdict()
    s, e = match.start() - field_start, match.end() - field_start
    fig = Figure("", None, path, s, field[:s], field[e:])
    if g["q1"] or g["q2"]:
        fig.kind = "PRODUCT"
        fig.quantity = Decimal((g["q1"] or g["q2"]).replace(",", ""))
        fig.money = Money.parse(g["p1"] or g["p2"], g["u1"] or g["u2"])
        fig.per = g["per1"] or g["per2"] or None
    elif g["m"]:
        fig.kind = "RATE" if g["rate"] else "AMOUNT"
        fig.money = Money.parse(g["m"], g["mu"])
    else:
        fig.kind = "COUNT"
        fig.quantity = Decimal(g["c"].replace(",", "")) * _MULTIPLIER.get(g["cmul"] or "", 1)
        fig.per = g["cmw"] + g["cnoun"]
    return fig


def figures(d: Declaration) -> list[Figure]:
    """Every figure in the narrative, each held as a labelled span of one Doc."""
    text, segments = narrative(d)
    matches = [(m, start, end, path) for start, end, path in segments for m in FIGURE.finditer(text, start, end)]
    if not matches:
        return []
    doc = _doc(text)
    found = []
    for match, start, end, path in matches:
        fig = _figure(match, text[start:end], start, path)
        fig.span = doc.char_span(match.start(), match.end(), label=fig.kind, alignment_mode="expand")
        found.append(fig)
    doc.spans["figures"] = [f.span for f in found]
    return found


@dataclass(frozen=True)
class _Item:
    """A cost item's figures, exact."""

    index: int
    record: CostItem
    quantity: Decimal | None
    price: int | None
    amount: int | None

    def agreements(self, fig: Figure) -> dict[str, bool]:
        """For each figure both state: does the product agree with it?"""
        checks = {}
        if self.quantity is not None:
            checks["quantity"] = self.quantity == fig.quantity
        if self.price is not None:
            checks["unit_price"] = fig.money.agrees(self.price)
        if self.amount is not None:
            checks["amount"] = fig.money.agrees(self.amount, fig.quantity)
        return checks


def _items(d: Declaration) -> list[_Item]:
    out = []
    for i, item in enumerate(d.cost_items):
        base = f"cost_items[{i}]"
        try:
            figures_ = (
                to_decimal(item.quantity, f"{base}.quantity"),
                to_fen(item.unit_price, f"{base}.unit_price"),
                to_fen(item.amount, f"{base}.amount"),
            )
        except NotCheckable:
            continue  # an unreadable item is COST_UNIT_MISMATCH's business, not prose's
        out.append(_Item(i, item, *figures_))
    return out


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _partial(fig: Figure) -> bool:
    """A price per unit of time (`5000元/月`, `780元/生/年`) leaves out how many periods:
    the product is not the item's whole computation."""
    return bool(fig.per and _PER_TIME.match(fig.per)) or fig.after.lstrip().startswith("/")


def _links(fig: Figure, agreements: dict[str, bool]) -> bool:
    """Does a shared figure tie the product to this item? A quantity of 1 is too common
    to identify an item."""
    return any(ok for k, ok in agreements.items() if not (k == "quantity" and fig.quantity == 1))


def _product_finding(d: Declaration, fig: Figure, items: list[_Item], counts: list[Figure]) -> Finding | None:
    if _partial(fig):
        return None
    checks = [(item, item.agreements(fig)) for item in items]
    if any(c and all(c.values()) for _, c in checks):
        return None
    sharing = [(item, c) for item, c in checks if _links(fig, c)]
    if len(sharing) != 1:
        return None  # no item, or several, could be meant: not a clear contradiction
    item, c = sharing[0]
    unit = unit_of(d)
    prose = {
        "quantity": _quantity(fig.quantity),
        "unit_price": show(fig.money.fen, unit),
        "amount": show(fig.money.fen * fig.quantity, unit),
    }
    table = {
        "quantity": item.quantity is not None and _quantity(item.quantity),
        "unit_price": item.price is not None and show(item.price, unit),
        "amount": item.amount is not None and show(item.amount, unit),
    }
    wrong = [k for k, ok in c.items() if not ok]
    differences = "，".join(f"{ITEM_FIELDS[k]} {prose[k]} ≠ 表中 {table[k]}" for k in wrong)
    message = (
        f"叙述“{fig.span.text}”（{prose['quantity']} × {prose['unit_price']} = {prose['amount']}）"
        f"与成本明细第{item.index + 1}项“{item.record.item}”不符：{differences}"
    )
    base = f"cost_items[{item.index}]"
    evidence = _prose_evidence(fig) | {
        "prose_figures": {
            "quantity": _quantity(fig.quantity),
            "unit_price": yuan(fig.money.fen),
            "amount": yuan(fig.money.fen * fig.quantity),
        },
        "figures": {f"{base}.{k}": getattr(item.record, k) for k in c},
    }
    same_counts = [f.span.text for f in counts if fig.per and f.per == fig.per]
    if same_counts:
        evidence["prose_counts"] = same_counts
    return finding(d, CODE, message, [fig.path, *(f"{base}.{k}" for k in wrong)], evidence)


def _prose_evidence(fig: Figure) -> dict:
    return {"prose": fig.span.text, "path": fig.path, "offset": [fig.offset, fig.offset + len(fig.span.text)]}


def _amount_finding(d: Declaration, fig: Figure, against: dict[str, int], what: str) -> Finding | None:
    """An amount stated next to `what` must agree with one of the `against` figures."""
    if not against or any(fig.money.agrees(v) for v in against.values()):
        return None
    unit = unit_of(d)
    table = "、".join(f"{label(d, p)} {show(v, unit)}" for p, v in against.items())
    message = f"叙述“{what}{fig.span.text}”（{show(fig.money.fen, unit)}）与表中不符：{table}"
    evidence = _prose_evidence(fig) | {
        "prose_figures": {"amount": yuan(fig.money.fen)},
        "figures": {p: yuan(v) for p, v in against.items()},
    }
    return finding(d, CODE, message, [fig.path, *against], evidence)


def _about_another_budget(d: Declaration, fig: Figure) -> bool:
    """A round figure (`约20万元`, `20万元左右`) or one about another time (`上年预算资金30万元`,
    `2018年预算资金…` on a 2020 form) is no statement about this form's tables."""
    if _APPROXIMATE.match(fig.after):
        return True
    clause = _CLAUSE.search(fig.before).group()
    years = {int(y) for y in _YEAR.findall(clause)}
    return bool(_OTHER_TIME.search(clause)) or bool(years - {d.year})


def _stated_amount_findings(d: Declaration, fig: Figure, items: list[_Item]) -> list[Finding]:
    if _about_another_budget(d, fig):
        return []
    found = []
    budget_word = _BUDGET_BEFORE.search(fig.before)
    if budget_word:
        budget = {p: v for p in BUDGET if (v := money(d, p)) is not None}
        found.append(_amount_finding(d, fig, budget, budget_word.group()))
    for item in items:
        name = (item.record.item or "").strip()
        if len(name) >= 2 and regex.search(rf"{regex.escape(name)}{_GAP}", fig.before):
            base = f"cost_items[{item.index}]"
            against = {f"{base}.amount": item.amount, f"{base}.unit_price": item.price}
            found.append(_amount_finding(d, fig, {p: v for p, v in against.items() if v is not None}, name))
    return [f for f in found if f is not None]


@rule(CODE, "warning", "figures in the narrative agree with the cost table and the budget",
      needs=("narrative", "cost_items", "funding.total"))
def prose_vs_tables(d: Declaration) -> list[Finding]:
    if not narrative(d)[0]:
        raise NotCheckable("没有叙述文字")
    figs = figures(d)
    if not figs:
        raise NotCheckable("叙述中没有金额或数量")
    items = _items(d)
    counts = [f for f in figs if f.kind == "COUNT"]
    found: list[Finding | None] = []
    for fig in figs:
        if fig.kind == "PRODUCT":
            found.append(_product_finding(d, fig, items, counts))
        elif fig.kind == "AMOUNT":
            found.extend(_stated_amount_findings(d, fig, items))
    return [f for f in found if f is not None]
