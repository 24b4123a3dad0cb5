"""Operator console for underwriters: rule table versions and the manual underwriting queue.

Only staff holding the underwriter role (or superusers) see these pages. Every write goes
through the services (``ruleset_create`` / ``ruleset_activate`` / ``underwriting_manual_decide``);
reading a case's answers goes through ``decision_for_staff``, which audits the read. The queue
list shows no health data (no condition or reason codes): the outcome kind and how many
conditions were declared.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as AdminPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.dates import age_on
from kincare.core.errors import DomainError, NotFound
from kincare.core.errors import PermissionDenied as DomainPermissionDenied
from kincare.core.permissions import is_staff_with
from kincare.core.pii import mask_name
from kincare.families.conditions import ATTRIBUTE_LABELS, HEPATITIS_B_STATUS_LABELS, condition_label
from kincare.underwriting.engine.shipped import questionnaires
from kincare.underwriting.forms import ManualDecisionForm, RuleSetUploadForm
from kincare.underwriting.models import RuleSet, UnderwritingDecision
from kincare.underwriting.selectors import decision_for_staff
from kincare.underwriting.services import ruleset_activate, ruleset_create, underwriting_manual_decide

UNDERWRITER = "underwriter"

RULE_OUTCOME_LABELS = {
    "standard": gettext_lazy("标准体承保"),
    "loading": gettext_lazy("加费"),
    "exclusion": gettext_lazy("除外责任"),
    "postpone": gettext_lazy("延期"),
    "decline": gettext_lazy("拒保"),
    "manual": gettext_lazy("转人工核保"),
    "conditional": gettext_lazy("有条件承保"),
}


class UnderwriterAdmin(admin.ModelAdmin):
    """Visible to underwriters (and superusers) only; nothing is ever deleted."""

    def _underwriter(self, request: HttpRequest) -> bool:
        return is_staff_with(request.user, UNDERWRITER)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._underwriter(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._underwriter(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._underwriter(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._underwriter(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _when(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def _pretty(content: str) -> str:
    try:
        return json.dumps(json.loads(content), ensure_ascii=False, indent=2)
    except ValueError:
        return content


# -- rule tables ----------------------------------------------------------------------------


@admin.register(RuleSet)
class RuleSetAdmin(UnderwriterAdmin):
    list_display = (
        "questionnaire_name",
        "condition_name",
        "version",
        "status",
        "activated",
        "created",
        "note",
    )
    list_filter = ("status", "questionnaire", "condition")
    list_display_links = ("questionnaire_name", "condition_name", "version")
    ordering = ("questionnaire", "condition", "-version")
    fields = (
        "questionnaire_name",
        "condition_name",
        "version",
        "status",
        "note",
        "checksum",
        "creator",
        "created",
        "activator",
        "activated",
        "pretty_content",
    )
    readonly_fields = fields
    actions = ("activate_selected",)
    change_form_template = "underwriting/admin/ruleset_change_form.html"

    @admin.display(description=gettext_lazy("健康告知"), ordering="questionnaire")
    def questionnaire_name(self, obj: RuleSet) -> str:
        spec = questionnaires().get(obj.questionnaire)
        return f"{spec.name}（{obj.questionnaire}）" if spec else obj.questionnaire

    @admin.display(description=gettext_lazy("疾病"), ordering="condition")
    def condition_name(self, obj: RuleSet) -> str:
        return condition_label(obj.condition)

    @admin.display(description=gettext_lazy("创建时间"), ordering="created_at")
    def created(self, obj: RuleSet) -> str:
        return _when(obj.created_at)

    @admin.display(description=gettext_lazy("生效时间"), ordering="activated_at")
    def activated(self, obj: RuleSet) -> str:
        return _when(obj.activated_at)

    @admin.display(description=gettext_lazy("创建人"))
    def creator(self, obj: RuleSet) -> str:
        return obj.created_by.display_name if obj.created_by else _("系统导入")

    @admin.display(description=gettext_lazy("生效操作人"))
    def activator(self, obj: RuleSet) -> str:
        if obj.activated_at is None:
            return "—"
        return obj.activated_by.display_name if obj.activated_by else _("系统导入")

    @admin.display(description=gettext_lazy("校验值（SHA-256）"))
    def checksum(self, obj: RuleSet) -> str:
        return obj.sha256

    @admin.display(description=gettext_lazy("规则表（JDM JSON）"))
    def pretty_content(self, obj: RuleSet) -> str:
        return format_html('<pre style="max-height:40em;overflow:auto">{}</pre>', _pretty(obj.content))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # an existing version never changes: "edit" creates the next version
        return obj is None and super().has_change_permission(request, obj)

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name=f"{info}_edit",
            ),
            path(
                "<path:object_id>/activate/",
                self.admin_site.admin_view(self.activate_view),
                name=f"{info}_activate",
            ),
            *super().get_urls(),
        ]

    # uploading (add) and editing both create a new draft version through the service

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise AdminPermissionDenied
        return self._upload(request, source=None)

    def edit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_add_permission(request):
            raise AdminPermissionDenied
        source = get_object_or_404(RuleSet, pk=object_id) if object_id.isdigit() else None
        if source is None:
            raise Http404
        return self._upload(request, source=source)

    def _upload(self, request: HttpRequest, *, source: RuleSet | None) -> HttpResponse:
        if request.method == "POST":
            form = RuleSetUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    created = ruleset_create(
                        actor=request.user,
                        questionnaire=form.cleaned_data["questionnaire"],
                        condition=form.cleaned_data["condition"],
                        content=form.table_content(),
                        note=form.cleaned_data.get("note") or "",
                    )
                except DomainError as exc:
                    field = exc.field if exc.field in form.fields else None
                    form.add_error(field, exc.message)
                else:
                    self.log_addition(request, created, [{"added": {}}])
                    messages.success(
                        request,
                        _("已保存为第 %(v)d 版（草稿）。检查无误后点击“生效”。") % {"v": created.version},
                    )
                    return HttpResponseRedirect(reverse("admin:underwriting_ruleset_change", args=[created.pk]))
        elif source is not None:
            form = RuleSetUploadForm(
                initial={
                    "questionnaire": source.questionnaire,
                    "condition": source.condition,
                    "content": _pretty(source.content),
                    "note": "",
                }
            )
        else:
            form = RuleSetUploadForm()
        title = (
            _("编辑 %(table)s（以第 %(v)d 版为底稿，保存为新版本）") % {"table": str(source), "v": source.version}
            if source is not None
            else _("上传核保规则表")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "source": source,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "underwriting/admin/ruleset_upload.html", context)

    def activate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:underwriting_ruleset_change", args=[object_id]))
        if not self.has_change_permission(request):
            raise AdminPermissionDenied
        ruleset = get_object_or_404(RuleSet, pk=object_id) if object_id.isdigit() else None
        if ruleset is None:
            raise Http404
        self._activate(request, ruleset)
        return HttpResponseRedirect(reverse("admin:underwriting_ruleset_change", args=[ruleset.pk]))

    def _activate(self, request: HttpRequest, ruleset: RuleSet) -> bool:
        try:
            ruleset_activate(actor=request.user, ruleset=ruleset)
        except DomainError as exc:
            text = _("规则表 %(table)s：%(message)s") % {"table": str(ruleset), "message": exc.message}
            self.message_user(request, text, messages.ERROR)
            return False
        self.message_user(request, _("规则表 %(table)s 已生效") % {"table": str(ruleset)}, messages.SUCCESS)
        return True

    @admin.action(description=gettext_lazy("使所选版本生效"), permissions=["change"])
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[RuleSet]) -> None:
        rows = list(queryset.order_by("questionnaire", "condition", "version"))
        tables = {(r.questionnaire, r.condition) for r in rows}
        if len(tables) != len(rows):
            self.message_user(request, _("同一张规则表一次只能使一个版本生效"), messages.ERROR)
            return
        for ruleset in rows:
            self._activate(request, ruleset)


# -- the manual underwriting queue ------------------------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the pending cases (the queue)."""

    title = gettext_lazy("状态")
    parameter_name = "status"
    ALL = "all"
    DEFAULT = UnderwritingDecision.Status.PENDING

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*UnderwritingDecision.Status.choices, (self.ALL, gettext_lazy("全部"))]

    def _current(self) -> str:
        value = self.value()
        return str(value) if value else self.DEFAULT

    def choices(self, changelist: Any) -> Any:
        current = self._current()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[UnderwritingDecision]) -> Any:
        current = self._current()
        if current == self.ALL:
            return queryset
        return queryset.filter(status=current)


