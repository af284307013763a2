"""Scoring extraction and checks against gold: what `shenbao eval` reports.

A file is scored when a gold record sits beside it: NAME.gold.json, NAME being the
file name without its extension (x.txt and x.docx share x.gold.json; the text
variants x.gbk.txt and x.flat.txt fall back to it too). Gold is one record or a list
(a file holding several filings, in file order).

Fields: every scalar the gold holds is one field, right when the extracted value is
equal (text compared with its ends trimmed). Gold may be partial: a key absent from it
is not scored, keys starting with `_` are notes, `source`/`provenance`/`unsure` are never
scored. List items are matched by content, not position (indicators by name and
period, cost lines by content and item, citations by title and number, …; near
matches pair up too, so a misread name counts as one wrong field, not a miss plus an
invention). A gold item without a match is *missed* (its fields count wrong); an
extracted item without one is *invented* and weighs as many fields as a gold item
would. `_indicators_scope` in the gold: ``complete`` (default) every indicator is
listed, ``subset`` only some are (extra extracted indicators are not invented),
``none`` indicators are not scored.

    accuracy = right fields / (gold fields + fields of invented items)

Findings: NAME.findings.json lists `expected` codes (each must fire on the file's
filings) and `must_not_fire` codes (each firing is a false positive). Rules run over
the files of one folder and format together, as `shenbao check` would over an export,
so cross-filing rules see a duplicate filed beside its twin.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

# The accuracy the committed corpus must keep (tests/test_eval_corpus.py, README).
MIN_ACCURACY_TEXT = 0.98

NOT_SCORED = {"source", "provenance", "unsure", "schema_version"}
# How list items are told apart: the fields naming an item of each list.
ITEM_KEYS = {
    "indicators": ("name", "period"),
    "cost_items": ("content", "item"),
    "guarantees": ("kind",),
    "citations": ("title", "number"),
    "category_options": ("label",),
    "other_sources": ("label",),
    "corrections": ("path", "from", "to"),
}
RECORD_KEY = ("project.name",)
NEAR = 70  # rapidfuzz ratio from which two unmatched items are taken for one another
HEADER = {"year", "filing_unit", "amount_unit"}
GROUP_OF = {"cost_total": "cost_items"}


# ---------------------------------------------------------------- counting

@dataclass
class Tally:
    scored: int = 0
    correct: int = 0

    def add(self, other: "Tally") -> None:
        self.scored += other.scored
        self.correct += other.correct

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.scored if self.scored else None

    def as_dict(self) -> dict:
        return {"accuracy": _round(self.accuracy), "correct": self.correct, "scored": self.scored}


@dataclass
class Items:
    """List items of one list: in the gold, matched, missed, invented."""

    gold: int = 0
    matched: int = 0
    missed: int = 0
    invented: int = 0

    def add(self, other: "Items") -> None:
        for k in ("gold", "matched", "missed", "invented"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Score:
    """Field and item counts of one record, one file or a whole run."""

    fields: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    items: dict[str, Items] = field(default_factory=lambda: defaultdict(Items))
    records: Items = field(default_factory=Items)
    mismatches: list[dict] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.fields.add(other.fields)
        for k, v in other.groups.items():
            self.groups[k].add(v)
        for k, v in other.items.items():
            self.items[k].add(v)
        self.records.add(other.records)

    def _field(self, path: str, right: bool, gold, got) -> None:
        group = _group(path)
        for tally in (self.fields, self.groups[group]):
            tally.scored += 1
            tally.correct += right
        if not right:
            self.mismatches.append({"path": path, "gold": gold, "got": got})

    def _invented(self, path: str, weight: int, got) -> None:
        for tally in (self.fields, self.groups[_group(path)]):
            tally.scored += weight
        self.mismatches.append({"path": path, "gold": None, "got": got, "invented": True})


def _group(path: str) -> str:
    head = re.sub(r"^\[\d+\]\.?", "", path).split(".")[0].split("[")[0]
    return "header" if head in HEADER else GROUP_OF.get(head, head)


# ---------------------------------------------------------------- scoring records

def score_records(gold: dict | list[dict], got: list[dict]) -> Score:
    """Score the records extracted from one file against its gold (one record or a list)."""
    golds = gold if isinstance(gold, list) else [gold]
    score = Score()
    pairs, missed, invented = _match(golds, got, RECORD_KEY, pair_rest=True)
    score.records = Items(len(golds), len(pairs), len(missed), len(invented))
    for i, j in pairs:
        _walk(golds[i], got[j], _label("", golds, i), score, scope=golds[i].get("_indicators_scope", "complete"))
    for i in missed:
        _walk(golds[i], _MISSING, _label("", golds, i), score, scope=golds[i].get("_indicators_scope", "complete"))
    for j in invented:
        score._invented(f"record[{j}]", _weight(got[j], golds[0] if golds else None), _brief(got[j]))
    return score


def score_record(gold: dict, got: dict | None) -> Score:
    """Score one extracted record (None: nothing extracted) against one gold record."""
    return score_records(gold, [] if got is None else [got])


def _label(prefix: str, golds: list, i: int) -> str:
    return prefix if len(golds) == 1 else f"{prefix}[{i}]"


class _Missing:
    """Stands for a record or list item that was not extracted at all: every field
    under it is wrong, even one the gold leaves null."""

    def get(self, key):
        return self

    def __repr__(self) -> str:
        return "None"


_MISSING = _Missing()


def _walk(gold, got, path: str, score: Score, scope: str = "complete") -> None:
    if isinstance(gold, dict):
        got = got if isinstance(got, (dict, _Missing)) else {}
        for key, value in gold.items():
            if key.startswith("_") or (not path or path.startswith("[")) and key in NOT_SCORED:
                continue
            if key == "indicators" and scope == "none":
                continue
            sub = f"{path}.{key}" if path else key
            if isinstance(value, list):
                _list(key, value, got.get(key), sub, score, count_invented=not (key == "indicators" and scope == "subset"))
            else:
                _walk(value, got.get(key), sub, score)
    elif isinstance(gold, list):
        _list("", gold, got, path, score)
    else:
        missing = got is _MISSING
        score._field(path, not missing and _same(gold, got), gold, None if missing else got)


def _list(name: str, gold: list, got, path: str, score: Score, count_invented: bool = True) -> None:
    got = got if isinstance(got, list) else []
    keys = ITEM_KEYS.get(name)
    pairs, missed, invented = _match(gold, got, keys)
    tally = score.items[name or path]
    tally.gold += len(gold)
    tally.matched += len(pairs)
    tally.missed += len(missed)
    for i, j in pairs:
        _walk(gold[i], got[j], f"{path}[{_name(gold[i], keys, i)}]", score)
    for i in missed:
        _walk(gold[i], _MISSING, f"{path}[{_name(gold[i], keys, i)}]", score)
    if count_invented:
        tally.invented += len(invented)
        for j in invented:
            score._invented(f"{path}[+{j}]", _weight(got[j], gold[0] if gold else None), _brief(got[j]))


def _name(item, keys, i: int) -> str:
    if isinstance(item, dict):
        named = [str(item[k]) for k in keys or () if item.get(k) is not None]
        return "/".join(named)[:40] if named else str(i)
    return str(item)[:20]


def _same(gold, got) -> bool:
    if isinstance(gold, str) and isinstance(got, str):
        return gold.strip() == got.strip()
    return gold == got and type(gold) is type(got)


def _key(item, keys: tuple[str, ...] | None, like) -> str:
    """The text an item is matched on: its key fields, those the gold item `like` has
    (all of its fields for a list without declared keys)."""
    if not isinstance(item, dict):
        return item.strip() if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
    fields = keys or tuple(k for k in like if not k.startswith("_"))
    fields = [f for f in fields if _has(like, f)]
    return "\u241f".join(str(_get(item, f) or "").strip() for f in fields)


def _has(item: dict, dotted: str) -> bool:
    *parents, last = dotted.split(".")
    for part in parents:
        item = item.get(part) if isinstance(item, dict) else None
    return isinstance(item, dict) and last in item


def _get(item: dict, dotted: str):
    for part in dotted.split("."):
        item = item.get(part) if isinstance(item, dict) else None
    return item


def _match(gold: list, got: list, keys, pair_rest: bool = False) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs (gold index, got index) matched by key: equal keys first, in order; then the
    nearest of what is left, best pairs first; with `pair_rest`, whatever is still left
    in order. Returns pairs, missed gold indexes, invented got indexes."""
    free = list(range(len(got)))
    pairs, left = [], []
    for i, g in enumerate(gold):
        key = _key(g, keys, g)
        j = next((j for j in free if _key(got[j], keys, g) == key), None)
        if j is None:
            left.append(i)
        else:
            pairs.append((i, j))
            free.remove(j)
    near = sorted(((fuzz.ratio(_key(gold[i], keys, gold[i]), _key(got[j], keys, gold[i])), -i, -j)
                   for i in left for j in free), reverse=True)
    for ratio, i, j in near:
        i, j = -i, -j
        if ratio < NEAR:
            break
        if i in left and j in free:
            pairs.append((i, j))
            left.remove(i)
            free.remove(j)
    if pair_rest:
        rest = list(zip(left, free))
        pairs += rest
        left, free = left[len(rest):], free[len(rest):]
    return sorted(pairs), left, free


