"""Are the documents a filing cites (依据文件) cited consistently?

One title under two document numbers (文号) means one of them is wrong; one number under
two titles is usually a paraphrased title, so it is only worth a note. Titles and numbers
are compared after width and spacing are unified, so `（` and `(` do not count as a
difference; the message shows them as written.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from normalize.model import Declaration
from rules.common import finding
from rules.model import Finding
from rules.registry import NotCheckable, rule


def text_key(text: str) -> str:
    """Comparison key of a title or number: full-width to half-width, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def group_citations(d: Declaration, by: str, of: str) -> dict[str, dict]:
    """Citations grouped by their `by` field (title or number): for each key the `by`
    value as first written, the distinct `of` values in order, and the citation paths."""
    groups: dict[str, dict] = defaultdict(lambda: {"written": None, "values": {}, "paths": []})
    for i, c in enumerate(d.citations):
        key_text, value = getattr(c, by), getattr(c, of)
        if not key_text or not value:
            continue
        group = groups[text_key(key_text)]
        group["written"] = group["written"] or key_text
        group["values"].setdefault(text_key(value), value)
        group["paths"].append(f"citations[{i}]")
    return groups


def _conflicts(d: Declaration, code: str, by: str, of: str, message: str, quote: str = "{}") -> list[Finding]:
    """One finding per `by` value written with several distinct `of` values."""
    if not d.citations:
        raise NotCheckable("没有引用文件")
    found = []
    for group in group_citations(d, by, of).values():
        values = list(group["values"].values())
        if len(values) < 2:
            continue
        text = message.format(key=group["written"], values="、".join(quote.format(v) for v in values))
        found.append(finding(d, code, text, group["paths"], {by: group["written"], f"{of}s": values}))
    return found


@rule("CITATION_NUMBER_CONFLICT", "warning", "each cited document title has one document number",
      needs=("citations",))
def number_conflict(d: Declaration) -> list[Finding]:
    message = "《{key}》被引用为不同文号：{values}"
    return _conflicts(d, "CITATION_NUMBER_CONFLICT", "title", "number", message)


@rule("CITATION_TITLE_CONFLICT", "info", "each cited document number has one title", needs=("citations",))
def title_conflict(d: Declaration) -> list[Finding]:
    message = "文号 {key} 对应不同标题：{values}"
    return _conflicts(d, "CITATION_TITLE_CONFLICT", "number", "title", message, quote="《{}》")
