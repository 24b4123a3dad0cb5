import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from kincare.accounts.demo import DEMO_STAFF_PASSWORD, demo_staff_ensure
from kincare.accounts.models import StaffRole, User
from kincare.accounts.services import (
    ROLE_PERMISSIONS,
    staff_roles_ensure,
    staff_user_create,
    user_login_password,
)
from kincare.accounts.tests.factories import PASSWORD, make_user
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.core.permissions import is_staff_with

pytestmark = pytest.mark.django_db


def test_it_creates_one_group_per_role_idempotently() -> None:
    staff_roles_ensure()
    staff_roles_ensure()
    assert set(Group.objects.values_list("name", flat=True)) == set(StaffRole.values)
    operator = Group.objects.get(name="operator_admin")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in operator.permissions.all()}
    assert perms == set(ROLE_PERMISSIONS["operator_admin"])
    assert "core.view_auditevent" in perms
    underwriter = Group.objects.get(name="underwriter")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in underwriter.permissions.all()}
    assert perms == set(ROLE_PERMISSIONS["underwriter"])
    assert "underwriting.change_underwritingdecision" in perms
    assert not any(p.startswith("underwriting.delete_") for p in perms)
    doctor = Group.objects.get(name="doctor")
    assert [p.codename for p in doctor.permissions.all()] == ["view_auditevent"]


def test_it_resets_permissions_added_by_hand() -> None:
    groups = staff_roles_ensure()
    extra = Group.objects.get(name="operator_admin").permissions.model.objects.get(codename="delete_user")
    groups["doctor"].permissions.add(extra)
    staff_roles_ensure()
    assert not groups["doctor"].permissions.filter(codename="delete_user").exists()


def test_it_creates_a_staff_user_in_the_role() -> None:
    user = staff_user_create(phone="13600136000", password=PASSWORD, role="claims_adjuster", display_name="理赔小王")
    assert user.is_staff
    assert not user.is_superuser
    assert is_staff_with(user, "claims_adjuster")
    assert not is_staff_with(user, "underwriter")
    assert user.has_perm("core.view_auditevent")
    assert AuditEvent.objects.filter(action="accounts.staff_created", new__role="claims_adjuster").exists()


def test_an_operator_admin_may_view_users_and_revoke_tokens() -> None:
    user = staff_user_create(phone="13600136000", password=PASSWORD, role="operator_admin", display_name="运营")
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("accounts.view_user")
    assert user.has_perm("accounts.change_apitoken")
    assert not user.has_perm("accounts.change_user")


def test_it_refuses_an_unknown_role() -> None:
    with pytest.raises(ValidationFailed) as exc:
        staff_user_create(phone="13600136000", password=PASSWORD, role="ceo", display_name="")
    assert exc.value.code == "role_invalid"
    assert not User.objects.exists()


def test_it_refuses_a_phone_already_registered() -> None:
    make_user(phone="13600136000")
    with pytest.raises(Conflict):
        staff_user_create(phone="13600136000", password=PASSWORD, role="doctor", display_name="")


def test_demo_staff_are_created_once_and_can_log_in() -> None:
    rows = demo_staff_ensure()
    assert demo_staff_ensure() == rows
    assert [role for role, _, _ in rows] == list(StaffRole.values)
    assert User.objects.filter(is_staff=True).count() == len(StaffRole.values)
    role, phone, password = rows[0]
    assert password == DEMO_STAFF_PASSWORD
    assert is_staff_with(user_login_password(phone=phone, password=password), role)


def test_demo_staff_never_promote_a_real_person() -> None:
    make_user(phone="13900000001")
    with pytest.raises(ImproperlyConfigured):
        demo_staff_ensure()
    assert not User.objects.filter(is_staff=True).exists()