def _leaves(node) -> int:
    if isinstance(node, dict):
        return sum(_leaves(v) for k, v in node.items() if not k.startswith("_") and k not in NOT_SCORED)
    if isinstance(node, list):
        return sum(_leaves(v) for v in node)
    return 1


def _weight(item, like) -> int:
    """How many fields an invented item weighs: as many as a gold item of its list
    (when the gold has one), else its own non-empty fields."""
    if like is not None:
        return max(1, _leaves(like))
    if isinstance(item, dict):
        return max(1, sum(_weight(v, None) for k, v in item.items() if k not in NOT_SCORED and v not in (None, [], {})))
    if isinstance(item, list):
        return sum(_weight(v, None) for v in item)
    return 1


def _brief(item) -> str:
    if isinstance(item, dict):
        for key in ("name", "item", "title", "kind", "label"):
            if item.get(key):
                return str(item[key])[:60]
        name = _get(item, "project.name")
        return f"record {name!r}" if name else json.dumps(item, ensure_ascii=False)[:60]
    return str(item)[:60]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# ---------------------------------------------------------------- files and runs

def gold_for(path: Path) -> tuple[Path, Path | None, str] | None:
    """(gold file, findings file or None, format label) of a filing, or None without
    gold. The label is what follows NAME: 'txt', 'gbk.txt', 'docx'."""
    name = path.name
    stem = name
    while "." in stem:
        stem = stem.rsplit(".", 1)[0]
        gold = path.with_name(stem + ".gold.json")
        if gold.is_file():
            findings = path.with_name(stem + ".findings.json")
            return gold, findings if findings.is_file() else None, name[len(stem) + 1:]
    return None


