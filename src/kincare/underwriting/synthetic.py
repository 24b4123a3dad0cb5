"""Synthetic declarations with realistic prevalence, for benchmarks and generated families.

Rates (adults unless said): hypertension about a quarter over 40, type-2 diabetes 10%,
hyperlipidemia 12% over 40, hepatitis-B 7%, thyroid nodules 20%, lung nodules 5% over 30,
breast nodules 8% of women over 25, pregnancy 6% of women 20–40, a cancer history 2% over 40,
and 2% "other" (always manual review).
"""

from __future__ import annotations

import random
from typing import Any


def pick(rng: random.Random, weighted: dict[Any, float]) -> Any:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def applicant_conditions(rng: random.Random, age: int, sex: str) -> list[dict[str, Any]]:
    adult = age >= 18
    conditions: list[dict[str, Any]] = []

    def chance(p: float) -> bool:
        return rng.random() < p

    if adult and chance(0.25 if age > 40 else 0.05):
        conditions.append(
            {
                "code": "hypertension",
                "attributes": {
                    "grade": pick(rng, {1: 0.70, 2: 0.25, 3: 0.05}),
                    "controlled": chance(0.80),
                    "years": rng.randint(0, min(25, age - 18)),
                    "complications": chance(0.05),
                },
            }
        )
    if (adult and chance(0.10)) or (not adult and chance(0.002)):
        kind = 2 if adult and chance(0.95) else 1
        conditions.append(
            {
                "code": "diabetes",
                "attributes": {
                    "type": kind,
                    "hba1c": round(min(14.0, max(5.0, rng.gauss(7.0, 0.9))), 1),
                    "complications": chance(0.08),
                    "insulin": kind == 1 or chance(0.15),
                },
            }
        )
    if adult and age > 40 and chance(0.12):
        conditions.append(
            {
                "code": "hyperlipidemia",
                "attributes": {"ldl": round(min(12.0, max(2.0, rng.gauss(4.3, 0.9))), 1), "on_medication": chance(0.5)},
            }
        )
    if chance(0.07 if adult else 0.01):
        normal = chance(0.90)
        conditions.append(
            {
                "code": "hepatitis_b",
                "attributes": {
                    "status": pick(rng, {"carrier": 0.60, "small_three_positive": 0.30, "big_three_positive": 0.10}),
                    "liver_function_normal": normal,
                    "hbv_dna_positive": chance(0.12 if normal else 0.5),
                    "cirrhosis": chance(0.01 if normal else 0.10),
                },
            }
        )
    if adult and chance(0.20):
        operated = chance(0.05)
        conditions.append(
            {
                "code": "thyroid_nodule",
                "attributes": {
                    "tirads": pick(rng, {1: 0.10, 2: 0.40, 3: 0.35, 4: 0.12, 5: 0.03}),
                    "operated": operated,
                    "pathology_benign": operated and chance(0.85),
                },
            }
        )
    if age > 30 and chance(0.05):
        size = pick(rng, {"small": 0.60, "medium": 0.30, "large": 0.10})
        low, high = {"small": (2.0, 4.9), "medium": (5.0, 8.0), "large": (8.1, 20.0)}[size]
        conditions.append(
            {"code": "lung_nodule", "attributes": {"size_mm": round(rng.uniform(low, high), 1), "solid": chance(0.5)}}
        )
    if sex == "F" and age > 25 and chance(0.08):
        conditions.append(
            {
                "code": "breast_nodule",
                "attributes": {"birads": pick(rng, {1: 0.05, 2: 0.45, 3: 0.36, 4: 0.11, 5: 0.02, 6: 0.01})},
            }
        )
    if sex == "F" and 20 <= age <= 40 and chance(0.06):
        conditions.append({"code": "pregnancy", "attributes": {"weeks": rng.randint(4, 40)}})
    if chance(0.002 if age < 40 else 0.02):
        conditions.append({"code": "cancer_history", "attributes": {"years_since_treatment": rng.randint(0, 15)}})
    if chance(0.02):
        conditions.append({"code": "other", "attributes": {"description": "痛风，规律服药"}})
    return conditions
