"""Family pages (mobile-first, zh-hans). Each page parses with a form and calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kincare.core.errors import DomainError, NotFound
from kincare.families import selectors, services
from kincare.families.conditions import (
    ATTRIBUTE_LABELS,
    CONDITION_MODELS,
    HEPATITIS_B_STATUS_LABELS,
    condition_label,
)
from kincare.families.engine import is_minor
from kincare.families.forms import (
    ConditionChoiceForm,
    FamilyForm,
    GrantForm,
    InvitationForm,
    LifeEventForm,
    MemberForm,
    condition_form_class,
    form_error,
)
from kincare.families.models import Family, Member
from kincare.families.services import CONSENT_POLICY_VERSION


def _family_or_404(request: HttpRequest) -> Family:
    family = selectors.family_get_for_user(request.user)
    if family is None:
        raise Http404
    return family


def _member_or_404(request: HttpRequest, member_id: int, family: Family) -> Member:
    try:
        member = selectors.member_get(user=request.user, member_id=member_id)
    except NotFound:
        raise Http404 from None
    if member.family_id != family.pk:
        raise Http404
    return member


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404 from None
    messages.error(request, exc.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    family = selectors.family_get_for_user(request.user)
    if family is None:
        form = FamilyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.family_create(actor=request.user, name=form.cleaned_data["name"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("家庭已创建"))
                return redirect("families:home")
        return render(request, "families/create.html", {"form": form}, status=422 if form.errors else 200)
    views = selectors.member_list(user=request.user, family=family)
    return render(
        request,
        "families/home.html",
        {
            "family": family,
            "members": views,
            "is_guardian": family.guardian_id == request.user.pk,
        },
    )


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    family = _family_or_404(request)
    if family.guardian_id != request.user.pk:
        raise Http404
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(actor=request.user, family=family, **form.service_kwargs())
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已添加家庭成员"))
            return redirect("families:home")
    return render(
        request,
        "families/member_form.html",
        {"form": form, "title": _("添加家庭成员")},
        status=422 if form.errors else 200,
    )


@login_required
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    family = _family_or_404(request)
    member = _member_or_404(request, member_id, family)
    view = selectors.member_view(user=request.user, member=member)
    if not view.can_change:
        raise Http404
    is_guardian = family.guardian_id == request.user.pk
    form = MemberForm(
        request.POST or None,
        initial=MemberForm.initial_for(member),
        editing=member,
        is_guardian=is_guardian,
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        if not data.get("resident_id"):
            data["resident_id"] = None
            data["birth_date"] = None
            data["sex"] = None
        try:
            services.member_update(actor=request.user, member=member, **data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("families:home")
    return render(
        request,
        "families/member_form.html",
        {"form": form, "title": _("编辑成员信息"), "member_view": view},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    family = _family_or_404(request)
    member = _member_or_404(request, member_id, family)
    try:
        services.member_remove(actor=request.user, member=member)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已移除该成员"))
    return redirect("families:home")


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    family = _family_or_404(request)
    if family.guardian_id != request.user.pk:
        raise Http404
    form = InvitationForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, token = services.invitation_create(
                actor=request.user,
                family=family,
                phone=form.cleaned_data["phone"],
                relationship=form.cleaned_data["relationship"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            link = request.build_absolute_uri(reverse("families:invitation_accept", args=[token]))
            form = InvitationForm()
    invitations = selectors.invitation_list(user=request.user, family=family)
    return render(
        request,
        "families/invite.html",
        {"form": form, "link": link, "invitations": invitations, "now": timezone.now()},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        invitation = selectors.invitation_get(user=request.user, invitation_id=invitation_id)
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("邀请已撤销"))
    return redirect("families:invite")


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_find(token=token)
    except DomainError as exc:
        return render(request, "families/invitation.html", {"error": exc.message}, status=404)
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(actor=request.user, token=token)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已加入家庭"))
            return redirect("families:home")
    else:
        try:
            services.invitation_check(invitation, user=request.user)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "families/invitation.html",
        {"family_name": invitation.family.name, "error": error},
        status=409 if error and request.method == "POST" else 200,
    )


@login_required
def consents(request: HttpRequest) -> HttpResponse:
    family = _family_or_404(request)
    views = selectors.member_list(user=request.user, family=family)
    mine = next((v for v in views if v.is_viewer), None)
    today = timezone.localdate()
    grantees = [
        v.member
        for v in views
        if not v.is_viewer and not is_minor(v.member.birth_date, today) and v.member.deceased_on is None
    ]
    grant_form = GrantForm(grantees=grantees)
    return render(
        request,
        "families/consents.html",
        {
            "family": family,
            "managed": [v for v in views if v.can_manage_health],
            "active_consents": {
                c.member_id for c in selectors.consent_list(user=request.user, family=family) if c.withdrawn_at is None
            },
            "grants": selectors.grant_list(user=request.user, family=family),
            "grant_form": grant_form,
            "can_grant": mine is not None and not is_minor(mine.member.birth_date, today) and bool(grantees),
            "me": mine,
            "policy_version": CONSENT_POLICY_VERSION,
        },
    )


@login_required
@require_POST
def consent_give(request: HttpRequest, member_id: int) -> HttpResponse:
    family = _family_or_404(request)
    member = _member_or_404(request, member_id, family)
    if request.POST.get("agree") != "yes":
        messages.error(request, _("请勾选同意后再提交"))
        return redirect("families:consents")
    try:
        services.consent_give(actor=request.user, member=member, policy_version=request.POST.get("policy_version", ""))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已同意处理敏感个人信息"))
    return redirect("families:consents")


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, member_id: int) -> HttpResponse:
    family = _family_or_404(request)
    member = _member_or_404(request, member_id, family)
    try:
        services.consent_withdraw(actor=request.user, member=member)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已撤回同意，今后不再处理该成员的健康信息"))
    return redirect("families:consents")


@login_required
@require_POST
def grant_give(request: HttpRequest) -> HttpResponse:
    family = _family_or_404(request)
    views = selectors.member_list(user=request.user, family=family)
    mine = next((v.member for v in views if v.is_viewer), None)
    form = GrantForm(request.POST, grantees=[v.member for v in views if not v.is_viewer])
    if mine is None or not form.is_valid():
        messages.error(request, _("请选择要授权的家人"))
        return redirect("families:consents")
    try:
        grantee = _member_or_404(request, form.cleaned_data["grantee"], family)
        services.health_grant_give(actor=request.user, grantor=mine, grantee=grantee)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已授权"))
    return redirect("families:consents")


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        grant = selectors.grant_get(user=request.user, grant_id=grant_id)
        services.health_grant_revoke(actor=request.user, grant=grant)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已撤销授权"))
    return redirect("families:consents")


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(HEPATITIS_B_STATUS_LABELS.get(str(value), value))


def _declaration_rows(declarations: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "declaration": d,
            "label": condition_label(d.payload["code"]),
            "attributes": [
                (str(ATTRIBUTE_LABELS.get(name, name)), _display(value))
                for name, value in d.payload["attributes"].items()
            ],
            "diagnosed_on": d.payload.get("diagnosed_on"),
        }
        for d in declarations
    ]


@login_required
def health(request: HttpRequest, member_id: int) -> HttpResponse:
    family = _family_or_404(request)
    member = _member_or_404(request, member_id, family)
    view = selectors.member_view(user=request.user, member=member)
    choice_form = ConditionChoiceForm(request.POST or None)
    attributes_form = None
    status = 200
    if request.method == "POST" and not view.can_write_health:
        messages.error(request, _("没有权限保存该成员的健康信息"))
        status = 403
    elif request.method == "POST":
        code = request.POST.get("code", "")
        attributes_form = condition_form_class(code)(request.POST) if code in CONDITION_MODELS else None
        if choice_form.is_valid() and attributes_form is not None and attributes_form.is_valid():
            try:
                services.declaration_add(
                    actor=request.user,
                    member=member,
                    code=choice_form.cleaned_data["code"],
                    attributes=attributes_form.cleaned_data,
                    diagnosed_on=choice_form.cleaned_data.get("diagnosed_on"),
                )
            except DomainError as exc:
                form_error(attributes_form, exc)
            else:
                messages.success(request, _("已保存健康告知"))
                return redirect("families:health", member_id=member.pk)
        status = 422
    declarations = None
    if view.can_read_health:
        declarations = _declaration_rows(selectors.declaration_list(user=request.user, member=member))
    return render(
        request,
        "families/health.html",
        {
            "view": view,
            "member": member,
            "declarations": declarations,
            "choice_form": choice_form,
            "attributes_form": attributes_form,
        },
        status=status,
    )


@login_required
@require_POST
def condition_fields(request: HttpRequest) -> HttpResponse:
    """htmx partial: the follow-up questions of the chosen condition (a POST: the condition is health data)."""
    code = request.POST.get("code", "")
    form = condition_form_class(code)() if code in CONDITION_MODELS else None
    return render(request, "families/partials/condition_fields.html", {"attributes_form": form})


@login_required
@require_POST
def declaration_remove(request: HttpRequest, declaration_id: int) -> HttpResponse:
    try:
        declaration = selectors.declaration_get(user=request.user, declaration_id=declaration_id)
        services.declaration_remove(actor=request.user, declaration=declaration)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("families:home")
    messages.success(request, _("已删除"))
    return redirect("families:health", member_id=declaration.member_id)


@login_required
def life_events(request: HttpRequest) -> HttpResponse:
    family = _family_or_404(request)
    views = selectors.member_list(user=request.user, family=family)
    form = LifeEventForm(request.POST or None, members=[v.member for v in views])
    if request.method == "POST" and form.is_valid():
        member = None
        try:
            if form.cleaned_data.get("member"):
                member = _member_or_404(request, form.cleaned_data["member"], family)
            services.life_event_record(
                actor=request.user,
                family=family,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                member=member,
                details=form.details(),
            )
        except DomainError as exc:
            form_error(
                form,
                exc,
                {"resident_id": "child_resident_id", "name": "child_name", "member_id": "member"},
            )
        else:
            messages.success(request, _("已记录"))
            return redirect("families:life_events")
    events = selectors.life_event_list(user=request.user, family=family)
    return render(
        request,
        "families/life_events.html",
        {"form": form, "events": events, "family": family},
        status=422 if form.errors else 200,
    )
