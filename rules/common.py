"""What every rule shares: reading a record path, exact money in fen, figures shown in
the form's own unit, and Findings that carry their figures and where they were read.

Money is compared as integer fen (or exact Decimal fen for products), never as floats,
so `0.1 + 0.2` style drift can neither hide a mismatch nor invent one.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from normalize.model import Declaration
from rules.model import Finding
from rules.registry import RULES, NotCheckable

_HERE = Path(__file__).parent
MONEY_UNITS: dict[str, int] = json.loads((_HERE / "units.json").read_text("utf-8"))["money"]
_LABELS = json.loads((_HERE / "labels.json").read_text("utf-8"))

_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def get(record: Any, path: str) -> Any:
    """The value at a record path such as ``funding.total`` or ``cost_items[0].amount``;
    None when any step is missing."""
    value = record
    for part in path.split("."):
        m = _STEP.fullmatch(part)
        if m is None or value is None:
            return None
        value = getattr(value, m.group(1), None)
        if m.group(2) is not None:
            index = int(m.group(2))
            value = value[index] if isinstance(value, list) and index < len(value) else None
    return value


def label(d: Declaration, path: str) -> str:
    """The form's name for a path, for messages (`funding.fiscal` -> 财政拨款)."""
    if path in _LABELS["paths"]:
        return _LABELS["paths"][path]
    m = re.fullmatch(r"funding\.other_sources\[(\d+)\]\.amount", path)
    if m:
        return get(d, f"funding.other_sources[{m.group(1)}].label") or "其他来源"
    m = re.fullmatch(r"cost_items\[(\d+)\]\.(\w+)", path)
    if m:
        item = get(d, f"cost_items[{m.group(1)}].item")
        field = _LABELS["cost_item_fields"].get(m.group(2), m.group(2))
        return f"成本明细第{int(m.group(1)) + 1}项“{item}”{field}"
    return path


def to_fen(text: str | None, path: str = "") -> int | None:
    """Yuan as written in the record ("199500.00") -> integer fen; None when empty.
    A value that is not a number makes the rule not checkable rather than wrong."""
    if text is None or not str(text).strip():
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        raise NotCheckable(f"{path} = {text!r} 不是金额") from None
    if not value.is_finite():
        raise NotCheckable(f"{path} = {text!r} 不是金额")
    return int((value * 100).to_integral_value(ROUND_HALF_UP))


def money(d: Declaration, path: str) -> int | None:
    """The money at `path` in fen."""
    return to_fen(get(d, path), path)


def to_decimal(text: str | None, path: str = "") -> Decimal | None:
    """A quantity as written ("21", "2.5") -> Decimal; None when empty."""
    if text is None or not str(text).strip():
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        raise NotCheckable(f"{path} = {text!r} 不是数字") from None
    if not value.is_finite():
        raise NotCheckable(f"{path} = {text!r} 不是数字")
    return value


def yuan(fen: int | Decimal) -> str:
    """Fen -> the record's money notation ("199500.00")."""
    return _plain(Decimal(fen) / 100)


def _plain(value: Decimal) -> str:
    """At least two decimals, more only when the value has them (0.95, 6923.3552)."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return format(value.normalize(), "f")


def unit_of(d: Declaration) -> str:
    """The money unit figures are shown in: the form's declared 金额单位, else 元."""
    return d.amount_unit if d.amount_unit in MONEY_UNITS else "元"


def show(fen: int | Decimal, unit: str) -> str:
    """Fen shown in the form's unit, as a reviewer reads it on the form: `19.95 万元`."""
    return f"{_plain(Decimal(fen) / 100 / MONEY_UNITS[unit])} {unit}"


def figures(d: Declaration, paths: Iterable[str]) -> dict[str, Any]:
    """The record's values at `paths`, as evidence."""
    return {path: get(d, path) for path in paths}


def _provenance(d: Declaration, path: str) -> dict | None:
    """Where `path` was read; a field without its own entry takes its nearest parent's
    (`cost_items[0].amount` -> `cost_items[0]`)."""
    while path:
        if path in d.provenance:
            return d.provenance[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def severity_of(code: str) -> str:
    """The severity a code was registered with, so it is stated once, in `@rule`."""
    for r in RULES:
        if r.code == code:
            return r.severity
    raise KeyError(f"no rule registered for {code}")


def finding(
    d: Declaration,
    code: str,
    message: str,
    paths: Iterable[str],
    evidence: dict | None = None,
    related: Iterable[str] = (),
) -> Finding:
    """A Finding on `d`; where the record knows where its `paths` were read, that goes
    into `evidence["source"]` so a reviewer can open the form at the right cell."""
    paths = list(paths)
    evidence = dict(evidence or {})
    source = {p: prov for p in paths if (prov := _provenance(d, p)) is not None}
    if source:
        evidence["source"] = source
    return Finding(
        code=code,
        severity=severity_of(code),
        message=message,
        declaration=d.id,
        related=list(related),
        paths=paths,
        evidence=evidence,
    )
