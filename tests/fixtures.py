"""Synthetic filings for the dataset's tests, made from the seed filing in ../shared.

`write_variant` writes the seed text with another project name, filing unit, year and
amount; `process_from_gold` reads such a file back as the seed's gold record with the
same changes, standing in for `shenbao.api.process_file(s)` where the test is about the
dataset, not about parsing (and until normalize parses the seed). Real parsing of the
same files gives the same kind of records, so tests can run both ways.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Iterator

from golden import SHARED
from normalize.model import Declaration
from rules import CheckResult
from rules.model import Finding, NotChecked
from shenbao.api import FileResult

SEED_TEXT = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"
SEED_GOLD = SHARED / "contract" / "examples" / "000_15b5cc2a07eb4fba.json"


@dataclass(frozen=True)
class Variant:
    """What differs from the seed filing. `amount` is in 万元 as the form writes it."""

    name: str = "居民小区综合治理建设"
    unit: str = "上海市闵行区新虹街道房管办事处"
    year: int = 2020
    amount: str = "19.95"


SEED = Variant()


@cache
def _seed_text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


@cache
def _seed_gold() -> str:
    return SEED_GOLD.read_text(encoding="utf-8")


def _apply(text: str, v: Variant, amount_pattern: str, amount_value: str) -> str:
    """The seed's values replaced by the variant's, in the form text or the gold JSON."""
    text = text.replace(SEED.name, v.name).replace(SEED.unit, v.unit)
    text = re.sub(r"([（(]\s*)2020( 年)", rf"\g<1>{v.year}\2", text)  # the form's year line
    text = re.sub(r"2020-(\d\d-\d\d)", rf"{v.year}-\1", text)  # project dates
    return text.replace(amount_pattern, amount_value)


def variant_text(v: Variant) -> str:
    return _apply(_seed_text(), v, SEED.amount, v.amount)


def variant_record(v: Variant, path: str, sha256: str) -> Declaration:
    """The seed's gold record as the variant's file must come out."""
    yuan = f"{Decimal(v.amount) * 10000:.2f}"
    data = json.loads(_apply(_seed_gold(), v, '"199500.00"', f'"{yuan}"'))
    data["year"] = v.year
    data["source"].update(path=path, sha256=sha256)
    return Declaration.from_json(data)


def write_variant(directory: Path, v: Variant, filename: str | None = None) -> Path:
    path = Path(directory) / (filename or f"{v.year}_{v.name}_{v.amount}.txt")
    path.write_text(variant_text(v), encoding="utf-8")
    return path


_READ_BACK = {
    "name": re.compile(r"^项目名称\t([^\t\n]+)", re.M),
    "unit": re.compile(r"^填报单位（盖章）：(.+)$", re.M),
    "year": re.compile(r"（ (\d{4}) 年）"),
    "amount": re.compile(r"项目总预算：([\d.]+)"),
}


def process_from_gold(path: str) -> FileResult:
    """Like `process_file` for variant files: the record is the gold one, changed as the
    text says. Any other file fails with a reason, as a real unreadable file would."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileResult(str(path), "failed", reason=f"cannot open: {exc.strerror}")
    sha = hashlib.sha256(data).hexdigest()
    found = {k: p.search(data.decode("utf-8", "replace")) for k, p in _READ_BACK.items()}
    if not all(found.values()):
        return FileResult(str(path), "failed", sha, "txt", reason="not a declaration form (fixture reader)")
    values = {k: m.group(1) for k, m in found.items()}
    v = Variant(values["name"], values["unit"], int(values["year"]), values["amount"])
    return FileResult(str(path), "ok", sha, "txt", declarations=[variant_record(v, str(path), sha)])


def process_files_from_gold(paths: list[str]) -> Iterator[FileResult]:
    """`process_from_gold` in the shape of `shenbao.api.process_files`, which ingest takes."""
    return map(process_from_gold, paths)


def many_variants(n: int) -> list[Variant]:
    """`n` distinct variants: a few units, projects carried over several years, amounts
    that move (so cross-year checks have something to compare)."""
    units = ["上海市闵行区新虹街道房管办事处", "上海市闵行区华漕镇人民政府", "上海市闵行区虹桥镇社区事务办"]
    out = []
    for i in range(n):
        project, year = divmod(i, 5)
        out.append(Variant(
            name=f"居民小区综合治理建设（第{project + 1}期）",
            unit=units[project % len(units)],
            year=2018 + year,
            amount=f"{19.95 + (i % 7) * 1.05:.2f}",
        ))
    return out


def quick_check_filing(decl: Declaration) -> CheckResult:
    """A cheap stand-in for `rules.check_filing` where the subject is loading, not
    checking: one finding or one not-checked per filing, depending on its amount."""
    total = Decimal(decl.funding.total or 0)
    if total > 220000:
        return CheckResult(findings=[Finding(code="TEST_LARGE", severity="info", message=f"total {total}",
                                             declaration=decl.id, paths=["funding.total"], evidence={"total": str(total)})])
    return CheckResult(not_checked=[NotChecked(code="TEST_LARGE", declaration=decl.id, reason="small")])


def quick_check_across(declarations: list[Declaration]) -> CheckResult:
    """A cheap stand-in for `rules.check_across`: one finding per project filed in several years."""
    series: dict[tuple, list[str]] = {}
    for d in declarations:
        series.setdefault((d.filing_unit, d.project.name), []).append(d.id)
    return CheckResult(findings=[
        Finding(code="TEST_SERIES", severity="warning", message=f"{len(ids)} filings", declaration=ids[0],
                related=ids[1:])
        for ids in series.values() if len(ids) > 1])


def dump(db_path: str | Path, without: tuple[str, ...] = ("ingested_at",)) -> dict[str, list[tuple]]:
    """Every table's rows in a fixed order, columns in `without` left out: two datasets
    hold the same data exactly when their dumps are equal."""
    import sqlite3

    from dataset.db import TABLES

    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        out = {}
        for table in (*TABLES, "meta"):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in without]
            order = ", ".join(str(i + 1) for i in range(len(columns)))
            out[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
        return out
    finally:
        conn.close()
