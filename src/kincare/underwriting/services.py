"""Underwriting writes: decide an applicant with the engine; import the shipped rule tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.dates import age_on
from kincare.core.errors import ValidationFailed
from kincare.underwriting.engine import Applicant, Decision, DeclaredCondition, underwrite
from kincare.underwriting.engine.shipped import RULES_DIR, questionnaires, shipped_table
from kincare.underwriting.models import RuleSet, UnderwritingDecision
from kincare.underwriting.selectors import rulebook_active

#: a decision can be used for an application for this many days
DECISION_VALID_DAYS = 30
MAX_CONDITIONS = 20


def parse_conditions(conditions: object) -> tuple[DeclaredCondition, ...]:
    if conditions is None:
        return ()
    if not isinstance(conditions, list):
        raise ValidationFailed(_("疾病告知应为列表"), code="conditions_invalid", field="conditions")
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationFailed(
            _("一次最多告知 %(n)d 项疾病") % {"n": MAX_CONDITIONS}, code="conditions_too_many", field="conditions"
        )
    return tuple(DeclaredCondition.parse(item, position=i) for i, item in enumerate(conditions))


@transaction.atomic
def underwriting_decide(
    *,
    actor: Any,
    member: Any,
    product: Any,
    conditions: object,
    on_date: dt.date | None = None,
) -> UnderwritingDecision:
    """Run the engine for one insured member and one product; store the decision.

    The caller (the application service) has checked that ``actor`` may answer for ``member``.
    A ``manual`` outcome is stored ``pending`` and appears in the underwriters' queue.
    """
    today = on_date or timezone.localdate()
    declared = parse_conditions(conditions)
    book = rulebook_active(product.questionnaire_code)
    applicant = Applicant(conditions=declared, age=age_on(member.birth_date, today), sex=member.sex)
    decision: Decision = underwrite(book, applicant, on_date=today)
    manual = decision.outcome == "manual"
    record = UnderwritingDecision(
        family_id=member.family_id,
        member=member,
        product=product,
        questionnaire=product.questionnaire_code or "",
        ruleset_versions=book.versions() if book else {},
        engine_outcome=decision.outcome,
        outcome=decision.outcome,
        loading_pct=decision.loading_pct,
        postpone_months=decision.postpone_months,
        status=UnderwritingDecision.Status.PENDING if manual else UnderwritingDecision.Status.DECIDED,
        decided_by="" if manual else UnderwritingDecision.DecidedBy.ENGINE,
        created_by=actor,
        decided_at=None if manual else timezone.now(),
        valid_until=today + dt.timedelta(days=DECISION_VALID_DAYS),
    )
    record.answers = {"conditions": [c.as_json() for c in declared]}
    record.engine_result = decision.as_json()
    record.exclusions = [e.as_json() for e in decision.exclusions]
    record.reasons = list(decision.reasons)
    record.save()
    # the audit row names the outcome, never the conditions (the audit log is not encrypted)
    audit_record(
        actor=actor,
        action="underwriting.decided" if not manual else "underwriting.referred",
        subject=record,
        family_id=member.family_id,
        new={"member_id": member.pk, "product": product.code, "outcome": decision.outcome},
    )
    return record


def ruleset_import_shipped(*, actor: Any = None) -> int:
    """Version 1 of every shipped table, active, where the database has no version yet (idempotent)."""
    created = 0
    for code, spec in questionnaires().items():
        for condition in spec.conditions:
            if condition == "other" or not (RULES_DIR / code / f"{condition}.json").exists():
                continue
            if RuleSet.objects.filter(questionnaire=code, condition=condition).exists():
                continue
            table = shipped_table(code, condition)
            with transaction.atomic():
                _, made = RuleSet.objects.get_or_create(
                    questionnaire=code,
                    condition=condition,
                    version=1,
                    defaults={
                        "content": table.content,
                        "sha256": table.sha256,
                        "status": RuleSet.Status.ACTIVE,
                        "note": "shipped",
                        "created_by": actor,
                        "activated_by": actor,
                        "activated_at": timezone.now(),
                    },
                )
            created += int(made)
    return created
