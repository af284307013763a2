"""Stage 3: Declarations -> Findings. Importing the package registers every rule."""

# Importing the rule modules registers their rules.
from rules import across, citations, corrections, costs, dates, form, funding, indicators, ocr, prose  # noqa: F401
from rules.across import unit_key
from rules.registry import CheckResult, NotCheckable, check, check_across, check_filing, rule

__all__ = ["CheckResult", "NotCheckable", "check", "check_across", "check_filing", "rule", "unit_key"]
