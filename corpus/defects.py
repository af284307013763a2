"""Defects injected into generated filings, and the findings each must raise.

A defect changes a Filing the way a careless filer would (a sum that does not add up,
a known typo, a document cited under two numbers, …); the gold keeps what is written
(or, for a typo, the correction). Every defect names the finding code it must raise.
A pair defect (duplicate, cross-year) also returns a companion filing, filed beside it.
`expected_findings` turns gold records and injected codes into NAME.findings.json.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Callable

from corpus.layout import generic, template_paths
from corpus.records import YEARS, Filing, cite, money, pools, rescale

# Finding codes of the contract (README "Finding codes").
CODES = [
    "FUND_SUM_MISMATCH", "COST_TOTAL_MISMATCH", "COST_UNIT_MISMATCH", "PROSE_TABLE_MISMATCH",
    "CATEGORY_UNCHECKED", "CATEGORY_MULTIPLE", "DATE_RANGE_INVALID", "REQUIRED_MISSING",
    "SIGNATURE_MISSING", "CITATION_NUMBER_CONFLICT", "CITATION_TITLE_CONFLICT", "TYPO_CORRECTED",
    "INDICATOR_NOT_QUANTIFIED", "DUPLICATE_FILING_CONFLICT", "CROSS_YEAR_JUMP",
]
# Where a known typo may be planted: prose, not names, numbers or cited titles.
TYPO_FIELDS = ("narrative.overview", "narrative.necessity", "narrative.feasibility", "narrative.resources",
               "narrative.overall_goals[]", "narrative.annual_goal", "narrative.other_notes",
               "narrative.activities[]", "indicators[].note", "guarantees[].measures")

Defect = Callable[[random.Random, Filing], "bool | Filing"]
DEFECTS: dict[str, tuple[str, Defect]] = {}


def defect(name: str, code: str):
    """Register a defect: it returns False when the filing offers it no place, True when
    applied, or the companion filing of a pair."""

    def register(func: Defect) -> Defect:
        DEFECTS[name] = (code, func)
        return func

    return register


def inject(rng: random.Random, filing: Filing, name: str) -> Filing | None:
    """Apply defect `name`; returns the companion filing of a pair defect, else None.
    The code it must raise is added to the filing (and its companion)."""
    code, func = DEFECTS[name]
    result = func(rng, filing)
    if result is False:
        return None
    filing.defects.append(name)
    filing.codes.add(code)
    if isinstance(result, Filing):
        result.defects.append(name)
        result.codes.add(code)
        return result
    return None


def shows(filing: Filing, path: str) -> bool:
    """Whether the filing's template shows the field at `path` (a concrete path)."""
    shown = template_paths(filing.template)
    g = generic(path).removesuffix("[]")
    return g in shown or any(g.startswith(s + ".") or g.startswith(s + "[") for s in shown)


@defect("typo", "TYPO_CORRECTED")
def _typo(rng, filing: Filing) -> bool:
    record = filing.record.to_json()
    hosts = []
    for path, text in _strings(record, ""):
        if generic(path) in TYPO_FIELDS and shows(filing, path):
            hosts += [(path, wrong, right) for wrong, right in pools().typos if right in text and wrong not in text]
    if not hosts:
        return False
    filing.typos.append(rng.choice(hosts))
    return True


def _strings(node, path: str):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{path}[{i}]")


def _bump(rng) -> Decimal:
    return Decimal(rng.choice((1, 2, 5))) * 10000


@defect("fund_sum", "FUND_SUM_MISMATCH")
def _fund_sum(rng, filing: Filing) -> bool:
    funding = filing.record.funding
    if not shows(filing, "funding.fiscal") or funding.fiscal is None:
        return False
    funding.fiscal = money(Decimal(funding.fiscal) + _bump(rng))
    return True


@defect("cost_total", "COST_TOTAL_MISMATCH")
def _cost_total(rng, filing: Filing) -> bool:
    if not (shows(filing, "cost_total") and filing.record.cost_items):
        return False
    filing.record.cost_total = money(Decimal(filing.record.cost_total) + _bump(rng))
    return True


UNIT_YUAN = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}


@defect("cost_unit", "COST_UNIT_MISMATCH")
def _cost_unit(rng, filing: Filing) -> bool:
    """The last cost line's unit price made wrong (the first line's figures are
    restated in the prose; a wrong price there would be a prose conflict too). It is
    raised by at least one whole unit of the form's money unit: a smaller change could
    hide inside the rounding of a price written in 万元."""
    items = filing.record.cost_items
    if not (shows(filing, "cost_items[0].unit_price") and len(items) > 1):
        return False
    item = items[-1]
    price = Decimal(item.unit_price)
    item.unit_price = money(price + max(price * Decimal(rng.choice(("0.5", "1"))), UNIT_YUAN[filing.record.amount_unit or "元"]))
    return True