@dataclass
class FileResult:
    path: str
    format: str
    status: str
    reason: str | None
    score: Score
    expected: list[str]
    must_not: list[str]
    fired: set[str] = field(default_factory=set)

    @property
    def found(self) -> list[str]:
        return [c for c in self.expected if c in self.fired]

    @property
    def false_positives(self) -> list[str]:
        return [c for c in self.must_not if c in self.fired]

    def as_dict(self, limit: int = 20) -> dict:
        return {
            "path": self.path, "format": self.format, "status": self.status, "reason": self.reason,
            **self.score.fields.as_dict(), "records": self.score.records.as_dict(),
            "findings": {"expected": self.expected, "found": self.found,
                         "missed": [c for c in self.expected if c not in self.fired],
                         "false_positives": self.false_positives},
            "mismatches": self.score.mismatches[:limit],
        }


def evaluate(paths: list[str]) -> dict:
    """Extract, check and score every file under `paths` that has gold beside it."""
    from shenbao.api import process_file
    from shenbao.commands.paths import expand_paths

    results: list[FileResult] = []
    declarations: dict[str, list] = {}
    skipped, bad_gold = 0, []
    for name in expand_paths(paths):
        path = Path(name)
        found = gold_for(path)
        if found is None:
            skipped += 1
            continue
        gold_path, findings_path, fmt = found
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            expected = json.loads(findings_path.read_text(encoding="utf-8")) if findings_path else {}
        except (OSError, ValueError) as exc:
            bad_gold.append(f"{gold_path}: {exc}")
            continue
        result = process_file(path)
        declarations[name] = result.declarations
        got = [d.to_json() for d in result.declarations]
        results.append(FileResult(
            name, fmt, result.status, result.reason, score_records(gold, got),
            sorted({e["code"] if isinstance(e, dict) else e for e in expected.get("expected", [])}),
            sorted(set(expected.get("must_not_fire", []))),
        ))
    rules_error = _check(results, declarations)
    return report(results, skipped, rules_error, bad_gold=bad_gold)


def _check(results: list[FileResult], declarations: dict[str, list]) -> str | None:
    """Run the rules over each folder-and-format group; mark the codes fired on each
    file (a finding concerns its declaration and the related ones)."""
    try:
        import rules
    except Exception as exc:  # rules are optional to scoring: report, never stop
        return f"rules not importable ({type(exc).__name__}: {exc})"
    if not getattr(rules.registry, "RULES", None):
        return "no rules registered"
    groups: dict[tuple, list[FileResult]] = defaultdict(list)
    for r in results:
        groups[(str(Path(r.path).parent), r.format)].append(r)
    error = None
    for members in groups.values():
        batch = [d for r in members for d in declarations[r.path]]
        if not batch:
            continue
        try:
            findings = rules.check(batch).findings
        except Exception as exc:
            error = f"rules.check failed ({type(exc).__name__}: {exc})"
            continue
        for r in members:
            ids = {d.id for d in declarations[r.path]}
            r.fired = {f.code for f in findings if f.declaration in ids or ids.intersection(f.related)}
    return error


