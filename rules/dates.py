"""Is the project period possible, and does it touch the year the form budgets for?

A period ending before it starts is impossible. A period lying wholly outside the
declared year (ending before 1 January or starting after 31 December) funds nothing in
that year; a multi-year period that contains the year is normal. With one date only, the
check uses what is known (a start after the year is already wholly outside it).
"""

from __future__ import annotations

from datetime import date

from normalize.model import Declaration
from rules.common import finding
from rules.model import Finding
from rules.registry import NotCheckable, rule

CODE = "DATE_RANGE_INVALID"
PATHS = ("project.start_date", "project.end_date")


def _parse(text: str | None, path: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotCheckable(f"{path} = {text!r} 不是日期") from None


@rule(CODE, "error", "start on or before end, and the period overlaps the declared year", needs=(*PATHS, "year"))
def date_range(d: Declaration) -> list[Finding]:
    start = _parse(d.project.start_date, PATHS[0])
    end = _parse(d.project.end_date, PATHS[1])
    if start is None and end is None:
        raise NotCheckable("没有项目起止日期")
    evidence = {"figures": {PATHS[0]: d.project.start_date, PATHS[1]: d.project.end_date}}
    if start and end and start > end:
        return [finding(d, CODE, f"开始日期 {start} 晚于结束日期 {end}", list(PATHS), evidence)]
    if d.year is None:
        if start and end:
            return []
        raise NotCheckable("只有一个日期，且没有年度")
    before = end is not None and end < date(d.year, 1, 1)
    after = start is not None and start > date(d.year, 12, 31)
    if not (before or after):
        return []
    period = f"{start or '?'} 至 {end or '?'}"
    side = "之前" if before else "之后"
    message = f"项目期间 {period} 整个在申报年度 {d.year} 年{side}"
    paths = [p for p, v in zip(PATHS, (start, end)) if v is not None] + ["year"]
    return [finding(d, CODE, message, paths, {"figures": {**evidence["figures"], "year": d.year}})]
