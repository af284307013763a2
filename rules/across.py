"""Rules that compare filings with each other, over everything given in one run.

Two filings are of the same project when their filing units are equal (after unifying
width and spacing) and their project names are equal after normalisation (width,
spaces, punctuation and a year such as `2019年度` removed) or very close (rapidfuzz ratio
>= 90). Close names that differ in any digit or numeral (`一期` / `二期`) are different
projects. A filing with no unit or no name is never grouped.

The same filing given twice (same content, so the same id) or two records equal in
everything but their source are duplicates, not conflicts.

Every rule here compares filings of one filing unit only, so a batch can be checked unit
by unit (`unit_key`) with the same findings: a large archive need not be held in memory
at once, and a unit with a single filing needs no check at all.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import combinations

import regex
from rapidfuzz.fuzz import ratio

from normalize.model import Declaration
from rules.citations import group_citations, text_key
from rules.common import finding, label, money, show, unit_of, yuan
from rules.model import Finding
from rules.registry import NotCheckable, rule

SAME_NAME_RATIO = 90
MONEY_PATHS = (
    "funding.total", "funding.current_year", "funding.fiscal", "funding.fiscal_upper",
    "funding.fiscal_own", "funding.fiscal_lower", "funding.other", "cost_total",
)
_YEAR = regex.compile(r"(?:19|20)\d{2}年度?")
_NOISE = regex.compile(r"[\p{P}\p{S}\s]+")
_NUMERALS = regex.compile(r"[0-9零〇一二三四五六七八九十百千万两]")


def unit_key(filing_unit: str | None) -> str | None:
    """The filing unit as these rules compare it; None (never compared) without one."""
    return text_key(filing_unit) if filing_unit else None


def name_key(name: str) -> str:
    """A project name as compared: `２０１９年 居民小区（综合）治理` -> `居民小区综合治理`."""
    text = unicodedata.normalize("NFKC", name)
    return _YEAR.sub("", _NOISE.sub("", text))


def _clusters(keys: list[str]) -> list[list[str]]:
    """Distinct name keys joined when very close. Only keys with the same digits and
    numerals can be close, so only those are compared (union-find over the pairs)."""
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_numerals: dict[tuple, list[str]] = defaultdict(list)
    for k in keys:
        by_numerals[tuple(_NUMERALS.findall(k))].append(k)
    for candidates in by_numerals.values():
        for a, b in combinations(candidates, 2):
            if ratio(a, b) >= SAME_NAME_RATIO:
                parent[root(a)] = root(b)
    clusters: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        clusters[root(k)].append(k)
    return list(clusters.values())


def _distinct(declarations: list[Declaration]) -> list[Declaration]:
    """One filing per id, and none equal to an earlier one in everything but where it was
    read (source, provenance, unsure): the same filing saved as .doc and as .pdf. Only
    filings sharing unit, name and year can be equal, so only those are compared whole."""
    shared = Counter((d.filing_unit, d.project.name, d.year) for d in declarations)
    seen: set[str] = set()
    out = []
    for d in declarations:
        if d.id in seen:
            continue
        seen.add(d.id)
        if shared[(d.filing_unit, d.project.name, d.year)] > 1:
            record = json.dumps(d.model_dump(mode="json", exclude={"source", "provenance", "unsure"}),
                                sort_keys=True, ensure_ascii=False)
            if record in seen:
                continue
            seen.add(record)
        out.append(d)
    return out


def projects(declarations: list[Declaration]) -> list[list[Declaration]]:
    """The given filings grouped by project (see module doc), groups of two or more only."""
    by_unit: dict[str, dict[str, list[Declaration]]] = defaultdict(lambda: defaultdict(list))
    for d in _distinct(declarations):
        key = name_key(d.project.name or "")
        if d.filing_unit and key:
            by_unit[unit_key(d.filing_unit)][key].append(d)
    groups = []
    for names in by_unit.values():
        for cluster in _clusters(list(names)):
            group = [d for key in cluster for d in names[key]]
            if len(group) > 1:
                groups.append(group)
    return groups


def _amount(d: Declaration, path: str) -> int | None:
    """Money at `path` in fen; an unreadable value is treated as not stated (cross-filing
    rules have no not-checked channel, and the per-filing rules already report it)."""
    try:
        return money(d, path)
    except NotCheckable:
        return None


def indicator_set(d: Declaration) -> frozenset[tuple[str, str | None]]:
    return frozenset((i.name, i.target.raw) for i in d.indicators)


def _other_sources(d: Declaration) -> list[tuple[str, str]]:
    return sorted((s.label, s.amount or "") for s in d.funding.other_sources)


def _differences(a: Declaration, b: Declaration) -> dict:
    """Where two filings of one project and year disagree: money both state (in fen),
    other sources when both list them, indicators when both have them."""
    diff: dict = {}
    money_diff = {
        p: (va, vb) for p in MONEY_PATHS
        if (va := _amount(a, p)) is not None and (vb := _amount(b, p)) is not None and va != vb
    }
    if money_diff:
        diff["money"] = money_diff
    if _other_sources(a) and _other_sources(b) and _other_sources(a) != _other_sources(b):
        diff["other_sources"] = {"here": _other_sources(a), "there": _other_sources(b)}
    ind_a, ind_b = indicator_set(a), indicator_set(b)
    if ind_a and ind_b and ind_a != ind_b:
        diff["indicators"] = {
            "only_here": sorted(f"{n}：{t}" for n, t in ind_a - ind_b),
            "only_there": sorted(f"{n}：{t}" for n, t in ind_b - ind_a),
        }
    return diff


def _describe(d: Declaration, diff: dict) -> str:
    unit = unit_of(d)
    money_diff = diff.get("money", {})
    parts = [f"{label(d, p)} {show(here, unit)} ≠ {show(there, unit)}" for p, (here, there) in money_diff.items()]
    if "other_sources" in diff:
        parts.append("其他资金来源不同")
    if "indicators" in diff:
        parts.append("绩效指标不同")
    return "，".join(parts)


def _as_evidence(other: Declaration, diff: dict) -> dict:
    """A difference as evidence: money back in the record's yuan notation."""
    evidence = {"declaration": other.id, **diff}
    if "money" in diff:
        evidence["money"] = {p: [yuan(here), yuan(there)] for p, (here, there) in diff["money"].items()}
    return evidence


