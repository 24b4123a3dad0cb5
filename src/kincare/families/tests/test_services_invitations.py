import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.families import services
from kincare.families.models import Invitation, Member
from kincare.families.tests import factories


@pytest.fixture
def invitee(db):
    return factories.verified_user(name="李秀英", birth_date=dt.date(1988, 9, 3), sex="F")


def test_an_invited_verified_adult_joins_with_a_member_row_from_their_verification(family, invitee):
    invitation, token = services.invitation_create(
        actor=family.guardian, family=family, phone=invitee.phone, relationship="spouse"
    )
    assert invitation.token_hash != token and len(token) > 30
    member = services.invitation_accept(actor=invitee, token=token)
    assert (member.user, member.family, member.relationship, member.name) == (
        invitee,
        family,
        "spouse",
        "李秀英",
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee


def test_an_invitation_can_target_an_existing_member_row(family):
    user = factories.UserFactory()
    row = factories.member_add(family, name="王奶奶", birth_date=dt.date(1958, 1, 1), sex="F", relationship="parent")
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=user.phone, member=row)
    assert services.invitation_accept(actor=user, token=token).pk == row.pk


def test_a_verified_invitee_is_linked_to_the_row_with_their_resident_id(family, invitee):
    verification = invitee.real_name_verification
    row = services.member_add(
        actor=family.guardian,
        family=family,
        name="李秀英",
        resident_id=verification.resident_id,
        relationship="spouse",
    )
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    assert services.invitation_accept(actor=invitee, token=token).pk == row.pk
    assert Member.objects.filter(family=family).count() == 2


@pytest.mark.parametrize(
    ("mutate", "code", "error"),
    [
        (lambda inv: setattr(inv, "revoked_at", timezone.now()), "invitation_revoked", Conflict),
        (lambda inv: setattr(inv, "accepted_at", timezone.now()), "invitation_used", Conflict),
        (
            lambda inv: setattr(inv, "expires_at", timezone.now() - dt.timedelta(seconds=1)),
            "invitation_expired",
            Conflict,
        ),
    ],
)
def test_it_refuses_stale_invitations(family, invitee, mutate, code, error):
    invitation, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    mutate(invitation)
    invitation.save()
    with pytest.raises(error) as exc:
        services.invitation_accept(actor=invitee, token=token)
    assert exc.value.code == code
    assert not Member.objects.filter(user=invitee).exists()


def test_it_refuses_someone_else_accepting(family, invitee, outsider):
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    with pytest.raises(PermissionDenied) as exc:
        services.invitation_accept(actor=outsider, token=token)
    assert exc.value.code == "invitation_phone_mismatch"


def test_it_refuses_members_of_another_family_and_of_this_one(family, other_family, outsider, adult_member):
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=outsider.phone)
    with pytest.raises(Conflict) as exc:
        services.invitation_accept(actor=outsider, token=token)
    assert exc.value.code == "already_in_family"
    with pytest.raises(Conflict) as exc:
        services.invitation_create(actor=family.guardian, family=family, phone=adult_member.phone)
    assert exc.value.code == "already_member"


def test_an_unverified_invitee_without_a_target_row_must_verify_first(family):
    user = factories.UserFactory()
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=user.phone)
    with pytest.raises(PermissionDenied) as exc:
        services.invitation_accept(actor=user, token=token)
    assert exc.value.code == "real_name_required"


@pytest.mark.parametrize("token", ["", "nope", "x" * 5000, None, 12])
def test_unknown_tokens_are_not_found(family, invitee, token):
    with pytest.raises(NotFound) as exc:
        services.invitation_accept(actor=invitee, token=token)
    assert exc.value.code == "invitation_not_found"


def test_it_refuses_bad_invitation_input(family, guardian, adult_member, child):
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_create(actor=guardian, family=family, phone=guardian.phone)
    assert exc.value.code == "cannot_invite_self"
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_create(actor=guardian, family=family, phone="12345")
    assert exc.value.code == "phone_invalid"
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_create(actor=guardian, family=family, phone="13900001111", member=child)
    assert exc.value.code == "invitee_minor"
    with pytest.raises(Conflict) as exc:
        services.invitation_create(
            actor=guardian,
            family=family,
            phone="13900001111",
            member=factories.self_member(adult_member),
        )
    assert exc.value.code == "member_already_linked"
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=adult_member, family=family, phone="13900001111")


def test_a_new_link_for_the_same_phone_replaces_the_pending_one(family, invitee):
    _first, first_token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    _second, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    with pytest.raises(Conflict):
        services.invitation_accept(actor=invitee, token=first_token)
    services.invitation_accept(actor=invitee, token=token)


def test_the_guardian_revokes_and_others_cannot(family, invitee, adult_member, outsider):
    invitation, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    with pytest.raises(NotFound):
        services.invitation_revoke(actor=adult_member, invitation=invitation)
    with pytest.raises(NotFound):
        services.invitation_revoke(actor=outsider, invitation=invitation)
    services.invitation_revoke(actor=family.guardian, invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    with pytest.raises(Conflict):
        services.invitation_accept(actor=invitee, token=token)


def test_an_accepted_invitation_cannot_be_revoked(family, adult_member):
    invitation = Invitation.objects.get(family=family, accepted_by=adult_member)
    with pytest.raises(Conflict) as exc:
        services.invitation_revoke(actor=family.guardian, invitation=invitation)
    assert exc.value.code == "invitation_used"
