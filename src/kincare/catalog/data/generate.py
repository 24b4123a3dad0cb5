# ruff: noqa: E501
"""Generate the sample catalog (fictional insurers and products, market-level premiums).

Deterministic: the same script writes the same files. Run it after changing it and ship the
output::

    .venv/bin/python src/kincare/catalog/data/generate.py

Premium levels follow the market: a million-yuan medical product costs ~400 yuan at age 0,
~250–350 at 20–25, ~500–1,000 at 30–39, ~1,000–2,000 at 40–49 and ~2,000–4,000 from 50;
critical illness 500,000 yuan ~8,000–12,000 a year at 30–40; term life 1,000,000 to 60 at 30
~1,100 a year; accident 1,000,000 ~300 a year.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
YUAN = 100

INSURERS: list[tuple[Any, ...]] = [
    # code, name, short, kind, core, comprehensive, risk, service, complaints, days
    ("ankang_life", "安康人寿保险股份有限公司", "安康人寿", "life", 180, 260, "AAA", "AA", 0.6, 2),
    ("mintai_pc", "民泰财产保险股份有限公司", "民泰财险", "property", 190, 230, "AA", "AA", 1.1, 3),
    ("huarui_health", "华瑞健康保险股份有限公司", "华瑞健康", "health", 150, 210, "A", "A", 1.8, 4),
    ("zhongcheng_mutual", "众诚相互保险社", "众诚相互", "mutual", 120, 170, "BBB", "BBB", 2.6, 6),
    ("fulin_life", "福临人寿保险股份有限公司", "福临人寿", "life", 200, 280, "AA", "AAA", 0.8, 2),
    ("changqing_pc", "长青财产保险股份有限公司", "长青财险", "property", 110, 150, "BB", "BB", 4.2, 9),
    ("xinghe_life", "星河人寿保险股份有限公司", "星河人寿", "life", 160, 220, "A", "A", 1.5, 4),
    ("boyuan_pc", "博远财产保险股份有限公司", "博远财险", "property", 60, 105, "C", "B", 7.5, 18),
    ("taihe_health", "泰和健康保险股份有限公司", "泰和健康", "health", 230, 310, "AAA", "AAA", 0.5, 1.5),
]


def insurer_rows() -> list[dict[str, Any]]:
    rows = []
    for n, (code, name, short, kind, core, comp, risk, service, complaints, days) in enumerate(INSURERS):
        rows.append(
            {
                "code": code,
                "name": name,
                "short_name": short,
                "credit_code": f"91{110000 + n * 1000:06d}MA0{n:02d}K7XY{n}",
                "kind": kind,
                "core_solvency_pct": core,
                "comprehensive_solvency_pct": comp,
                "risk_rating": risk,
                "service_rating": service,
                "complaints_per_10k": complaints,
                "settlement_days_median": days,
            }
        )
    return rows


def interpolate(knots: Sequence[tuple[int, float]], age: float) -> float:
    if age <= knots[0][0]:
        return knots[0][1]
    for (a0, v0), (a1, v1) in pairwise(knots):
        if a0 <= age <= a1:
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0)
    return knots[-1][1]


def bands(first_age: int, max_age: int) -> list[tuple[int, int]]:
    out = []
    age = first_age
    if age == 0:
        out.append((0, 0))
        age = 1
    while age <= max_age:
        out.append((age, min(age + 4, max_age)))
        age += 5
    return out


def table(
    plans: list[tuple[str, float]],
    first_age: int,
    max_age: int,
    curve: Any,
    *,
    payment_years: tuple[int, ...] = (1,),
) -> list[dict[str, Any]]:
    """Premium tables: for each plan (code, cover factor), payment term, sex and social status."""
    rows = []
    for plan, factor in plans:
        for years in payment_years:
            for sex in ("M", "F"):
                for social in (True, False):
                    rows.append(
                        {
                            "plan": plan,
                            "payment_years": years,
                            "sex": sex,
                            "social_insurance": social,
                            "bands": [
                                [lo, hi, max(100, round(curve((lo + hi) / 2, sex, social, years) * factor) * YUAN)]
                                for lo, hi in bands(first_age, max_age)
                            ],
                        }
                    )
    return rows


SERVICES = [
    "green_channel",
    "advance_payment",
    "second_opinion",
    "drug_direct_pay",
    "hospital_escort",
    "online_consult",
    "health_checkup",
    "chronic_care",
]

MEDICAL_KNOTS = [
    (0, 400),
    (4, 300),
    (8, 200),
    (15, 190),
    (20, 260),
    (25, 330),
    (30, 560),
    (35, 780),
    (40, 1100),
    (45, 1600),
    (50, 2200),
    (55, 2800),
    (60, 3400),
    (65, 3900),
    (70, 4500),
]
CI_KNOTS = [(0, 75), (10, 95), (20, 140), (30, 190), (35, 215), (40, 245), (45, 320), (50, 420), (55, 560)]
LIFE_KNOTS = [(18, 600), (25, 800), (30, 1100), (35, 1600), (40, 2300), (45, 3300), (50, 4800), (55, 6500), (60, 8800)]


def clause(name: str, category: str, waiting: int) -> str:
    body = {
        "medical": "本合同为费用补偿型医疗保险。被保险人在二级及以上公立医院普通部住院，发生的合理且必要的医疗费用，扣除免赔额后按约定比例赔付。",
        "critical_illness": "被保险人经专科医生确诊初次患有本合同约定的重大疾病、中症或轻症，按基本保额的约定比例给付保险金。",
        "accident": "被保险人遭受意外伤害导致身故、伤残或需要就医的，按合同约定给付保险金或补偿医疗费用。",
        "term_life": "被保险人在保险期间内身故或全残的，按基本保额给付保险金，本合同终止。",
        "long_term_care": "被保险人因疾病或意外导致长期护理状态，持续满 180 天的，按月给付护理保险金。",
        "disability_income": "被保险人因疾病或意外丧失工作能力的，按月给付收入保障金，最长至合同约定年龄。",
    }[category]
    return (
        f"《{name}》条款\n\n第一条 保险合同构成\n本合同由保险条款、投保单、保险单及其他约定书面协议构成。\n\n"
        f"第二条 保险责任\n{body}\n\n第三条 等待期\n自合同生效之日起 {waiting} 天为等待期（意外伤害无等待期）。\n\n"
        "第四条 责任免除\n投保人对被保险人的故意伤害、被保险人故意犯罪、既往症（如健康告知未如实告知）等情形，本公司不承担保险责任。\n\n"
        "第五条 犹豫期\n投保人收到保险合同后的犹豫期内可以解除合同，本公司无息退还已交保费。"
    )


def medical_products(rng: random.Random) -> list[dict[str, Any]]:
    specs = [
        # name, insurer, deductible, scope, renewal kind, years, chronic, price factor, limit 10k yuan, max age
        ("安康e生保2026", "ankang_life", 10000, "annual_member", "guaranteed", 20, False, 1.25, 400, 65),
        ("泰和长安心百万医疗", "taihe_health", 10000, "annual_member", "guaranteed", 20, False, 1.3, 400, 60),
        ("民泰好医保·六年版", "mintai_pc", 10000, "annual_member", "guaranteed", 6, False, 1.0, 300, 60),
        ("华瑞尊享医疗险", "huarui_health", 10000, "annual_member", "yearly", 0, False, 0.8, 300, 60),
        ("福临0免赔医疗险", "fulin_life", 0, "annual_member", "yearly", 0, False, 2.4, 200, 60),
        ("众诚小额0免赔医疗", "zhongcheng_mutual", 0, "annual_member", "yearly", 0, False, 2.1, 100, 55),
        ("星河家庭共享医疗", "xinghe_life", 10000, "annual_family", "guaranteed", 6, False, 1.1, 300, 60),
        ("泰和全家福医疗", "taihe_health", 20000, "annual_family", "guaranteed", 6, False, 0.9, 400, 65),
        ("民泰5千免赔医疗", "mintai_pc", 5000, "annual_member", "guaranteed", 6, False, 1.5, 300, 60),
        ("华瑞慢病可保医疗", "huarui_health", 10000, "annual_member", "guaranteed", 6, True, 1.2, 300, 65),
        ("安康三高也能保", "ankang_life", 10000, "annual_member", "guaranteed", 6, True, 1.15, 300, 70),
        ("长青中老年医疗", "changqing_pc", 10000, "annual_member", "yearly", 0, True, 1.1, 200, 70),
        ("博远特惠百万医疗", "boyuan_pc", 10000, "annual_member", "yearly", 0, False, 0.7, 300, 60),
        ("福临长相守医疗·20年", "fulin_life", 10000, "annual_member", "guaranteed", 20, False, 1.2, 400, 60),
        ("星河e康宝", "xinghe_life", 5000, "annual_member", "yearly", 0, False, 1.3, 200, 60),
    ]
    products = []
    for n, (name, insurer, deductible, scope, kind, years, chronic, factor, limit, max_age) in enumerate(specs, 1):
        code = f"med_{n:02d}"
        limit_fen = limit * 10_000 * YUAN
        with_social = 1.0 if n % 3 else 0.9
        extra_items = [
            "serious_illness",
            "special_outpatient",
            "outpatient_surgery",
            "pre_post_outpatient",
            "external_drug",
            "proton_heavy_ion",
        ][: 2 + n % 5]
        benefits = [
            {
                "kind": "general",
                "label": "一般医疗保险金",
                "annual_limit_fen": limit_fen,
                "deductible_group": "main",
                "ratio_with_social": with_social,
                "ratio_without_social": 0.6,
            },
        ]
        labels = {
            "serious_illness": "重大疾病医疗保险金",
            "special_outpatient": "特殊门诊医疗保险金",
            "outpatient_surgery": "门诊手术医疗保险金",
            "pre_post_outpatient": "住院前后门急诊医疗保险金",
            "external_drug": "院外特定药品费用保险金",
            "proton_heavy_ion": "质子重离子医疗保险金",
        }
        for kind_ in extra_items:
            benefits.append(
                {
                    "kind": kind_,
                    "label": labels[kind_],
                    "annual_limit_fen": limit_fen if kind_ != "external_drug" else limit_fen // 2,
                    "deductible_group": "serious" if kind_ == "serious_illness" else "main",
                    "ratio_with_social": with_social,
                    "ratio_without_social": 0.6,
                }
            )
        plans = [("standard", 1.0)]
        plan_rows = [{"code": "standard", "name": f"{limit}万保额 · 免赔{deductible}元", "cover_fen": limit_fen}]
        if deductible == 10000 and n % 2:
            plans.append(("zero_deductible", 2.6))
            plan_rows.append(
                {
                    "code": "zero_deductible",
                    "name": f"{limit}万保额 · 0免赔",
                    "cover_fen": limit_fen,
                    "deductible_fen": 0,
                }
            )

        def curve(
            age: float, sex: str, social: bool, years: int, factor: float = factor, deductible: int = deductible
        ) -> float:
            ded = {0: 2.5, 5000: 1.5, 10000: 1.0, 20000: 0.8}[deductible]
            female = 1.08 if sex == "F" and 25 <= age < 55 else 1.0
            return interpolate(MEDICAL_KNOTS, age) * factor * ded * female * (1.0 if social else 1.65)

        services = sorted(rng.sample(SERVICES, 2 + n % 5))
        if chronic and "chronic_care" not in services:
            services = sorted([*services, "chronic_care"])
        products.append(
            {
                "code": code,
                "version": 1,
                "name": name,
                "insurer": insurer,
                "category": "medical",
                "on_sale": True,
                "summary": (
                    f"一般医疗和重疾医疗合计最高 {limit} 万元；每年免赔额 {deductible:,} 元"
                    f"{'（全家共享）' if scope == 'annual_family' else ''}；有社保经社保报销后按 {int(with_social * 100)}% 赔付，"
                    f"未经社保报销按 60% 赔付；"
                    + (
                        f"保证续保 {years} 年，期间不因健康变化或理赔拒保。"
                        if kind == "guaranteed"
                        else "一年期产品，可续保但不保证。"
                    )
                    + ("接受高血压、糖尿病等慢病人群投保。" if chronic else "")
                ),
                "issue_age_min_days": 28,
                "issue_age_max_years": max_age,
                "max_renewal_age": 100 if kind == "guaranteed" else 80,
                "renewal": {"kind": kind, "guaranteed_years": years, "premium_adjustable": True},
                "waiting_days": 30 if n % 4 else 90,
                "cooling_off_days": 15 if kind == "guaranteed" else 0,
                "social_insurance_required": False,
                "occupation_classes": [1, 2, 3, 4],
                "services": services,
                "terms": {
                    "pre_hospital_days": 7 if n % 2 else 30,
                    "post_hospital_days": 30,
                    "hospital_min_level": "level_2",
                    "public_hospital_only": True,
                    "special_needs_ward": n % 4 == 1,
                    "serious_illness_icd10": ["C", "I21", "I60", "I61", "I63", "N18.5"],
                    "accepts_chronic": chronic,
                },
                "deductible_groups": [
                    {"code": "main", "amount_fen": deductible * YUAN, "scope": scope},
                    {"code": "serious", "amount_fen": 0, "scope": "annual_member"},
                ],
                "benefits": benefits,
                "plans": plan_rows,
                "premiums": table(plans, 0, max_age, curve),
                "questionnaire": "medical_chronic" if chronic else "medical_standard",
                "clause_text": clause(name, "medical", 30 if n % 4 else 90),
            }
        )
    return products


def ci_products(rng: random.Random) -> list[dict[str, Any]]:
    specs = [
        # name, insurer, severe, moderate, mod ratio, mild, mild ratio, payouts, waiver, end age, factor
        ("安康达尔文重疾2026", "ankang_life", 110, 25, 0.6, 40, 0.3, 1, True, 105, 1.0),
        ("福临超级玛丽重疾", "fulin_life", 120, 25, 0.6, 45, 0.3, 1, True, 105, 1.05),
        ("星河多倍保重疾", "xinghe_life", 110, 20, 0.5, 40, 0.3, 3, True, 105, 1.35),
        ("泰和守护多次赔", "taihe_health", 120, 25, 0.6, 40, 0.3, 2, True, 105, 1.2),
        ("华瑞康惠保重疾", "huarui_health", 100, 20, 0.5, 35, 0.25, 1, False, 70, 0.7),
        ("安康少儿重疾", "ankang_life", 110, 25, 0.6, 40, 0.3, 1, True, 70, 0.6),
        ("众诚互助重疾", "zhongcheng_mutual", 100, 20, 0.5, 30, 0.25, 1, False, 105, 0.95),
        ("福临至70岁重疾", "fulin_life", 110, 20, 0.5, 40, 0.3, 1, True, 70, 0.75),
        ("星河单次赔重疾", "xinghe_life", 100, 15, 0.5, 30, 0.2, 1, False, 105, 0.9),
        ("博远低价重疾", "boyuan_pc", 28, 0, 0.0, 3, 0.2, 1, False, 70, 0.55),
        ("泰和女性关爱重疾", "taihe_health", 110, 25, 0.6, 40, 0.3, 1, True, 105, 0.92),
    ]
    products = []
    for n, (
        name,
        insurer,
        severe,
        moderate,
        mod_ratio,
        mild,
        mild_ratio,
        payouts,
        waiver,
        end_age,
        factor,
    ) in enumerate(specs, 1):
        max_age = 17 if "少儿" in name else 55
        first_days = 28 if max_age == 17 or n % 2 else 365 * 18

        def curve(
            age: float, sex: str, social: bool, years: int, factor: float = factor, end_age: int = end_age
        ) -> float:
            per_10k = (
                interpolate(CI_KNOTS, age) * factor * (0.9 if sex == "F" else 1.0) * (0.72 if end_age == 70 else 1.0)
            )
            return per_10k * 50 * (0.8 if years == 30 else 1.0)

        benefits = [
            {
                "kind": "severe",
                "label": "重大疾病保险金",
                "disease_count": severe,
                "payout_ratio": 1.0,
                "max_payouts": payouts,
            },
        ]
        if moderate:
            benefits.append(
                {
                    "kind": "moderate",
                    "label": "中症疾病保险金",
                    "disease_count": moderate,
                    "payout_ratio": mod_ratio,
                    "max_payouts": 2,
                }
            )
        benefits.append(
            {
                "kind": "mild",
                "label": "轻症疾病保险金",
                "disease_count": mild,
                "payout_ratio": mild_ratio,
                "max_payouts": 3,
            }
        )
        products.append(
            {
                "code": f"ci_{n:02d}",
                "version": 1,
                "name": name,
                "insurer": insurer,
                "category": "critical_illness",
                "on_sale": True,
                "summary": (
                    f"{severe} 种重疾赔 100% 保额"
                    + (f"，最多赔 {payouts} 次" if payouts > 1 else "")
                    + (f"；{moderate} 种中症赔 {int(mod_ratio * 100)}%" if moderate else "")
                    + f"；{mild} 种轻症赔 {int(mild_ratio * 100)}%；"
                    + ("保障终身" if end_age >= 105 else f"保障至 {end_age} 岁")
                    + ("；轻中症豁免后续保费。" if waiver else "。")
                ),
                "issue_age_min_days": first_days,
                "issue_age_max_years": max_age,
                "max_renewal_age": end_age,
                "renewal": {"kind": "guaranteed", "guaranteed_years": end_age - 30, "premium_adjustable": False},
                "waiting_days": 90 if n % 3 else 180,
                "cooling_off_days": 15,
                "social_insurance_required": False,
                "occupation_classes": [1, 2, 3, 4, 5, 6],
                "services": sorted(rng.sample(SERVICES, 1 + n % 4)),
                "terms": {
                    "premium_waiver": waiver,
                    "coverage_end_age": end_age,
                    "multiple_payout_groups": 5 if payouts > 1 else 0,
                    "payout_gap_days": 365 if payouts > 1 else 0,
                },
                "deductible_groups": [],
                "benefits": benefits,
                "plans": [
                    {"code": "si_300k", "name": "基本保额 30 万", "cover_fen": 300_000 * YUAN},
                    {"code": "si_500k", "name": "基本保额 50 万", "cover_fen": 500_000 * YUAN},
                ],
                "premiums": table(
                    [("si_300k", 0.6), ("si_500k", 1.0)], first_days // 365, max_age, curve, payment_years=(20, 30)
                ),
                # every other critical-illness product underwrites with the more lenient 智能核保 tables
                "questionnaire": "ci_smart" if n % 2 == 0 else "ci_standard",
                "clause_text": clause(name, "critical_illness", 90 if n % 3 else 180),
            }
        )
    return products


def accident_products(rng: random.Random) -> list[dict[str, Any]]:
    specs = [
        # name, insurer, min age, max age, SI 10k yuan, medical 10k, deductible, social ratio, occupation max, price yuan, capped
        ("民泰大护甲意外险", "mintai_pc", 18, 65, 100, 5, 0, 1.0, 3, 280, False),
        ("泰和小蜜蜂意外险", "taihe_health", 18, 60, 100, 10, 100, 1.0, 4, 320, False),
        ("长青全能保意外", "changqing_pc", 18, 65, 50, 5, 100, 0.8, 3, 180, False),
        ("华瑞高危职业意外", "huarui_health", 18, 60, 50, 2, 100, 0.8, 6, 420, False),
        ("民泰少儿意外险", "mintai_pc", 0, 17, 50, 10, 0, 1.0, 3, 110, True),
        ("星河学平安意外", "xinghe_life", 0, 17, 20, 2, 100, 1.0, 1, 60, True),
        ("福临孝心保老人意外", "fulin_life", 50, 80, 50, 5, 0, 1.0, 3, 260, False),
        ("泰和银发安康意外", "taihe_health", 50, 85, 30, 5, 0, 1.0, 3, 360, False),
        ("博远超值意外险", "boyuan_pc", 18, 60, 100, 2, 500, 0.7, 3, 150, False),
    ]
    products = []
    for n, (name, insurer, lo, hi, si, med, ded, ratio, occ, price, capped) in enumerate(specs, 1):

        def curve(age: float, sex: str, social: bool, years: int, price: float = price, lo: int = lo) -> float:
            older = 1 + max(0.0, age - 60) * 0.03 if lo >= 50 else 1.0
            return price * older * (1.0 if social else 1.15) * (1.0 if sex == "F" else 1.05)

        plans = [("standard", 1.0)]
        plan_rows = [{"code": "standard", "name": f"意外身故伤残 {si} 万", "cover_fen": si * 10_000 * YUAN}]
        if si >= 100:
            plans.append(("half", 0.55))
            plan_rows.append(
                {"code": "half", "name": f"意外身故伤残 {si // 2} 万", "cover_fen": si // 2 * 10_000 * YUAN}
            )
        products.append(
            {
                "code": f"acc_{n:02d}",
                "version": 1,
                "name": name,
                "insurer": insurer,
                "category": "accident",
                "on_sale": True,
                "summary": (
                    f"意外身故/伤残最高 {si} 万元；意外医疗 {med} 万元，免赔 {ded} 元，经社保报销后按 {int(ratio * 100)}% 赔付；"
                    f"{lo}-{hi} 岁可投保，1-{occ} 类职业。"
                    + ("未成年人身故保险金按监管规定封顶（10 岁以下 20 万元，10-17 岁 50 万元）。" if capped else "")
                ),
                "issue_age_min_days": 28 if lo == 0 else lo * 365,
                "issue_age_max_years": hi,
                "max_renewal_age": hi + 5,
                "renewal": {"kind": "yearly", "guaranteed_years": 0, "premium_adjustable": True},
                "waiting_days": 0,
                "cooling_off_days": 0,
                "social_insurance_required": False,
                "occupation_classes": list(range(1, occ + 1)),
                "services": sorted(rng.sample(SERVICES, n % 3)),
                "terms": {"minor_death_capped": capped},
                "deductible_groups": [{"code": "medical", "amount_fen": ded * YUAN, "scope": "per_claim"}],
                "benefits": [
                    {
                        "kind": "accidental_death_disability",
                        "label": "意外身故/伤残保险金",
                        "annual_limit_fen": si * 10_000 * YUAN,
                    },
                    {
                        "kind": "accidental_medical",
                        "label": "意外医疗保险金",
                        "annual_limit_fen": med * 10_000 * YUAN,
                        "deductible_group": "medical",
                        "ratio_with_social": ratio,
                        "ratio_without_social": round(ratio * 0.8, 2),
                    },
                ],
                "plans": plan_rows,
                "premiums": table(plans, lo, hi, curve),
                "questionnaire": None,  # accident cover asks no health questions
                "clause_text": clause(name, "accident", 0),
            }
        )
    return products


def life_products(rng: random.Random) -> list[dict[str, Any]]:
    specs = [
        # name, insurer, end age, max issue age, max SI 10k, factor
        ("安康定心定期寿险", "ankang_life", 60, 50, 300, 1.0),
        ("福临大麦定寿", "fulin_life", 70, 55, 300, 1.1),
        ("星河擎天柱定寿", "xinghe_life", 60, 50, 200, 0.95),
        ("泰和家庭守护定寿", "taihe_health", 80, 55, 300, 1.45),
        ("华瑞顶梁柱定寿", "huarui_health", 60, 50, 150, 0.9),
        ("众诚互助定寿", "zhongcheng_mutual", 70, 50, 100, 1.0),
        ("福临房贷守护定寿", "fulin_life", 60, 55, 500, 1.05),
        ("星河爱相随定寿", "xinghe_life", 70, 55, 300, 1.2),
    ]
    products = []
    for n, (name, insurer, end_age, max_age, max_si, factor) in enumerate(specs, 1):

        def curve(
            age: float, sex: str, social: bool, years: int, factor: float = factor, end_age: int = end_age
        ) -> float:
            longer = {60: 1.0, 70: 1.45, 80: 2.1}[end_age]
            return (
                interpolate(LIFE_KNOTS, age)
                * factor
                * longer
                * (0.6 if sex == "F" else 1.0)
                * (1.25 if years == 20 else 1.0)
            )

        products.append(
            {
                "code": f"life_{n:02d}",
                "version": 1,
                "name": name,
                "insurer": insurer,
                "category": "term_life",
                "on_sale": True,
                "summary": f"身故或全残赔付保额，保障至 {end_age} 岁；最高保额 {max_si} 万元；18-{max_age} 岁可投保，可选 20 年或 30 年交。",
                "issue_age_min_days": 18 * 365,
                "issue_age_max_years": max_age,
                "max_renewal_age": end_age,
                "renewal": {"kind": "guaranteed", "guaranteed_years": end_age - 30, "premium_adjustable": False},
                "waiting_days": 90 if n % 2 else 180,
                "cooling_off_days": 15,
                "social_insurance_required": False,
                "occupation_classes": [1, 2, 3, 4] if n % 3 else [1, 2, 3, 4, 5, 6],
                "services": sorted(rng.sample(SERVICES, n % 3)),
                "terms": {"coverage_end_age": end_age},
                "deductible_groups": [],
                "benefits": [{"kind": "death", "label": "身故或全残保险金"}],
                "plans": [
                    {"code": "si_500k", "name": "保额 50 万", "cover_fen": 500_000 * YUAN},
                    {"code": "si_1m", "name": "保额 100 万", "cover_fen": 1_000_000 * YUAN},
                    {"code": "si_max", "name": f"保额 {max_si} 万", "cover_fen": max_si * 10_000 * YUAN},
                ],
                "premiums": table(
                    [("si_500k", 0.5), ("si_1m", 1.0), ("si_max", max_si / 100)],
                    18,
                    max_age,
                    curve,
                    payment_years=(20, 30),
                ),
                "questionnaire": "life_standard",
                "clause_text": clause(name, "term_life", 90 if n % 2 else 180),
            }
        )
    return products


def income_products(rng: random.Random) -> list[dict[str, Any]]:
    specs = [
        ("安康长期护理保险", "ankang_life", "long_term_care", 85, 1.0),
        ("泰和安享护理险", "taihe_health", "long_term_care", 80, 1.2),
        ("福临收入保障险", "fulin_life", "disability_income", 65, 1.0),
        ("星河失能收入险", "xinghe_life", "disability_income", 60, 0.85),
    ]
    products = []
    for n, (name, insurer, category, end_age, factor) in enumerate(specs, 1):

        def curve(age: float, sex: str, social: bool, years: int, factor: float = factor) -> float:
            return (1500 + max(0.0, age - 25) * 120) * factor * (1.1 if sex == "F" else 1.0)

        products.append(
            {
                "code": f"{'ltc' if category == 'long_term_care' else 'di'}_{n:02d}",
                "version": 1,
                "name": name,
                "insurer": insurer,
                "category": category,
                "on_sale": True,
                "summary": (
                    f"{'长期护理状态' if category == 'long_term_care' else '因伤病丧失工作能力'}按月给付，总额最高 100 万元，保障至 {end_age} 岁。"
                ),
                "issue_age_min_days": 18 * 365,
                "issue_age_max_years": 55,
                "max_renewal_age": end_age,
                "renewal": {"kind": "guaranteed", "guaranteed_years": end_age - 30, "premium_adjustable": False},
                "waiting_days": 180,
                "cooling_off_days": 15,
                "social_insurance_required": False,
                "occupation_classes": [1, 2, 3],
                "services": sorted(rng.sample(SERVICES, 2)),
                "terms": {"coverage_end_age": end_age},
                "deductible_groups": [],
                "benefits": [
                    {
                        "kind": category,
                        "label": "长期护理保险金" if category == "long_term_care" else "失能收入保险金",
                        "note": "每月给付基本保额的 1%",
                    }
                ],
                "plans": [{"code": "si_1m", "name": "总保额 100 万", "cover_fen": 1_000_000 * YUAN}],
                "premiums": table([("si_1m", 1.0)], 18, 55, curve, payment_years=(20,)),
                "questionnaire": "life_standard",
                "clause_text": clause(name, category, 180),
            }
        )
    return products


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)


def main(target: Path = HERE) -> None:
    rng = random.Random(2026)
    (target / "products").mkdir(parents=True, exist_ok=True)
    for old in (target / "products").glob("*.yaml"):
        old.unlink()
    (target / "insurers.yaml").write_text(dump({"insurers": insurer_rows()}), encoding="utf-8")
    products = (
        medical_products(rng) + ci_products(rng) + accident_products(rng) + life_products(rng) + income_products(rng)
    )
    for product in products:
        path = target / "products" / f"{product['code']}.yaml"
        path.write_text(dump(product), encoding="utf-8")
    print(f"wrote {len(INSURERS)} insurers and {len(products)} products to {target}")


if __name__ == "__main__":
    main()
