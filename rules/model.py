"""A rule's verdict: the contract's `finding.schema.json` as a typed model."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    code: str
    severity: Severity
    message: str
    declaration: str  # source sha256 + ':' + record_index
    related: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    evidence: dict = Field(default_factory=dict)

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


class NotChecked(BaseModel):
    """A rule that could not run on a filing because its inputs are missing.
    Kept in the output beside findings, never counted as one."""

    code: str
    declaration: str
    reason: str

    def to_json(self) -> dict:
        return {"not_checked": self.code, "declaration": self.declaration, "reason": self.reason}
