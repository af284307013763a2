"""Finding the filings in a file. A form title (…申报表, …目标表, …批复表) starts a part;
consecutive parts of one project (the seed's 项目总体情况 / 绩效目标 / 制度保障) make one
filing, and a part for another project, or a part seen twice, starts the next filing."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from normalize.labels import lexicon
from normalize.layout import Row

TITLE = regex.compile(
    r"^\s*(?P<prefix>(?:(?:19|20)\d{2}\s*年(?:度)?)?)\s*(?P<title>[^\s：:，。；、《》]{0,30}?(?:申报表|目标表|批复表|申请表|绩效表))"
    r"\s*(?:[（(]\s*(?P<inner>[^）)]{1,16})\s*[）)])?"
)
YEAR_NOTE = regex.compile(r"^\s*[（(]?\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*[）)]?\s*$")
_YEAR_IN = regex.compile(r"(?P<year>(?:19|20)\d{2})\s*年")


@dataclass
class Part:
    title: str | None
    name: str | None  # the part's own name, e.g. 项目总体情况
    year: int | None
    project: str | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Filing:
    parts: list[Part]

    @property
    def rows(self) -> list[Row]:
        return [row for part in self.parts for row in part.rows]


def split_filings(rows: list[Row]) -> list[Filing]:
    parts = _parts(rows)
    filings: list[Filing] = []
    for part in parts:
        current = filings[-1] if filings else None
        if current is None or _starts_new_filing(current, part):
            filings.append(Filing([part]))
        else:
            current.parts.append(part)
    return filings


def _starts_new_filing(filing: Filing, part: Part) -> bool:
    names = {p.project for p in filing.parts if p.project}
    if part.project and names and part.project not in names:
        return True
    return any(p.name == part.name for p in filing.parts) and any(p.title for p in filing.parts)


def _parts(rows: list[Row]) -> list[Part]:
    parts: list[Part] = []
    current = Part(None, None, None, None)
    for row in rows:
        first = row.filled[0].text if row.filled else ""
        match = TITLE.match(first)
        if match and (len(row.filled) == 1 or not row.is_line):
            if current.rows or current.title:
                parts.append(current)
            inner = match.group("inner")
            year_in = _YEAR_IN.search(match.group("prefix") or inner or "")
            current = Part(match.group("title"), None if inner and _YEAR_IN.search(inner) else inner,
                           int(year_in.group("year")) if year_in else None, None)
            rest = first[match.end():].strip()
            if rest:  # a flattened export: the whole form follows the title on one line
                row.segs[row.segs.index(row.filled[0])].text = rest
                current.rows.append(row)
            continue
        year = YEAR_NOTE.match(first)
        if year and len(row.filled) == 1 and current.year is None and current.title:
            current.year = int(year.group("year"))
            continue
        if current.project is None:
            current.project = _project_name(row)
        current.rows.append(row)
    if current.rows or current.title:
        parts.append(current)
    return parts


def _project_name(row: Row) -> str | None:
    """The project name a row gives, if it holds the 项目名称 label (used only to tell
    filings apart; the record's name is read with the other fields)."""
    text = row.joined
    for m in lexicon().find(text):
        if m.field == "project.name":
            following = [x for x in lexicon().find(text) if x.start >= m.end]
            end = following[0].start if following else len(text)
            value = text[m.end:end].strip(" :：")
            return value or None
    return None
