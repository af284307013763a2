"""The Declaration record: the contract's `declaration.schema.json` as typed models.

Field names are the contract's and never change. Money fields are yuan as strings with
two decimals (exact, no float). `to_json()` gives the contract's JSON object. The one
optional field this project adds is `unsure`: paths of fields read with doubt (a
guessed column, a low OCR confidence), so nothing guessed passes as certain.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Money = Optional[str]  # yuan, "199500.00"; None for an empty cell


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, validate_assignment=False)


class Source(_Model):
    path: str
    sha256: str
    format: Literal["txt", "html", "docx", "doc", "xlsx", "xls", "pdf", "image"]
    method: Literal["text", "ocr"] = "text"
    encoding: Optional[str] = None
    pages: Optional[int] = None
    record_index: int = 0

    @property
    def declaration_id(self) -> str:
        """The id findings use: sha256 + ':' + record_index."""
        return f"{self.sha256}:{self.record_index}"


class Form(_Model):
    title: Optional[str] = None
    parts: list[str] = Field(default_factory=list)
    template: Optional[str] = None


class CategoryOption(_Model):
    label: str
    checked: bool


class Project(_Model):
    name: Optional[str] = None
    code: Optional[str] = None
    department: Optional[str] = None
    implementing_unit: Optional[str] = None
    attribute: Optional[Literal["new", "continuing"]] = None
    category: Optional[str] = None
    category_options: list[CategoryOption] = Field(default_factory=list)
    lead: Optional[str] = None
    contact: Optional[str] = None
    phone: Optional[str] = None
    start_date: Optional[str] = None
    end_date: Optional[str] = None


class OtherSource(_Model):
    label: str
    amount: Money = None


class Funding(_Model):
    total: Money = None
    current_year: Money = None
    fiscal: Money = None
    fiscal_upper: Money = None
    fiscal_own: Money = None
    fiscal_lower: Money = None
    other: Money = None
    other_sources: list[OtherSource] = Field(default_factory=list)


class Narrative(_Model):
    overview: Optional[str] = None
    basis: Optional[str] = None
    necessity: Optional[str] = None
    feasibility: Optional[str] = None
    resources: Optional[str] = None
    overall_goals: list[str] = Field(default_factory=list)
    annual_goal: Optional[str] = None
    other_notes: Optional[str] = None
    activities: list[str] = Field(default_factory=list)


class Target(_Model):
    raw: Optional[str] = None
    kind: Literal["quantitative", "qualitative", "empty"] = "empty"
    op: Optional[Literal["=", ">=", "<=", ">", "<"]] = None
    value: Optional[str] = None
    unit: Optional[str] = None


Level1 = Literal["output", "outcome", "impact", "satisfaction", "cost", "input", "other"]
Level2 = Literal[
    "quantity", "quality", "timeliness", "cost", "economic", "social", "ecological",
    "sustainability", "satisfaction", "capacity", "other",
]


class Indicator(_Model):
    level1: Level1
    level1_raw: Optional[str] = None
    level2: Level2
    level2_raw: Optional[str] = None
    name: str
    period: Optional[Literal["annual", "long_term"]] = "annual"
    target: Target
    note: Optional[str] = None


class CostItem(_Model):
    project: Optional[str] = None
    content: Optional[str] = None
    item: str
    amount: Money = None
    unit_price: Money = None
    price_basis: Optional[str] = None
    quantity: Optional[str] = None
    quantity_basis: Optional[str] = None
    note: Optional[str] = None


class Stages(_Model):
    planning: Optional[bool] = None
    implementation: Optional[bool] = None
    completion: Optional[bool] = None


class Guarantee(_Model):
    kind: str
    documents: Optional[str] = None
    measures: Optional[str] = None
    stages: Stages = Field(default_factory=Stages)


class Citation(_Model):
    title: Optional[str] = None
    number: Optional[str] = None
    issuer_code: Optional[str] = None
    year: Optional[int] = None
    serial: Optional[int] = None


class Signatures(_Model):
    unit_head: Optional[str] = None
    preparer: Optional[str] = None
    date: Optional[str] = None


class Correction(_Model):
    path: str
    from_: str = Field(alias="from")
    to: str
    reason: Optional[str] = None


class Declaration(_Model):
    schema_version: Literal["1.0"] = "1.0"
    source: Source
    form: Form = Field(default_factory=Form)
    year: Optional[int] = None
    filing_unit: Optional[str] = None
    amount_unit: Optional[Literal["元", "万元", "千元", "亿元"]] = None
    project: Project = Field(default_factory=Project)
    funding: Funding = Field(default_factory=Funding)
    narrative: Narrative = Field(default_factory=Narrative)
    indicators: list[Indicator] = Field(default_factory=list)
    cost_items: list[CostItem] = Field(default_factory=list)
    cost_total: Money = None
    guarantees: list[Guarantee] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    signatures: Signatures = Field(default_factory=Signatures)
    corrections: list[Correction] = Field(default_factory=list)
    provenance: dict[str, dict] = Field(default_factory=dict)
    unsure: list[str] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.source.declaration_id

    def to_json(self) -> dict:
        """The contract's JSON object (aliases applied, e.g. Correction.from)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_json(cls, data: dict) -> "Declaration":
        return cls.model_validate(data)
