"""The planning engine's facts: its input for families, read from the database in bulk (a
handful of queries for any number of families: the web reads one, the nightly batch a partition).

Members: current, living. Declared conditions: only of members with an active consent to the
processing of sensitive personal data (PIPL), and these never leave the service layer
unencrypted except into the engine. Existing cover: active platform policies that have not
ended, and external policies the family recorded that are in force on the date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from kincare.families.models import Family, HealthDeclaration, Member, SensitiveDataConsent, SocialInsurance
from kincare.planning.engine import ExistingCover, FamilyIn, Finances, MemberIn
from kincare.planning.models import PlanSettings, ReplanPartition
from kincare.policies.models import ExternalPolicy, Policy
from kincare.policies.services.common import local_midnight
from kincare.underwriting.engine import DeclaredCondition


def family_inputs(family_ids: Iterable[int], *, as_of: dt.date) -> dict[int, FamilyIn]:
    ids = sorted(set(family_ids))
    if not ids:
        return {}
    families = {
        row["id"]: row
        for row in Family.objects.filter(pk__in=ids).values("id", "annual_expenses_fen", "debts_fen", "savings_fen")
    }
    budgets = dict(PlanSettings.objects.filter(family_id__in=ids).values_list("family_id", "budget_fen"))
    members: dict[int, list[Any]] = defaultdict(list)
    for row in (
        Member.objects.filter(family_id__in=ids, removed_at__isnull=True, deceased_on__isnull=True)
        .order_by("family_id", "id")
        .values(
            "id",
            "family_id",
            "birth_date",
            "sex",
            "annual_income_fen",
            "social_insurance",
            "occupation_class",
            "smoker",
        )
    ):
        members[row["family_id"]].append(row)
    consented = set(
        SensitiveDataConsent.objects.filter(family_id__in=ids, withdrawn_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    conditions: dict[int, list[DeclaredCondition]] = defaultdict(list)
    for member_id, payload in (
        HealthDeclaration.objects.filter(family_id__in=ids, status="active", member_id__in=consented)
        .order_by("id")
        .values_list("member_id", "payload")
    ):
        conditions[member_id].append(DeclaredCondition.parse(payload))
    existing: dict[int, list[ExistingCover]] = defaultdict(list)
    start = local_midnight(as_of)
    for family_id, member_id, category, code, amount in (
        Policy.objects.filter(family_id__in=ids, status=Policy.Status.ACTIVE)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
        .values_list("family_id", "insured_id", "product__category", "product__code", "sum_insured_fen")
    ):
        existing[family_id].append(
            ExistingCover(str(member_id), category, amount, product_code=code, source="platform")
        )
    for family_id, member_id, category, amount in (
        ExternalPolicy.objects.filter(family_id__in=ids, removed_at__isnull=True, starts_on__lte=as_of)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .values_list("family_id", "insured_id", "category", "sum_insured_fen")
    ):
        existing[family_id].append(ExistingCover(str(member_id), category, amount))
    out = {}
    for family_id in ids:
        family = families.get(family_id)
        if family is None or not members.get(family_id):
            continue
        present = {str(m["id"]) for m in members[family_id]}
        known = any(family[k] is not None for k in ("annual_expenses_fen", "debts_fen", "savings_fen"))
        out[family_id] = FamilyIn(
            family_id=str(family_id),
            as_of=as_of,
            members=tuple(
                MemberIn(
                    member_id=str(m["id"]),
                    birth_date=m["birth_date"],
                    sex=str(m["sex"]),
                    annual_income_fen=int(m["annual_income_fen"] or 0),
                    social_insurance=m["social_insurance"] != SocialInsurance.NONE,
                    occupation_class=int(m["occupation_class"]),
                    smoker=bool(m["smoker"]),
                    conditions=tuple(conditions.get(int(m["id"]), ())),
                )
                for m in members[family_id]
                if m["birth_date"] <= as_of
            ),
            finances=Finances(
                annual_expenses_fen=int(family["annual_expenses_fen"] or 0),
                debts_fen=int(family["debts_fen"] or 0),
                savings_fen=int(family["savings_fen"] or 0),
                known=known,
            ),
            existing=tuple(c for c in existing.get(family_id, ()) if c.member_id in present),
            budget_fen=budgets.get(family_id),
        )
    return out


def partition_inputs(partition: ReplanPartition) -> list[FamilyIn]:
    loaded = family_inputs(
        Family.objects.filter(pk__gte=partition.first_family_id, pk__lte=partition.last_family_id)
        .values_list("pk", flat=True)
        .iterator(),
        as_of=partition.run.as_of,
    )
    return [loaded[k] for k in sorted(loaded)]
