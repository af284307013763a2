"""Document -> Declarations: the filings found, their tables read, their labelled fields
read and parsed, typos corrected in context and citations collected."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import opencc
import regex

from extract.model import LOW_CONFIDENCE, Document, ExtractError
from normalize import indicators as ind
from normalize import tables
from normalize.citations import find_citations
from normalize.fields import Fields, read_fields
from normalize.labels import SECTION, lexicon
from normalize.layout import Row, document_rows
from normalize.model import (CategoryOption, CostItem, Declaration, Form, Funding, Guarantee, Indicator, Narrative,
                             OtherSource, Project, Signatures, Source)
from normalize.segment import Filing, split_filings
from normalize.text import clean_value, split_items
from normalize.typos import correct
from normalize.values import (FORM_UNITS, format_yuan, parse_date, parse_date_range, parse_form_unit, parse_money,
                              parse_options, parse_person, parse_phone)


class NotADeclaration(ExtractError):
    """The file was read, but holds no declaration form."""


MONEY_FIELDS = ("total", "current_year", "fiscal", "fiscal_upper", "fiscal_own", "fiscal_lower", "other")
NARRATIVE_TEXT = ("overview", "basis", "necessity", "feasibility", "resources", "annual_goal", "other_notes")
_SPACE = regex.compile(r"\s")
_UNIT_CODE = regex.compile(r"^\s*[\[［【(（]?\d{3,}[\]］】)）]?\s*|\s*[\[［【(（]\d{3,}[\]］】)）]\s*$")


def normalize_document(doc: Document) -> list[Declaration]:
    rows = document_rows(doc, _simplifier(doc))
    filings = [f for f in split_filings(rows) if _is_declaration(f)]
    if not filings:
        raise NotADeclaration("no declaration form found (no project fields or indicator table)")
    return [_declaration(doc, filing, index) for index, filing in enumerate(filings)]


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_HAN = regex.compile(r"\p{Han}")


def _simplifier(doc: Document):
    """OpenCC's traditional -> simplified conversion, when the filing is written in
    traditional characters: more than 5% of its distinct Han characters change."""
    sample = "".join(b.text if hasattr(b, "text") else "".join(c.text for c in b.cells) for _, b in doc.blocks())
    han = "".join(_HAN.findall("".join(set(sample[:50000]))))
    if not han:
        return None
    changed = sum(a != b for a, b in zip(han, _t2s().convert(han)))
    return _t2s().convert if changed > len(han) * 0.05 else None


def _is_declaration(filing: Filing) -> bool:
    fields = {m.field for row in filing.rows for seg in row.filled for m in lexicon().find(seg.text)}
    fields.discard(SECTION)
    has_indicators = any(ind.is_header(row.texts) or ind.is_header_line(row.joined) for row in filing.rows)
    return len(fields) >= 3 or (has_indicators and bool(fields))


# ---------------------------------------------------------------- tables in the filing

class _Tables:
    """Indicator, cost and guarantee tables, taken out of the rows before labels are read."""

    def __init__(self, rows: list[Row]):
        self.indicators: list[Indicator] = []
        self.indicator_rows: list = []
        self.cost_rows: list[tuple[Row, dict[int, str], int]] = []  # (row, columns, header width)
        self.cost_totals: list[Row] = []
        self.guarantees: list[Guarantee] = []
        self.schedule: list[str] = []  # activities of an implementation schedule (项目实施内容)
        self.other_rows: list[Row] = []
        self._read(rows)

    def _read(self, rows: list[Row]) -> None:
        i, period = 0, "annual"
        while i < len(rows):
            row = rows[i]
            texts = row.texts
            period = self._period(row, period)
            if ind.is_header_line(row.joined) if row.is_line else ind.is_header(texts):
                reader = ind.IndicatorReader(texts if not row.is_line else ind.header_names(row.joined), period)
                i = self._indicator_table(rows, i + 1, reader, row.is_line)
                continue
            skip, n = _stream_header(rows, i, ind.is_header_word, ind.is_row_label)
            if n >= 3 and ind.is_header([r.joined for r in rows[i + skip:i + skip + n]]):
                reader = ind.IndicatorReader([r.joined for r in rows[i + skip:i + skip + n]], period)
                i = self._indicator_stream(rows, i + skip + n, reader)
                continue
            skip, n = _stream_header(rows, i, tables.is_column_name, tables.is_row_label)
            end = self._table_stream(rows, i, skip, n) if n >= 3 else 0
            if end:
                i = end
                continue
            header = tables.header_cells(row)
            columns = tables.cost_columns(header)
            if columns:
                i = self._costs(rows, i + 1, columns, len(header))
                continue
            columns = tables.guarantee_columns(header)
            if columns:
                i = self._guarantees(rows, i + 1, columns, len(header))
                continue
            columns = tables.schedule_columns(row)
            if columns is not None:
                i = self._schedule(rows, i + 1, columns)
                continue
            self.other_rows.append(row)
            i += 1

    @staticmethod
    def _period(row: Row, current: str) -> str:
        key = _SPACE.sub("", row.filled[0].text) if row.filled else ""
        data = ind._data()
        if any(key.startswith(w) for w in data["long_term"]):
            return "long_term"
        if any(key.startswith(w) for w in data["annual"]):
            return "annual"
        return current

    def _table_stream(self, rows: list[Row], i: int, skip: int, n: int) -> int:
        """A cost or guarantee table written one cell per line: rows are cut by the
        header's width (costs) or after the last stage cell (guarantees). Returns the
        index after it, or 0 when the names head no such table."""
        names = [r.joined for r in rows[i + skip:i + skip + n]]
        j = i + skip + n
        if tables.cost_columns(names):
            columns, width = tables.cost_columns(names), len(names)
            while j < len(rows) and rows[j].is_line and not _stops_table(rows[j]):
                if tables.is_total_row([rows[j].joined]):  # 金额合计, its amount, dashes: fewer cells
                    end = j + 1
                    while end < len(rows) and rows[end].is_line and tables.is_figure_or_dash(rows[end].joined):
                        end += 1
                    self.cost_totals.append(_row_of(rows[j:end]))
                    return end
                self.cost_rows.append((_row_of(rows[j:j + width]), columns, width))
                j += width
            return j
        names = [rows[i].joined] * skip + names  # the kind column is headed by 制度保障
        columns = tables.guarantee_columns(names)
        if not columns:
            return 0
        while j < len(rows) and rows[j].is_line and not _stops_table(rows[j]):
            end = j
            while end < len(rows) - 1 and rows[end].is_line and not tables.is_last_stage(rows[end].joined):
                end += 1
            g = tables.guarantee(_row_of(rows[j:end + 1]), columns, len(names))
            if g:
                self.guarantees.append(g)
            j = end + 1
        return j

    def _indicator_table(self, rows, i, reader, line_mode) -> int:
        while i < len(rows) and not _stops_table(rows[i]):
            row = rows[i]
            if row.is_line and len(row.filled) == 1 and line_mode:
                reader.line_row(row)
            elif row.filled:
                reader.table_row(row)
            i += 1
        self._keep(reader)
        return i

    def _indicator_stream(self, rows, i, reader) -> int:
        while i < len(rows) and rows[i].is_line and not _stops_table(rows[i]):
            following = [r.joined for r in rows[i + 1:i + 2]]
            reader.stream_cell(rows[i].segs[0], following)
            i += 1
        self._keep(reader)
        return i

    def _keep(self, reader) -> None:
        found = reader.finish()
        for indicator, seg in zip(found, reader.sources):
            self.indicators.append(indicator)
            self.indicator_rows.append(seg)

    def _costs(self, rows, i, columns, width) -> int:
        while i < len(rows) and not _stops_table(rows[i], own=tables.is_row_label):
            if tables.is_total_row(rows[i].texts):
                self.cost_totals.append(rows[i])
                return i + 1
            self.cost_rows.append((rows[i], columns, width))
            i += 1
        return i

    def cost_items(self, unit: str | None) -> list[CostItem]:
        items = [tables.cost_item_by_meaning(row.joined.split(), list(columns.values()), unit) if row.is_line
                 else tables.cost_item(row, columns, width, unit) for row, columns, width in self.cost_rows]
        return [item for item in items if item is not None]

    def _schedule(self, rows, i, columns) -> int:
        while i < len(rows) and not _stops_table(rows[i]) and not (rows[i].is_line and _starts_with_label(rows[i])):
            item = tables.schedule_item(rows[i], columns)
            if item:
                self.schedule.append(item)
            i += 1
        return i

    def _guarantees(self, rows, i, columns, width) -> int:
        while i < len(rows) and not _stops_table(rows[i]):
            g = tables.guarantee_from_words(rows[i]) if rows[i].is_line else tables.guarantee(rows[i], columns, width)
            if g:
                self.guarantees.append(g)
            i += 1
        return i


def _stream_header(rows: list[Row], i: int, is_name, is_row_label) -> tuple[int, int]:
    """A header written one cell per line from `i`: (lines of row label before it,
    lines of column names)."""
    skip = 1 if i < len(rows) and rows[i].is_line and is_row_label(rows[i].joined) else 0
    n = 0
    while i + skip + n < len(rows) and rows[i + skip + n].is_line and is_name(rows[i + skip + n].joined):
        n += 1
    return skip, n


def _row_of(lines: list[Row]) -> Row:
    """One-cell lines taken together as the table row they were flattened from."""
    return Row([seg for line in lines for seg in line.segs], False, lines[0].index if lines else 0)


def _starts_with_label(row: Row) -> bool:
    matches = lexicon().find(row.joined)
    return bool(matches) and matches[0].start == 0


def _stops_table(row: Row, own=lambda text: False) -> bool:
    """A row that cannot belong to a table above it: one starting with a form label that
    fills its cell (or has a colon), or the header of another table. `own` tells the
    table's own row labels (项目构成分解 heads the cost rows it spans)."""
    if not row.filled or own(row.filled[0].text):
        return False
    text = lexicon().strip_prefix(row.filled[0].text).strip()
    matches = lexicon().find(text)
    if matches and matches[0].start == 0 and (matches[0].colon or matches[0].end >= len(text)):
        return True
    header = ind.is_header_line(row.joined) if row.is_line else ind.is_header(row.texts)
    cells = tables.header_cells(row)
    return bool(header or tables.cost_columns(cells) or tables.guarantee_columns(cells))


