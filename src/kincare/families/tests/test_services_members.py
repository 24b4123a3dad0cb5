import datetime as dt

import pytest
from django.db import connection

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.families import services
from kincare.families.models import Member
from kincare.families.tests import factories


def _code(exc_info):
    return exc_info.value.code


def test_the_creator_becomes_guardian_and_self_member_from_real_name_verification(guardian):
    family = services.family_create(actor=guardian, name="  王家 ")
    me = Member.objects.get(user=guardian)
    verification = guardian.real_name_verification
    assert family.name == "王家"
    assert family.guardian == guardian
    assert (me.family, me.relationship, me.name) == (family, "self", "王建国")
    assert me.resident_id == verification.resident_id
    assert (me.birth_date, me.sex) == (verification.birth_date, verification.sex)
    assert AuditEvent.objects.filter(action="family.created", family_id=family.pk).exists()


def test_it_refuses_a_family_to_an_unverified_user(db):
    user = factories.UserFactory()
    with pytest.raises(PermissionDenied) as exc:
        services.family_create(actor=user, name="家")
    assert _code(exc) == "real_name_required"


def test_it_refuses_a_second_family_to_a_member(family, guardian, adult_member):
    for user in (guardian, adult_member):
        with pytest.raises(Conflict) as exc:
            services.family_create(actor=user, name="新家")
        assert _code(exc) == "already_in_family"


@pytest.mark.parametrize("name", ["", "   ", "家" * 51, "<script>", None])
def test_it_refuses_bad_family_names(guardian, name):
    with pytest.raises(ValidationFailed):
        services.family_create(actor=guardian, name=name)
    assert not Member.objects.filter(user=guardian).exists()


def test_the_guardian_adds_a_member_with_birth_date_and_sex_from_the_id(family):
    resident_id = factories.make_resident_id(dt.date(2016, 3, 21), sex="F")
    member = services.member_add(
        actor=family.guardian,
        family=family,
        name="王小红",
        resident_id=resident_id,
        relationship="child",
    )
    assert (member.birth_date, member.sex, member.family_id) == (
        dt.date(2016, 3, 21),
        "F",
        family.pk,
    )
    assert member.resident_id_hash == services.resident_id_index(resident_id)


def test_the_resident_id_is_encrypted_at_rest(family):
    resident_id = factories.make_resident_id(dt.date(2016, 3, 21))
    member = services.member_add(
        actor=family.guardian,
        family=family,
        name="王小明",
        resident_id=resident_id,
        relationship="child",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM families_member WHERE id = %s", [member.pk])
        (raw,) = cursor.fetchone()
    assert resident_id not in raw
    assert resident_id[6:14] not in raw
    assert Member.objects.get(pk=member.pk).resident_id == resident_id


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"resident_id": "110101201603211234"}, "resident_id_invalid"),
        ({"resident_id": ""}, "resident_id_invalid"),
        ({"birth_date": dt.date(2016, 3, 22)}, "birth_date_mismatch"),
        ({"sex": "F"}, "sex_mismatch"),
        ({"sex": "X"}, "sex_invalid"),
        ({"relationship": "self"}, "relationship_invalid"),
        ({"relationship": "boss"}, "relationship_invalid"),
        ({"name": ""}, "name_empty"),
        ({"name": "王1"}, "name_invalid"),
        ({"name": "王" * 200}, "name_invalid"),
        ({"annual_income_fen": -1}, "income_invalid"),
        ({"annual_income_fen": True}, "income_invalid"),
        ({"occupation_class": 7}, "occupation_class_invalid"),
        ({"occupation_class": 0}, "occupation_class_invalid"),
        ({"social_insurance": "gold"}, "social_insurance_invalid"),
        ({"city": "城" * 60}, "city_invalid"),
    ],
)
def test_it_refuses_bad_member_input_without_writing(family, overrides, code):
    kwargs = {
        "name": "王小明",
        "resident_id": factories.make_resident_id(dt.date(2016, 3, 21), sex="M"),
        "relationship": "child",
        **overrides,
    }
    before = Member.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.member_add(actor=family.guardian, family=family, **kwargs)
    assert _code(exc) == code
    assert Member.objects.count() == before


