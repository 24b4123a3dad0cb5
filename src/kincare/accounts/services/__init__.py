"""Account services (writes). Import from here: ``from kincare.accounts.services import …``."""

from kincare.accounts.identity import parse_resident_id
from kincare.accounts.services.housekeeping import login_records_purge
from kincare.accounts.services.login import LoginLocked, client_key, request_ip, user_login_password
from kincare.accounts.services.otp import OtpSent, SmsUnavailable, otp_login, otp_request
from kincare.accounts.services.real_name import resident_id_index, user_verify_real_name
from kincare.accounts.services.staff import (
    ROLE_PERMISSIONS,
    staff_role_grant,
    staff_roles_ensure,
    staff_user_create,
)
from kincare.accounts.services.tokens import (
    api_token_create,
    api_token_revoke,
    api_token_revoke_by_operator,
)
from kincare.accounts.services.users import password_check, user_signup

__all__ = [
    "ROLE_PERMISSIONS",
    "LoginLocked",
    "OtpSent",
    "SmsUnavailable",
    "api_token_create",
    "api_token_revoke",
    "api_token_revoke_by_operator",
    "client_key",
    "login_records_purge",
    "otp_login",
    "otp_request",
    "parse_resident_id",
    "password_check",
    "request_ip",
    "resident_id_index",
    "staff_role_grant",
    "staff_roles_ensure",
    "staff_user_create",
    "user_login_password",
    "user_signup",
    "user_verify_real_name",
]
