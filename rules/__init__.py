"""Stage 3: Declarations -> Findings. Importing the package registers every rule."""

from rules.registry import CheckResult, NotCheckable, check, check_across, check_filing, rule

__all__ = ["CheckResult", "NotCheckable", "check", "check_across", "check_filing", "rule"]
