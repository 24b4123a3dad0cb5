"""Underwriting figures: engine decision time and the automation rate over a synthetic population.

* ``underwriting.decision_median_ms`` / ``underwriting.decision_p99_ms``: one applicant declaring
  three conditions (hypertension, type-2 diabetes, hepatitis-B carrier) decided by the engine with
  the shipped ``medical_chronic`` tables — zen-engine evaluation of three tables, trace included,
  and the combination; warm (tables compiled once), 2,000 runs;
* ``underwriting.automation_rate``: 10,000 generated applicants (seed 2026), each applying for a
  product of the sample catalog drawn at random among those with a health questionnaire
  (medical, critical illness, term life, disability income, long-term care), decided with the
  shipped tables; automation = decisions that are not ``manual`` / all decisions (the spec's
  target: above 80%). ``underwriting.automation_rate_declared`` is the same over only the
  applicants who declared at least one condition (the harder half of the job).

Prevalence (roughly Chinese adult figures): hypertension in a quarter of adults over 40 (5% of
18–39), mostly grade 1 and controlled; diabetes 10% of adults, 95% type 2, HbA1c ~ N(7.0, 0.9);
hepatitis B 7% of adults (1% of children), mostly carriers with normal liver function; thyroid
nodules 20% of adults, mostly TI-RADS 2–3; hyperlipidemia 12% of adults over 40; lung nodules
5% of adults over 30; breast nodules 8% of women over 25; pregnancy 6% of women 20–40;
cancer history ~1%; "other" (free text, always a person) 2%.

No database: the engine reads the shipped files.

    .venv/bin/python bench/underwriting.py [--applicants 10000] [--runs 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, django_setup, emit

from kincare.underwriting.synthetic import applicant_conditions

SEED = 2026
ON = dt.date(2026, 6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2_000)
    args = parser.parse_args()
    # the engine needs no database; settings only (gettext for the messages of "other")
    django_setup(f"sqlite:///{ROOT / 'var' / 'bench_underwriting.sqlite3'}")

    from kincare.underwriting.engine import Applicant, DeclaredCondition, underwrite
    from kincare.underwriting.engine.shipped import product_questionnaires, shipped_book

    # -- decision time ------------------------------------------------------------------------
    book = shipped_book("medical_chronic")
    three = Applicant(
        conditions=tuple(
            DeclaredCondition.parse(c)
            for c in (
                {
                    "code": "hypertension",
                    "attributes": {"grade": 2, "controlled": True, "years": 6, "complications": False},
                },
                {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.4, "complications": False, "insulin": False}},
                {
                    "code": "hepatitis_b",
                    "attributes": {
                        "status": "carrier",
                        "liver_function_normal": True,
                        "hbv_dna_positive": False,
                        "cirrhosis": False,
                    },
                },
            )
        ),
        age=52,
        sex="M",
    )
    for _ in range(50):  # warm: compile the tables, settle caches
        underwrite(book, three, on_date=ON)
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter_ns()
        underwrite(book, three, on_date=ON)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    emit("underwriting.decision_median_ms", round(statistics.median(timings), 3), "ms", runs=args.runs, conditions=3)
    emit("underwriting.decision_p99_ms", round(timings[int(len(timings) * 0.99) - 1], 3), "ms", runs=args.runs)

    # -- automation over a population ---------------------------------------------------------------
    rng = random.Random(SEED)
    products = sorted((code, q) for code, q in product_questionnaires().items() if q)
    books = {q: shipped_book(q) for _, q in products}
    outcomes: Counter[str] = Counter()
    declared_outcomes: Counter[str] = Counter()
    manual_reasons: Counter[str] = Counter()
    for _ in range(args.applicants):
        _, questionnaire = rng.choice(products)
        age = rng.randint(0, 70)
        sex = rng.choice("MF")
        conditions = tuple(DeclaredCondition.parse(c) for c in applicant_conditions(rng, age, sex))
        decision = underwrite(books[questionnaire], Applicant(conditions=conditions, age=age, sex=sex), on_date=ON)
        outcomes[decision.outcome] += 1
        if conditions:
            declared_outcomes[decision.outcome] += 1
        if decision.outcome == "manual":
            manual_reasons.update(decision.reasons)
    total = sum(outcomes.values())
    declared = sum(declared_outcomes.values())
    emit(
        "underwriting.automation_rate",
        round(1 - outcomes["manual"] / total, 4),
        "fraction",
        applicants=total,
        outcomes=dict(sorted(outcomes.items())),
        manual_reasons=dict(manual_reasons.most_common(8)),
    )
    emit(
        "underwriting.automation_rate_declared",
        round(1 - declared_outcomes["manual"] / declared, 4) if declared else 1.0,
        "fraction",
        applicants=declared,
        outcomes=dict(sorted(declared_outcomes.items())),
    )


if __name__ == "__main__":
    main()
