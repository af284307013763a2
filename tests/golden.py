"""Comparing an extracted record with a gold one, field by field. Gold may be partial:
keys absent from it are not compared, keys starting with `_` are notes, and
`_indicators_scope: subset` means the gold lists only some indicators (matched by name)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
IGNORED = ("source", "provenance", "unsure")


def differences(gold, got, path: str = "") -> list[str]:
    if isinstance(gold, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r:.80}"]
        out = []
        for key, value in gold.items():
            if key.startswith("_") or (not path and key in IGNORED):
                continue
            if key == "indicators" and gold.get("_indicators_scope") == "subset":
                out += _subset(value, got.get(key) or [], "indicators")
                continue
            out += differences(value, got.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(gold, list):
        if not isinstance(got, list) or len(got) != len(gold):
            return [f"{path}: expected {len(gold)} items, got {len(got) if isinstance(got, list) else got!r:.80}"]
        return [d for i, (a, b) in enumerate(zip(gold, got)) for d in differences(a, b, f"{path}[{i}]")]
    return [] if gold == got else [f"{path}: expected {gold!r:.80}, got {got!r:.80}"]


def _subset(gold: list, got: list, path: str) -> list[str]:
    by_name = {item.get("name"): item for item in got}
    out = []
    for item in gold:
        match = by_name.get(item["name"])
        out += [f"{path}: missing {item['name']!r}"] if match is None else differences(item, match, f"{path}[{item['name']}]")
    return out
