import datetime as dt

import pytest
from django.db import connection

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.families import selectors, services
from kincare.families.models import HealthDeclaration
from kincare.families.policies import declaration_policy, member_policy
from kincare.families.tests import factories
from kincare.families.tests.factories import hypertension


def _declare(user, member, **attrs):
    return services.declaration_add(actor=user, member=member, code="hypertension", attributes=hypertension(**attrs))


def test_storing_a_declaration_without_consent_is_refused(family, adult_row, adult_member):
    with pytest.raises(PermissionDenied) as exc:
        _declare(adult_member, adult_row)
    assert exc.value.code == "consent_required"
    assert not HealthDeclaration.objects.exists()


def test_after_consent_an_adult_declares_and_reads_their_own(adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    declaration = _declare(adult_member, adult_row, grade=2)
    assert declaration.family_id == adult_row.family_id
    assert [d.pk for d in selectors.declaration_list(user=adult_member, member=adult_row)] == [declaration.pk]


def test_the_health_payload_is_encrypted_at_rest(adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    declaration = _declare(adult_member, adult_row)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM families_healthdeclaration WHERE id = %s", [declaration.pk])
        (raw,) = cursor.fetchone()
    assert "hypertension" not in raw and "grade" not in raw


def test_an_adults_data_is_hidden_from_another_adult_until_granted_and_again_after_revoke(
    family, guardian, guardian_member, adult_member, adult_row
):
    services.consent_give(actor=adult_member, member=adult_row)
    _declare(adult_member, adult_row)
    with pytest.raises(PermissionDenied) as exc:
        selectors.declaration_list(user=guardian, member=adult_row)
    assert exc.value.code == "health_access_denied"
    assert not declaration_policy.scope(guardian, "view").exists()

    grant = services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    assert len(selectors.declaration_list(user=guardian, member=adult_row)) == 1

    services.health_grant_revoke(actor=adult_member, grant=grant)
    with pytest.raises(PermissionDenied):
        selectors.declaration_list(user=guardian, member=adult_row)
    assert not declaration_policy.scope(guardian, "view").exists()


def test_a_grant_does_not_let_the_grantee_write(family, guardian, guardian_member, adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    with pytest.raises(PermissionDenied) as exc:
        _declare(guardian, adult_row)
    assert exc.value.code == "permission_denied"


def test_the_guardian_manages_a_minors_data_and_other_adults_do_not_see_it(guardian, adult_member, child):
    with pytest.raises(PermissionDenied) as exc:
        _declare(guardian, child)
    assert exc.value.code == "consent_required"
    services.consent_give(actor=guardian, member=child)
    declaration = services.declaration_add(
        actor=guardian, member=child, code="other", attributes={"description": "哮喘"}
    )
    assert selectors.declaration_list(user=guardian, member=child) == [declaration]
    with pytest.raises(PermissionDenied):
        selectors.declaration_list(user=adult_member, member=child)
    with pytest.raises(PermissionDenied):
        services.consent_give(actor=adult_member, member=child)


def test_withdrawing_consent_stops_reads_and_storage_but_allows_deletion(adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    declaration = _declare(adult_member, adult_row)
    services.consent_withdraw(actor=adult_member, member=adult_row)
    with pytest.raises(PermissionDenied) as exc:
        _declare(adult_member, adult_row)
    assert exc.value.code == "consent_required"
    with pytest.raises(PermissionDenied) as exc:
        selectors.declaration_list(user=adult_member, member=adult_row)
    assert exc.value.code == "consent_required"
    with pytest.raises(PermissionDenied) as exc:
        services.declaration_update(actor=adult_member, declaration=declaration, attributes=hypertension())
    assert exc.value.code == "consent_required"
    services.declaration_remove(actor=adult_member, declaration=declaration)
    assert HealthDeclaration.objects.get(pk=declaration.pk).status == "removed"
    with pytest.raises(Conflict) as exc:
        services.consent_withdraw(actor=adult_member, member=adult_row)
    assert exc.value.code == "consent_not_active"


def test_consent_is_idempotent_and_needs_the_current_policy_version(adult_member, adult_row):
    first = services.consent_give(actor=adult_member, member=adult_row)
    assert services.consent_give(actor=adult_member, member=adult_row) == first
    services.consent_withdraw(actor=adult_member, member=adult_row)
    with pytest.raises(ValidationFailed) as exc:
        services.consent_give(actor=adult_member, member=adult_row, policy_version="2000-01")
    assert exc.value.code == "policy_version_outdated"


def test_only_the_person_consents_for_an_adult(guardian, adult_row, outsider):
    with pytest.raises(PermissionDenied):
        services.consent_give(actor=guardian, member=adult_row)
    with pytest.raises(NotFound):
        services.consent_give(actor=outsider, member=adult_row)


def test_every_read_of_health_data_is_audited(adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    _declare(adult_member, adult_row)
    selectors.declaration_list(user=adult_member, member=adult_row)
    event = AuditEvent.objects.get(action="health_data.read")
    assert (event.actor, event.subject_id, event.family_id) == (
        adult_member,
        str(adult_row.pk),
        adult_row.family_id,
    )
    assert "hypertension" not in str(AuditEvent.objects.values_list("new", flat=True))


def test_declaration_updates_validate_and_keep_the_code(adult_member, adult_row):
    services.consent_give(actor=adult_member, member=adult_row)
    declaration = _declare(adult_member, adult_row)
    services.declaration_update(actor=adult_member, declaration=declaration, attributes=hypertension(grade=3))
    assert HealthDeclaration.objects.get(pk=declaration.pk).payload["attributes"]["grade"] == 3
    with pytest.raises(ValidationFailed):
        services.declaration_update(actor=adult_member, declaration=declaration, attributes=hypertension(grade=9))
    services.declaration_remove(actor=adult_member, declaration=declaration)
    with pytest.raises(Conflict):
        services.declaration_remove(actor=adult_member, declaration=declaration)


def test_outsiders_and_staff_see_no_health_data(adult_member, adult_row, outsider, staff_user):
    services.consent_give(actor=adult_member, member=adult_row)
    declaration = _declare(adult_member, adult_row)
    for user in (outsider, staff_user):
        assert not declaration_policy.scope(user, "view").exists()
        assert not member_policy.can(user, "read_health", adult_row)
        with pytest.raises(NotFound):
            selectors.declaration_list(user=user, member=adult_row)
        with pytest.raises(NotFound):
            services.declaration_remove(actor=user, declaration=declaration)


def test_grant_refusals(family, guardian, guardian_member, adult_member, adult_row, child, outsider, other_family):
    with pytest.raises(PermissionDenied) as exc:
        services.health_grant_give(actor=guardian, grantor=adult_row, grantee=guardian_member)
    assert exc.value.code == "grant_own_data_only"
    with pytest.raises(ValidationFailed) as exc:
        services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=child)
    assert exc.value.code == "grantee_invalid"
    with pytest.raises(ValidationFailed) as exc:
        services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=adult_row)
    assert exc.value.code == "grantee_invalid"
    with pytest.raises(NotFound):
        services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=factories.self_member(outsider))
    grant = services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    with pytest.raises(Conflict) as exc:
        services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    assert exc.value.code == "grant_exists"
    with pytest.raises(PermissionDenied):
        services.health_grant_revoke(actor=guardian, grant=grant)
    with pytest.raises(NotFound):
        services.health_grant_revoke(actor=outsider, grant=grant)
    services.health_grant_revoke(actor=adult_member, grant=grant)
    with pytest.raises(Conflict) as exc:
        services.health_grant_revoke(actor=adult_member, grant=grant)
    assert exc.value.code == "grant_revoked"


def test_a_minor_with_an_account_cannot_grant(family):
    teen = factories.UserFactory()
    row = factories.member_add(family, name="王少年", birth_date=dt.date(2012, 1, 1))
    row.user = teen
    row.save()
    guardian_row = factories.self_member(family.guardian)
    with pytest.raises(ValidationFailed) as exc:
        services.health_grant_give(actor=teen, grantor=row, grantee=guardian_row)
    assert exc.value.code == "grantor_minor"
