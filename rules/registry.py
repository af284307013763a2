"""The rule registry. A rule is a small function registered with its code, severity,
one-line description and the fields it needs; `check_filing` runs the per-filing rules,
`check_across` the rules that compare filings, and `check` both.

A per-filing rule takes one Declaration and returns its Findings, or raises
`NotCheckable(reason)` when an input it needs is missing, so an empty field neither
hides a contradiction nor fakes one. A cross-filing rule takes the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from normalize.model import Declaration
from rules.model import Finding, NotChecked, Severity


class NotCheckable(Exception):
    """Raised by a rule whose inputs are missing; the message is the reason."""


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    description: str
    needs: tuple[str, ...]
    func: Callable
    across: bool  # True: takes list[Declaration]; False: takes one Declaration


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)

    def extend(self, other: "CheckResult") -> None:
        self.findings.extend(other.findings)
        self.not_checked.extend(other.not_checked)


RULES: list[Rule] = []


def rule(code: str, severity: Severity, description: str, needs: Iterable[str] = (), across: bool = False):
    """Register the decorated function as the rule for `code`."""

    def register(func: Callable) -> Callable:
        RULES.append(Rule(code, severity, description, tuple(needs), func, across))
        return func

    return register


def check_filing(declaration: Declaration) -> CheckResult:
    result = CheckResult()
    for r in RULES:
        if r.across:
            continue
        try:
            result.findings.extend(r.func(declaration))
        except NotCheckable as exc:
            result.not_checked.append(NotChecked(code=r.code, declaration=declaration.id, reason=str(exc)))
    return result


def check_across(declarations: list[Declaration]) -> CheckResult:
    result = CheckResult()
    for r in RULES:
        if r.across:
            result.findings.extend(r.func(declarations))
    return result


def check(declarations: list[Declaration]) -> CheckResult:
    result = CheckResult()
    for declaration in declarations:
        result.extend(check_filing(declaration))
    result.extend(check_across(declarations))
    return result
