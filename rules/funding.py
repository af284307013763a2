"""Do the funding figures add up?

Two sums are checked, each only when the form gives its whole and at least one part:
- 财政拨款 = 上级财政拨款 + 本级财政安排 + 下级财政配套;
- the budget = 财政拨款 + 其他资金 + each other source (自有资金, 事业收入, ...), where the
  budget is 当年预算 when the form has one, else 项目总预算. When 财政拨款 itself is
  blank its three parts stand in for it.
A blank part counts as 0 only when a sibling in the same sum is filled in: a form that
fills in 财政拨款 and leaves 其他资金 blank says "no other money"; a form that leaves every
part blank says nothing, and the sum is not checked.
项目总预算 may exceed 当年预算 (a multi-year project), but 当年预算 cannot exceed it.
"""

from __future__ import annotations

from normalize.model import Declaration
from rules.common import finding, label, money, show, unit_of, yuan
from rules.model import Finding
from rules.registry import NotCheckable, rule

CODE = "FUND_SUM_MISMATCH"
FISCAL_PARTS = ("funding.fiscal_upper", "funding.fiscal_own", "funding.fiscal_lower")


def _funding_parts(d: Declaration) -> list[str]:
    """Paths of what the budget is made of."""
    others = [f"funding.other_sources[{i}].amount" for i in range(len(d.funding.other_sources))]
    fiscal_given = money(d, "funding.fiscal") is not None or all(money(d, p) is None for p in FISCAL_PARTS)
    fiscal = ["funding.fiscal"] if fiscal_given else list(FISCAL_PARTS)
    return [*fiscal, "funding.other", *others]


def _comparable(d: Declaration, whole: str, parts: list[str]) -> bool:
    """A sum is checked only when its whole and at least one part are filled in."""
    return money(d, whole) is not None and any(money(d, p) is not None for p in parts)


def _sum_finding(d: Declaration, whole: str, parts: list[str]) -> Finding | None:
    """The parts' sum against the whole (blank parts as 0); None when they agree."""
    whole_value = money(d, whole)
    values = {p: money(d, p) for p in parts}
    total = sum(v or 0 for v in values.values())
    if total == whole_value:
        return None
    unit = unit_of(d)
    terms = " + ".join(
        f"{label(d, p)} {show(v, unit)}" if v is not None else f"{label(d, p)}(空)" for p, v in values.items()
    )
    message = f"{terms} = {show(total, unit)} ≠ {label(d, whole)} {show(whole_value, unit)}"
    paths = [whole, *(p for p, v in values.items() if v is not None)]
    evidence = {
        "figures": {p: yuan(v) if v is not None else None for p, v in [(whole, whole_value), *values.items()]},
        "sum": yuan(total),
        "difference": yuan(whole_value - total),
    }
    return finding(d, CODE, message, paths, evidence)


def _current_year_over_total(d: Declaration) -> Finding | None:
    current, total = money(d, "funding.current_year"), money(d, "funding.total")
    if current is None or total is None or current <= total:
        return None
    unit = unit_of(d)
    message = f"当年预算 {show(current, unit)} > 项目总预算 {show(total, unit)}"
    paths = ["funding.current_year", "funding.total"]
    evidence = {"figures": {"funding.current_year": yuan(current), "funding.total": yuan(total)}}
    return finding(d, CODE, message, paths, evidence)


@rule(
    CODE,
    "error",
    "funding parts add up: fiscal = upper + own + lower; budget = fiscal + other + other sources",
    needs=("funding.total", "funding.current_year", "funding.fiscal", "funding.other"),
)
def fund_sums(d: Declaration) -> list[Finding]:
    budget = "funding.current_year" if money(d, "funding.current_year") is not None else "funding.total"
    checks = [("funding.fiscal", list(FISCAL_PARTS)), (budget, _funding_parts(d))]
    checkable = [(whole, parts) for whole, parts in checks if _comparable(d, whole, parts)]
    both_budgets = money(d, "funding.current_year") is not None and money(d, "funding.total") is not None
    if not checkable and not both_budgets:
        raise NotCheckable("资金构成不全：没有同时填写合计与其组成部分")
    found = [_sum_finding(d, whole, parts) for whole, parts in checkable] + [_current_year_over_total(d)]
    return [f for f in found if f is not None]
