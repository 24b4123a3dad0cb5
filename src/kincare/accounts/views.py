"""Account pages: sign up, log in (password or SMS code), log out, real name, API tokens."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kincare.accounts import selectors, services
from kincare.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    OtpLoginForm,
    OtpRequestForm,
    RealNameForm,
    SignupForm,
)
from kincare.accounts.models import User
from kincare.core.errors import DomainError, NotFound
from kincare.core.pii import mask_name, mask_resident_id

SESSION_BACKEND = "kincare.accounts.backends.PhonePasswordBackend"


def _call(form: forms.Form, action: Callable[[], Any]) -> Any:
    """Run a service; a DomainError becomes a readable error on its field (or the form)."""
    try:
        return action()
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _logged_in(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend=SESSION_BACKEND)
    return redirect(_next_url(request) or "families:home")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("families:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _call(
            form,
            lambda: services.user_signup(
                phone=data["phone"], password=data["password"], display_name=data["display_name"]
            ),
        )
        if user is not None:
            messages.success(request, _("注册成功，欢迎使用 kincare"))
            return _logged_in(request, user)
    return render(request, "accounts/signup.html", {"form": form})


def _login_page(
    request: HttpRequest,
    *,
    form: LoginForm | None = None,
    otp_form: OtpLoginForm | None = None,
    tab: str = "password",
) -> HttpResponse:
    return render(
        request,
        "accounts/login.html",
        {
            "form": form or LoginForm(),
            "otp_form": otp_form or OtpLoginForm(),
            "tab": tab,
            "next": _next_url(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request) or "families:home")
    if request.method == "GET":
        return _login_page(request, tab=request.GET.get("tab", "password"))
    form = LoginForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = _call(
            form,
            lambda: services.user_login_password(
                phone=data["phone"], password=data["password"], ip=services.request_ip(request)
            ),
        )
        if user is not None:
            return _logged_in(request, user)
    return _login_page(request, form=form)


@never_cache
@require_POST
def otp_request(request: HttpRequest) -> HttpResponse:
    """Send a code; htmx gets a status line, a plain form post gets the login page back."""
    form = OtpRequestForm(request.POST)
    sent = None
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        sent = _call(form, lambda: services.otp_request(phone=phone, ip=services.request_ip(request)))
    if request.headers.get("HX-Request"):
        return render(request, "accounts/partials/otp_status.html", {"form": form, "sent": sent})
    otp_form = OtpLoginForm(initial={"phone": request.POST.get("phone", "")})
    if sent is not None:
        messages.info(request, _("验证码已发送至 %(phone)s") % {"phone": sent.phone_masked})
        if sent.demo_code:
            messages.info(request, _("演示模式，未真实发送短信：验证码 %(code)s") % {"code": sent.demo_code})
    else:
        for error in form.errors.get("phone", []) + list(form.non_field_errors()):
            messages.error(request, str(error))
    return _login_page(request, otp_form=otp_form, tab="otp")


@never_cache
@require_POST
def otp_login(request: HttpRequest) -> HttpResponse:
    form = OtpLoginForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        result = _call(
            form,
            lambda: services.otp_login(phone=data["phone"], code=data["code"], ip=services.request_ip(request)),
        )
        if result is not None:
            user, created = result
            if created:
                messages.success(request, _("已为您创建账户，欢迎使用 kincare"))
            return _logged_in(request, user)
    return _login_page(request, otp_form=form, tab="otp")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    verification = selectors.real_name_verification_get(user=user)
    form = RealNameForm(request.POST or None)
    if verification is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        verification = _call(
            form,
            lambda: services.user_verify_real_name(
                user=user,
                name=data["name"],
                resident_id=data["resident_id"],
                birth_date=data["birth_date"],
                sex=data["sex"] or None,
            ),
        )
        if verification is not None:
            messages.success(request, _("实名认证成功"))
            return redirect("accounts:verify")
    context: dict[str, Any] = {"form": form, "verification": verification}
    if verification is not None:
        context["name_masked"] = mask_name(verification.name)
        context["resident_id_masked"] = mask_resident_id(verification.resident_id)
    return render(request, "accounts/verify.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List tokens; creating one shows its raw value on this response only."""
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    created: tuple[Any, str] | None = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        created = _call(
            form,
            lambda: services.api_token_create(user=user, name=form.cleaned_data["name"], expires_at=expires_at),
        )
        if created is not None:
            form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": selectors.api_token_list(user=user),
        "created_token": created[0] if created else None,
        "raw_token": created[1] if created else None,
        "now": timezone.now(),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=_user(request), token_id=token_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("已撤销令牌 %(name)s") % {"name": token.name})
    return redirect("accounts:tokens")
