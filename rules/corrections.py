"""Known typos that normalize corrected: said out loud, so nobody is surprised that the
record differs from the scan. One finding per distinct correction, listing every place."""

from __future__ import annotations

from normalize.model import Declaration
from rules.common import finding
from rules.model import Finding
from rules.registry import rule

CODE = "TYPO_CORRECTED"


@rule(CODE, "info", "a known typo was corrected (one finding per distinct correction)", needs=("corrections",))
def typos(d: Declaration) -> list[Finding]:
    places: dict[tuple[str, str], list[str]] = {}
    for c in d.corrections:
        places.setdefault((c.from_, c.to), []).append(c.path)
    found = []
    for (wrong, right), paths in places.items():
        message = f"已将“{wrong}”更正为“{right}”（{len(paths)} 处：{'、'.join(paths)}）"
        found.append(finding(d, CODE, message, paths, {"from": wrong, "to": right, "paths": paths}))
    return found
