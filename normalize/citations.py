"""Documents cited in the prose (文号): `《title》（沪府办发〔2018〕8号）`, a number inside the
title's brackets, a title left unclosed before the next `《`, or a bare number.

Numbers are normalized (any bracket around the year -> 〔〕). One entry per distinct
(title, number) pair. Entries that share a title or a number are kept together, in order
of first appearance, so a document cited two ways reads as one group.
"""

from __future__ import annotations

import regex

from normalize.model import Citation

_OPEN, _CLOSE = "〔[【(（﹝〖{［", "〕]】)）﹞〗}］"
NUMBER = regex.compile(
    rf"(?P<issuer>[\p{{Han}}A-Za-z]{{1,15}}?)\s*[{regex.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*[{regex.escape(_CLOSE)}]\s*(?P<serial>\d{{1,5}})\s*号"
)
_TITLE = regex.compile(r"《(?P<body>[^《》]*)(?:》|(?=《)|$)")
_NUMBER_IN_BRACKETS = regex.compile(rf"\s*[(（]\s*(?P<number>[^()（）]*?号)\s*[)）]\s*$")
_FOLLOWING_NUMBER = regex.compile(  # （沪财预〔2019〕12号） or, unbracketed, 湘财监〔2017〕189号
    r"^\s*(?:[(（]\s*(?P<number>[^()（）《》]{2,30}?号)\s*[)）]|(?P<bare>[\p{Han}]{1,15}[〔\[【(（﹝][^《》]{4,12}?号))"
)
_ISSUER_NOISE = regex.compile(r"^(?:根据|依据|按照|参照|见|及|和|与|、)+")


def normalize_number(text: str) -> tuple[str, str, int, int] | None:
    """(number, issuer_code, year, serial) for a 文号, brackets normalized."""
    match = NUMBER.search(text)
    if not match:
        return None
    issuer = _ISSUER_NOISE.sub("", match.group("issuer"))
    year, serial = int(match.group("year")), int(match.group("serial"))
    return f"{issuer}〔{year}〕{serial}号", issuer, year, serial


def find_citations(texts: list[str]) -> list[Citation]:
    """Citations in `texts` (read in order), grouped as the module docstring says."""
    found: list[tuple[str | None, str | None]] = []
    numbers: dict[str, tuple[str, str, int, int]] = {}
    for text in texts:
        if not text:
            continue
        covered: list[tuple[int, int]] = []
        for m in _TITLE.finditer(text):
            body, number = m.group("body").strip().rstrip("、；;，,。 "), None
            inner = _NUMBER_IN_BRACKETS.search(body)
            if inner and normalize_number(inner.group("number")):
                number, body = inner.group("number"), body[: inner.start()].strip()
            end = m.end()
            after = _FOLLOWING_NUMBER.match(text[end:])
            written = after and (after.group("number") or after.group("bare"))
            if number is None and written and normalize_number(written):
                number, end = written, end + after.end()
            covered.append((m.start(), end))
            parsed = normalize_number(number) if number else None
            if parsed:
                numbers[parsed[0]] = parsed
            if body:
                found.append((body, parsed[0] if parsed else None))
        for m in NUMBER.finditer(text):
            if not any(a <= m.start() < b for a, b in covered):
                parsed = normalize_number(m.group(0))
                if parsed:
                    numbers[parsed[0]] = parsed
                    found.append((None, parsed[0]))
    return [_citation(title, number, numbers) for title, number in _grouped(_distinct(found))]


def _distinct(found: list[tuple[str | None, str | None]]) -> list[tuple[str | None, str | None]]:
    titled_numbers = {n for t, n in found if t and n}
    out: list[tuple[str | None, str | None]] = []
    for pair in found:
        if pair in out or (pair[0] is None and pair[1] in titled_numbers):
            continue
        out.append(pair)
    return out


def _grouped(pairs: list[tuple[str | None, str | None]]) -> list[tuple[str | None, str | None]]:
    """Pairs reordered so that those sharing a title or number (transitively) stand
    together, groups in order of first appearance."""
    group = list(range(len(pairs)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i, (title_i, number_i) in enumerate(pairs):
        for j in range(i):
            title_j, number_j = pairs[j]
            if (title_i and title_i == title_j) or (number_i and number_i == number_j):
                group[root(i)] = root(j)
    order = {root(i): i for i in reversed(range(len(pairs)))}
    return [pairs[i] for i in sorted(range(len(pairs)), key=lambda i: (order[root(i)], i))]


def _citation(title: str | None, number: str | None, numbers: dict) -> Citation:
    if number is None:
        return Citation(title=title, number=None, issuer_code=None, year=None, serial=None)
    _, issuer, year, serial = numbers[number]
    return Citation(title=title, number=number, issuer_code=issuer, year=year, serial=serial)
