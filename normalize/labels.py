"""The label lexicon (labels.json) compiled into one matcher.

Labels are matched longest first, with optional spaces between characters (exports
break `项目 名称`) and either kind of bracket, followed by an optional unit in brackets
(`本年度申请市财政预算资金(万元)`) and an optional colon.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

SECTION = "section"  # a heading or unmapped label: takes no value
_SPACE = regex.compile(r"\s")


@dataclass(frozen=True)
class LabelMatch:
    field: str
    label: str
    start: int
    end: int
    unit: str | None  # a money unit written in brackets after the label
    colon: bool
    weak: bool


@dataclass(frozen=True, eq=False)
class Lexicon:
    pattern: regex.Pattern
    fields: dict[str, str]  # canonical label -> field
    weak: frozenset[str]
    prefixes: regex.Pattern
    checkbox_fields: frozenset[str]

    def find(self, text: str) -> tuple[LabelMatch, ...]:
        """Every label occurrence in `text`, left to right, not overlapping."""
        return _find(self, text)

    def strip_prefix(self, text: str) -> str:
        """A cell without its ordinal marker (`一、`, `（一）`, `1.`) or `其中：`."""
        return self.prefixes.sub("", text, count=1)


# The same cell is looked at by several readers of a filing. Bounded so that a worker's
# memory stays flat over an archive (8,192 entries, about 3 MiB; more hit little more often).
@lru_cache(maxsize=8192)
def _find(lex: Lexicon, text: str) -> tuple[LabelMatch, ...]:
    out = []
    for m in lex.pattern.finditer(text):
        label = _SPACE.sub("", m.group("label")).replace("(", "（").replace(")", "）")
        out.append(LabelMatch(lex.fields[label], label, m.start(), m.end(), m.group("unit"), bool(m.group("colon")),
                              label in lex.weak))
    return tuple(out)


def _label_regex(label: str) -> str:
    parts = []
    for ch in label:
        if ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        else:
            parts.append(regex.escape(ch))
    return r"\s*".join(parts)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = json.loads((Path(__file__).with_name("labels.json")).read_text(encoding="utf-8"))
    fields: dict[str, str] = {}
    for field, labels in data["fields"].items():
        for label in labels:
            fields[label.replace("(", "（").replace(")", "）")] = field
    for label in data["sections"]:
        fields[label] = SECTION
    ordered = sorted(fields, key=len, reverse=True)
    alternation = "|".join(_label_regex(label) for label in ordered)
    pattern = regex.compile(
        rf"(?P<label>{alternation})(?:\s*[（(]\s*(?P<unit>万元|千元|亿元|元)\s*[）)])?(?:\s*[（(]盖章[）)])?\s*(?P<colon>[:：])?"
    )
    return Lexicon(pattern, fields, frozenset(data["weak"]), regex.compile(data["prefixes"]),
                   frozenset(data["checkbox_fields"]))
