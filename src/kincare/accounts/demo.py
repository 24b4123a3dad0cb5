"""Demo staff for ``kincare demo``: one operator per role, fixed phones, one demo password."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kincare.accounts.models import StaffRole, User, phone_index
from kincare.accounts.services.staff import staff_role_grant, staff_roles_ensure, staff_user_create
from kincare.core.demo import register_demo_step

DEMO_STAFF_PASSWORD = "kincare-demo-2026"
DEMO_STAFF_PHONES = {role.value: f"1390000000{i}" for i, role in enumerate(StaffRole, start=1)}


@transaction.atomic
def demo_staff_ensure() -> list[tuple[str, str, str]]:
    """Create (once) a staff user per role; returns ``(role, phone, password)`` rows.

    An existing demo user keeps whatever password it has now. A phone held by a non-staff
    account is refused: demo data never turns a real person into an operator.
    """
    staff_roles_ensure()
    rows = []
    for role in StaffRole:
        phone = DEMO_STAFF_PHONES[role.value]
        user = User.objects.filter(phone_hash=phone_index(phone)).first()
        if user is None:
            staff_user_create(
                phone=phone,
                password=DEMO_STAFF_PASSWORD,
                role=role.value,
                display_name=f"演示{role.label}",
            )
        elif not user.is_staff:
            raise ImproperlyConfigured(f"demo phone {phone} belongs to a non-staff account")
        elif not user.groups.filter(name=role.value).exists():
            staff_role_grant(user=user, role=role.value)
        rows.append((role.value, phone, DEMO_STAFF_PASSWORD))
    return rows


def demo_step(options: Mapping[str, Any]) -> list[str]:
    """``kincare demo``: the staff roles and one operator per role."""
    staff_roles_ensure()
    lines = ["运营人员 (staff, console at /admin/):"]
    lines += [f"  {role:<18} 手机 {phone}  密码 {password}" for role, phone, password in demo_staff_ensure()]
    return lines


def register() -> None:
    register_demo_step("staff", demo_step, order=10)
