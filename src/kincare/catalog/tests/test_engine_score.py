"""Properties of the five-dimension score: deterministic, monotone per input, explained, bounded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kincare.catalog.engine import (
    DIMENSIONS,
    RATING_ORDER,
    SERVICE_POINTS,
    CoverageFacts,
    InsurerFacts,
    PlanFacts,
    PremiumBand,
    PremiumTable,
    ProductFacts,
    ProductScore,
    Weights,
    score_catalog,
)
from kincare.catalog.sources import DATA_DIR, current_products, load_catalog, product_facts

_catalog = load_catalog(DATA_DIR)
_insurers = {i.code: i for i in _catalog.insurers}
SAMPLE: list[ProductFacts] = [product_facts(p, _insurers[p.insurer]) for p in current_products(_catalog)]
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _score_in_category(product: ProductFacts, weights: Weights | None = None) -> ProductScore:
    others = [p for p in SAMPLE if p.category == product.category and p.code != product.code]
    return score_catalog([product, *others], weights or Weights())[0]


def _assert_not_worse(before: ProductScore, after: ProductScore, dimension: str) -> None:
    assert after.dimensions[dimension].score >= before.dimensions[dimension].score
    assert after.total >= before.total


# --- improvements, one input at a time -------------------------------------------------------


def _lower_premium(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    bands = list(p.table.bands)
    k = index % len(bands)
    bands[k] = dataclasses.replace(bands[k], annual_premium_fen=max(1, int(bands[k].annual_premium_fen * factor)))
    return dataclasses.replace(p, table=dataclasses.replace(p.table, bands=tuple(bands)))


def _higher_limit(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    plans = list(p.table.plans)
    k = index % len(plans)
    plans[k] = dataclasses.replace(plans[k], cover_fen=int(plans[k].cover_fen * (1 + factor)))
    return dataclasses.replace(p, table=dataclasses.replace(p.table, plans=tuple(plans)))


def _lower_deductible(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    coverage = dataclasses.replace(p.coverage, deductible_fen=int(p.coverage.deductible_fen * factor))
    return dataclasses.replace(p, coverage=coverage)


def _longer_guarantee(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    extra = 1 + index % 30
    if p.renewal_kind == "guaranteed":
        return dataclasses.replace(p, guaranteed_years=p.guaranteed_years + extra)
    return dataclasses.replace(p, renewal_kind="guaranteed", guaranteed_years=extra)


def _one_more_service(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    missing = sorted(set(SERVICE_POINTS) - p.services)
    if not missing:
        return p
    return dataclasses.replace(p, services=p.services | {missing[index % len(missing)]})


def _better_insurer(p: ProductFacts, factor: float, index: int) -> ProductFacts:
    position = RATING_ORDER.index(p.insurer.risk_rating)
    better = RATING_ORDER[min(len(RATING_ORDER) - 1, position + 1 + index % 2)]
    return dataclasses.replace(p, insurer=dataclasses.replace(p.insurer, risk_rating=better))


IMPROVEMENTS: list[tuple[str, Callable[[ProductFacts, float, int], ProductFacts], str]] = [
    ("lower premium", _lower_premium, "price"),
    ("higher limit", _higher_limit, "coverage"),
    ("lower deductible", _lower_deductible, "coverage"),
    ("longer guaranteed renewal", _longer_guarantee, "renewal"),
    ("one more service", _one_more_service, "services"),
    ("better insurer rating", _better_insurer, "insurer"),
]

products = st.sampled_from(SAMPLE)
factors = st.floats(min_value=0.01, max_value=0.99)
indexes = st.integers(min_value=0, max_value=10_000)


@FAST
@given(products, factors, indexes)
def test_a_lower_premium_never_lowers_price_or_total(product: ProductFacts, factor: float, index: int) -> None:
    _assert_not_worse(_score_in_category(product), _score_in_category(_lower_premium(product, factor, index)), "price")


@FAST
@given(products, factors, indexes)
def test_a_higher_limit_never_lowers_coverage_or_total(product: ProductFacts, factor: float, index: int) -> None:
    before, after = _score_in_category(product), _score_in_category(_higher_limit(product, factor, index))
    _assert_not_worse(before, after, "coverage")
    assert after.dimensions["price"].score >= before.dimensions["price"].score  # more cover per yuan


@FAST
@given(products, factors, indexes)
def test_a_lower_deductible_never_lowers_coverage_or_total(product: ProductFacts, factor: float, index: int) -> None:
    before, after = _score_in_category(product), _score_in_category(_lower_deductible(product, factor, index))
    _assert_not_worse(before, after, "coverage")


@FAST
@given(products, factors, indexes)
def test_a_longer_guarantee_never_lowers_renewal_or_total(product: ProductFacts, factor: float, index: int) -> None:
    before, after = _score_in_category(product), _score_in_category(_longer_guarantee(product, factor, index))
    _assert_not_worse(before, after, "renewal")


@FAST
@given(products, factors, indexes)
def test_one_more_service_never_lowers_services_or_total(product: ProductFacts, factor: float, index: int) -> None:
    before, after = _score_in_category(product), _score_in_category(_one_more_service(product, factor, index))
    _assert_not_worse(before, after, "services")


@FAST
@given(products, factors, indexes)
def test_a_better_insurer_rating_never_lowers_insurer_or_total(
    product: ProductFacts, factor: float, index: int
) -> None:
    before, after = _score_in_category(product), _score_in_category(_better_insurer(product, factor, index))
    _assert_not_worse(before, after, "insurer")


def test_the_same_catalog_and_model_give_the_same_scores() -> None:
    first = score_catalog(SAMPLE, Weights())
    second = score_catalog(list(SAMPLE), Weights())
    assert [s.as_json() for s in first] == [s.as_json() for s in second]
    assert [s.dimensions for s in first] == [s.dimensions for s in second]


def test_the_order_of_the_catalog_does_not_change_any_score() -> None:
    forward = {s.code: s.as_json() for s in score_catalog(SAMPLE, Weights())}
    backward = {s.code: s.as_json() for s in score_catalog(list(reversed(SAMPLE)), Weights())}
    assert forward == backward


def test_every_dimension_is_the_sum_of_its_explanation_lines() -> None:
    for score in score_catalog(SAMPLE, Weights()):
        for dimension in DIMENSIONS:
            dim = score.dimensions[dimension]
            assert dim.lines, (score.code, dimension)
            assert sum((line.points for line in dim.lines), Decimal(0)) == dim.score


def test_weights_re_rank_without_code_changes() -> None:
    price_only = Weights(coverage=0, price=1, renewal=0, insurer=0, services=0)
    for score in score_catalog(SAMPLE, price_only):
        assert score.total == score.dimensions["price"].score.quantize(Decimal("0.01"))


def test_an_insurer_rated_c_is_never_selected_whatever_its_score() -> None:
    scores = score_catalog(SAMPLE, Weights(threshold=0))
    rated_c = {p.code for p in SAMPLE if p.insurer.risk_rating in ("C", "D")}
    assert rated_c
    for score in scores:
        assert score.selected is (score.code not in rated_c)
        if score.code in rated_c:
            assert score.hidden_reason == "insurer_rating"


def test_a_product_below_the_threshold_is_hidden() -> None:
    scores = score_catalog(SAMPLE, Weights(threshold=100))
    assert not any(s.selected for s in scores)
    assert {s.hidden_reason for s in scores} <= {"below_threshold", "insurer_rating"}


# --- bounds on extreme products --------------------------------------------------------------

ratings = st.sampled_from(RATING_ORDER)
categories = st.sampled_from(
    ["medical", "critical_illness", "accident", "term_life", "long_term_care", "disability_income"]
)
big = st.integers(min_value=1, max_value=10**13)
ratio = st.floats(min_value=0, max_value=1)


@st.composite
def extreme_products(draw: st.DrawFn) -> ProductFacts:
    max_age = draw(st.integers(min_value=0, max_value=100))
    plans = tuple(PlanFacts(f"p{i}", draw(big), draw(st.none() | big)) for i in range(draw(st.integers(1, 3))))
    bands = tuple(
        PremiumBand(plan.code, draw(st.integers(1, 100)), sex, social, 0, max_age, draw(big))
        for plan in plans
        for sex in ("M", "F")
        for social in (True, False)
    )
    return ProductFacts(
        code=draw(st.sampled_from(["x1", "x2", "x3"])),
        category=draw(categories),
        insurer=InsurerFacts(
            "ins",
            draw(ratings),
            draw(ratings),
            draw(st.floats(0, 10_000)),
            draw(st.floats(0, 10_000)),
            draw(st.floats(0, 10_000)),
            draw(st.floats(0, 3650)),
        ),
        table=PremiumTable(draw(st.integers(0, 365)), max_age, plans, bands),
        max_renewal_age=draw(st.integers(0, 120)),
        renewal_kind=draw(st.sampled_from(["none", "yearly", "guaranteed"])),
        guaranteed_years=draw(st.integers(0, 100)),
        premium_adjustable=draw(st.booleans()),
        waiting_days=draw(st.integers(0, 730)),
        occupation_max_class=draw(st.integers(1, 6)),
        services=frozenset(draw(st.sets(st.sampled_from(sorted(SERVICE_POINTS))))),
        coverage=CoverageFacts(
            deductible_fen=draw(st.integers(0, 10**13)),
            family_shared_deductible=draw(st.booleans()),
            ratio_with_social=draw(ratio),
            ratio_without_social=draw(ratio),
            extra_items=draw(st.integers(0, 7)),
            pre_post_days=draw(st.integers(0, 730)),
            special_needs_ward=draw(st.booleans()),
            accepts_chronic=draw(st.booleans()),
            severe_count=draw(st.integers(0, 1000)),
            moderate_count=draw(st.integers(0, 1000)),
            moderate_ratio=draw(st.floats(0, 2)),
            mild_count=draw(st.integers(0, 1000)),
            mild_ratio=draw(st.floats(0, 2)),
            max_severe_payouts=draw(st.integers(0, 20)),
            premium_waiver=draw(st.booleans()),
            coverage_end_age=draw(st.integers(0, 120)),
            accident_medical_limit_fen=draw(st.integers(0, 10**13)),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(extreme_products(), min_size=1, max_size=4), st.integers(0, 100))
def test_every_score_stays_within_0_and_100_and_adds_up(products: list[ProductFacts], threshold: int) -> None:
    for score in score_catalog(products, Weights(threshold=threshold)):
        assert Decimal(0) <= score.total <= Decimal(100)
        for dimension in DIMENSIONS:
            dim = score.dimensions[dimension]
            assert Decimal(0) <= dim.score <= Decimal(100), (dimension, dim)
            assert sum((line.points for line in dim.lines), Decimal(0)) == dim.score
            assert all(line.points >= 0 for line in dim.lines)
