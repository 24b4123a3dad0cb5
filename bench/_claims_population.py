"""The end-to-end claims bench's population: members, their policies and their claims.

``e2e_population`` is pure data (no database); ``e2e_setup`` writes the members and their
issued policies in bulk (setup, not measured). Used by ``bench/claims.py``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

SEED = 2026
#: invoice items per claim (also the engine figure's)
ITEMS_PER_CLAIM = 10
#: members: a claim goes to a member drawn at random, ~1.7 claims per member that claims
MEMBERS_PER_CLAIM = 0.6
#: common diagnoses with a usual inpatient cost (ICD-10 → weight); the rest of the mix is below
COMMON = {"J18.9": 12, "K35.8": 10, "K80.1": 8, "S82.0": 6, "J18.0": 6, "K80.2": 6, "S82.6": 5, "J18.1": 4}
SERIOUS = {"C34.1": 3, "C50.9": 3, "I21.0": 2}
EXCLUDED = {"F10.2": 1, "O80": 2}
ELIGIBLE_HOSPITALS = ["BJ001", "BJ002", "BJ005", "SH001", "SH004", "GZ001", "GZ003", "SZ001", "HZ001", "HZ003"]
INELIGIBLE_HOSPITALS = ["BJ006", "BJ007", "SH005", "SZ004"]
WATCHLIST_HOSPITAL = "GZ004"
MEDICAL_CATEGORIES = ["drug", "exam", "lab", "treatment", "bed", "nursing", "material", "surgery", "other_medical"]


def _pick(rng: random.Random, weighted: Mapping[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def invoice_pdf(invoice: str, claim_no: int) -> bytes:
    """A small PDF standing for the scanned invoice (its bytes differ from claim to claim)."""
    return f"%PDF-1.4\n% kincare bench invoice {invoice} claim {claim_no}\n".encode() + b"0" * 2048 + b"\n%%EOF\n"


def e2e_population(claims: int, seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(members, claims): a generated population, pure data (no database).

    Members: 80% with social insurance; 95% on a med_01 policy (deductible 10,000 yuan, 100% /
    60%) in its second year (first effective 400 days ago, this term from 200 days ago), 5% on
    one bought 45 days ago (waiting period 30 days: some of their claims fall into it, the
    others come early). Claims (10 invoice items each, spread over the usual categories, 5% of
    the amount non-medical, the scanned invoice attached as a small PDF), drawn independently:

    * diagnosis: 92% common illnesses and injuries (pneumonia, appendicitis, gallstones,
      fractures), 6% serious illness (lung / breast cancer, heart attack: paid from the
      serious-illness benefit without deductible, often above the 50,000 yuan auto-approve
      limit), 2% general exclusions (alcohol dependence, childbirth);
    * cost: log-normal around the diagnosis's usual cost (σ 0.45; a few are above 3× the
      usual: ``amount_unusual``); social insurance pays 40–65% of the covered costs when the
      member has it; 5% also got 2,000 yuan from another insurance;
    * hospital: 95% an eligible public level-2/3 hospital, 4% a private or level-1 one
      (rejected), 1% the watch-listed private one (rejected, flagged);
    * service dates: in the last 60 days (new members: the last 40);
    * invoice numbers: unique, but 1.5% of claims reuse an earlier claim's number
      (``duplicate_invoice``); a member drawn often may pass 3 claims in 90 days (``frequent_claims``).

    Each claim is ``{"member": index, "kwargs": claim_submit's arguments, "invoice_pdf": bytes}``
    with the service dates as ``service_*_days_ago``.
    """
    from kincare.claims.reference import diagnoses

    known = diagnoses()
    rng = random.Random(seed)
    n_members = max(1, int(claims * MEMBERS_PER_CLAIM))
    members = [
        {"social": rng.random() < 0.8, "new": rng.random() < 0.05, "sex": rng.choice("MF"), "age": rng.randint(18, 60)}
        for _ in range(n_members)
    ]
    out: list[dict[str, Any]] = []
    for n in range(claims):
        member = rng.randrange(n_members)
        roll = rng.random()
        table = COMMON if roll < 0.92 else SERIOUS if roll < 0.98 else EXCLUDED
        code = _pick(rng, table)
        usual = known[code].usual_cost_fen or 1_000_000
        total = max(50_000, int(usual * rng.lognormvariate(0, 0.45)))
        weights = [rng.random() + 0.2 for _ in range(ITEMS_PER_CLAIM - 1)]
        covered = total - total // 20
        amounts = [max(100, int(covered * w / sum(weights))) for w in weights]
        items = [
            {"category": MEDICAL_CATEGORIES[i % len(MEDICAL_CATEGORIES)], "amount_fen": a}
            for i, a in enumerate(amounts)
        ]
        items.append({"category": "non_medical", "amount_fen": max(100, total // 20)})
        covered_sum = sum(a for a in amounts)
        social = members[member]["social"]
        social_paid = covered_sum * rng.randint(40, 65) // 100 if social else 0
        other_paid = min(200_000, covered_sum - social_paid) if rng.random() < 0.05 else 0
        hospital_roll = rng.random()
        hospital = (
            rng.choice(ELIGIBLE_HOSPITALS)
            if hospital_roll < 0.95
            else rng.choice(INELIGIBLE_HOSPITALS)
            if hospital_roll < 0.99
            else WATCHLIST_HOSPITAL
        )
        back = rng.randint(2, 40 if members[member]["new"] else 60)
        stay = rng.randint(0, 10)
        invoice = f"INV-{seed}-{n:06d}"
        if n > 20 and rng.random() < 0.015:
            invoice = f"INV-{seed}-{rng.randrange(n):06d}"
        out.append(
            {
                "member": member,
                "kwargs": {
                    "claim_type": "inpatient",
                    "service_start_days_ago": back,
                    "service_end_days_ago": max(1, back - stay),
                    "hospital_code": hospital,
                    "diagnoses": [code],
                    "items": items,
                    "social_insurance_used": social,
                    "social_insurance_paid_fen": social_paid,
                    "other_insurance_paid_fen": other_paid,
                    "invoice_numbers": [invoice],
                },
                "invoice_pdf": invoice_pdf(invoice, n),
            }
        )
    return members, out


def e2e_setup(members: list[dict[str, Any]]) -> list[tuple[int, int, int]]:
    """Users, families, members and issued med_01 policies, written in bulk (setup, not measured).

    Returns (user id, member id, policy id) per member."""
    import datetime as dt

    from django.utils import timezone

    from kincare.accounts.models import User, phone_index
    from kincare.catalog.models import Product
    from kincare.core.pii import blind_index
    from kincare.families.models import Family, Member
    from kincare.policies.models import Application, Policy
    from kincare.policies.services.common import local_midnight

    product = Product.objects.get(code="med_01", is_current=True)
    plan = product.plans.get(code="standard")
    today = timezone.localdate()
    now = timezone.now()
    users = [
        User(phone=f"139{n:08d}", phone_hash=phone_index(f"139{n:08d}"), display_name=f"bench{n}", password="!")
        for n in range(len(members))
    ]
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(display_name__startswith="bench").order_by("pk"))
    families = Family.objects.bulk_create([Family(name=f"家{n}", guardian=u) for n, u in enumerate(users)], 1000)
    rows = []
    for n, (spec, user, family) in enumerate(zip(members, users, families, strict=True)):
        rid = f"B{n:017d}"
        rows.append(
            Member(
                family=family,
                user=user,
                name=f"成员{n}",
                resident_id=rid,
                resident_id_hash=blind_index(rid, purpose="resident_id"),
                birth_date=dt.date(today.year - spec["age"], 1, 15),
                sex=spec["sex"],
                relationship="self",
                social_insurance="urban_employee" if spec["social"] else "none",
            )
        )
    people = Member.objects.bulk_create(rows, batch_size=1000)
    applications = Application.objects.bulk_create(
        [
            Application(
                family=m.family,
                product=product,
                plan=plan,
                policyholder=m,
                status="issued",
                premium_fen=50_000,
                created_by=u,
                issued_at=now,
            )
            for m, u in zip(people, users, strict=True)
        ],
        batch_size=1000,
    )
    policies = []
    for n, (spec, member, application) in enumerate(zip(members, people, applications, strict=True)):
        start = today - dt.timedelta(days=45 if spec["new"] else 200)
        policies.append(
            Policy(
                number=f"KCBENCH{n:010d}",
                family=member.family,
                application=application,
                product=product,
                plan=plan,
                policyholder=member,
                insured=member,
                sum_insured_fen=plan.cover_fen,
                base_premium_fen=50_000,
                premium_fen=50_000,
                status="active",
                effective_at=local_midnight(start),
                ends_at=local_midnight(start + dt.timedelta(days=365)),
                first_effective_on=today - dt.timedelta(days=45 if spec["new"] else 400),
                issued_at=now,
            )
        )
    policies = Policy.objects.bulk_create(policies, batch_size=1000)
    return [(u.pk, m.pk, p.pk) for u, m, p in zip(users, people, policies, strict=True)]