def _diff_paths(diffs: list[dict]) -> list[str]:
    paths = {p for diff in diffs for p in diff.get("money", {})}
    paths |= {"funding.other_sources" for diff in diffs if "other_sources" in diff}
    paths |= {"indicators" for diff in diffs if "indicators" in diff}
    return sorted(paths)


def _duplicate_finding(d: Declaration, year: int, conflicts: list[tuple[Declaration, dict]]) -> Finding:
    described = "；".join(f"与 {o.id[:12]}…:{o.source.record_index}：{_describe(d, diff)}"
                         for o, diff in conflicts)
    message = (f"同一单位同一项目（{d.project.name}，{year} 年）另有 {len(conflicts)} 份申报"
               f"与本表不一致：{described}")
    evidence = {"year": year, "conflicts": [_as_evidence(o, diff) for o, diff in conflicts]}
    paths = _diff_paths([diff for _, diff in conflicts])
    return finding(d, "DUPLICATE_FILING_CONFLICT", message, paths, evidence, related=[o.id for o, _ in conflicts])


@rule("DUPLICATE_FILING_CONFLICT", "error",
      "two filings of one unit, project and year agree on money and indicators", across=True)
def duplicate_conflicts(declarations: list[Declaration]) -> list[Finding]:
    """One finding per filing that disagrees with another of its project and year,
    naming all the filings it disagrees with."""
    found = []
    for group in projects(declarations):
        by_year: dict[int, list[Declaration]] = defaultdict(list)
        for d in group:
            if d.year is not None:
                by_year[d.year].append(d)
        for year, filings in by_year.items():
            for d in filings:
                conflicts = [(o, diff) for o in filings if o is not d and (diff := _differences(d, o))]
                if conflicts:
                    found.append(_duplicate_finding(d, year, conflicts))
    return found


