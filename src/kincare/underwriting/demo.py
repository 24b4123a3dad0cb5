"""Demo data for underwriting: the shipped rule tables, active (idempotent)."""

from __future__ import annotations

from kincare.underwriting.models import RuleSet
from kincare.underwriting.services import ruleset_import_shipped


def demo_underwriting_ensure() -> str:
    created = ruleset_import_shipped()
    active = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).count()
    return f"{active} 张核保规则表生效中 (active rule tables; {created} new)"
