"""Policies reads, scoped by the permission policies (``kincare.policies.policies``).

``wallet(user=)`` is the family wallet: every current member in family (roster) order, each
with their platform and external policies grouped by category. Underwriting terms are health
data (``underwriting_visible``: the policyholder, the insured, who may read the insured's
health data): an item carries its exclusions only when allowed (else ``None`` and
``exclusions_hidden``), and its loading likewise (else ``None``); showing exclusions to anyone
but the insured is audited.

The same holds for one policy (``policy_exclusions_read``) and for the decisions on an
application (``application_decision_read`` / ``application_insured_read``): each read of
health data by someone other than the insured writes an audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kincare.catalog.models import Category
from kincare.core.audit import audit_record
from kincare.core.dates import age_on
from kincare.core.errors import NotFound
from kincare.core.payments.models import PaymentRefund
from kincare.families.models import Family, Member
from kincare.families.policies import family_policy, member_policy
from kincare.families.selectors import family_get_for_user
from kincare.policies.models import Application, ApplicationInsured, ExternalPolicy, Policy
from kincare.policies.policies import (
    application_policy,
    external_policy_policy,
    policy_exclusions_visible,
    policy_policy,
    underwriting_visible,
)
from kincare.policies.services.cancellation import cooling_off_refunds
from kincare.policies.services.common import is_one_year, local_date
from kincare.policies.services.instalments import next_premium_on
from kincare.underwriting.models import UnderwritingDecision

__all__ = [
    "InsuredRead",
    "RefundState",
    "Wallet",
    "WalletGroup",
    "WalletItem",
    "WalletMember",
    "application_decision_read",
    "application_get",
    "application_insured_read",
    "application_list",
    "external_policy_list",
    "policy_exclusions_read",
    "policy_exclusions_visible",
    "policy_get",
    "policy_list",
    "policy_refund_state",
    "policy_terms_visible",
    "underwriting_visible",
    "wallet",
]

CATEGORY_LABELS = dict(Category.choices)
CATEGORY_ORDER = {value: i for i, value in enumerate(Category.values)}
#: the wallet leaves out payment attempts that were never paid
WALLET_HIDDEN = {"status": Policy.Status.LAPSED, "number__isnull": True}
STATUS_ORDER = {
    Policy.Status.ACTIVE: 0,
    Policy.Status.PENDING_PAYMENT: 1,
    "not_started": 1,
    "in_force": 0,
}


def _lookup_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise NotFound(_("找不到该对象"))
    try:
        return int(value)
    except ValueError:
        raise NotFound(_("找不到该对象")) from None


# -- applications ------------------------------------------------------------------------------


def application_list(*, user: Any) -> QuerySet[Application]:
    return (
        application_policy.scope(user, "view")
        .select_related("product", "product__insurer", "plan", "policyholder", "order", "renewal_of")
        .order_by("-id")
    )


def application_get(*, user: Any, application_id: object) -> Application:
    found = application_list(user=user).filter(pk=_lookup_id(application_id)).first()
    if found is None:
        raise NotFound(_("找不到该投保单"), code="application_not_found")
    return found


@dataclass(frozen=True)
class InsuredRead:
    """One insured member of an application as ``user`` may see it.

    ``terms_visible``: the user may see the underwriting terms (the decision, the loading, the
    standard premium); ``decision`` is the decision when visible and answered (else None).
    """

    row: ApplicationInsured
    member: Member
    terms_visible: bool
    decision: UnderwritingDecision | None

    @property
    def answered(self) -> bool:
        return self.row.decision_id is not None


def _audit_decision_read(user: Any, application: Application, member: Member, decision: UnderwritingDecision) -> None:
    if member.user_id is not None and member.user_id == user.pk:
        return  # the insured reading their own decision
    audit_record(
        actor=user,
        action="underwriting_decision.read",
        subject=application,
        family_id=application.family_id,
        new={"member": member.pk, "decision": decision.pk},
    )


def application_decision_read(*, user: Any, application: Application, member: Member) -> UnderwritingDecision | None:
    """The underwriting decision of one insured member, for the policyholder, the insured, or who may
    read the insured's health data (else None; None too before the questionnaire is answered).
    A read by anyone but the insured is audited. Outsiders get NotFound."""
    application_policy.require(user, "view", application)
    row = (
        ApplicationInsured.objects.select_related("member", "decision", "decision__product")
        .filter(application=application, member=member)
        .first()
    )
    if row is None:
        raise NotFound(_("该成员不是这张投保单的被保险人"), code="insured_not_found", field="member_id")
    if row.decision is None or not underwriting_visible(
        user, policyholder=application.policyholder, insured=row.member
    ):
        return None
    _audit_decision_read(user, application, row.member, row.decision)
    return row.decision


def application_insured_read(*, user: Any, application: Application) -> list[InsuredRead]:
    """Every insured member of an application with what ``user`` may see of their underwriting
    (decisions read through the audit, as ``application_decision_read``)."""
    application_policy.require(user, "view", application)
    out = []
    for row in application.insured.select_related("member", "decision", "decision__product").order_by("id"):
        visible = underwriting_visible(user, policyholder=application.policyholder, insured=row.member)
        decision = row.decision if visible else None
        if decision is not None:
            _audit_decision_read(user, application, row.member, decision)
        out.append(InsuredRead(row=row, member=row.member, terms_visible=visible, decision=decision))
    return out


# -- policies ----------------------------------------------------------------------------------


def policy_list(*, user: Any, family: Family | None = None) -> QuerySet[Policy]:
    qs = policy_policy.scope(user, "view")
    if family is not None:
        family_policy.require(user, "view", family)
        qs = qs.filter(family_id=family.pk)
    return qs.select_related(
        "product", "product__insurer", "plan", "insured", "policyholder", "application", "renewal_of"
    ).order_by("-id")


def policy_get(*, user: Any, policy_id: object) -> Policy:
    found = policy_list(user=user).filter(pk=_lookup_id(policy_id)).first()
    if found is None:
        raise NotFound(_("找不到该保单"), code="policy_not_found")
    return found


def policy_exclusions_read(*, user: Any, policy: Policy) -> list[dict[str, Any]] | None:
    """The exclusions written on a policy, or None when ``user`` may not see them (only the insured,
    the policyholder, or who may read the insured's health data). Showing them to anyone but the
    insured is audited."""
    if not policy_exclusions_visible(user, policy):
        return None
    exclusions = list(policy.exclusions or [])
    if exclusions and policy.insured.user_id != user.pk:
        audit_record(
            actor=user,
            action="policy_exclusions.read",
            subject=policy,
            family_id=policy.family_id,
            new={"policies": [policy.pk]},
        )
    return exclusions


def policy_terms_visible(*, user: Any, policy: Policy) -> bool:
    """Whether ``user`` may see the loading and the standard premium of a policy they can view."""
    return underwriting_visible(user, policyholder=policy.policyholder, insured=policy.insured)


@dataclass(frozen=True)
class RefundState:
    """The latest cooling-off refund of a cancelled policy."""

    status: str  # pending | succeeded | failed
    label: str
    amount_fen: int
    refund_no: str
    attempts: int

    @property
    def failed(self) -> bool:
        return self.status == PaymentRefund.Status.FAILED


REFUND_LABELS: dict[str, Any] = {
    PaymentRefund.Status.PENDING: _lazy("退款处理中"),
    PaymentRefund.Status.SUCCEEDED: _lazy("已退款"),
    PaymentRefund.Status.FAILED: _lazy("退款失败，请重试"),
}


def policy_refund_state(policy: Policy) -> RefundState | None:
    """The state of the policy's latest cooling-off refund (None: no refund was asked for).

    ``policy`` is one the caller has already read through ``policy_get`` / ``policy_list``.
    """
    refunds = list(cooling_off_refunds(policy))
    if not refunds:
        return None
    last = refunds[-1]
    return RefundState(
        status=last.status,
        label=str(REFUND_LABELS.get(last.status, last.status)),
        amount_fen=last.amount_fen,
        refund_no=last.refund_no,
        attempts=len(refunds),
    )


def external_policy_list(*, user: Any) -> QuerySet[ExternalPolicy]:
    return external_policy_policy.scope(user, "view").select_related("insured").order_by("insured_id", "-id")


# -- the wallet --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletItem:
    """One policy in the wallet, platform (``source="platform"``) or external."""

    id: int
    source: str
    number: str
    product_name: str
    insurer: str
    category: str
    category_label: str
    status: str
    status_label: str
    #: first and last day of cover (local dates, both inclusive); None while unpaid
    starts_on: dt.date | None
    ends_on: dt.date | None
    sum_insured_fen: int
    premium_fen: int
    #: one-year cover: the day it ends (renew before); long-term paid yearly: the next premium date
    #: (from the premiums paid so far; it may be past while the 60-day grace period runs)
    next_renewal_on: dt.date | None
    #: [{"icd10": [...], "description"}] or None when this user may not see them
    exclusions: list[dict[str, Any]] | None
    exclusions_hidden: bool
    unverified: bool
    insured_id: int
    policyholder_id: int | None = None
    first_effective_on: dt.date | None = None
    #: the underwriting loading; None when this user may not see the underwriting terms
    loading_pct: int | None = 0
    plan_name: str = ""
    #: long-term paid yearly: the next annual premium (None when paid up, or one-year cover)
    next_premium_fen: int | None = None

    @property
    def is_external(self) -> bool:
        return self.source == "external"

    @property
    def in_force(self) -> bool:
        return self.status in (Policy.Status.ACTIVE, "in_force")


@dataclass(frozen=True)
class WalletGroup:
    category: str
    label: str
    items: list[WalletItem]


@dataclass(frozen=True)
class WalletMember:
    member: Member
    id: int
    name: str
    relationship: str
    relationship_label: str
    age: int
    groups: list[WalletGroup]

    @property
    def items(self) -> list[WalletItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def platform(self) -> list[WalletItem]:
        return [item for item in self.items if not item.is_external]

    @property
    def external(self) -> list[WalletItem]:
        return [item for item in self.items if item.is_external]

    @property
    def annual_premium_fen(self) -> int:
        return sum(item.premium_fen for item in self.items if item.in_force)


@dataclass(frozen=True)
class Wallet:
    family: Family | None
    members: list[WalletMember] = field(default_factory=list)
    on_date: dt.date | None = None

    @property
    def annual_premium_fen(self) -> int:
        return sum(m.annual_premium_fen for m in self.members)

    @property
    def count(self) -> int:
        return sum(len(m.items) for m in self.members)


def _policy_status_label(policy: Policy) -> str:
    """ "待生效" for an active policy whose cover starts later (paid today, cover from 00:00 tomorrow)."""
    starts = policy.effective_at
    if policy.status == Policy.Status.ACTIVE and starts is not None and starts > timezone.now():
        return _("待生效")
    return str(policy.get_status_display())


def _last_day(ends_at: dt.datetime | None) -> dt.date | None:
    """Cover ends at 00:00 of a day: the last covered day is the one before."""
    return local_date(ends_at) - dt.timedelta(days=1) if ends_at is not None else None


def _platform_item(policy: Policy, *, today: dt.date, terms_visible: bool) -> WalletItem:
    live = policy.status in (Policy.Status.ACTIVE, Policy.Status.PENDING_PAYMENT)
    next_on = None
    next_premium = None
    if live and policy.status == Policy.Status.ACTIVE:
        if is_one_year(policy.product):
            next_on = local_date(policy.ends_at) if policy.ends_at is not None else None
        else:
            next_on = next_premium_on(policy, today)
            next_premium = policy.premium_fen if next_on is not None else None
    return WalletItem(
        id=policy.pk,
        source="platform",
        number=policy.number or "",
        product_name=policy.product.name,
        insurer=policy.product.insurer.short_name,
        category=policy.product.category,
        category_label=str(CATEGORY_LABELS.get(policy.product.category, policy.product.category)),
        status=policy.status,
        status_label=_policy_status_label(policy),
        starts_on=local_date(policy.effective_at) if policy.effective_at is not None else None,
        ends_on=_last_day(policy.ends_at),
        sum_insured_fen=policy.sum_insured_fen,
        premium_fen=policy.premium_fen,
        next_renewal_on=next_on,
        exclusions=list(policy.exclusions or []) if terms_visible else None,
        exclusions_hidden=not terms_visible,
        unverified=False,
        insured_id=policy.insured_id,
        policyholder_id=policy.policyholder_id,
        first_effective_on=policy.first_effective_on,
        loading_pct=policy.loading_pct if terms_visible else None,
        plan_name=policy.plan.name,
        next_premium_fen=next_premium,
    )


def _external_status(external: ExternalPolicy, today: dt.date) -> tuple[str, str]:
    if external.starts_on > today:
        return "not_started", str(_("未生效"))
    if external.ends_on is not None and external.ends_on < today:
        return "ended", str(_("已满期"))
    return "in_force", str(_("保障中"))


def _external_item(external: ExternalPolicy, *, today: dt.date) -> WalletItem:
    status, label = _external_status(external, today)
    return WalletItem(
        id=external.pk,
        source="external",
        number=external.policy_number,
        product_name=external.product_name,
        insurer=external.insurer_name,
        category=external.category,
        category_label=str(CATEGORY_LABELS.get(external.category, external.category)),
        status=status,
        status_label=label,
        starts_on=external.starts_on,
        ends_on=external.ends_on,
        sum_insured_fen=external.sum_insured_fen,
        premium_fen=external.premium_fen,
        next_renewal_on=external.ends_on if status != "ended" else None,
        exclusions=None,
        exclusions_hidden=False,
        unverified=not external.verified,
        insured_id=external.insured_id,
    )


def _sort_key(item: WalletItem) -> tuple[int, int, str]:
    # in force first, then the newest
    start = item.starts_on.toordinal() if item.starts_on else dt.date.max.toordinal()
    return (STATUS_ORDER.get(item.status, 2), -start, item.product_name)


def wallet(*, user: Any, today: dt.date | None = None) -> Wallet:
    """The family's wallet as ``user`` may see it (an empty wallet for someone without a family)."""
    today = today or timezone.localdate()
    family = family_get_for_user(user)
    if family is None:
        return Wallet(family=None, members=[], on_date=today)
    members = list(member_policy.scope(user, "view").filter(family_id=family.pk).order_by("id"))
    policies = list(
        policy_list(user=user, family=family)
        .exclude(**WALLET_HIDDEN)
        .select_related("product__insurer", "insured", "policyholder", "plan")
    )
    readable = set(member_policy.scope(user, "read_health").filter(family_id=family.pk).values_list("pk", flat=True))
    externals = list(external_policy_list(user=user).filter(family_id=family.pk))
    items: dict[int, list[WalletItem]] = {m.pk: [] for m in members}
    shown_to_others: list[int] = []
    for policy in policies:
        if policy.insured_id not in items:
            continue  # a member who left the family: their history is not on the wallet
        visible = user.pk in (policy.insured.user_id, policy.policyholder.user_id) or policy.insured_id in readable
        if visible and policy.exclusions and policy.insured.user_id != user.pk:
            shown_to_others.append(policy.pk)
        items[policy.insured_id].append(_platform_item(policy, today=today, terms_visible=visible))
    for external in externals:
        if external.insured_id in items:
            items[external.insured_id].append(_external_item(external, today=today))
    if shown_to_others:
        audit_record(
            actor=user,
            action="policy_exclusions.read",
            subject=family,
            family_id=family.pk,
            new={"policies": shown_to_others},
        )
    out = []
    for member in members:
        by_category: dict[str, list[WalletItem]] = {}
        for item in sorted(items[member.pk], key=_sort_key):
            by_category.setdefault(item.category, []).append(item)
        groups = [
            WalletGroup(category=category, label=str(CATEGORY_LABELS.get(category, category)), items=group)
            for category, group in sorted(by_category.items(), key=lambda kv: CATEGORY_ORDER.get(kv[0], 99))
        ]
        out.append(
            WalletMember(
                member=member,
                id=member.pk,
                name=member.name,
                relationship=member.relationship,
                relationship_label=str(member.get_relationship_display()),
                age=age_on(member.birth_date, today),
                groups=groups,
            )
        )
    return Wallet(family=family, members=out, on_date=today)
