"""Text clean-up shared by the field readers: list items and their markers."""

from __future__ import annotations

import regex

_MARKER = regex.compile(
    r"(?:^|(?<=[\s；;。，,]))(?P<marker>(?P<num>\d{1,2})\s*[、.．)）](?!\d)|[（(](?P<pnum>\d{1,2})[)）]|"
    r"[（(](?P<cn>[一二三四五六七八九十]{1,3})[)）]|(?P<cn2>[一二三四五六七八九十]{1,3})、)"
)
_CN = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_TRAILING = "。；;，,、 \t"
_STAMP = regex.compile(r"[（(]\s*盖章\s*[)）]")
_ASIDE_ONLY = regex.compile(r"[（(][^（()）]*[)）]")


def _ordinal(m: regex.Match) -> int:
    for group in ("num", "pnum"):
        if m.group(group):
            return int(m.group(group))
    word = m.group("cn") or m.group("cn2")
    return _CN.get(word, 10 + _CN.get(word[-1], 0)) if len(word) <= 2 else 0


def split_items(text: str | None) -> list[str]:
    """List items of a prose field: paragraphs, and inside a paragraph the items numbered
    1、 1) （一） … in sequence; each item loses its marker and trailing punctuation."""
    if not text:
        return []
    items: list[str] = []
    expected = 1  # numbering runs on across paragraphs
    for paragraph in text.split("\n"):
        starts = []
        for m in _MARKER.finditer(paragraph):
            if _ordinal(m) == expected:
                starts.append((m.start(), m.end()))
                expected += 1
        if not starts:
            pieces = [paragraph]
        else:
            bounds = starts + [(len(paragraph), len(paragraph))]
            pieces = [paragraph[:starts[0][0]]] + [paragraph[b[1]:bounds[i + 1][0]] for i, b in enumerate(starts)]
        items.extend(p.strip().rstrip(_TRAILING).strip() for p in pieces if p.strip().rstrip(_TRAILING).strip())
    return items


def clean_value(text: str | None) -> str | None:
    """A scalar field's text: trimmed, leading colons and the (盖章) stamp note removed."""
    if text is None:
        return None
    text = _STAMP.sub("", text)
    text = text.strip().lstrip(":：").strip()
    if _ASIDE_ONLY.fullmatch(text):  # only an aside to the label, e.g. (2019年--2021年)
        return None
    return text or None
