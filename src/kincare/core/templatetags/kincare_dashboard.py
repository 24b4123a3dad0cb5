"""``{% operator_dashboard %}``: the automation figures panel on the admin index (core/dashboard.py)."""

from __future__ import annotations

from typing import Any

from django import template

from kincare.core.dashboard import dashboard_context

register = template.Library()


@register.inclusion_tag("admin/kincare_dashboard.html", takes_context=True)
def operator_dashboard(context: Any) -> dict[str, Any]:
    return dashboard_context(context["request"].user)
