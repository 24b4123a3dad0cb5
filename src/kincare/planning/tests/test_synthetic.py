"""Synthetic families: census-like household sizes, realistic members, written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from kincare.core.dates import age_on
from kincare.families.engine import parse_resident_id
from kincare.families.models import Family, HealthDeclaration, Member, SensitiveDataConsent
from kincare.planning.synthetic import synthetic_families_create, synthetic_family

AS_OF = dt.date(2026, 12, 1)


def test_household_sizes_average_the_census_mean_of_2_62():
    rng = random.Random(7)
    sizes = [len(synthetic_family(rng, AS_OF, n).people) for n in range(20_000)]
    assert abs(sum(sizes) / len(sizes) - 2.62) < 0.05
    assert Counter(sizes)[1] / len(sizes) == pytest.approx(0.254, abs=0.02)


def test_members_are_plausible():
    rng = random.Random(8)
    people = [p for n in range(2_000) for p in synthetic_family(rng, AS_OF, n).people]
    ages = [age_on(p.birth_date, AS_OF) for p in people]
    assert min(ages) >= 0 and max(ages) <= 115
    earners = [p for p, age in zip(people, ages, strict=True) if p.annual_income_fen and 22 <= age <= 60]
    assert 0.5 < len(earners) / sum(1 for a in ages if 22 <= a <= 60) < 0.95
    assert all(p.annual_income_fen is None or p.annual_income_fen > 0 for p in people)
    assert 0.2 < sum(1 for p in people if p.conditions) / len(people) < 0.7
    children = [p for p, age in zip(people, ages, strict=True) if p.relationship == "child"]
    assert children and all(age_on(c.birth_date, AS_OF) <= 22 for c in children)


def test_the_same_seed_gives_the_same_families():
    one = [synthetic_family(random.Random(3), AS_OF, n) for n in range(5)]
    two = [synthetic_family(random.Random(3), AS_OF, n) for n in range(5)]
    assert one == two


@pytest.mark.django_db
def test_families_are_written_with_valid_ids_consents_and_declarations():
    assert synthetic_families_create(30, seed=5, as_of=AS_OF) == 30
    assert synthetic_families_create(5, seed=5, as_of=AS_OF) == 5  # numbered after the first 30
    assert Family.objects.count() == 35
    names = list(Family.objects.values_list("name", flat=True))
    assert len(set(names)) == 35
    members = Member.objects.all()
    assert all(parse_resident_id(m.resident_id)[1:] == (m.birth_date, m.sex) for m in members)
    with_declarations = set(HealthDeclaration.objects.values_list("member_id", flat=True))
    consented = set(SensitiveDataConsent.objects.values_list("member_id", flat=True))
    assert with_declarations and with_declarations == consented
