"""Synthetic families for the nightly batch and the benchmarks (``kincare demo --families N``).

Demographics, roughly those of China's 2020 census and household surveys:

* household size 1–7 with the census distribution (mean ≈ 2.62): one-person households are
  often seniors, two-person ones couples (young, empty-nest or retired), three and more are
  couples with children and, in the larger ones, grandparents;
* earners: most adults 22–60 (men 88%, women 72%), incomes log-normal around 60,000 yuan a
  year; few seniors have an income here (pensions are left out);
* social insurance for 95% (employee scheme for earners, resident scheme otherwise), occupation
  class 1 for most, smokers among men;
* declared conditions with the prevalence of ``underwriting.synthetic`` (with consent);
* household finances for 70% of families and an external policy (惠民保, term life or accident)
  in about a third.

``synthetic_family(rng, as_of)`` is pure; ``synthetic_families_create`` writes them in bulk
(users without passwords, members, consents, declarations, external policies) without the
services' triggers: run ``kincare replan-all`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from kincare.underwriting.synthetic import applicant_conditions, pick

#: share of households by size (2020 census, one- to seven-person; mean ≈ 2.62)
HOUSEHOLD_SIZES = {1: 0.254, 2: 0.297, 3: 0.209, 4: 0.132, 5: 0.062, 6: 0.027, 7: 0.019}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰"
ADDRESSES = ("110101", "310101", "440305", "510104", "330106", "420106", "610113", "320102")


@dataclass
class SyntheticPerson:
    name: str
    birth_date: dt.date
    sex: str
    relationship: str
    annual_income_fen: int | None
    social_insurance: str
    occupation_class: int
    smoker: bool
    conditions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SyntheticFamily:
    name: str
    address: str
    people: list[SyntheticPerson]
    finances: tuple[int, int, int] | None  # annual expenses, debts, savings (fen)
    external: list[tuple[int, str, int]] = field(default_factory=list)  # (person index, category, sum insured fen)


def _birth(rng: random.Random, age: int, as_of: dt.date) -> dt.date:
    days = rng.randint(0, 364)
    return as_of - dt.timedelta(days=age * 365 + age // 4 + days)


def _income_fen(rng: random.Random) -> int:
    yuan = math.exp(rng.gauss(math.log(60_000), 0.6))
    return round(yuan / 100) * 100 * 100


def _person(rng: random.Random, surname: str, age: int, sex: str, relationship: str, as_of: dt.date) -> SyntheticPerson:
    working = 22 <= age <= 60
    earns = working and rng.random() < (0.88 if sex == "M" else 0.72)
    insured = rng.random() < 0.95
    social = ("urban_employee" if earns else "urban_rural_resident") if insured else "none"
    return SyntheticPerson(
        name=surname + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else ""),
        birth_date=_birth(rng, age, as_of),
        sex=sex,
        relationship=relationship,
        annual_income_fen=_income_fen(rng) if earns else None,
        social_insurance=social,
        occupation_class=pick(rng, {1: 0.70, 2: 0.15, 3: 0.08, 4: 0.05, 5: 0.015, 6: 0.005}) if age >= 16 else 1,
        smoker=age >= 18 and rng.random() < (0.45 if sex == "M" else 0.02),
        conditions=applicant_conditions(rng, age, sex),
    )


def synthetic_family(rng: random.Random, as_of: dt.date, number: int) -> SyntheticFamily:
    size = pick(rng, HOUSEHOLD_SIZES)
    surname = rng.choice(SURNAMES)
    people: list[SyntheticPerson] = []
    guardian_sex = rng.choice("MF")
    other = "F" if guardian_sex == "M" else "M"
    if size == 1:
        age = rng.randint(*pick(rng, {(22, 39): 0.40, (40, 59): 0.20, (60, 85): 0.40}))
        people.append(_person(rng, surname, age, guardian_sex, "self", as_of))
    else:
        single_parent = size == 2 and rng.random() < 0.12
        if size == 2 and not single_parent:
            age = rng.randint(*pick(rng, {(24, 39): 0.35, (40, 59): 0.30, (60, 82): 0.35}))
        else:
            age = rng.randint(26, 50)
        people.append(_person(rng, surname, age, guardian_sex, "self", as_of))
        if not single_parent:
            people.append(_person(rng, rng.choice(SURNAMES), max(20, age + rng.randint(-3, 3)), other, "spouse", as_of))
        grandparents = 0 if size <= 3 else min(2, size - 4 + (1 if rng.random() < 0.4 else 0))
        children = size - len(people) - grandparents
        for _ in range(children):
            child_age = max(0, min(age - 20, rng.randint(0, 22)))
            people.append(_person(rng, surname, child_age, rng.choice("MF"), "child", as_of))
        for index in range(grandparents):
            people.append(
                _person(rng, rng.choice(SURNAMES), age + rng.randint(24, 32), "MF"[index % 2], "parent", as_of)
            )
    income = sum(p.annual_income_fen or 0 for p in people)
    finances = None
    if rng.random() < 0.70:
        expenses = int(max(20_000 * 100, income * rng.uniform(0.45, 0.85)))
        debts = int(income * rng.uniform(2, 8)) if rng.random() < 0.45 else 0
        savings = int(income * rng.uniform(0.2, 2.5))
        finances = (expenses, debts, savings)
    external: list[tuple[int, str, int]] = []
    if rng.random() < 0.33:
        index = rng.randrange(len(people))
        choices = {("medical", 100_000_000): 0.5, ("accident", 20_000_000): 0.25}  # 惠民保: ~1,000,000 yuan
        if people[index].birth_date <= _birth(rng, 18, as_of):
            choices[("term_life", 50_000_000)] = 0.25  # minors' death benefit is capped: adults only
        category, amount = pick(rng, choices)
        external.append((index, category, amount))
    return SyntheticFamily(
        name=f"合成家庭 {number:06d}",
        address=rng.choice(ADDRESSES),
        people=people,
        finances=finances,
        external=external,
    )


# --- writing them ----------------------------------------------------------------------------

SYNTHETIC_PREFIX = "合成家庭 "
EXTERNAL_NAMES = {
    "medical": ("某市普惠型补充医疗保险", "惠民保"),
    "term_life": ("平安人寿", "定期寿险"),
    "accident": ("中国人保", "综合意外险"),
}


def synthetic_families_create(count: int, *, seed: int = 2026, as_of: dt.date | None = None, chunk: int = 1000) -> int:
    """Write ``count`` more synthetic families (numbered after those already there); return how many."""
    from django.db import transaction
    from django.utils import timezone

    from kincare.families.models import Family

    as_of = as_of or timezone.localdate()
    start = Family.objects.filter(name__startswith=SYNTHETIC_PREFIX).count()
    rng = random.Random(seed + start)
    made = 0
    while made < count:
        batch = [synthetic_family(rng, as_of, start + made + i + 1) for i in range(min(chunk, count - made))]
        with transaction.atomic():
            _write(batch, start + made, as_of)
        made += len(batch)
    return made


def _write(batch: list[SyntheticFamily], offset: int, as_of: dt.date) -> None:
    from kincare.accounts.models import User, phone_index
    from kincare.accounts.phones import normalise_phone
    from kincare.accounts.services.real_name import resident_id_index
    from kincare.families.conditions import validate_declaration
    from kincare.families.engine import resident_id_with_check_digit
    from kincare.families.models import Family, HealthDeclaration, Member, SensitiveDataConsent
    from kincare.families.services import CONSENT_POLICY_VERSION
    from kincare.policies.models import ExternalPolicy

    users = []
    for i, spec in enumerate(batch):
        phone = normalise_phone(f"199{offset + i + 1:08d}")
        user = User(phone=phone, phone_hash=phone_index(phone), display_name=spec.people[0].name)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    families = Family.objects.bulk_create(
        [
            Family(
                name=spec.name,
                guardian=user,
                annual_expenses_fen=spec.finances[0] if spec.finances else None,
                debts_fen=spec.finances[1] if spec.finances else None,
                savings_fen=spec.finances[2] if spec.finances else None,
            )
            for spec, user in zip(batch, users, strict=True)
        ]
    )
    members = []
    for spec, user, family in zip(batch, users, families, strict=True):
        for index, person in enumerate(spec.people):
            sequence = 2 * index + (1 if person.sex == "M" else 2)
            resident_id = resident_id_with_check_digit(f"{spec.address}{person.birth_date:%Y%m%d}{sequence:03d}")
            members.append(
                Member(
                    family=family,
                    user=user if index == 0 else None,
                    name=person.name,
                    resident_id=resident_id,
                    resident_id_hash=resident_id_index(resident_id),
                    birth_date=person.birth_date,
                    sex=person.sex,
                    relationship=person.relationship,
                    annual_income_fen=person.annual_income_fen,
                    social_insurance=person.social_insurance,
                    occupation_class=person.occupation_class,
                    smoker=person.smoker,
                )
            )
    members = Member.objects.bulk_create(members)
    consents, declarations, externals = [], [], []
    position = 0
    for spec, user, family in zip(batch, users, families, strict=True):
        rows = members[position : position + len(spec.people)]
        position += len(spec.people)
        for person, member in zip(spec.people, rows, strict=True):
            if not person.conditions:
                continue
            consents.append(
                SensitiveDataConsent(family=family, member=member, given_by=user, policy_version=CONSENT_POLICY_VERSION)
            )
            for condition in person.conditions:
                declaration = HealthDeclaration(family=family, member=member, created_by=user)
                declaration.payload = validate_declaration(condition["code"], condition["attributes"], None)
                declarations.append(declaration)
        for index, category, amount in spec.external:
            insurer, product = EXTERNAL_NAMES[category]
            externals.append(
                ExternalPolicy(
                    family=family,
                    insured=rows[index],
                    insurer_name=insurer,
                    product_name=product,
                    category=category,
                    sum_insured_fen=amount,
                    premium_fen=10_000 if category == "medical" else 30_000,
                    starts_on=as_of - dt.timedelta(days=90),
                    ends_on=as_of + dt.timedelta(days=275) if category != "term_life" else None,
                    created_by=user,
                )
            )
    SensitiveDataConsent.objects.bulk_create(consents)
    HealthDeclaration.objects.bulk_create(declarations)
    ExternalPolicy.objects.bulk_create(externals)