def _attribute_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "status" and value in HEPATITIS_B_STATUS_LABELS:
        return str(HEPATITIS_B_STATUS_LABELS[value])
    if name == "type":
        return _("%(n)s 型") % {"n": value}
    if name == "grade":
        return _("%(n)s 级") % {"n": value}
    return str(value)


def _terms_text(item: dict[str, Any]) -> str:
    parts = []
    if item.get("loading_pct"):
        parts.append(_("加费 %(n)s%%") % {"n": item["loading_pct"]})
    for exclusion in item.get("exclusions") or []:
        parts.append(
            _("除外 %(codes)s：%(text)s")
            % {"codes": "、".join(exclusion.get("icd10") or []), "text": exclusion.get("description", "")}
        )
    if item.get("postpone_months"):
        parts.append(_("延期 %(n)s 个月") % {"n": item["postpone_months"]})
    return "；".join(parts)


def decision_rows(decision: UnderwritingDecision) -> list[dict[str, Any]]:
    """Each declared condition with its answers (Chinese labels) and the engine's outcome and rule."""
    answers = (decision.answers or {}).get("conditions") or []
    outcomes = (decision.engine_result or {}).get("conditions") or []
    rows = []
    for position, answer in enumerate(answers):
        engine = outcomes[position] if position < len(outcomes) else {}
        attributes = [
            {"label": str(ATTRIBUTE_LABELS.get(name, name)), "value": _attribute_value(name, value)}
            for name, value in (answer.get("attributes") or {}).items()
        ]
        rows.append(
            {
                "code": answer.get("code", ""),
                "label": condition_label(answer.get("code", "")),
                "attributes": attributes,
                "diagnosed_on": answer.get("diagnosed_on") or "",
                "outcome": engine.get("outcome", ""),
                "outcome_label": str(RULE_OUTCOME_LABELS.get(engine.get("outcome", ""), engine.get("outcome", ""))),
                "terms": _terms_text(engine),
                "reason": engine.get("reason", ""),
                "message": engine.get("message", ""),
                "rule": engine.get("rule"),
            }
        )
    return rows


