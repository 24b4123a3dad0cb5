"""Staff roles are Django groups named after ``StaffRole`` values.

``ROLE_PERMISSIONS`` is the source of truth: ``staff_roles_ensure`` sets each group's
permissions to exactly this list (run it after migrations; ``kincare demo`` does). Each
role gets only what it needs today; apps add their permissions here as they grow queues:

* every role may read the audit log (``core.view_auditevent``) to trace the cases it
  works on;
* ``operator_admin`` also manages accounts: views users and real-name records, views and
  revokes API tokens (``change_apitoken``), views groups.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from kincare.accounts.models import StaffRole, User
from kincare.accounts.phones import normalise_phone
from kincare.accounts.services.users import display_name_check, password_check, user_create
from kincare.core.audit import audit_record
from kincare.core.errors import ValidationFailed
from kincare.core.pii import mask_phone

_EVERY_ROLE = ["core.view_auditevent"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    StaffRole.UNDERWRITER: [
        *_EVERY_ROLE,
        # rule tables: upload new versions and activate them (never delete a version)
        "underwriting.view_ruleset",
        "underwriting.add_ruleset",
        "underwriting.change_ruleset",
        # the manual underwriting queue: read the case, decide it
        "underwriting.view_underwritingdecision",
        "underwriting.change_underwritingdecision",
        # read-only: policies, applications with their insured members, external policies
        "policies.view_policy",
        "policies.view_application",
        "policies.view_applicationinsured",
        "policies.view_externalpolicy",
    ],
    StaffRole.CLAIMS_ADJUSTER: [
        *_EVERY_ROLE,
        # the review queue: read the case (audited), decide it through the review services
        "claims.view_claim",
        "claims.change_claim",
        # read-only: the review history and the documents (downloaded through the staff view)
        "claims.view_claimreview",
        "claims.view_claimdocument",
        # read-only: the policy a claim is made on
        "policies.view_policy",
    ],
    StaffRole.CAMPAIGN_REVIEWER: [
        *_EVERY_ROLE,
        # the campaign queue: read the case and its documents, decide through the review services
        "crowdfunding.view_campaign",
        "crowdfunding.change_campaign",
        "crowdfunding.view_campaigndocument",
        "crowdfunding.view_campaignreview",
        # reports and disbursements: resolve and approve through the services
        "crowdfunding.view_report",
        "crowdfunding.change_report",
        "crowdfunding.view_disbursement",
        "crowdfunding.change_disbursement",
        # the blacklist of fundraisers
        "crowdfunding.view_blacklistentry",
        "crowdfunding.add_blacklistentry",
    ],
    StaffRole.PHARMACIST: [*_EVERY_ROLE],
    StaffRole.DOCTOR: [*_EVERY_ROLE],
    StaffRole.CHARITY_ADMIN: [*_EVERY_ROLE],
    StaffRole.OPERATOR_ADMIN: [
        *_EVERY_ROLE,
        "accounts.view_user",
        "accounts.view_realnameverification",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
        "auth.view_group",
    ],
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise ImproperlyConfigured(f"permission {name} does not exist (run migrations first)")
        found.append(permission)
    return found


@transaction.atomic
def staff_roles_ensure() -> dict[str, Group]:
    """Create or update one group per staff role (idempotent)."""
    groups = {}
    for role in StaffRole:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
        groups[role.value] = group
    return groups


def _role_group(role: str) -> Group:
    if role not in StaffRole.values:
        raise ValidationFailed(_("未知的岗位"), code="role_invalid", field="role")
    group = Group.objects.filter(name=role).first()
    return group if group is not None else staff_roles_ensure()[role]


@transaction.atomic
def staff_user_create(*, phone: str, password: str, role: str, display_name: str, actor: User | None = None) -> User:
    """Create an operator account (``is_staff``) holding one role."""
    group = _role_group(role)
    normalised = normalise_phone(phone)
    name = display_name_check(display_name)
    password_check(password, user=User(phone=normalised, display_name=name))
    user = user_create(phone=normalised, password=password, display_name=name, is_staff=True)
    user.groups.add(group)
    audit_record(
        actor=actor,
        action="accounts.staff_created",
        subject=user,
        new={"phone": mask_phone(normalised), "role": role},
    )
    return user


@transaction.atomic
def staff_role_grant(*, user: User, role: str, actor: User | None = None) -> None:
    """Add a role to an existing user (who becomes staff)."""
    group = _role_group(role)
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    user.groups.add(group)
    audit_record(actor=actor, action="accounts.staff_role_granted", subject=user, new={"role": role})