def _budget_path(a: Declaration, b: Declaration) -> str | None:
    """The budget line both filings state: 项目总预算, else 当年预算."""
    for path in ("funding.total", "funding.current_year"):
        if _amount(a, path) is not None and _amount(b, path) is not None:
            return path
    return None


def _jump(before: Declaration, after: Declaration) -> Finding | None:
    indicators = indicator_set(before)
    if not indicators or indicators != indicator_set(after):
        return None
    path = _budget_path(before, after)
    if path is None:
        return None
    old, new = _amount(before, path), _amount(after, path)
    if 2 * abs(new - old) <= old:
        return None
    unit = unit_of(after)
    change = f"（{(Decimal(new - old) * 100 / old).quantize(Decimal('0.1')):+}%）" if old else ""
    message = (
        f"同一项目 {before.year} 年 → {after.year} 年{label(after, path)}由 {show(old, unit)} 变为 "
        f"{show(new, unit)}{change}，绩效指标（{len(indicators)} 项）完全相同"
    )
    evidence = {
        "path": path,
        "from": {"declaration": before.id, "year": before.year, "amount": yuan(old)},
        "to": {"declaration": after.id, "year": after.year, "amount": yuan(new)},
    }
    return finding(after, "CROSS_YEAR_JUMP", message, [path], evidence, related=[before.id])


@rule("CROSS_YEAR_JUMP", "warning",
      "a project's budget does not change by more than half from one year to the next with identical indicators",
      across=True)
def cross_year_jumps(declarations: list[Declaration]) -> list[Finding]:
    found = []
    for group in projects(declarations):
        for a, b in combinations(group, 2):
            if a.year is None or b.year is None or abs(a.year - b.year) != 1:
                continue
            before, after = (a, b) if a.year < b.year else (b, a)
            found.append(_jump(before, after))
    return [f for f in found if f is not None]


def _citation_finding(d: Declaration, group: dict, others: list[tuple[Declaration, dict]]) -> Finding:
    numbers = list(dict.fromkeys(n for _, g in [(d, group), *others] for n in g["values"].values()))
    theirs = list(dict.fromkeys(n for _, g in others for n in g["values"].values()))
    message = (
        f"《{group['written']}》本表引用为 {'、'.join(group['values'].values())}，"
        f"本单位其他 {len(others)} 份申报引用为 {'、'.join(theirs)}"
    )
    evidence = {
        "title": group["written"],
        "numbers": numbers,
        "by_filing": {x.id: list(g["values"].values()) for x, g in [(d, group), *others]},
    }
    return finding(d, "CITATION_NUMBER_CONFLICT", message, group["paths"], evidence,
                   related=[o.id for o, _ in others])


@rule("CITATION_NUMBER_CONFLICT", "warning",
      "a unit cites each document title with one number across its filings", across=True)
def citation_conflicts_across(declarations: list[Declaration]) -> list[Finding]:
    """Per unit and title, filings are grouped by the numbers they cite it under; each
    filing is in conflict with the filings of every other group."""
    cited: dict[tuple[str, str], dict[frozenset, list]] = defaultdict(lambda: defaultdict(list))
    for d in _distinct(declarations):
        if not d.filing_unit:
            continue
        for title, group in group_citations(d, "title", "number").items():
            cited[(unit_key(d.filing_unit), title)][frozenset(group["values"])].append((d, group))
    found = []
    for by_numbers in cited.values():
        for numbers, filings in by_numbers.items():
            others = [x for key, xs in by_numbers.items() if key != numbers for x in xs]
            found.extend(_citation_finding(d, group, others) for d, group in filings if others)
    return found
