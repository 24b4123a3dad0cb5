"""``/api/v1/accounts/``: sign-up, login (password or SMS code), me, real name, API tokens.

The unauthenticated endpoints that start a session or send an SMS accept JSON only: a
cross-site page cannot send ``application/json`` without a CORS preflight, which closes
login CSRF (and SMS bombing through visitors' browsers) without a token.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from kincare.accounts import selectors, services
from kincare.accounts.models import User
from kincare.accounts.schemas import (
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    LoginIn,
    OtpLoginIn,
    OtpRequestIn,
    OtpSentOut,
    RealNameIn,
    RealNameOut,
    SignupIn,
    UserOut,
)
from kincare.core.errors import DomainError

router = Router(tags=["accounts"])

SESSION_BACKEND = "kincare.accounts.backends.PhonePasswordBackend"


class UnsupportedMediaType(DomainError):
    status = 415
    default_code = "unsupported_media_type"


def _require_json(request: HttpRequest) -> None:
    if request.content_type != "application/json":
        raise UnsupportedMediaType(_("请以 application/json 提交"))


def _locked_response(exc: services.LoginLocked) -> HttpResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth guarantees it
    return user


@router.post("/signup", auth=None, response={201: UserOut})
def signup(request: HttpRequest, payload: SignupIn) -> Status[UserOut]:
    _require_json(request)
    user = services.user_signup(phone=payload.phone, password=payload.password, display_name=payload.display_name)
    login(request, user, backend=SESSION_BACKEND)
    return Status(201, UserOut.of(user))


@router.post("/login", auth=None, response={200: UserOut})
def login_password(request: HttpRequest, payload: LoginIn) -> UserOut | HttpResponse:
    _require_json(request)
    try:
        user = services.user_login_password(
            phone=payload.phone, password=payload.password, ip=services.request_ip(request)
        )
    except services.LoginLocked as exc:
        return _locked_response(exc)
    login(request, user, backend=SESSION_BACKEND)
    return UserOut.of(user)


@router.post("/otp/request", auth=None, response={200: OtpSentOut})
def otp_request(request: HttpRequest, payload: OtpRequestIn) -> OtpSentOut:
    _require_json(request)  # no cross-site page may make a visitor's browser send SMS
    sent = services.otp_request(phone=payload.phone, ip=services.request_ip(request))
    return OtpSentOut(
        phone_masked=sent.phone_masked,
        expires_in_seconds=sent.expires_in_seconds,
        resend_after_seconds=sent.resend_after_seconds,
    )


@router.post("/otp/login", auth=None, response={200: UserOut, 201: UserOut})
def otp_login(request: HttpRequest, payload: OtpLoginIn) -> Status[UserOut] | HttpResponse:
    """Log in with an SMS code; a phone with no account gets one (201)."""
    _require_json(request)
    try:
        user, created = services.otp_login(phone=payload.phone, code=payload.code, ip=services.request_ip(request))
    except services.LoginLocked as exc:
        return _locked_response(exc)
    login(request, user, backend=SESSION_BACKEND)
    return Status(201 if created else 200, UserOut.of(user))


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> UserOut:
    return UserOut.of(_user(request))


@router.post("/me/real-name", response={201: RealNameOut})
def real_name_verify(request: HttpRequest, payload: RealNameIn) -> Status[RealNameOut]:
    verification = services.user_verify_real_name(
        user=_user(request),
        name=payload.name,
        resident_id=payload.resident_id,
        birth_date=payload.birth_date,
        sex=payload.sex,
    )
    return Status(201, RealNameOut.of(verification))


@router.get("/tokens", response=list[ApiTokenOut])
def tokens_list(request: HttpRequest) -> list[ApiTokenOut]:
    return [ApiTokenOut.of(token) for token in selectors.api_token_list(user=_user(request))]


@router.post("/tokens", response={201: ApiTokenCreatedOut})
def tokens_create(request: HttpRequest, payload: ApiTokenIn) -> Status[ApiTokenCreatedOut]:
    token, raw = services.api_token_create(user=_user(request), name=payload.name, expires_at=payload.expires_at)
    return Status(201, ApiTokenCreatedOut(**ApiTokenOut.of(token).model_dump(), token=raw))


@router.delete("/tokens/{token_id}", response={204: None})
def tokens_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    services.api_token_revoke(user=_user(request), token_id=token_id)
    return Status(204, None)