@admin.register(UnderwritingDecision)
class UnderwritingDecisionAdmin(UnderwriterAdmin):
    list_display = (
        "submitted_at",
        "member_masked",
        "member_age",
        "product_name",
        "engine_outcome",
        "conditions_count",
        "status",
        "outcome",
        "decided_by",
    )
    list_display_links = ("submitted_at", "member_masked")
    list_filter = (QueueStatusFilter, "outcome", "decided_by", "product__category")
    list_select_related = ("member", "product")
    ordering = ("created_at", "id")
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnderwritingDecision]:
        return super().get_queryset(request).select_related("member", "product")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=gettext_lazy("提交时间"), ordering="created_at")
    def submitted_at(self, obj: UnderwritingDecision) -> str:
        return _when(obj.created_at)

    @admin.display(description=gettext_lazy("被保险人"))
    def member_masked(self, obj: UnderwritingDecision) -> str:
        return mask_name(obj.member.name)

    @admin.display(description=gettext_lazy("年龄"))
    def member_age(self, obj: UnderwritingDecision) -> int:
        return age_on(obj.member.birth_date, obj.created_at.date())

    @admin.display(description=gettext_lazy("产品"), ordering="product__name")
    def product_name(self, obj: UnderwritingDecision) -> str:
        return obj.product.name

    @admin.display(description=gettext_lazy("告知疾病数"))
    def conditions_count(self, obj: UnderwritingDecision) -> int:
        # the list shows no condition or reason code (health data): the case page shows them, audited
        return len((obj.answers or {}).get("conditions") or [])

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise AdminPermissionDenied
        try:
            decision = decision_for_staff(actor=request.user, decision_id=object_id)
        except NotFound:
            raise Http404 from None
        except DomainPermissionDenied:
            raise AdminPermissionDenied from None
        can_decide = decision.status == UnderwritingDecision.Status.PENDING and self.has_change_permission(
            request, decision
        )
        form = ManualDecisionForm()
        if request.method == "POST":
            if not can_decide:
                raise AdminPermissionDenied
            form = ManualDecisionForm(request.POST)
            if form.is_valid():
                try:
                    underwriting_manual_decide(actor=request.user, decision=decision, terms=form.terms)
                except DomainError as exc:
                    form.add_service_error(exc)
                else:
                    self.log_change(request, decision, [{"changed": {"fields": ["outcome"]}}])
                    messages.success(
                        request,
                        _("已完成 %(member)s 的人工核保：%(outcome)s")
                        % {
                            "member": mask_name(decision.member.name),
                            "outcome": UnderwritingDecision.Outcome(form.cleaned_data["outcome"]).label,
                        },
                    )
                    return HttpResponseRedirect(reverse("admin:underwriting_underwritingdecision_changelist"))
        spec = questionnaires().get(decision.questionnaire) if decision.questionnaire else None
        engine = decision.engine_result or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("核保案件 #%(id)s") % {"id": decision.pk},
            "decision": decision,
            "member_name": mask_name(decision.member.name),
            "member_age": age_on(decision.member.birth_date, decision.created_at.date()),
            "member_sex": decision.member.get_sex_display(),
            "questionnaire_name": spec.name if spec else decision.questionnaire,
            "rows": decision_rows(decision),
            "engine_outcome_label": str(RULE_OUTCOME_LABELS.get(decision.engine_outcome, decision.engine_outcome)),
            "engine_reasons": "、".join(str(r) for r in engine.get("reasons") or []),
            "ruleset_versions": sorted((decision.ruleset_versions or {}).items()),
            "decided_terms": _terms_text(
                {
                    "loading_pct": decision.loading_pct,
                    "exclusions": decision.exclusions,
                    "postpone_months": decision.postpone_months,
                }
            ),
            "form": form if can_decide else None,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "underwriting/admin/decision_change.html", context)
