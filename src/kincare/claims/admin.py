"""Operator console for claims adjusters: the review queue, the case page, document downloads.

Only staff holding the claims_adjuster role (or superusers) see these pages. The claim list is
the review queue (by default the claims waiting for a person); it shows no health data (no
diagnosis or invoice item). The case page reads the claim through ``claim_for_staff``, which
audits the read, and every decision goes through one review service (approve, adjust, reject,
second approval, return). Documents are streamed by a staff view after the role check (the
files are never served from a public URL); each download is audited. Nothing is edited in
place and nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as AdminPermissionDenied
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims import admin_forms
from kincare.claims import services as claim_services
from kincare.claims.admin_display import FLAG_LABELS, case_context, flag_label, review_reason_label
from kincare.claims.models import Claim, ClaimDocument, ClaimReview
from kincare.claims.selectors import QUEUE_STATUSES, claim_for_staff
from kincare.claims.services import ADJUSTER_ROLE
from kincare.core.audit import audit_record
from kincare.core.errors import DomainError, NotFound
from kincare.core.errors import PermissionDenied as DomainPermissionDenied
from kincare.core.money import format_yuan
from kincare.core.permissions import is_staff_with
from kincare.core.pii import mask_name

CLAIMS_ADJUSTER = ADJUSTER_ROLE
#: the review actions offered in each status: action → (form class, service name)
ACTIONS: dict[str, tuple[type[admin_forms.ReviewForm], str]] = {
    "approve": (admin_forms.ApproveForm, "claim_review_approve"),
    "adjust": (admin_forms.AdjustForm, "claim_review_adjust"),
    "reject": (admin_forms.RejectForm, "claim_review_reject"),
    "second_approve": (admin_forms.SecondApproveForm, "claim_second_approve"),
    "second_return": (admin_forms.SecondReturnForm, "claim_second_return"),
}
STATUS_ACTIONS: dict[str, tuple[str, ...]] = {
    Claim.Status.MANUAL_REVIEW: ("approve", "adjust", "reject"),
    Claim.Status.AWAITING_SECOND_APPROVAL: ("second_approve", "second_return"),
}
FIRST_APPROVALS = (ClaimReview.Action.APPROVE, ClaimReview.Action.ADJUST)


def _when(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


class AdjusterAdmin(admin.ModelAdmin):
    """Visible to claims adjusters (and superusers) only; nothing is added, edited or deleted here."""

    def _adjuster(self, request: HttpRequest) -> bool:
        return is_staff_with(request.user, CLAIMS_ADJUSTER)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._adjuster(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._adjuster(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._adjuster(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -- list filters ------------------------------------------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the review queue (manual review and awaiting a second approval)."""

    title = gettext_lazy("状态")
    parameter_name = "status"
    QUEUE = "queue"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.QUEUE, gettext_lazy("待人工处理")), *Claim.Status.choices, (self.ALL, gettext_lazy("全部"))]

    def _current(self) -> str:
        value = self.value()
        return str(value) if value else self.QUEUE

    def choices(self, changelist: Any) -> Any:
        current = self._current()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> Any:
        current = self._current()
        if current == self.ALL:
            return queryset
        if current == self.QUEUE:
            return queryset.filter(status__in=QUEUE_STATUSES)
        if current in Claim.Status.values:
            return queryset.filter(status=current)
        return queryset.none()


class FlagFilter(admin.SimpleListFilter):
    """Risk flags present: any, none, or one flag (matched on the JSON text, portable across databases)."""

    title = gettext_lazy("风险提示")
    parameter_name = "flag"
    ANY = "any"
    NONE = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (self.ANY, gettext_lazy("有风险提示")),
            (self.NONE, gettext_lazy("无风险提示")),
            *FLAG_LABELS.items(),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> Any:
        value = self.value()
        if not value:
            return queryset
        if value == self.NONE:
            return queryset.filter(flags=[])
        if value == self.ANY:
            return queryset.exclude(flags=[])
        if value in FLAG_LABELS:
            return queryset.annotate(flags_text=Cast("flags", TextField())).filter(flags_text__contains=f'"{value}"')
        return queryset.none()


# -- the review queue and the case page -------------------------------------------------------------