def report(results: list[FileResult], skipped: int = 0, rules_error: str | None = None, worst: int = 10,
           bad_gold: list[str] = ()) -> dict:
    total = Score()
    by_format: dict[str, Score] = defaultdict(Score)
    codes: dict[str, dict] = defaultdict(lambda: {"expected": 0, "found": 0, "must_not_fire": 0, "false_positives": 0})
    failed = defaultdict(int)
    for r in results:
        total.add(r.score)
        by_format[r.format].add(r.score)
        failed[r.format] += r.status != "ok"
        for c in r.expected:
            codes[c]["expected"] += 1
            codes[c]["found"] += c in r.fired
        for c in r.must_not:
            codes[c]["must_not_fire"] += 1
            codes[c]["false_positives"] += c in r.fired
    expected = sum(len(r.expected) for r in results)
    found = sum(len(r.found) for r in results)
    ranked = sorted(results, key=lambda r: (r.score.fields.accuracy if r.score.fields.scored else 1.0, r.path))
    return {
        "files": len(results),
        "skipped_without_gold": skipped,
        "unreadable_gold": list(bad_gold),
        "failed": sum(failed.values()),
        **total.fields.as_dict(),
        "records": total.records.as_dict(),
        "by_format": {fmt: {"files": sum(r.format == fmt for r in results), "failed": failed[fmt],
                            **score.fields.as_dict()} for fmt, score in sorted(by_format.items())},
        "by_group": {g: t.as_dict() for g, t in sorted(total.groups.items())},
        "items": {k: v.as_dict() for k, v in sorted(total.items.items())},
        "findings": {
            "rules": rules_error or "ok",
            "expected": expected, "found": found, "recall": _round(found / expected) if expected else None,
            "must_not_fire": sum(len(r.must_not) for r in results),
            "false_positives": sum(len(r.false_positives) for r in results),
            "by_code": dict(sorted(codes.items())),
        },
        "worst": [r.as_dict(limit=8) for r in ranked[:worst]],
        "per_file": [{"path": r.path, "format": r.format, "status": r.status, **r.score.fields.as_dict(),
                      "findings_missed": [c for c in r.expected if c not in r.fired],
                      "false_positives": r.false_positives} for r in results],
    }


# ---------------------------------------------------------------- text report

def format_text(rep: dict) -> str:
    def pct(x) -> str:
        return "  n/a" if x is None else f"{x * 100:5.1f}%"

    f, rec = rep["findings"], rep["records"]
    lines = [f"unreadable gold: {g}" for g in rep["unreadable_gold"]] + [
        f"shenbao eval: {rep['files']} files with gold ({rep['failed']} failed to read, "
        f"{rep['skipped_without_gold']} without gold skipped)",
        f"field accuracy  {pct(rep['accuracy'])}  ({rep['correct']}/{rep['scored']} fields)",
        f"records         {rec['gold']} gold, {rec['matched']} matched, {rec['missed']} missed, {rec['invented']} invented",
        f"findings        recall {pct(f['recall'])} ({f['found']}/{f['expected']} expected codes), "
        f"{f['false_positives']} false positives (of {f['must_not_fire']} must-not-fire checks)"
        + ("" if f["rules"] == "ok" else f"  [{f['rules']}]"),
        "",
        "by format            files  failed  accuracy",
    ]
    lines += [f"  {fmt:<18} {v['files']:>5}  {v['failed']:>6}  {pct(v['accuracy'])}" for fmt, v in rep["by_format"].items()]
    lines += ["", "by field group       accuracy  fields"]
    lines += [f"  {g:<18} {pct(v['accuracy'])}  {v['correct']}/{v['scored']}" for g, v in rep["by_group"].items()]
    lines += ["", "list items           gold  matched  missed  invented"]
    lines += [f"  {k:<18} {v['gold']:>5}  {v['matched']:>7}  {v['missed']:>6}  {v['invented']:>8}"
              for k, v in rep["items"].items()]
    lines += ["", "findings by code             expected  found  must-not  false+"]
    lines += [f"  {c:<26} {v['expected']:>8}  {v['found']:>5}  {v['must_not_fire']:>8}  {v['false_positives']:>6}"
              for c, v in f["by_code"].items()]
    lines += ["", "worst files"]
    for w in rep["worst"]:
        lines.append(f"  {pct(w['accuracy'])}  {w['path']}" + (f"  [{w['reason']}]" if w["reason"] else ""))
        for m in w["mismatches"][:5]:
            what = f"invented {m['got']!r:.60}" if m.get("invented") else f"gold {m['gold']!r:.40} got {m['got']!r:.40}"
            lines.append(f"           {m['path']}: {what}")
    return "\n".join(lines) + "\n"
