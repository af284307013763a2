"""Random but plausible filings, as the gold records they must come out as.

A `Filing` is the truth about one generated declaration: the contract record (every
value the way the contract wants it: money in yuan, ISO dates, list items bare) plus
how the form writes it (date and list styles, typos, where each citation is written).
`corpus.layout` turns a Filing into a Document and into its gold, so the two cannot
drift. Everything drawn here comes from the data files in `corpus/data/` and the
template's own vocabulary (`corpus/templates/*.json`); this module only combines them.
"""

from __future__ import annotations

import hashlib

import copy
import json
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from normalize.model import (
    CategoryOption, Citation, CostItem, Declaration, Form, Funding, Guarantee, Indicator,
    Narrative, OtherSource, Project, Signatures, Source, Stages, Target,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TEMPLATES = HERE / "templates"
YEARS = (2015, 2025)
# Categories in the order forms list them, so rows of one first-level label stay together.
CATEGORY_ORDER = ["quantity", "quality", "timeliness", "cost", "economic", "social", "ecological",
                  "sustainability", "capacity", "satisfaction"]


@dataclass
class Pools:
    regions: dict
    people: dict
    topics: list[dict]
    citations: dict
    guarantees: list[dict]
    targets: dict
    typos: list[tuple[str, str]]  # (wrong, right)


@lru_cache(maxsize=1)
def pools() -> Pools:
    def load(name: str):
        return json.loads((DATA / name).read_text(encoding="utf-8"))

    typos = []
    for line in (DATA / "typos.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            wrong, right = line.split("\t")[:2]
            typos.append((wrong, right))
    return Pools(load("regions.json"), load("people.json"), load("topics.json")["topics"],
                 load("citations.json"), load("guarantees.json")["kinds"], load("targets.json"), typos)


@lru_cache(maxsize=1)
def templates() -> dict[str, dict]:
    """Every template family, by name, in name order (generation is deterministic)."""
    out = {}
    for path in sorted(TEMPLATES.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        out[spec["family"]] = spec
    return out


@dataclass
class Filing:
    """One generated declaration: its gold record and how the form writes it."""

    record: Declaration
    template: dict
    style: dict[str, str]               # date / period / list / money style, chosen per filing
    seed: int                           # drives label-variant choices when laid out
    typos: list[tuple[str, str, str]] = field(default_factory=list)  # (path, wrong, right)
    cited: list[tuple[Citation, str]] = field(default_factory=list)  # citation, path of the text citing it
    unscored: set[str] = field(default_factory=set)  # generic paths the gold leaves out
    codes: set[str] = field(default_factory=set)     # finding codes injected defects must raise
    defects: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)        # figures prose and indicators were built from

    def copy(self) -> "Filing":
        return copy.deepcopy(self)


def money(yuan: int | Decimal) -> str:
    """Yuan as the contract writes it: two decimals."""
    return f"{Decimal(yuan):.2f}"


def wan(yuan: int | Decimal) -> str:
    """Yuan written in 万元, without trailing zeros (199500 -> '19.95')."""
    return format((Decimal(yuan) / 10000).normalize(), "f")


def new_filing(rng: random.Random, template: dict, used: set, base: Filing | None = None) -> Filing:
    """A fresh filing on `template`. With `base`, the same unit files another project in
    the same year (a unit's budget publication). `used` holds (unit, project) pairs
    already generated, so unrelated filings never look like duplicates of each other."""
    p = pools()
    topic = rng.choice(p.topics)
    if base is None:
        region = p.regions["regions"][rng.choice(template["regions"])]
        district = rng.choice(region["districts"])
        place = rng.choice(district["places"])
        names = _place_names(rng, region, district, place, p)
        filer = rng.choice(topic["filers"])
        who = {k: _fill(v, names) for k, v in filer.items()}
        year = rng.randint(*YEARS)
        facts = {"region": region, "district": district, "names": names, "who": who}
    else:
        year, facts = base.record.year, dict(base.facts)
        region, district, names, who = facts["region"], facts["district"], facts["names"], facts["who"]
    name = _project_name(rng, topic, who["unit"], used)

    costs = [_cost(rng, spec) for spec in topic["costs"]]
    total = sum(c["amount"] for c in costs)
    figures = {"year": year, **names, "area": who["area"]}
    for i, c in enumerate(costs):
        figures[f"qty{i}"], figures[f"price{i}"] = c["qty"], c["price"]
    facts = {**facts, "topic": topic["key"], "costs": costs, "total": total, "figures": figures}

    style = {kind: rng.choice(choices) for kind, choices in template["styles"].items()}
    filing = Filing(Declaration(source=_NO_SOURCE), template, style, rng.getrandbits(32), facts=facts)
    if style.get("period") == "month_range":  # month precision: the day is unknowable
        filing.unscored |= {"project.start_date", "project.end_date"}

    record = filing.record
    record.form = Form(title=template["form"]["title"], parts=list(template["form"]["parts"]))
    record.year = year
    record.filing_unit = who["unit"]
    record.amount_unit = rng.choice(template["amount_units"])
    record.project = _project(rng, template, name, who, year, region, p)
    record.funding = _funding(rng, template.get("funding", {}), total)
    record.narrative = _narrative(rng, topic, figures, filing)
    record.indicators = _indicators(rng, template, topic, facts)
    record.cost_items = [_cost_item(rng, c, name, i, filing) for i, c in enumerate(costs)]
    record.cost_total = money(total)
    record.guarantees = _guarantees(rng, template, filing)
    if rng.random() < template.get("signatures", 0):
        record.signatures = Signatures(unit_head=_person(rng, p), preparer=_person(rng, p),
                                       date=date(year - 1, rng.randint(9, 12), rng.randint(1, 28)).isoformat())
    return filing


_NO_SOURCE = Source(path="", sha256="0" * 64, format="txt")


def _fill(text: str, values: dict) -> str:
    return text.format_map(values)


def _place_names(rng, region, district, place, p: Pools) -> dict:
    suffix = next((s for k, s in p.regions["office_suffix"].items() if place.endswith(k)), "办事处")
    return {
        "city": region["city"] if rng.random() < 0.5 else "",
        "province": region["province"], "p": region["short"], "d": district["short"],
        "district": district["name"], "place": place, "office": place + suffix,
        "school": rng.choice(p.regions["schools"]),
    }


PHASES = ["", "（二期）", "（三期）", "（四期）", "（五期）", "（六期）"]


def _project_name(rng, topic: dict, unit: str, used: set) -> str:
    """One of the topic's names, made a later phase when the unit already has it."""
    name = rng.choice(topic["names"])
    n = 0
    while True:
        candidate = name + (PHASES[n] if n < len(PHASES) else f"（{n + 1}期）")
        if (unit, candidate) not in used:
            used.add((unit, candidate))
            return candidate
        n += 1


def _person(rng, p: Pools) -> str:
    given = "".join(rng.choice(p.people["given"]) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(p.people["surnames"]) + given


def _phone(rng, region: dict) -> str:
    pattern = rng.choice(region["phones"])
    return pattern.format(
        d8=str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(7)),
        d7=str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(6)),
        mobile="1" + rng.choice("35789") + "".join(str(rng.randint(0, 9)) for _ in range(9)),
    )


def _project(rng, template, name, who, year, region, p: Pools) -> Project:
    start = date(year, rng.choice((1, 1, 1, 3, 4, 6)), 1)
    end = date(year, 12, 31) if rng.random() < 0.7 else date(year, rng.randint(max(start.month + 2, 7), 11), 30)
    project = Project(
        name=name, department=who["department"], implementing_unit=who["implementer"],
        lead=_person(rng, p), contact=_person(rng, p) if rng.random() < 0.8 else None,
        phone=_phone(rng, region), start_date=start.isoformat(), end_date=end.isoformat(),
        code=f"{year}{rng.randint(10, 99)}{rng.randint(0, 9999):04d}",
    )
    options = template.get("category_options")
    if options:
        ticked = rng.randrange(len(options)) if rng.random() < 0.85 else None
        project.category_options = [CategoryOption(label=o, checked=i == ticked) for i, o in enumerate(options)]
        project.category = options[ticked] if ticked is not None else None
    if template.get("attribute_options"):
        project.attribute = rng.choice(("new", "continuing"))
    return project


def _share(rng, whole: int) -> int:
    """A part of `whole`, in round hundreds of yuan."""
    return min(whole, int(whole * rng.uniform(0.1, 0.4)) // 100 * 100)


def _funding(rng, spec: dict, total: int) -> Funding:
    other = _share(rng, total) if rng.random() < spec.get("other", 0) else 0
    fiscal = total - other
    upper = _share(rng, fiscal) if rng.random() < spec.get("upper", 0) else 0
    lower = _share(rng, fiscal - upper) if rng.random() < spec.get("lower", 0) else 0
    own = fiscal - upper - lower
    zero = spec.get("zero_fill", False)

    def shown(yuan: int) -> str | None:  # an empty cell unless the form writes zeros
        return money(yuan) if yuan or zero else None

    funding = Funding(total=money(total), current_year=money(total), fiscal=money(fiscal),
                      fiscal_upper=shown(upper), fiscal_own=money(own), fiscal_lower=shown(lower),
                      other=shown(other) if rng.random() < 0.5 else money(other))
    labels = spec.get("other_sources", [])
    if labels:
        first = _share(rng, other) if rng.random() < 0.3 else 0
        amounts = [first] + [0] * (len(labels) - 2) + [other - first]
        funding.other_sources = [OtherSource(label=l, amount=money(a)) for l, a in zip(labels, amounts)]
    return funding


def _cost(rng, spec: dict) -> dict:
    qty, price = rng.randint(*spec["qty"]), rng.choice(spec["price"])
    return {"spec": spec, "qty": qty, "price": price, "amount": qty * price}


def _cost_item(rng, cost: dict, project: str, index: int, filing: Filing) -> CostItem:
    spec = cost["spec"]
    basis = rng.choice(spec["price_basis"])
    item = CostItem(project=project, content=spec["content"], item=spec["item"], amount=money(cost["amount"]),
                    unit_price=money(cost["price"]), quantity=str(cost["qty"]),
                    quantity_basis=rng.choice(spec["quantity_basis"]),
                    note="年度项目" if rng.random() < 0.3 else None)
    if basis == "{cite}":
        basis = "依据" + cite(rng, filing, f"cost_items[{index}].price_basis", numbered=True)
    item.price_basis = _fill(basis, filing.facts["figures"])
    return item


PROSE_FIELDS = ("overview", "necessity", "feasibility", "annual_goal", "other_notes")


def _narrative(rng, topic: dict, figures: dict, filing: Filing) -> Narrative:
    """The prose, from the topic's texts. The unfilled texts are kept in the facts, so a
    copy of the filing with other figures (`refill`) restates them consistently."""
    texts = {key: rng.choice(topic[key]) for key in PROSE_FIELDS}
    texts["resources"] = "\n".join(topic["resources"][: rng.randint(1, len(topic["resources"]))])
    texts["activities"] = topic["activities"][: rng.randint(2, len(topic["activities"]))]
    if rng.random() < 0.7:
        texts["activities"] = texts["activities"] + [topic["prose"]]
    filing.facts["texts"] = texts
    goals = [g for g in topic["goals"] if rng.random() < 0.85] or topic["goals"][:2]
    joiner = rng.choice(pools().citations["joiners"])
    basis = joiner.join(cite(rng, filing, "narrative.basis", numbered=True) for _ in range(rng.randint(1, 3)))
    narrative = Narrative(basis=basis, overall_goals=goals)
    _fill_prose(narrative, texts, figures)
    return narrative


def _fill_prose(narrative: Narrative, texts: dict, figures: dict) -> None:
    for key in (*PROSE_FIELDS, "resources"):
        setattr(narrative, key, _fill(texts[key], figures))
    narrative.activities = [_fill(a, figures) for a in texts["activities"]]


def rescale(filing: Filing, factor: int) -> None:
    """Every amount of the filing times `factor` (quantities too, unit prices kept), the
    prose restating the new figures: the same project with another budget."""
    record, facts = filing.record, filing.facts
    funding = record.funding
    for key in ("total", "current_year", "fiscal", "fiscal_upper", "fiscal_own", "fiscal_lower", "other"):
        value = getattr(funding, key)
        if value is not None:
            setattr(funding, key, money(Decimal(value) * factor))
    for source in funding.other_sources:
        source.amount = money(Decimal(source.amount) * factor) if source.amount is not None else None
    for item, cost in zip(record.cost_items, facts["costs"]):
        cost["qty"], cost["amount"] = cost["qty"] * factor, cost["amount"] * factor
        item.quantity, item.amount = str(cost["qty"]), money(cost["amount"])
    facts["total"] *= factor
    record.cost_total = money(facts["total"])
    for i, cost in enumerate(facts["costs"]):
        facts["figures"][f"qty{i}"] = cost["qty"]
    _fill_prose(record.narrative, facts["texts"], facts["figures"])


def cite(rng, filing: Filing, host: str, numbered: bool, like: Citation | None = None) -> str:
    """A citation written into the text at `host`, recorded with the filing. `like`
    cites that document's title again under a new number (a conflict)."""
    p, names = pools(), filing.facts["names"]
    taken = {(c.title, c.number) for c, _ in filing.cited}
    titles = {c.title for c, _ in filing.cited}
    numbers = {c.number for c, _ in filing.cited}
    if not numbered:
        title = _fill(rng.choice(p.citations["unnumbered"]), {**names, "unit": filing.record.filing_unit or ""})
        citation = Citation(title=title)
        filing.cited.append((citation, host))
        return f"《{title}》"
    year = filing.record.year or YEARS[1]
    while True:
        if like is not None:
            title, issuer = like.title, like.issuer_code
        else:
            entry = rng.choice(p.citations["numbered"])
            title, issuer = _fill(entry["title"], names), _fill(entry["issuer"], names)
            if title in titles and rng.random() < 0.5:  # cited again elsewhere, same number
                citation, first_host = next((c, h) for c, h in filing.cited if c.title == title)
                if first_host != host and citation.number:
                    filing.cited.append((citation, host))
                    return _written(rng, citation)
        # a document has one number wherever it is cited; only an injected conflict gets another
        c_year, serial = (rng.randint(year - 6, year), rng.randint(1, 300)) if like else _document_number(title, issuer)
        number = f"{issuer}〔{c_year}〕{serial}号"
        if (title in titles) == (like is not None) and number not in numbers and (title, number) not in taken:
            break
    citation = Citation(title=title, number=number, issuer_code=issuer, year=c_year, serial=serial)
    filing.cited.append((citation, host))
    return _written(rng, citation)


def _document_number(title: str, issuer: str) -> tuple[int, int]:
    """The year and serial of a document, the same in every filing that cites it (issued
    before the earliest filing year, so no filing cites a document from its future)."""
    digest = hashlib.sha256(f"{issuer}|{title}".encode("utf-8")).digest()
    return YEARS[0] - 1 - digest[0] % 5, 1 + int.from_bytes(digest[1:3], "big") % 300


def _written(rng, c: Citation) -> str:
    p = pools().citations
    if c.number is None:
        return f"《{c.title}》"
    left, right = rng.choice(p["brackets"])
    number = f"{c.issuer_code}{left}{c.year}{right}{c.serial}号"
    return rng.choice(p["forms"]).format(title=c.title, number=number)


def _indicators(rng, template: dict, topic: dict, facts: dict) -> list[Indicator]:
    levels = template["levels"]
    usable = [s for s in topic["indicators"] if s["cat"] in levels]
    out = []
    for period in template["periods"]:
        k = min(len(usable), rng.randint(*template["indicators"]))
        chosen = sorted(rng.sample(usable, k), key=lambda s: (CATEGORY_ORDER.index(s["cat"]), usable.index(s)))
        for spec in chosen:
            l1, l1_raw, l2, l2_raw = levels[spec["cat"]]
            note = _fill(rng.choice(spec["note"]), facts["figures"]) if spec.get("note") and rng.random() < 0.6 else None
            out.append(Indicator(level1=l1, level1_raw=l1_raw, level2=l2, level2_raw=l2_raw, name=spec["name"],
                                 period=period, target=_target(rng, spec, facts), note=note))
    return out


def _target(rng, spec: dict, facts: dict) -> Target:
    if "qual" in spec:
        return Target(raw=rng.choice(spec["qual"]), kind="qualitative")
    if "from" in spec:
        value = _figure(spec["from"], facts)
    elif "range" in spec:
        value = str(rng.randint(*spec["range"]))
    else:
        value = rng.choice(spec["values"])
    op = rng.choice(spec.get("ops", [">="]))
    raw = rng.choice(pools().targets[op]).format(v=value, u=spec["unit"])
    return Target(raw=raw, kind="quantitative", op=op, value=value, unit=spec["unit"])


def _figure(name: str, facts: dict) -> str:
    """A figure of the filing an indicator restates: qty0, price1, price0_wan, budget_wan."""
    if name == "budget_wan":
        return wan(facts["total"])
    key, _, unit = name.partition("_")
    cost = facts["costs"][int(key[-1])]
    value = cost["qty"] if key.startswith("qty") else cost["price"]
    return wan(value) if unit == "wan" else str(value)


def _guarantees(rng, template: dict, filing: Filing) -> list[Guarantee]:
    if "guarantees" not in template:
        return []
    kinds = rng.sample(pools().guarantees, rng.randint(*template["guarantees"]))
    out = []
    for i, kind in enumerate(kinds):
        host = f"guarantees[{i}].documents"
        if rng.random() < 0.6:
            doc = cite(rng, filing, host, numbered=True)
            documents = f"{i + 1}、{doc}；" if rng.random() < 0.5 else doc
        else:
            documents = cite(rng, filing, host, numbered=False)
        out.append(Guarantee(kind=kind["kind"], documents=documents, measures=rng.choice(kind["measures"]),
                             stages=Stages(planning=rng.random() < 0.8, implementation=rng.random() < 0.8,
                                           completion=True)))
    return out
