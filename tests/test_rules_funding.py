"""FUND_SUM_MISMATCH on funding built from random fen amounts: consistent sums never fire,
one figure off by a fen or more always does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.model import Declaration
from rules.funding import fund_sums
from test_rules_seed import check, clean, codes

FEN = st.integers(min_value=0, max_value=10**12)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@st.composite
def consistent_funding(draw) -> dict:
    """Funding whose every stated sum holds; blanks only where a sibling is filled in."""
    parts = draw(st.lists(st.one_of(st.none(), FEN), min_size=3, max_size=3).filter(lambda p: p != [None] * 3))
    fiscal = sum(p or 0 for p in parts)
    other = draw(st.one_of(st.none(), FEN))
    sources = draw(st.lists(FEN, max_size=2))
    budget = fiscal + (other or 0) + sum(sources)
    current_year = draw(st.sampled_from([None, budget]))
    total = budget + (draw(FEN) if current_year is not None else 0)  # a multi-year total may be larger
    funding = {
        "fiscal": fiscal, "fiscal_upper": parts[0], "fiscal_own": parts[1], "fiscal_lower": parts[2],
        "other": other, "current_year": current_year, "total": total,
    }
    return {
        **{k: yuan(v) if v is not None else None for k, v in funding.items()},
        "other_sources": [{"label": f"来源{i}", "amount": yuan(v)} for i, v in enumerate(sources)],
    }


def record(funding: dict) -> dict:
    r = clean()
    r["funding"] = funding
    r["cost_items"], r["cost_total"] = [], None
    return r


@settings(max_examples=150, deadline=None)
@given(consistent_funding())
def test_consistent_funding_never_fires(funding):
    assert fund_sums(Declaration.from_json(record(funding))) == []


def _summed_figures(funding: dict) -> list[tuple[str, int | None]]:
    """Figures that take part in a sum (total only when it is the budget, else it is an
    upper bound and only lowering it contradicts), as (key, source index)."""
    keys = ["fiscal", "fiscal_upper", "fiscal_own", "fiscal_lower", "other", "current_year"]
    if funding["current_year"] is None:
        keys.append("total")
    figures = [(k, None) for k in keys if funding[k] is not None]
    return figures + [("other_sources", i) for i in range(len(funding["other_sources"]))]


@settings(max_examples=150, deadline=None)
@given(consistent_funding(), st.data(), st.integers(min_value=1, max_value=10**9), st.booleans())
def test_one_figure_off_by_a_fen_or_more_always_fires(funding, data, delta, down):
    key, index = data.draw(st.sampled_from(_summed_figures(funding)))
    slot = funding["other_sources"][index] if index is not None else funding
    field = "amount" if index is not None else key
    fen = int(slot[field].replace(".", ""))
    if down and fen >= delta:
        delta = -delta
    slot[field] = yuan(fen + delta)
    found = fund_sums(Declaration.from_json(record(funding)))
    assert [f.code for f in found] and all(f.code == "FUND_SUM_MISMATCH" for f in found)


@settings(max_examples=50, deadline=None)
@given(consistent_funding(), st.integers(min_value=1, max_value=10**9))
def test_a_total_below_the_current_year_fires(funding, delta):
    if funding["current_year"] is None:
        funding["current_year"] = funding["total"]
    budget = int(funding["current_year"].replace(".", ""))
    funding["total"] = yuan(max(budget - delta, 0)) if budget else None
    result = codes(check(record(funding)))
    assert ("FUND_SUM_MISMATCH" in result) == (funding["total"] is not None)


def test_a_blank_part_counts_as_zero_only_beside_a_filled_sibling():
    # 财政拨款 filled, 其他资金 blank: the form says "no other money", so 10 ≠ 8 + blank
    r = record({"total": "10.00", "fiscal": "8.00"})
    assert codes(check(r)) == {"FUND_SUM_MISMATCH"}
    # every part blank: nothing is said, nothing is checked
    r = record({"total": "10.00"})
    result = check(r)
    assert "FUND_SUM_MISMATCH" not in codes(result)
    assert "FUND_SUM_MISMATCH" in {n.code for n in result.not_checked}


def test_fiscal_parts_stand_in_for_a_blank_fiscal():
    r = record({"current_year": "100.00", "fiscal_upper": "30.00", "fiscal_own": "70.00"})
    assert codes(check(r)) == set()
    r["funding"]["fiscal_own"] = "60.00"
    f = [f for f in check(r).findings if f.code == "FUND_SUM_MISMATCH"]
    assert len(f) == 1 and f[0].evidence["sum"] == "90.00" and f[0].paths[0] == "funding.current_year"


def test_the_real_hunan_form_with_other_sources_adds_up():
    # 01: 6923.3552 + 0 + 3683.3970 = 10606.7522 (万元); fiscal 6923.3552 = upper + own 0
    r = record({
        "total": "106067522.00", "fiscal": "69233552.00", "fiscal_upper": "69233552.00", "fiscal_own": "0.00",
        "other_sources": [{"label": "自有资金", "amount": "0.00"}, {"label": "其他", "amount": "36833970.00"}],
    })
    assert fund_sums(Declaration.from_json(r)) == []
    r["funding"]["other_sources"][1]["amount"] = "36833971.00"
    [f] = fund_sums(Declaration.from_json(r))
    assert "其他 3683.3971 元" not in f.message  # shown in the form's unit, not mislabelled
    assert "其他 3683.3971 万元" in f.message and f.evidence["difference"] == "-1.00"
