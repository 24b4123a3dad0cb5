"""Underwriting on the operator dashboard (``kincare.core.dashboard``): the automated
underwriting rate and the manual underwriting queue, registered in ``UnderwritingConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kincare.core.dashboard import figure, queue, register_figure, register_queue
from kincare.core.permissions import is_staff_with
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.selectors import automation_rate


def underwriting_figure() -> dict[str, Any]:
    counts = automation_rate()
    return figure(
        code="underwriting",
        label=_("自动核保率"),
        engine=counts["engine"],
        total=counts["total"],
        target=0.8,
        note=_("自动核保的决定 / 全部核保决定"),
    )


def underwriting_queue(user: Any) -> dict[str, Any]:
    return queue(
        code="manual",
        label=_("待人工核保"),
        count=UnderwritingDecision.objects.filter(status=UnderwritingDecision.Status.PENDING).count(),
        link=reverse("admin:underwriting_underwritingdecision_changelist")
        if is_staff_with(user, "underwriter")
        else None,
        link_label=_("进入人工核保队列"),
    )


def register() -> None:
    register_figure("underwriting", underwriting_figure, order=10)
    register_queue("manual", underwriting_queue, order=10)
