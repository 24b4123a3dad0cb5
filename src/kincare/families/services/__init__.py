"""Family writes. Import from here: ``from kincare.families.services import member_add``."""

from kincare.families.services.events import life_event_record
from kincare.families.services.health import (
    CONSENT_POLICY_VERSION,
    consent_active,
    consent_give,
    consent_withdraw,
    declaration_add,
    declaration_remove,
    declaration_update,
    health_grant_give,
    health_grant_revoke,
)
from kincare.families.services.invitations import (
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_find,
    invitation_revoke,
)
from kincare.families.services.members import (
    UNSET,
    family_create,
    family_update,
    member_add,
    member_remove,
    member_update,
    resident_id_index,
)

__all__ = [
    "CONSENT_POLICY_VERSION",
    "UNSET",
    "consent_active",
    "consent_give",
    "consent_withdraw",
    "declaration_add",
    "declaration_remove",
    "declaration_update",
    "family_create",
    "family_update",
    "health_grant_give",
    "health_grant_revoke",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_find",
    "invitation_revoke",
    "life_event_record",
    "member_add",
    "member_remove",
    "member_update",
    "resident_id_index",
]