@admin.register(Claim)
class ClaimAdmin(AdjusterAdmin):
    list_display = (
        "number",
        "submitted_at",
        "member_masked",
        "product_name",
        "claim_type",
        "amount_claimed",
        "proposed_payout",
        "flag_labels",
        "status",
    )
    list_display_links = ("number", "submitted_at")
    list_filter = (QueueStatusFilter, "decided_by", "claim_type", FlagFilter)
    search_fields = ("number",)
    ordering = ("created_at", "id")
    list_per_page = 50
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related("member", "policy__product")

    @admin.display(description=gettext_lazy("提交时间"), ordering="created_at")
    def submitted_at(self, obj: Claim) -> str:
        return _when(obj.created_at)

    @admin.display(description=gettext_lazy("被保险人"))
    def member_masked(self, obj: Claim) -> str:
        return mask_name(obj.member.name)

    @admin.display(description=gettext_lazy("产品"), ordering="policy__product__name")
    def product_name(self, obj: Claim) -> str:
        return obj.policy.product.name

    @admin.display(description=gettext_lazy("申请金额"), ordering="total_fen")
    def amount_claimed(self, obj: Claim) -> str:
        return format_yuan(obj.total_fen)

    @admin.display(description=gettext_lazy("理算金额"), ordering="proposed_payout_fen")
    def proposed_payout(self, obj: Claim) -> str:
        return format_yuan(obj.proposed_payout_fen)

    @admin.display(description=gettext_lazy("风险提示"))
    def flag_labels(self, obj: Claim) -> str:
        return "、".join(flag_label(code) for code in obj.flags or []) or "—"

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name=f"{info}_document",
            ),
            *super().get_urls(),
        ]

    def _claim(self, request: HttpRequest, object_id: str) -> Claim:
        try:
            return claim_for_staff(actor=request.user, claim_id=object_id)
        except NotFound:
            raise Http404 from None
        except DomainPermissionDenied:
            raise AdminPermissionDenied from None

    def document_view(self, request: HttpRequest, object_id: str, document_id: int) -> FileResponse:
        """Stream one of the claim's documents to an adjuster (audited); never a public media URL."""
        if not self.has_view_permission(request):
            raise AdminPermissionDenied
        if not object_id.isdigit():
            raise Http404
        document = ClaimDocument.objects.select_related("claim").filter(pk=document_id, claim_id=int(object_id)).first()
        if document is None or not document.file:
            raise Http404
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        audit_record(
            actor=request.user,
            action="claims.document_downloaded",
            subject=document.claim,
            new={"document_id": document.pk, "kind": document.kind},
        )
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(document.content_type, "")
        filename = document.original_name or f"{document.claim.number}-{document.pk}.{extension}".rstrip(".")
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise AdminPermissionDenied
        claim = self._claim(request, object_id)
        can_review = self.has_change_permission(request, claim)
        offered = STATUS_ACTIONS.get(claim.status, ()) if can_review else ()
        first_approval = (
            claim.reviews.filter(action__in=FIRST_APPROVALS).select_related("actor").order_by("-id").first()
            if claim.status == Claim.Status.AWAITING_SECOND_APPROVAL
            else None
        )
        own_first_approval = first_approval is not None and first_approval.actor_id == request.user.pk
        forms = {action: ACTIONS[action][0](prefix=action) for action in offered}
        if request.method == "POST":
            action = request.POST.get("_action", "")
            if action not in offered:
                raise AdminPermissionDenied
            form = ACTIONS[action][0](request.POST, prefix=action)
            forms[action] = form
            if action.startswith("second_") and own_first_approval:
                form.add_error(None, _("您已做出首次核准，需由另一位理赔员复核"))
            elif form.is_valid():
                service = getattr(claim_services, ACTIONS[action][1])
                try:
                    service(actor=request.user, claim=claim, **form.service_kwargs())
                except DomainError as exc:
                    form.add_service_error(exc)
                else:
                    claim.refresh_from_db()
                    self.log_change(request, claim, [{"changed": {"fields": ["status"], "action": action}}])
                    messages.success(
                        request,
                        _("理赔 %(number)s 已处理：%(status)s")
                        % {"number": claim.number, "status": claim.get_status_display()},
                    )
                    return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))
        context = {
            **self.admin_site.each_context(request),
            **case_context(claim),
            "opts": self.opts,
            "title": _("理赔案件 %(number)s") % {"number": claim.number},
            "forms": forms,
            "own_first_approval": own_first_approval,
            "first_approval": first_approval,
            "has_view_permission": True,
        }
        for item in context["documents"]:
            item["url"] = reverse("admin:claims_claim_document", args=[claim.pk, item["id"]])
        return TemplateResponse(request, "claims/admin/claim_change.html", context)


# -- reviews and documents, read-only -----------------------------------------------------------------


class ClaimPartAdmin(AdjusterAdmin):
    """Read-only lists that link back to the claim's case page (no health data on these pages)."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("理赔编号"), ordering="claim__number")
    def claim_link(self, obj: Any) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:claims_claim_change", args=[obj.claim_id]), obj.claim.number
        )

    @admin.display(description=gettext_lazy("时间"), ordering="created_at")
    def created(self, obj: Any) -> str:
        return _when(obj.created_at)


@admin.register(ClaimReview)
class ClaimReviewAdmin(ClaimPartAdmin):
    list_display = ("created", "claim_link", "action", "amount", "reason", "actor_name")
    list_filter = ("action",)
    list_select_related = ("claim", "actor")
    fields = ("created", "claim_link", "action", "amount", "reason", "actor_name")
    readonly_fields = fields
    ordering = ("-id",)

    @admin.display(description=gettext_lazy("金额"))
    def amount(self, obj: ClaimReview) -> str:
        return format_yuan(obj.amount_fen) if obj.amount_fen is not None else "—"

    @admin.display(description=gettext_lazy("原因"))
    def reason(self, obj: ClaimReview) -> str:
        return review_reason_label(obj.reason_code) if obj.reason_code else "—"

    @admin.display(description=gettext_lazy("理赔员"))
    def actor_name(self, obj: ClaimReview) -> str:
        return obj.actor.display_name


@admin.register(ClaimDocument)
class ClaimDocumentAdmin(ClaimPartAdmin):
    list_display = ("created", "claim_link", "kind", "content_type", "size", "short_hash", "download")
    list_select_related = ("claim",)
    list_filter = ("kind",)
    fields = list_display
    readonly_fields = fields
    ordering = ("-id",)

    @admin.display(description=gettext_lazy("校验值（SHA-256）"))
    def short_hash(self, obj: ClaimDocument) -> str:
        return obj.sha256[:16]

    @admin.display(description=gettext_lazy("下载"))
    def download(self, obj: ClaimDocument) -> str:
        url = reverse("admin:claims_claim_document", args=[obj.claim_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))
