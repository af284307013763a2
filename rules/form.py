"""Is the form filled in: required fields, the signature block, the category boxes?"""

from __future__ import annotations

from normalize.model import Declaration
from rules.common import finding, get, label
from rules.model import Finding
from rules.registry import NotCheckable, rule

REQUIRED = ("project.name", "year", "filing_unit", "project.lead", "project.phone", "funding.total")
SIGNATURES = ("signatures.unit_head", "signatures.preparer", "signatures.date")
CATEGORY = "project.category_options"


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing(d: Declaration, paths: tuple[str, ...]) -> list[str]:
    return [p for p in paths if _empty(get(d, p))]


@rule("REQUIRED_MISSING", "warning", "project name, year, filing unit, lead, phone and total budget are filled in",
      needs=REQUIRED)
def required(d: Declaration) -> list[Finding]:
    missing = _missing(d, REQUIRED)
    if "funding.total" in missing and not _empty(d.funding.current_year):
        missing.remove("funding.total")  # 当年预算 states the budget on forms without a 总预算 line
    if not missing:
        return []
    names = "、".join(label(d, p) for p in missing)
    return [finding(d, "REQUIRED_MISSING", f"必填项为空：{names}", missing, {"missing": missing})]


@rule("SIGNATURE_MISSING", "warning", "unit head, preparer and date are filled in", needs=SIGNATURES)
def signatures(d: Declaration) -> list[Finding]:
    missing = _missing(d, SIGNATURES)
    if not missing:
        return []
    names = "、".join(label(d, p) for p in missing)
    return [finding(d, "SIGNATURE_MISSING", f"签章栏未填：{names}", ["signatures"], {"missing": missing})]


def _options(d: Declaration) -> tuple[list[str], list[str]]:
    """(all option labels, checked ones); not checkable on a form without the boxes."""
    options = d.project.category_options
    if not options:
        raise NotCheckable("表上没有项目类别选项")
    return [o.label for o in options], [o.label for o in options if o.checked]


@rule("CATEGORY_UNCHECKED", "warning", "one project category box is ticked", needs=(CATEGORY,))
def category_unchecked(d: Declaration) -> list[Finding]:
    labels, checked = _options(d)
    if checked or not _empty(d.project.category):  # a written category answers the question
        return []
    message = f"项目类别一项也未勾选（选项：{'、'.join(labels)}）"
    return [finding(d, "CATEGORY_UNCHECKED", message, [CATEGORY], {"options": labels, "checked": []})]


@rule("CATEGORY_MULTIPLE", "warning", "no more than one project category box is ticked", needs=(CATEGORY,))
def category_multiple(d: Declaration) -> list[Finding]:
    labels, checked = _options(d)
    if len(checked) < 2:
        return []
    message = f"项目类别勾选了 {len(checked)} 项：{'、'.join(checked)}"
    return [finding(d, "CATEGORY_MULTIPLE", message, [CATEGORY], {"options": labels, "checked": checked})]
