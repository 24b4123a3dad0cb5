import datetime as dt

import pytest

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.families import selectors, services
from kincare.families.models import Member
from kincare.families.tests import factories


def _record(actor, family, kind, member=None, details=None, occurred_on=dt.date(2025, 1, 1)):
    return services.life_event_record(
        actor=actor,
        family=family,
        kind=kind,
        occurred_on=occurred_on,
        member=member,
        details=details,
    )


def test_an_income_change_updates_the_members_income(family, guardian, adult_member, adult_row):
    event = _record(adult_member, family, "income_change", adult_row, {"annual_income_fen": 12_000_000})
    adult_row.refresh_from_db()
    assert adult_row.annual_income_fen == 12_000_000
    assert event.details["annual_income_fen"] == 12_000_000
    with pytest.raises(ValidationFailed) as exc:
        _record(guardian, family, "income_change", adult_row, {"annual_income_fen": -5})
    assert exc.value.code == "income_invalid"


def test_a_birth_with_details_adds_the_child_without_keeping_the_id_in_the_event(family, guardian, guardian_member):
    born = dt.date(2025, 1, 1)
    resident_id = factories.make_resident_id(born, sex="F")
    event = _record(
        guardian,
        family,
        "birth",
        guardian_member,
        {"name": "王小花", "resident_id": resident_id},
        born,
    )
    child = Member.objects.get(pk=event.details["child_member_id"])
    assert (child.relationship, child.birth_date, child.sex) == ("child", born, "F")
    assert resident_id not in str(event.details)


def test_a_birth_whose_id_disagrees_with_the_date_is_refused_whole(family, guardian):
    before = Member.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        _record(
            guardian,
            family,
            "birth",
            details={
                "name": "王小花",
                "resident_id": factories.make_resident_id(dt.date(2024, 1, 1), sex="F"),
            },
        )
    assert exc.value.code == "birth_date_mismatch"
    assert Member.objects.count() == before
    assert not selectors.life_event_list(user=guardian, family=family).exists()


def test_a_death_marks_the_member_and_revokes_grants_to_them(
    family, guardian, guardian_member, adult_member, adult_row
):
    services.consent_give(actor=guardian, member=guardian_member)
    grant = services.health_grant_give(actor=guardian, grantor=guardian_member, grantee=adult_row)
    _record(guardian, family, "death", adult_row, occurred_on=dt.date(2025, 2, 1))
    adult_row.refresh_from_db()
    grant.refresh_from_db()
    assert adult_row.deceased_on == dt.date(2025, 2, 1)
    assert grant.revoked_at is not None
    with pytest.raises(Conflict) as exc:
        _record(guardian, family, "death", adult_row)
    assert exc.value.code == "member_deceased"
    with pytest.raises(Conflict) as exc:
        _record(guardian, family, "death", guardian_member)
    assert exc.value.code == "guardian_transfer_required"


def test_life_event_refusals(family, guardian, adult_member, adult_row, child, outsider):
    with pytest.raises(PermissionDenied) as exc:
        _record(adult_member, family, "birth")
    assert exc.value.code == "guardian_only"
    with pytest.raises(PermissionDenied) as exc:
        _record(adult_member, family, "marriage", child)
    assert exc.value.code == "own_events_only"
    with pytest.raises(ValidationFailed) as exc:
        _record(guardian, family, "death")
    assert exc.value.code == "member_required"
    with pytest.raises(ValidationFailed) as exc:
        _record(guardian, family, "promotion", child)
    assert exc.value.code == "kind_invalid"
    with pytest.raises(ValidationFailed) as exc:
        _record(guardian, family, "marriage", occurred_on=dt.date(2999, 1, 1))
    assert exc.value.code == "occurred_on_invalid"
    with pytest.raises(ValidationFailed) as exc:
        _record(guardian, family, "marriage", details={"note": "x" * 5000})
    assert exc.value.code == "details_too_large"
    with pytest.raises(NotFound):
        _record(outsider, family, "marriage")


def test_a_diagnosis_is_health_data_needing_consent(family, guardian, adult_member, adult_row):
    with pytest.raises(PermissionDenied) as exc:
        _record(adult_member, family, "diagnosis", adult_row, {"condition_code": "diabetes"})
    assert exc.value.code == "consent_required"
    services.consent_give(actor=adult_member, member=adult_row)
    _record(adult_member, family, "diagnosis", adult_row, {"condition_code": "diabetes"})
    _record(adult_member, family, "income_change", adult_row, {"annual_income_fen": 100})
    kinds_for_guardian = {e.kind for e in selectors.life_event_list(user=guardian, family=family)}
    assert kinds_for_guardian == {"income_change"}
    kinds_for_adult = {e.kind for e in selectors.life_event_list(user=adult_member, family=family)}
    assert kinds_for_adult == {"income_change", "diagnosis"}