def test_it_refuses_the_same_person_twice_in_a_family(family):
    resident_id = factories.make_resident_id(dt.date(2016, 3, 21))
    services.member_add(
        actor=family.guardian,
        family=family,
        name="王小明",
        resident_id=resident_id,
        relationship="child",
    )
    with pytest.raises(Conflict) as exc:
        services.member_add(
            actor=family.guardian,
            family=family,
            name="王小明",
            resident_id=resident_id,
            relationship="child",
        )
    assert _code(exc) == "member_duplicate"


def test_the_same_person_may_be_in_two_families(family, other_family):
    resident_id = factories.make_resident_id(dt.date(1960, 1, 1))
    for f in (family, other_family):
        services.member_add(
            actor=f.guardian,
            family=f,
            name="王奶奶",
            resident_id=resident_id,
            relationship="parent",
        )


def test_it_refuses_a_second_living_spouse(family, adult_member):
    with pytest.raises(Conflict) as exc:
        factories.member_add(family, name="钱多多", birth_date=dt.date(1990, 1, 1), sex="F", relationship="spouse")
    assert _code(exc) == "spouse_exists"


def test_only_the_guardian_adds_members(family, adult_member, outsider):
    with pytest.raises(PermissionDenied):
        services.member_add(
            actor=adult_member,
            family=family,
            name="王小明",
            resident_id=factories.make_resident_id(dt.date(2016, 3, 21)),
            relationship="child",
        )
    with pytest.raises(NotFound):
        services.member_add(
            actor=outsider,
            family=family,
            name="王小明",
            resident_id=factories.make_resident_id(dt.date(2016, 3, 21)),
            relationship="child",
        )


def test_an_adult_edits_their_own_row_but_not_others(family, adult_member, child, guardian_member):
    own = factories.self_member(adult_member)
    services.member_update(actor=adult_member, member=own, city="北京", smoker=True, annual_income_fen=10000)
    own.refresh_from_db()
    assert (own.city, own.smoker, own.annual_income_fen) == ("北京", True, 10000)
    for other in (child, guardian_member):
        with pytest.raises(PermissionDenied):
            services.member_update(actor=adult_member, member=other, city="上海")


def test_an_adult_cannot_change_their_relationship(family, adult_member):
    with pytest.raises(PermissionDenied) as exc:
        services.member_update(actor=adult_member, member=factories.self_member(adult_member), relationship="sibling")
    assert _code(exc) == "relationship_guardian_only"


def test_verified_identity_is_locked(family, guardian_member, adult_member):
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(actor=family.guardian, member=guardian_member, name="王大国")
    assert _code(exc) == "identity_locked"


def test_the_guardian_corrects_a_childs_id_with_cross_checks(family, child):
    new_id = factories.make_resident_id(dt.date(2016, 3, 22), sex="M")
    services.member_update(actor=family.guardian, member=child, resident_id=new_id)
    child.refresh_from_db()
    assert child.birth_date == dt.date(2016, 3, 22)
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(actor=family.guardian, member=child, birth_date=dt.date(2000, 1, 1))
    assert _code(exc) == "birth_date_mismatch"
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(actor=family.guardian, member=child, relationship="self")
    assert _code(exc) == "relationship_invalid"


def test_removing_a_member_unlinks_their_account_and_revokes_grants(family, adult_member, guardian_member):
    row = factories.self_member(adult_member)
    services.consent_give(actor=adult_member, member=row)
    grant = services.health_grant_give(actor=adult_member, grantor=row, grantee=guardian_member)
    services.member_remove(actor=family.guardian, member=row)
    row.refresh_from_db()
    grant.refresh_from_db()
    assert row.removed_at is not None and row.user is None
    assert grant.revoked_at is not None
    # the freed account may now create its own family
    services.family_create(actor=adult_member, name="李家")


def test_the_guardian_cannot_be_removed_and_adults_cannot_remove(family, guardian_member, adult_member, child):
    with pytest.raises(Conflict) as exc:
        services.member_remove(actor=family.guardian, member=guardian_member)
    assert _code(exc) == "cannot_remove_guardian"
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=adult_member, member=child)


def test_the_guardian_records_household_finances(family, adult_member):
    services.family_update(actor=family.guardian, family=family, savings_fen=500000, debts_fen=None)
    family.refresh_from_db()
    assert family.savings_fen == 500000
    with pytest.raises(ValidationFailed):
        services.family_update(actor=family.guardian, family=family, savings_fen=-5)
    with pytest.raises(PermissionDenied):
        services.family_update(actor=adult_member, family=family, name="新名字")
