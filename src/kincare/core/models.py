"""Tables of the core: the audit log and the status-change history of every state machine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which object, with the values before and after (append-only)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text="system, engine, or a masked user")
    action = models.CharField(max_length=100, db_index=True)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"


class StatusChange(models.Model):
    """One recorded move of a state machine (see ``kincare.core.fsm``)."""

    created_at = models.DateTimeField(auto_now_add=True)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    field = models.CharField(max_length=50, default="status")
    from_status = models.CharField(max_length=50)
    to_status = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.from_status}→{self.to_status}"


class Notification(models.Model):
    """A message to one user (the family's inbox): decisions, issued policies, reminders.

    Text is written in the recipient's language at send time; ``link`` is a site path. Health
    details never go into a notification (it is not encrypted): it says *that* something was
    decided and links to the page that shows it through the permission policies.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    #: at most one notification per key (a re-run job does not notify twice)
    dedupe_key = models.CharField(max_length=150, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
