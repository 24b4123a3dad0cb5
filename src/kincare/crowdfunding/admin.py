"""The campaign reviewers' console: one queue (submissions, open reports, disbursements waiting),
the case page with everything in one place, and the blacklist.

Only staff with the campaign_reviewer role (or superusers) see it. The case page shows the
patient's identity unmasked (reviewers verify it; each read is audited), the engine's reasons,
the documents (streamed after the role check, never from a public URL; downloads audited), the
reports and the disbursements; every decision goes through a service and is shown to the
fundraiser with its reasons.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as AdminPermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.audit import audit_record
from kincare.core.errors import DomainError
from kincare.core.permissions import is_staff_with
from kincare.core.views import posted_pk
from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.engine import REASON_TITLES
from kincare.crowdfunding.form_schemas import ReportResolution
from kincare.crowdfunding.models import BlacklistEntry, Campaign, CampaignDocument, Disbursement, Report
from kincare.crowdfunding.services.lifecycle import REVIEW_REASON_LABELS, REVIEW_REASONS, REVIEWER_ROLE


class ReviewerAdmin(admin.ModelAdmin):
    def _reviewer(self, request: HttpRequest) -> bool:
        return is_staff_with(request.user, REVIEWER_ROLE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._reviewer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._reviewer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("队列")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("todo", gettext_lazy("待处理")), *Campaign.Status.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> Any:
        value = self.value()
        if value in (None, "todo"):
            return queryset.filter(pk__in=selectors.review_queue(user=request.user).values("pk"))
        if value in Campaign.Status.values:
            return queryset.filter(status=value)
        return queryset.none()


@admin.register(Campaign)
class CampaignAdmin(ReviewerAdmin):
    list_display = ("id", "title", "status", "risk_decision", "risk_score", "goal_fen", "submitted_at")
    list_filter = (QueueFilter,)
    ordering = ("-risk_score", "submitted_at")
    search_fields = ("title",)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("<int:pk>/case/", self.admin_site.admin_view(self.case_view), name="crowdfunding_campaign_case"),
            path(
                "report/<int:pk>/evidence/",
                self.admin_site.admin_view(self.report_evidence_view),
                name="crowdfunding_report_evidence",
            ),
            path(
                "document/<int:pk>/",
                self.admin_site.admin_view(self.document_view),
                name="crowdfunding_campaign_document",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:crowdfunding_campaign_case", args=[object_id]))

    def case_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self._reviewer(request):
            raise AdminPermissionDenied
        campaign = Campaign.objects.filter(pk=pk).select_related("fundraiser").first()
        if campaign is None:
            raise Http404
        if request.method == "POST":
            try:
                done = self._decide(request, campaign)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        audit_record(actor=request.user, action="crowdfunding.case_read", subject=campaign)
        context = {
            **self.admin_site.each_context(request),
            "title": campaign.title,
            "campaign": campaign,
            "risk": [(code, REASON_TITLES.get(code, code)) for code in campaign.risk_reasons],
            "documents": campaign.documents.select_related("disbursement"),
            "reviews": campaign.reviews.all(),
            "reports": campaign.reports.all(),
            "disbursements": campaign.disbursements.all(),
            "progress": selectors.campaign_progress(campaign),
            "review_reasons": [(code, REVIEW_REASON_LABELS[code]) for code in REVIEW_REASONS],
            "report_statuses": [(s, label) for s, label in Report.Status.choices if s != "open"],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "crowdfunding/admin/case.html", context)

    def _decide(self, request: HttpRequest, campaign: Campaign) -> str:
        action = request.POST.get("action", "")
        actor = request.user
        reasons = request.POST.getlist("reasons")
        message = request.POST.get("message", "")
        if action == "approve":
            services.campaign_approve(actor=actor, campaign=campaign, message=message)
            return _("已通过，项目开始公开筹款")
        if action == "needs_info":
            services.campaign_request_info(actor=actor, campaign=campaign, reasons=reasons, message=message)
            return _("已要求补充材料")
        if action == "reject":
            services.campaign_reject(actor=actor, campaign=campaign, reasons=reasons, message=message)
            return _("已驳回")
        if action == "blacklist":
            services.fundraiser_blacklist(actor=actor, campaign=campaign, reason=message)
            return _("已将筹款人列入黑名单")
        if action == "terminate":
            services.campaign_terminate(actor=actor, campaign=campaign, message=message)
            return _("已终止，善款将原路退回")
        if action == "reinstate":
            services.campaign_reinstate(actor=actor, campaign=campaign)
            return _("已恢复")
        if action == "resolve_report":
            report = Report.objects.filter(campaign=campaign, pk=posted_pk(request.POST.get("report"))).first()
            if report is None:
                raise Http404
            resolution = ReportResolution(
                status=request.POST.get("status", ""), outcome=request.POST.get("outcome", "")
            )
            services.report_resolve(actor=actor, report=report, **resolution.model_dump())
            return _("举报已处理，结果已公示")
        if action in ("approve_disbursement", "reject_disbursement"):
            row = Disbursement.objects.filter(campaign=campaign, pk=posted_pk(request.POST.get("disbursement"))).first()
            if row is None:
                raise Http404
            if action == "approve_disbursement":
                services.disbursement_approve(actor=actor, disbursement=row)
                return _("已拨付")
            services.disbursement_reject(actor=actor, disbursement=row, note=request.POST.get("note", ""))
            return _("已驳回拨付申请")
        if action == "publish_document":
            document = CampaignDocument.objects.filter(
                campaign=campaign, pk=posted_pk(request.POST.get("document"))
            ).first()
            if document is None:
                raise Http404
            services.document_publish(actor=actor, document=document)
            return _("凭证已公示")
        raise Http404

    def document_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self._reviewer(request):
            raise AdminPermissionDenied
        document = CampaignDocument.objects.filter(pk=pk).first()
        if document is None:
            raise Http404
        audit_record(actor=request.user, action="crowdfunding.document_read", subject=document)
        return FileResponse(document.file.open("rb"), content_type=document.content_type)

    def report_evidence_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self._reviewer(request):
            raise AdminPermissionDenied
        report = Report.objects.filter(pk=pk).first()
        if report is None or not report.evidence:
            raise Http404
        audit_record(actor=request.user, action="crowdfunding.report_evidence_read", subject=report)
        return FileResponse(report.evidence.open("rb"), as_attachment=True)


@admin.register(BlacklistEntry)
class BlacklistAdmin(ReviewerAdmin):
    list_display = ("id", "reason", "created_at", "lifted_at")
