"""The catalog engine's facts: a stored product (and its premium table) as the scoring and
premium engines read it — the same inputs as the YAML path in ``sources``; rows in, engine
input out."""

from __future__ import annotations

from kincare.catalog.engine import PlanFacts, PremiumBand, PremiumTable, ProductFacts
from kincare.catalog.models import Product
from kincare.catalog.sources import InsurerIn, TermsIn, coverage_facts, insurer_facts


def product_facts_from_db(product: Product) -> ProductFacts:
    """The engine's view of a stored product (same inputs as the YAML path)."""
    benefits = [
        {
            "kind": b.kind,
            "annual_limit_fen": b.annual_limit_fen,
            "deductible_group": b.deductible_group.code if b.deductible_group else None,
            "ratio_with_social": b.ratio_with_social,
            "ratio_without_social": b.ratio_without_social,
            "disease_count": b.disease_count,
            "payout_ratio": b.payout_ratio,
            "max_payouts": b.max_payouts,
        }
        for b in product.benefits.all()
    ]
    insurer = product.insurer
    return ProductFacts(
        code=product.code,
        category=product.category,
        insurer=insurer_facts(
            InsurerIn.model_construct(
                code=insurer.code,
                risk_rating=insurer.risk_rating,
                service_rating=insurer.service_rating,
                core_solvency_pct=insurer.core_solvency_pct,
                comprehensive_solvency_pct=insurer.comprehensive_solvency_pct,
                complaints_per_10k=insurer.complaints_per_10k,
                settlement_days_median=insurer.settlement_days_median,
            )
        ),
        table=premium_table_from_db(product),
        max_renewal_age=product.max_renewal_age,
        renewal_kind=product.renewal_kind,
        guaranteed_years=product.guaranteed_years,
        premium_adjustable=product.premium_adjustable,
        waiting_days=product.waiting_days,
        occupation_max_class=max(product.occupation_classes or [1]),
        services=frozenset(s.code for s in product.services.all()),
        coverage=coverage_facts(
            category=product.category,
            benefits=benefits,
            deductible_groups={g.code: (g.amount_fen, g.scope) for g in product.deductible_groups.all()},
            terms=TermsIn.model_validate(product.terms or {}),
        ),
    )


def premium_table_from_db(product: Product) -> PremiumTable:
    plans = list(product.plans.all())
    codes = {p.pk: p.code for p in plans}
    return PremiumTable(
        issue_age_min_days=product.issue_age_min_days,
        issue_age_max_years=product.issue_age_max_years,
        plans=tuple(PlanFacts(p.code, p.cover_fen, p.deductible_fen) for p in plans),
        bands=tuple(
            PremiumBand(
                codes[r.plan_id], r.payment_years, r.sex, r.social_insurance, r.age_min, r.age_max, r.annual_premium_fen
            )
            for r in product.premium_rows.all()
        ),
    )
