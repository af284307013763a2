"""Does the cost table (成本测算明细) agree with itself and with the budget?

COST_TOTAL_MISMATCH: the item amounts must add up to 金额合计 (a blank amount counts as 0
when another item has one), and 金额合计 must equal 当年预算 or 项目总预算 (either is
accepted: forms itemise the year or the whole project).

COST_UNIT_MISMATCH: 单价 × 数量 must give the item's 金额. A unit price is written rounded
(0.33 万元 for a third of 1 万元), so the product may miss the amount by up to half a unit
in the price's last written place per unit of quantity; only a larger gap is a
contradiction. The place is read in the form's own money unit, at least its second
decimal (金额 on these forms is written to two decimals): 0.95 万元 allows ±50 元 per
unit, 9500.00 元 ±0.005 元 per unit.
"""

from __future__ import annotations

from decimal import Decimal

from normalize.model import CostItem, Declaration
from rules.common import MONEY_UNITS, finding, label, money, show, to_decimal, to_fen, unit_of, yuan
from rules.model import Finding
from rules.registry import NotCheckable, rule

BUDGET = ("funding.current_year", "funding.total")


def _items_sum(d: Declaration) -> Finding | None:
    total = money(d, "cost_total")
    amounts = {f"cost_items[{i}].amount": money(d, f"cost_items[{i}].amount") for i in range(len(d.cost_items))}
    if total is None or all(v is None for v in amounts.values()):
        return None
    items_sum = sum(v or 0 for v in amounts.values())
    if items_sum == total:
        return None
    unit = unit_of(d)
    terms = " + ".join(show(v, unit) if v is not None else "(空)" for v in amounts.values())
    shown = f"{terms} = {show(items_sum, unit)}" if len(amounts) > 1 else terms
    message = f"成本明细金额 {shown} ≠ 金额合计 {show(total, unit)}"
    given = [p for p, v in amounts.items() if v is not None]
    evidence = {
        "figures": {"cost_total": yuan(total), **{p: yuan(amounts[p]) for p in given}},
        "sum": yuan(items_sum),
        "difference": yuan(total - items_sum),
    }
    return finding(d, "COST_TOTAL_MISMATCH", message, ["cost_total", *given], evidence)


def _total_vs_budget(d: Declaration) -> Finding | None:
    total = money(d, "cost_total")
    budget = {p: v for p in BUDGET if (v := money(d, p)) is not None}
    if total is None or not budget or total in budget.values():
        return None
    unit = unit_of(d)
    against = "，也 ≠ ".join(f"{label(d, p)} {show(v, unit)}" for p, v in budget.items())
    message = f"金额合计 {show(total, unit)} ≠ {against}"
    evidence = {"figures": {"cost_total": yuan(total), **{p: yuan(v) for p, v in budget.items()}}}
    return finding(d, "COST_TOTAL_MISMATCH", message, ["cost_total", *budget], evidence)


@rule(
    "COST_TOTAL_MISMATCH",
    "error",
    "cost item amounts add up to 金额合计, and 金额合计 equals the budget",
    needs=("cost_total", "cost_items[].amount", "funding.total"),
)
def cost_total(d: Declaration) -> list[Finding]:
    if d.cost_total is None:
        raise NotCheckable("没有金额合计")
    found = [_items_sum(d), _total_vs_budget(d)]
    return [f for f in found if f is not None]


def price_rounding(price_fen: int, unit: str) -> Decimal:
    """Half a unit in the last written place of a unit price, in fen (see module doc)."""
    in_unit = (Decimal(price_fen) / 100 / MONEY_UNITS[unit]).normalize()
    decimals = max(2, -in_unit.as_tuple().exponent)
    return Decimal(MONEY_UNITS[unit]) * 100 / (Decimal(10) ** decimals) / 2


def _unit_mismatch(d: Declaration, i: int, item: CostItem) -> Finding | None:
    base = f"cost_items[{i}]"
    price = to_fen(item.unit_price, f"{base}.unit_price")
    quantity = to_decimal(item.quantity, f"{base}.quantity")
    amount = to_fen(item.amount, f"{base}.amount")
    unit = unit_of(d)
    product = price * quantity
    if abs(product - amount) <= abs(quantity) * price_rounding(price, unit):
        return None
    message = (
        f"成本明细第{i + 1}项“{item.item}”：{show(price, unit)} × {quantity.normalize():f} = "
        f"{show(product, unit)} ≠ {show(amount, unit)}"
    )
    paths = [f"{base}.amount", f"{base}.unit_price", f"{base}.quantity"]
    evidence = {
        "figures": {paths[0]: item.amount, paths[1]: item.unit_price, paths[2]: item.quantity},
        "product": yuan(product),
        "difference": yuan(amount - product),
    }
    return finding(d, "COST_UNIT_MISMATCH", message, paths, evidence)


@rule(
    "COST_UNIT_MISMATCH",
    "error",
    "unit price × quantity equals each cost item's amount",
    needs=("cost_items[].unit_price", "cost_items[].quantity", "cost_items[].amount"),
)
def cost_units(d: Declaration) -> list[Finding]:
    complete = [
        (i, item) for i, item in enumerate(d.cost_items)
        if all(v is not None and str(v).strip() for v in (item.unit_price, item.quantity, item.amount))
    ]
    if not complete:
        raise NotCheckable("没有同时填写单价、数量和金额的成本明细")
    found = [_unit_mismatch(d, i, item) for i, item in complete]
    return [f for f in found if f is not None]
