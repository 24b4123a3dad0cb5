"""Underwriting writes: decide an applicant with the engine; import, upload and activate rule tables;
underwriters decide the cases the engine referred."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.notifications import notify
from kincare.core.permissions import is_staff_with
from kincare.core.pii import mask_name
from kincare.core.registry import Registry
from kincare.underwriting.engine import (
    Decision,
    DeclaredCondition,
    RuleTableInvalid,
    parse_table,
    underwrite,
)
from kincare.underwriting.engine.rules import table_sha256
from kincare.underwriting.engine.shipped import RULES_DIR, questionnaires, shipped_table
from kincare.underwriting.facts import applicant_facts
from kincare.underwriting.form_schemas import ManualTerms
from kincare.underwriting.models import RuleSet, UnderwritingDecision
from kincare.underwriting.policies import UNDERWRITER_ROLE
from kincare.underwriting.selectors import rulebook_active

if TYPE_CHECKING:
    from kincare.catalog.models import Product
    from kincare.families.models import Member

#: a decision can be used for an application for this many days
DECISION_VALID_DAYS = 30

#: what an app waiting on a referred case does once an underwriter decides it, called as
#: ``listener(decision=…)`` in the deciding transaction (policies moves its applications on).
#: Each app registers its own in ``AppConfig.ready``, so underwriting imports no app above it.
decision_listeners: Registry[Callable[..., object]] = Registry("underwriting decision listener")


def register_decision_listener(name: str, listener: Callable[..., object]) -> None:
    decision_listeners.register(name, listener)


@transaction.atomic
def underwriting_decide(
    *,
    actor: Any,
    member: Member,
    product: Product,
    conditions: tuple[DeclaredCondition, ...],
    on_date: dt.date | None = None,
) -> UnderwritingDecision:
    """Run the engine for one insured member and one product; store the decision.

    The caller (the application service) has checked that ``actor`` may answer for ``member``;
    the edge parsed the conditions (``underwriting.form_schemas.conditions_parsed``).
    A ``manual`` outcome is stored ``pending`` and appears in the underwriters' queue.
    """
    today = on_date or timezone.localdate()
    declared = conditions
    book = rulebook_active(product.questionnaire_code)
    applicant = applicant_facts(member, conditions=declared, on_date=today)
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


# -- rule set versions (underwriters, in the operator console) ------------------------------

MAX_NOTE_CHARS = 300


def _require_underwriter(actor: Any) -> None:
    if not is_staff_with(actor, UNDERWRITER_ROLE):
        raise PermissionDenied(_("只有核保人员可以执行此操作"), code="underwriter_required")


def _check_table(content: str | bytes, *, condition: str) -> str:
    """The canonical text of a valid table, or ValidationFailed listing every problem."""
    try:
        text, _data = parse_table(content, condition=condition)
    except RuleTableInvalid as exc:
        raise ValidationFailed(
            _("规则表有误，未保存：%(problems)s") % {"problems": "；".join(exc.problems)},
            code="ruleset_invalid",
            field="content",
        ) from None
    return text


@transaction.atomic
def ruleset_create(*, actor: Any, questionnaire: str, condition: str, content: str | bytes, note: str = "") -> RuleSet:
    """A new draft version of one (questionnaire, condition) table; nothing is saved when it is invalid."""
    _require_underwriter(actor)
    spec = questionnaires().get(questionnaire)
    if spec is None:
        raise ValidationFailed(_("没有这份健康告知"), code="questionnaire_unknown", field="questionnaire")
    if condition == "other" or condition not in spec.conditions:
        raise ValidationFailed(
            _("这份健康告知不询问该疾病，不能为它设置规则"), code="condition_not_asked", field="condition"
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationFailed(_("修改说明最多 %(n)d 个字") % {"n": MAX_NOTE_CHARS}, code="note_too_long", field="note")
    text = _check_table(content, condition=condition)
    digest = table_sha256(text)
    # lock the table's versions so two uploads cannot take the same number
    versions = list(
        RuleSet.objects.select_for_update()
        .filter(questionnaire=questionnaire, condition=condition)
        .only("pk", "version", "status", "sha256")
    )
    active = next((row for row in versions if row.status == RuleSet.Status.ACTIVE), None)
    if active is not None and active.sha256 == digest:
        raise Conflict(
            _("内容与生效中的第 %(v)d 版相同，未创建新版本") % {"v": active.version},
            code="ruleset_unchanged",
            field="content",
        )
    number = max((row.version for row in versions), default=0) + 1
    try:
        with transaction.atomic():
            ruleset = RuleSet.objects.create(
                questionnaire=questionnaire,
                condition=condition,
                version=number,
                content=text,
                sha256=digest,
                status=RuleSet.Status.DRAFT,
                note=note,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("另一位核保人员刚刚保存了新版本，请刷新后重试"), code="ruleset_version_taken") from None
    audit_record(
        actor=actor,
        action="underwriting.ruleset_created",
        subject=ruleset,
        new={"questionnaire": questionnaire, "condition": condition, "version": number, "sha256": digest},
    )
    return ruleset


@transaction.atomic
def ruleset_activate(*, actor: Any, ruleset: RuleSet) -> RuleSet:
    """Make a draft the active version; the version it replaces is retired in the same transaction.

    Activations of one table (questionnaire, condition) take turns: every version row of the table
    is locked first, in id order, so a second activation waits and then retires the version the
    first one made active (row locks on the draft and the active row alone would let it miss the
    newly active one and break the one-active constraint).
    """
    _require_underwriter(actor)
    table = RuleSet.objects.filter(pk=ruleset.pk).values_list("questionnaire", "condition").first()
    if table is None:
        raise NotFound(_("找不到该规则表版本"), code="ruleset_not_found")
    questionnaire, condition = table
    list(
        RuleSet.objects.select_for_update()
        .filter(questionnaire=questionnaire, condition=condition)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ruleset = RuleSet.objects.get(pk=ruleset.pk)
    if ruleset.status == RuleSet.Status.ACTIVE:
        raise Conflict(_("该版本已经生效"), code="ruleset_already_active")
    if ruleset.status != RuleSet.Status.DRAFT:
        raise Conflict(_("已停用的版本不能再生效，请以它为底稿创建新版本"), code="ruleset_not_draft")
    text = _check_table(ruleset.content, condition=ruleset.condition)
    if table_sha256(text) != ruleset.sha256:
        raise ValidationFailed(_("规则表内容与校验值不符，不能生效"), code="ruleset_tampered", field="content")
    current = (
        RuleSet.objects.select_for_update()
        .filter(questionnaire=ruleset.questionnaire, condition=ruleset.condition, status=RuleSet.Status.ACTIVE)
        .first()
    )
    try:
        with transaction.atomic():
            if current is not None:
                transition(current, to=RuleSet.Status.RETIRED, actor=actor, reason=f"replaced by v{ruleset.version}")
            transition(
                ruleset,
                to=RuleSet.Status.ACTIVE,
                actor=actor,
                reason=f"replaces v{current.version}" if current is not None else "",
                extra_updates={"activated_by": actor, "activated_at": timezone.now()},
            )
    except IntegrityError:
        # a last guard (the table's rows are locked above): never a 500
        raise Conflict(
            _("另一位核保人员正在使这张规则表的其他版本生效，请刷新后重试"), code="ruleset_activation_conflict"
        ) from None
    audit_record(
        actor=actor,
        action="underwriting.ruleset_activated",
        subject=ruleset,
        old={"version": current.version} if current is not None else None,
        new={"questionnaire": ruleset.questionnaire, "condition": ruleset.condition, "version": ruleset.version},
    )
    return ruleset


@transaction.atomic
def ruleset_retire(*, actor: Any, ruleset: RuleSet, reason: str = "") -> RuleSet:
    """Retire a draft or the active version (with no active table, the condition goes to manual review)."""
    _require_underwriter(actor)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status == RuleSet.Status.RETIRED:
        raise Conflict(_("该版本已经停用"), code="ruleset_already_retired")
    transition(ruleset, to=RuleSet.Status.RETIRED, actor=actor, reason=reason)
    return ruleset


# -- manual underwriting ----------------------------------------------------------------------


def _application_link(decision: UnderwritingDecision) -> str:
    from kincare.policies.models import ApplicationInsured

    application_id = (
        ApplicationInsured.objects.filter(decision=decision).order_by("-id").values_list("application_id", flat=True)
    ).first()
    return f"/policies/applications/{application_id}/" if application_id else "/policies/"


@transaction.atomic
def underwriting_manual_decide(
    *,
    actor: Any,
    decision: UnderwritingDecision,
    terms: ManualTerms,
) -> UnderwritingDecision:
    """An underwriter decides a case the engine referred (``pending``), with a reason.

    The applicant is notified and the application(s) waiting on the decision move on (the
    registered ``decision_listeners``: policies' ``application_on_decision``), all in one
    transaction.
    """
    _require_underwriter(actor)
    outcome, loading, months, note = terms.outcome, terms.loading_pct, terms.postpone_months, terms.note
    clean_exclusions = list(terms.exclusions)
    decision = (
        UnderwritingDecision.objects.select_for_update(of=("self",))
        .select_related("member", "product", "created_by")
        .get(pk=decision.pk)
    )
    if decision.status != UnderwritingDecision.Status.PENDING:
        raise Conflict(_("该核保申请已处理，不能再次决定"), code="decision_not_pending")
    now = timezone.now()
    transition(
        decision,
        to=UnderwritingDecision.Status.DECIDED,
        actor=actor,
        extra_updates={
            "outcome": outcome,
            "loading_pct": loading,
            "postpone_months": months,
            "decided_by": UnderwritingDecision.DecidedBy.UNDERWRITER,
            "underwriter": actor,
            "decided_at": now,
            "valid_until": timezone.localdate() + dt.timedelta(days=DECISION_VALID_DAYS),
        },
    )
    decision.exclusions = clean_exclusions
    decision.underwriter_note = note
    decision.save(update_fields=["exclusions", "underwriter_note"])
    # outcome and the numbers only: the conditions, exclusions and the note stay out of the audit log
    audit_record(
        actor=actor,
        action="underwriting.manual_decided",
        subject=decision,
        family_id=decision.family_id,
        old={"outcome": "manual"},
        new={
            "outcome": outcome,
            "loading_pct": loading,
            "postpone_months": months,
            "exclusions": len(clean_exclusions),
            "product": decision.product.code,
            "member_id": decision.member_id,
        },
    )
    notify(
        recipient=decision.created_by,
        kind="underwriting.decided",
        title=_("%(member)s 投保「%(product)s」的人工核保已完成")
        % {"member": mask_name(decision.member.name), "product": decision.product.name},
        body=_("核保结论：%(outcome)s。请查看投保单了解详情。")
        % {"outcome": UnderwritingDecision.Outcome(outcome).label},
        link=_application_link(decision),
        family_id=decision.family_id,
        dedupe_key=f"underwriting.decided:{decision.pk}",
    )
    for listener in decision_listeners:
        listener(decision=decision)
    return decision
