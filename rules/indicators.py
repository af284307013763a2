"""Are the performance targets measurable? A target such as 合格 or 满意 cannot be
checked at year end; the auditor wants them all in one place, so one finding per filing."""

from __future__ import annotations

from normalize.model import Declaration
from rules.common import finding
from rules.model import Finding
from rules.registry import NotCheckable, rule

CODE = "INDICATOR_NOT_QUANTIFIED"


@rule(CODE, "info", "indicator targets are quantified (one finding lists every qualitative target)",
      needs=("indicators",))
def not_quantified(d: Declaration) -> list[Finding]:
    if not d.indicators:
        raise NotCheckable("没有绩效指标")
    qualitative = [(i, ind) for i, ind in enumerate(d.indicators) if ind.target.kind == "qualitative"]
    if not qualitative:
        return []
    listed = "、".join(f"{ind.name}（{ind.target.raw}）" for _, ind in qualitative)
    message = f"{len(qualitative)} 项指标只有定性目标：{listed}"
    paths = [f"indicators[{i}]" for i, _ in qualitative]
    evidence = {"targets": {p: ind.target.raw for p, (_, ind) in zip(paths, qualitative)}}
    return [finding(d, CODE, message, paths, evidence)]
