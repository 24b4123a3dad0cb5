"""The five-dimension score (严选); see the package docstring for the method."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from kincare.catalog.engine.facts import (
    CENT,
    DIMENSIONS,
    PROFILES,
    RISK_RATING_POINTS,
    SERVICE_POINTS,
    SERVICE_RATING_POINTS,
    UNSELECTABLE_RATINGS,
    YUAN,
    DimensionScore,
    InsurerFacts,
    Line,
    ProductFacts,
    ProductScore,
    Profile,
    Weights,
)


def _pts(value: float) -> Decimal:
    """Points rounded down to 0.01: monotone, and lines never add up to more than their caps."""
    if value <= 0:
        return Decimal(0)
    return Decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def _share(value: float, full: float) -> float:
    """value / full clamped to [0, 1]."""
    if full <= 0:
        return 1.0
    return min(1.0, max(0.0, value / full))


def _yuan(fen: int) -> str:
    return f"{fen // YUAN:,} 元"


def _dimension(name: str, lines: list[Line]) -> DimensionScore:
    return DimensionScore(name, sum((line.points for line in lines), Decimal(0)), tuple(lines))


# --- coverage --------------------------------------------------------------------------


def _effective_deductible(product: ProductFacts) -> int:
    values = [p.deductible_fen for p in product.table.plans if p.deductible_fen is not None]
    base = product.coverage.deductible_fen
    return min([base, *values]) if values else base


def _coverage_medical(p: ProductFacts) -> list[Line]:
    c = p.coverage
    deductible = _effective_deductible(p)
    return [
        Line(_("一般医疗保额"), _yuan(p.main_cover_fen), _pts(20 * _share(p.main_cover_fen, 6_000_000 * YUAN))),
        Line(_("免赔额"), _yuan(deductible), _pts(20 * (1 - _share(deductible, 20_000 * YUAN)))),
        Line(_("有社保报销比例"), f"{c.ratio_with_social:.0%}", _pts(15 * _share(c.ratio_with_social, 1))),
        Line(_("无社保报销比例"), f"{c.ratio_without_social:.0%}", _pts(10 * _share(c.ratio_without_social, 1))),
        Line(_("额外保障项目"), str(c.extra_items), _pts(3 * min(c.extra_items, 6))),
        Line(_("住院前后门诊天数"), str(c.pre_post_days), _pts(5 * _share(c.pre_post_days, 60))),
        Line(_("可用特需病房"), _("是") if c.special_needs_ward else _("否"), _pts(4 if c.special_needs_ward else 0)),
        Line(
            _("家庭共享免赔额"),
            _("是") if c.family_shared_deductible else _("否"),
            _pts(3 if c.family_shared_deductible else 0),
        ),
        Line(_("接受慢病人群"), _("是") if c.accepts_chronic else _("否"), _pts(5 if c.accepts_chronic else 0)),
    ]


def _coverage_critical_illness(p: ProductFacts) -> list[Line]:
    c = p.coverage
    return [
        Line(_("基本保额"), _yuan(p.main_cover_fen), _pts(20 * _share(p.main_cover_fen, 500_000 * YUAN))),
        Line(_("重疾病种数"), str(c.severe_count), _pts(15 * _share(c.severe_count, 120))),
        Line(_("中症病种数"), str(c.moderate_count), _pts(10 * _share(c.moderate_count, 25))),
        Line(_("中症赔付比例"), f"{c.moderate_ratio:.0%}", _pts(10 * _share(c.moderate_ratio, 0.6))),
        Line(_("轻症病种数"), str(c.mild_count), _pts(5 * _share(c.mild_count, 40))),
        Line(_("轻症赔付比例"), f"{c.mild_ratio:.0%}", _pts(10 * _share(c.mild_ratio, 0.3))),
        Line(_("重疾最多赔付次数"), str(c.max_severe_payouts), _pts(15 * _share(c.max_severe_payouts - 1, 2))),
        Line(_("被保人豁免"), _("是") if c.premium_waiver else _("否"), _pts(5 if c.premium_waiver else 0)),
        Line(_("保障至年龄"), str(c.coverage_end_age), _pts(10 * _share(c.coverage_end_age, 105))),
    ]


def _coverage_accident(p: ProductFacts) -> list[Line]:
    c = p.coverage
    deductible = _effective_deductible(p)
    # minors' death benefit is capped by regulation (under 10: 200,000; 10-17: 500,000 yuan):
    # a children's product reaching the cap gets the full points
    full_cover = 1_000_000 * YUAN
    if p.table.issue_age_max_years <= 17:
        full_cover = (200_000 if p.table.issue_age_max_years < 10 else 500_000) * YUAN
    return [
        Line(_("意外身故/伤残保额"), _yuan(p.main_cover_fen), _pts(30 * _share(p.main_cover_fen, full_cover))),
        Line(
            _("意外医疗额度"),
            _yuan(c.accident_medical_limit_fen),
            _pts(25 * _share(c.accident_medical_limit_fen, 100_000 * YUAN)),
        ),
        Line(_("意外医疗免赔额"), _yuan(deductible), _pts(15 * (1 - _share(deductible, 1_000 * YUAN)))),
        Line(_("有社保报销比例"), f"{c.ratio_with_social:.0%}", _pts(10 * _share(c.ratio_with_social, 1))),
        Line(_("无社保报销比例"), f"{c.ratio_without_social:.0%}", _pts(5 * _share(c.ratio_without_social, 1))),
        Line(_("可保职业类别"), f"1-{p.occupation_max_class}", _pts(15 * _share(p.occupation_max_class, 6))),
    ]


def _coverage_term_life(p: ProductFacts) -> list[Line]:
    c = p.coverage
    return [
        Line(_("最高保额"), _yuan(p.main_cover_fen), _pts(40 * _share(p.main_cover_fen, 3_000_000 * YUAN))),
        Line(_("保障至年龄"), str(c.coverage_end_age), _pts(30 * _share(c.coverage_end_age - 50, 30))),
        Line(_("最高投保年龄"), str(p.table.issue_age_max_years), _pts(15 * _share(p.table.issue_age_max_years, 60))),
        Line(_("可保职业类别"), f"1-{p.occupation_max_class}", _pts(15 * _share(p.occupation_max_class, 6))),
    ]


def _coverage_income(p: ProductFacts) -> list[Line]:
    c = p.coverage
    return [
        Line(_("保额"), _yuan(p.main_cover_fen), _pts(50 * _share(p.main_cover_fen, 1_000_000 * YUAN))),
        Line(_("保障至年龄"), str(c.coverage_end_age), _pts(30 * _share(c.coverage_end_age - 50, 30))),
        Line(_("可保职业类别"), f"1-{p.occupation_max_class}", _pts(20 * _share(p.occupation_max_class, 6))),
    ]


COVERAGE_RULES = {
    "medical": _coverage_medical,
    "critical_illness": _coverage_critical_illness,
    "accident": _coverage_accident,
    "term_life": _coverage_term_life,
    "long_term_care": _coverage_income,
    "disability_income": _coverage_income,
}


# --- the other dimensions ------------------------------------------------------------------


def _renewal(p: ProductFacts) -> list[Line]:
    if p.renewal_kind == "guaranteed":
        guarantee = max(10.0, 40 * _share(p.guaranteed_years, 20))
        label = _("保证续保 %(n)d 年") % {"n": p.guaranteed_years}
    elif p.renewal_kind == "yearly":
        guarantee, label = 10.0, _("可续保但不保证")
    else:
        guarantee, label = 0.0, _("不可续保")
    return [
        Line(_("续保保证"), label, _pts(guarantee)),
        Line(_("最高续保年龄"), str(p.max_renewal_age), _pts(25 * _share(p.max_renewal_age, 100))),
        Line(_("费率可调整"), _("是") if p.premium_adjustable else _("否"), _pts(0 if p.premium_adjustable else 15)),
        Line(_("等待期"), _("%(n)d 天") % {"n": p.waiting_days}, _pts(20 * (1 - _share(p.waiting_days, 180)))),
    ]


def _insurer(i: InsurerFacts) -> list[Line]:
    return [
        Line(_("风险综合评级"), i.risk_rating, _pts(RISK_RATING_POINTS.get(i.risk_rating, 0))),
        Line(_("服务评价"), i.service_rating, _pts(SERVICE_RATING_POINTS.get(i.service_rating, 0))),
        Line(
            _("综合偿付能力充足率"),
            f"{i.comprehensive_solvency_pct:g}%",
            _pts(20 * _share(i.comprehensive_solvency_pct - 100, 200)),
        ),
        Line(_("核心偿付能力充足率"), f"{i.core_solvency_pct:g}%", _pts(10 * _share(i.core_solvency_pct - 50, 150))),
        Line(
            _("每万张保单投诉量"),
            f"{i.complaints_per_10k:g}",
            _pts(15 * (1 - _share(i.complaints_per_10k, 10))),
        ),
        Line(
            _("理赔时效中位数"),
            _("%(n)s 天") % {"n": f"{i.settlement_days_median:g}"},
            _pts(10 * (1 - _share(i.settlement_days_median, 30))),
        ),
    ]


def _services(p: ProductFacts) -> list[Line]:
    lines = [
        Line(_("增值服务"), code, _pts(SERVICE_POINTS[code])) for code in sorted(p.services) if code in SERVICE_POINTS
    ]
    return lines or [Line(_("增值服务"), _("无"), Decimal(0))]


# --- price -----------------------------------------------------------------------------------


def unit_price(product: ProductFacts, profile: Profile) -> float | None:
    """The cheapest premium per unit of cover this profile can buy, or None when not issuable."""
    table = product.table
    if profile.age > table.issue_age_max_years or profile.age * 365 + 364 < table.issue_age_min_days:
        return None
    covers = {plan.code: plan.cover_fen for plan in table.plans}
    best: float | None = None
    for band in table.bands:
        if (
            band.sex == profile.sex
            and band.social_insurance == profile.social_insurance
            and band.age_min <= profile.age <= band.age_max
            and covers.get(band.plan, 0) > 0
        ):
            value = band.annual_premium_fen * band.payment_years / covers[band.plan]
            if best is None or value < best:
                best = value
    return best


def _median_excluding(values: list[float], own: float) -> float | None:
    """Median of a sorted list with one occurrence of ``own`` taken out."""
    n = len(values) - 1
    if n < 2:
        return None
    skip = bisect_left(values, own)

    def at(k: int) -> float:
        return values[k] if k < skip else values[k + 1]

    if n % 2:
        return at(n // 2)
    return (at(n // 2 - 1) + at(n // 2)) / 2


def _price(product: ProductFacts, references: list[tuple[Profile, float | None, float | None]]) -> list[Line]:
    available = [(profile, own, ref) for profile, own, ref in references if own is not None]
    lines: list[Line] = []
    for profile, own, ref in references:
        who = _("%(age)d 岁%(sex)s") % {"age": profile.age, "sex": _("男") if profile.sex == "M" else _("女")}
        if own is None:
            lines.append(Line(_("参考人群 %(who)s") % {"who": who}, _("不可投保，不计入"), Decimal(0)))
            continue
        reference = ref if ref is not None else profile.market_unit_price
        points = 100 * reference / (reference + own) / len(available)
        lines.append(
            Line(
                _("参考人群 %(who)s") % {"who": who},
                _("每万元保障 %(own).2f 元，同类中位数 %(ref).2f 元")
                % {"own": own * 10_000, "ref": reference * 10_000},
                _pts(points),
            )
        )
    return lines


# --- the catalog -----------------------------------------------------------------------------


def score_product(
    product: ProductFacts, weights: Weights, price_references: list[tuple[Profile, float | None, float | None]]
) -> ProductScore:
    dims = {
        "coverage": _dimension("coverage", COVERAGE_RULES[product.category](product)),
        "price": _dimension("price", _price(product, price_references)),
        "renewal": _dimension("renewal", _renewal(product)),
        "insurer": _dimension("insurer", _insurer(product.insurer)),
        "services": _dimension("services", _services(product)),
    }
    weighted = sum((dims[d].score * weights.of(d) for d in DIMENSIONS), Decimal(0))
    total = (weighted / max(1, weights.total_weight)).quantize(CENT, rounding=ROUND_DOWN)
    reason = ""
    if product.insurer.risk_rating in UNSELECTABLE_RATINGS:
        reason = "insurer_rating"
    elif total < weights.threshold:
        reason = "below_threshold"
    return ProductScore(product.code, product.category, dims, total, not reason, reason)


def score_catalog(products: Sequence[ProductFacts], weights: Weights) -> list[ProductScore]:
    """Score every product within its category; the result follows the input order."""
    by_category: dict[str, list[ProductFacts]] = defaultdict(list)
    for product in products:
        by_category[product.category].append(product)
    own_prices: dict[int, list[float | None]] = {}
    sorted_prices: dict[tuple[str, int], list[float]] = {}
    for category, members in by_category.items():
        profiles = PROFILES[category]
        columns: list[list[float]] = [[] for _ in profiles]
        for product in members:
            prices = [unit_price(product, profile) for profile in profiles]
            own_prices[id(product)] = prices
            for k, price in enumerate(prices):
                if price is not None:
                    columns[k].append(price)
        for k, column in enumerate(columns):
            sorted_prices[(category, k)] = sorted(column)
    results = []
    for product in products:
        profiles = PROFILES[product.category]
        prices = own_prices[id(product)]
        references = [
            (
                profile,
                price,
                None if price is None else _median_excluding(sorted_prices[(product.category, k)], price),
            )
            for k, (profile, price) in enumerate(zip(profiles, prices, strict=True))
        ]
        results.append(score_product(product, weights, references))
    return results