# ---------------------------------------------------------------- the record

def _accept(field: str, text: str) -> bool:
    if field.startswith("funding."):
        return parse_money(text, None) is not None
    if field in ("project.start_date", "project.end_date"):
        return parse_date(text) is not None
    if field == "project.period":
        return parse_date_range(text)[0] is not None
    if field == "project.phone":
        return parse_phone(text) is not None
    if field == "amount_unit":
        return parse_form_unit(text) in FORM_UNITS
    return clean_value(text) is not None


class _Builder:
    def __init__(self, doc: Document, filing: Filing, index: int):
        self.doc, self.filing, self.index = doc, filing, index
        self.unsure: list[str] = []
        self.provenance: dict[str, dict] = {}
        self.tables = _Tables(filing.rows)
        self.fields: Fields = read_fields(self.tables.other_rows, _accept)

    def first(self, field: str, path: str | None = None) -> str | None:
        values = self.fields.values.get(field)
        if not values:
            return None
        if path:
            self.provenance[path] = values[0].source.as_dict()
        return values[0].text

    def text(self, field: str, path: str) -> str | None:
        return clean_value(self.first(field, path))

    def money(self, field: str, path: str, unit: str | None) -> str | None:
        values = self.fields.values.get(field)
        if not values:
            return None
        self.provenance[path] = values[0].source.as_dict()
        return self._yuan(values[0].text, values[0].unit or unit, path)

    def _yuan(self, text: str | None, unit: str | None, path: str) -> str | None:
        money = parse_money(text, unit)
        if money is None:
            return None
        if unit is None and not regex.search(r"[元万千亿]", text or ""):
            self.unsure.append(path)  # the form declares no unit: read as yuan
        return format_yuan(money.yuan)

    def build(self) -> Declaration:
        amount_unit = self._amount_unit()
        project = self._project()
        corrections: list = []
        narrative = self._narrative()
        indicators = self.tables.indicators
        cost_items = self.tables.cost_items(amount_unit)
        totals = [tables.cost_total(row, amount_unit) for row in self.tables.cost_totals]
        guarantees = self.tables.guarantees
        self._correct(narrative, indicators, cost_items, guarantees, corrections)
        for i, seg in enumerate(self.tables.indicator_rows):
            self.provenance[f"indicators[{i}]"] = seg.source.as_dict()
        parts = self.filing.parts
        return Declaration(
            source=Source(path=self.doc.path, sha256=self.doc.sha256, format=self.doc.format, method=self.doc.method,
                          encoding=self.doc.encoding, pages=self.doc.page_count, record_index=self.index),
            form=Form(title=next((p.title for p in parts if p.title), None), parts=[p.name for p in parts if p.name]),
            year=self._year(project),
            filing_unit=self.text("filing_unit", "filing_unit"),
            amount_unit=amount_unit,
            project=project,
            funding=self._funding(amount_unit),
            narrative=narrative,
            indicators=indicators,
            cost_items=cost_items,
            cost_total=totals[0] if totals else None,
            guarantees=guarantees,
            citations=find_citations(self._prose(narrative, cost_items, guarantees)),
            signatures=self._signatures(),
            corrections=sorted(corrections, key=lambda c: [int(x) if x.isdigit() else x for x in regex.split(r"(\d+)", c.path)]),
            provenance=self.provenance,
            unsure=sorted(set(self.unsure) | {path for path, where in self.provenance.items()
                                              if where.get("confidence", 1.0) < LOW_CONFIDENCE}),
        )

    def _amount_unit(self) -> str | None:
        declared = self.first("amount_unit", "amount_unit")
        if declared:
            return parse_form_unit(declared)
        return self.fields.label_units[0] if self.fields.label_units else None

    def _year(self, project: Project) -> int | None:
        year = next((p.year for p in self.filing.parts if p.year), None)
        if year:
            return year
        guessed = regex.match(r"\s*((?:19|20)\d{2})\s*年", project.name or "")
        if guessed:
            self.unsure.append("year")
            return int(guessed.group(1))
        if project.start_date:
            self.unsure.append("year")
            return int(project.start_date[:4])
        return None

    def _project(self) -> Project:
        lead, lead_unsure = parse_person(self.text("project.lead", "project.lead"))
        phone = parse_phone(self.first("project.phone", "project.phone") or "")
        glued = self.text("project.lead_and_phone", "project.lead")
        if glued:
            lead, lead_unsure = parse_person(glued)
            phone = phone or parse_phone(glued)
            self.provenance["project.phone"] = self.provenance["project.lead"]
        if lead_unsure:
            self.unsure.append("project.lead")
        start, end = self._dates()
        options = parse_options(self.first("project.category", "project.category")) or []
        checked = [label for label, ticked in options if ticked]
        category = checked[0] if len(checked) == 1 else None
        if not options:
            category = self.text("project.category", "project.category")
        return Project(
            name=self.text("project.name", "project.name"), code=self.text("project.code", "project.code"),
            department=_without_code(self.text("project.department", "project.department")),
            implementing_unit=_without_code(self.text("project.implementing_unit", "project.implementing_unit")),
            attribute=self._attribute(), category=category,
            category_options=[CategoryOption(label=label, checked=ticked) for label, ticked in options],
            lead=lead, contact=parse_person(self.text("project.contact", "project.contact"))[0], phone=phone,
            start_date=start, end_date=end,
        )

    def _attribute(self) -> str | None:
        text = self.first("project.attribute", "project.attribute")
        if not text:
            return None
        options = parse_options(text)
        if options:
            chosen = [label for label, ticked in options if ticked]
            if len(chosen) != 1:
                self.unsure.append("project.attribute")
                return None
            text = chosen[0]
        if "新增" in text or text.strip() == "是":
            return "new"
        if "延续" in text or "续" in text or text.strip() == "否":
            return "continuing"
        self.unsure.append("project.attribute")
        return None

    def _dates(self) -> tuple[str | None, str | None]:
        start = parse_date(self.first("project.start_date", "project.start_date"))
        end = parse_date(self.first("project.end_date", "project.end_date"))
        if not (start or end):
            start, end = parse_date_range(self.first("project.period", "project.start_date"))
            if start and end is None and start.precision == "year":
                end = start
            if end:
                self.provenance["project.end_date"] = self.provenance["project.start_date"]
        for path, value in (("project.start_date", start), ("project.end_date", end)):
            if value and value.precision != "day":
                self.unsure.append(path)
        return (start.start if start else None), (end.end if end else None)

    def _funding(self, unit: str | None) -> Funding:
        money = {name: self.money(f"funding.{name}", f"funding.{name}", unit) for name in MONEY_FIELDS}
        others = []
        for i, value in enumerate(self.fields.values.get("funding.other_sources", [])):
            path = f"funding.other_sources[{i}]"
            self.provenance[path] = value.source.as_dict()
            others.append(OtherSource(label=value.label, amount=self._yuan(value.text, value.unit or unit, path)))
        return Funding(**money, other_sources=others)

    def _narrative(self) -> Narrative:
        texts = {name: self.text(f"narrative.{name}", f"narrative.{name}") for name in NARRATIVE_TEXT}
        return Narrative(**texts,
                         overall_goals=split_items(self.first("narrative.overall_goals", "narrative.overall_goals")),
                         activities=split_items(self.first("narrative.activities", "narrative.activities")
                                                or "\n".join(self.tables.schedule)))

    def _signatures(self) -> Signatures:
        date_text = self.text("signatures.date", "signatures.date")
        date = parse_date(date_text)
        return Signatures(unit_head=self.text("signatures.unit_head", "signatures.unit_head"),
                          preparer=parse_person(self.text("signatures.preparer", "signatures.preparer"))[0],
                          date=date.start if date and date.precision == "day" else date_text)

    @staticmethod
    def _correct(narrative: Narrative, indicators: list[Indicator], cost_items: list[CostItem],
                 guarantees: list[Guarantee], corrections: list) -> None:
        for name in NARRATIVE_TEXT:
            setattr(narrative, name, correct(getattr(narrative, name), f"narrative.{name}", corrections))
        for name in ("overall_goals", "activities"):
            items = getattr(narrative, name)
            items[:] = [correct(t, f"narrative.{name}[{i}]", corrections) for i, t in enumerate(items)]
        for i, indicator in enumerate(indicators):
            indicator.name = correct(indicator.name, f"indicators[{i}].name", corrections)
            indicator.note = correct(indicator.note, f"indicators[{i}].note", corrections)
        for i, item in enumerate(cost_items):
            for name in ("content", "item", "note"):
                setattr(item, name, correct(getattr(item, name), f"cost_items[{i}].{name}", corrections))
        for i, g in enumerate(guarantees):
            for name in ("documents", "measures"):
                setattr(g, name, correct(getattr(g, name), f"guarantees[{i}].{name}", corrections))

    @staticmethod
    def _prose(narrative: Narrative, cost_items: list[CostItem], guarantees: list[Guarantee]) -> list[str]:
        """The texts documents are cited in, in the record's order."""
        texts = [getattr(narrative, name) for name in NARRATIVE_TEXT[:5]] + narrative.overall_goals
        texts += [narrative.annual_goal, narrative.other_notes] + narrative.activities
        for item in cost_items:
            texts += [item.price_basis, item.quantity_basis, item.note]
        for g in guarantees:
            texts += [g.documents, g.measures]
        return [t for t in texts if t]


def _without_code(text: str | None) -> str | None:
    """A unit name without the numeric code some exports prefix or suffix: [610001]…"""
    return clean_value(_UNIT_CODE.sub("", text)) if text else text


def _declaration(doc: Document, filing: Filing, index: int) -> Declaration:
    return _Builder(doc, filing, index).build()