@defect("prose", "PROSE_TABLE_MISMATCH")
def _prose(rng, filing: Filing) -> bool:
    """The activities' N*P sentence counts one more than the cost table."""
    facts, narrative = filing.facts, filing.record.narrative
    qty = facts["costs"][0]["qty"]
    last = narrative.activities[-1] if narrative.activities else ""
    if not (shows(filing, "narrative.activities") and shows(filing, "cost_items[0].quantity") and f"{qty}*" in last):
        return False
    narrative.activities[-1] = last.replace(f"{qty}*", f"{qty + 1}*")
    return True


@defect("category_multiple", "CATEGORY_MULTIPLE")
def _category_multiple(rng, filing: Filing) -> bool:
    options = filing.record.project.category_options
    if not (shows(filing, "project.category_options") and len(options) > 1):
        return False
    for option in rng.sample(options, 2):
        option.checked = True
    filing.unscored.add("project.category")  # which one is meant cannot be known
    return True


@defect("date_order", "DATE_RANGE_INVALID")
def _date_order(rng, filing: Filing) -> bool:
    project = filing.record.project
    if not shows(filing, "project.start_date"):
        return False
    if filing.style.get("period") == "month_range":
        filing.style["period"] = "cn_range"
        filing.unscored -= {"project.start_date", "project.end_date"}
    project.start_date, project.end_date = project.end_date, project.start_date
    if project.start_date == project.end_date:
        return False
    return True


@defect("citation_numbers", "CITATION_NUMBER_CONFLICT")
def _citation_numbers(rng, filing: Filing) -> bool:
    """A document already cited is cited again, in the basis, under another number."""
    narrative = filing.record.narrative
    cited = [c for c, host in filing.cited if c.number and shows(filing, host)]
    if not (cited and shows(filing, "narrative.basis")):
        return False
    narrative.basis += "；" + cite(rng, filing, "narrative.basis", numbered=True, like=rng.choice(cited))
    return True


@defect("missing_lead", "REQUIRED_MISSING")
def _missing_lead(rng, filing: Filing) -> bool:
    if not shows(filing, "project.lead"):
        return False
    filing.record.project.lead = None
    return True


@defect("duplicate", "DUPLICATE_FILING_CONFLICT")
def _duplicate(rng, filing: Filing) -> Filing:
    """The same unit, project and year filed again with every amount doubled."""
    twin = filing.copy()
    twin.seed = rng.getrandbits(32)
    rescale(twin, 2)
    return twin


@defect("cross_year", "CROSS_YEAR_JUMP")
def _cross_year(rng, filing: Filing) -> Filing:
    """The project filed for the next year with the budget tripled, indicators unchanged
    (a filing of the last year is moved a year back first, so both stay in range)."""
    if filing.record.year >= YEARS[1]:
        _shift_year(filing, -1)
    later = filing.copy()
    later.seed = rng.getrandbits(32)
    _shift_year(later, 1)
    rescale(later, 3)
    return later


def _shift_year(filing: Filing, years: int) -> None:
    record = filing.record
    record.year += years
    project, signatures = record.project, record.signatures
    project.start_date, project.end_date, signatures.date = (
        _plus_years(d, years) for d in (project.start_date, project.end_date, signatures.date))


def _plus_years(iso: str | None, years: int) -> str | None:
    if iso is None:
        return None
    d = date.fromisoformat(iso)
    return d.replace(year=d.year + years).isoformat()


def expected_findings(golds: list[dict], filings: list[Filing]) -> dict:
    """NAME.findings.json for a file: codes its defects inject plus those its gold
    records call for by the contract's definitions (a qualitative target, a blank
    signature, …); every other contract code must not fire."""
    expected = {code for filing in filings for code in filing.codes}
    for record in golds:
        expected |= _called_for(record)
    return {
        "expected": [{"code": code} for code in CODES if code in expected],
        "must_not_fire": [code for code in CODES if code not in expected],
        "_defects": sorted({d for filing in filings for d in filing.defects}),
    }


def _called_for(record: dict) -> set[str]:
    project, funding = record.get("project", {}), record.get("funding", {})
    required = [project.get("name"), record.get("year"), record.get("filing_unit"), project.get("lead"),
                project.get("phone"), funding.get("total")]
    checked = [o["checked"] for o in project.get("category_options", [])]
    codes = {
        "REQUIRED_MISSING": any(v is None for v in required),
        "SIGNATURE_MISSING": any(v is None for v in record.get("signatures", {}).values()),
        "INDICATOR_NOT_QUANTIFIED": any(i["target"]["kind"] == "qualitative" for i in record.get("indicators", [])),
        "CATEGORY_UNCHECKED": bool(checked) and not any(checked),
        "CATEGORY_MULTIPLE": sum(checked) > 1,
        "TYPO_CORRECTED": bool(record.get("corrections")),
    }
    return {code for code, due in codes.items() if due}
