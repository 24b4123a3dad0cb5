"""Reports (举报): anyone signed in may report a campaign with a reason and evidence; three open
reports, or one a reviewer marks credible, pause it; the reviewer's outcome is published."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.uploads import check_file
from kincare.crowdfunding.models import Campaign, Report
from kincare.crowdfunding.services.common import MAX_DOCUMENT_BYTES
from kincare.crowdfunding.services.lifecycle import campaign_pause, campaign_resume, pausing_reports, require_reviewer

REPORTABLE = ("live", "paused", "ended", "disbursing")


@transaction.atomic
def report_create(*, actor: Any, campaign: Campaign, reason: str, details: str, evidence: Any = None) -> Report:
    """The edge parsed the reason and details (``crowdfunding.form_schemas.ReportInput``)."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed(_("请先登录再举报"), code="not_authenticated")
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status not in REPORTABLE:
        raise Conflict(_("该项目当前不接受举报"), code="campaign_not_reportable")
    if Report.objects.filter(campaign=locked, reporter=actor, status=Report.Status.OPEN).exists():
        raise Conflict(_("你的举报正在核查中"), code="report_open")
    report = Report(campaign=locked, reporter=actor, reason=reason, details=details)
    if evidence is not None:
        checked = check_file(evidence, field="evidence", max_bytes=MAX_DOCUMENT_BYTES)
        report.evidence.save(f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False)
    report.save()
    audit_record(actor=actor, action="crowdfunding.reported", subject=report, new={"campaign": locked.pk})
    if pausing_reports(locked):
        campaign_pause(locked, actor=None, reason="reports")
    return report


@transaction.atomic
def report_resolve(*, actor: Any, report: Report, status: str, outcome: str) -> Report:
    """credible: pauses the campaign until resolved; dismissed / upheld close the case. The outcome
    is published on the campaign page. The campaign resumes when nothing keeps it paused. The edge
    parsed both (``crowdfunding.form_schemas.ReportResolution``)."""
    require_reviewer(actor)
    campaign = Campaign.objects.select_for_update().get(pk=report.campaign_id)
    require_reviewer(actor, campaign)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status not in (Report.Status.OPEN, Report.Status.CREDIBLE):
        raise Conflict(_("该举报已处理"), code="report_resolved")
    updates = {"outcome": outcome, "reviewer": actor}
    if status != Report.Status.CREDIBLE:
        updates["resolved_at"] = timezone.now()
    if locked.status == status:  # credible again: a new published outcome, no status change
        for name, value in updates.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*updates])
    else:
        transition(locked, to=status, actor=actor, extra_updates=updates)
    audit_record(actor=actor, action="crowdfunding.report_resolved", subject=locked, new={"status": status})
    if status == Report.Status.CREDIBLE or status == Report.Status.UPHELD:
        # upheld: the campaign stays paused for the reviewer's next step (terminate, or reinstate)
        campaign_pause(campaign, actor=actor, reason=f"report_{status}")
    else:
        campaign_resume(campaign, actor=actor)
    return locked


@transaction.atomic
def campaign_reinstate(*, actor: Any, campaign: Campaign) -> Campaign:
    """A reviewer ends a pause whose reports (upheld ones included) did not justify terminating
    the campaign; open and credible reports must be resolved first."""
    require_reviewer(actor)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_reviewer(actor, locked)
    if locked.status != Campaign.Status.PAUSED:
        raise Conflict(_("该项目没有暂停"), code="campaign_not_paused")
    if pausing_reports(locked, upheld=False):
        raise Conflict(_("还有未处理或经核实可信的举报"), code="reports_open")
    campaign_resume(locked, actor=actor, reinstate=True)
    return locked
