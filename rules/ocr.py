"""Fields read from a scan with low OCR confidence: a reviewer should look at the image.

The reader gives every cell and line of a scan a `confidence` (the mean OCR score of the
text boxes in it, extract/ocr.py) and normalize copies it into the record's provenance,
so each field knows how sure the reading was. One info finding per filing names the
fields below `THRESHOLD`; a filing read from a text layer has no confidence and nothing
to report.
"""

from __future__ import annotations

from extract.model import LOW_CONFIDENCE
from normalize.model import Declaration
from rules.common import finding
from rules.model import Finding
from rules.registry import rule

CODE = "LOW_CONFIDENCE"
THRESHOLD = LOW_CONFIDENCE


def low_confidence_paths(d: Declaration) -> dict[str, float]:
    """Record paths read with a confidence under THRESHOLD, with that confidence."""
    return {path: source["confidence"] for path, source in sorted(d.provenance.items())
            if isinstance(source, dict) and source.get("confidence") is not None and source["confidence"] < THRESHOLD}


@rule(CODE, "info", f"fields read by OCR with a confidence under {THRESHOLD}", needs=("provenance",))
def low_confidence(d: Declaration) -> list[Finding]:
    unsure = low_confidence_paths(d)
    if not unsure:
        return []
    message = f"{len(unsure)} 个字段的识别置信度低于 {THRESHOLD}，请对照扫描件核对"
    return [finding(d, CODE, message, list(unsure), {"confidence": unsure, "threshold": THRESHOLD})]
