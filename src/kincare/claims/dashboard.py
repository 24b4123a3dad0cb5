"""Claims on the operator dashboard (``kincare.core.dashboard``): the automated claims rate and
the queue of claims waiting for an adjuster, registered in ``ClaimsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kincare.claims.selectors import automation_rate, claim_queue
from kincare.core.dashboard import figure, queue, register_figure, register_queue
from kincare.core.permissions import is_staff_with


def claims_figure() -> dict[str, Any]:
    counts = automation_rate()
    return figure(
        code="claims",
        label=_("自动理赔率"),
        engine=counts["engine"],
        total=counts["total"],
        target=0.4,
        note=_("自动理赔（无需人工审核）的案件 / 全部已理算案件"),
    )


def claims_queue(user: Any) -> dict[str, Any]:
    return queue(
        code="claims",
        label=_("待人工理赔审核"),
        count=claim_queue().count(),
        link=reverse("admin:claims_claim_changelist") if is_staff_with(user, "claims_adjuster") else None,
        link_label=_("进入理赔审核队列"),
    )


def register() -> None:
    register_figure("claims", claims_figure, order=30)
    register_queue("claims", claims_queue, order=20)
