"""The whole purchase at the service level: quote → application → underwriting → pay → policy."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kincare.core.errors import NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.ledger.checks import reconcile
from kincare.core.models import Notification
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.tests.helpers import make_user
from kincare.families.tests import factories
from kincare.policies import selectors, services
from kincare.policies.form_schemas import Beneficiaries
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import add_years, local_midnight
from kincare.policies.tests.services_helpers import (
    ADULT_ACCIDENT,
    CHILD_ACCIDENT,
    CHRONIC,
    TERM_LIFE,
    apply,
    buy,
    clearing_balance,
    hepatitis_b_carrier,
    hypertension,
    insurer_balance,
    pay,
    product,
    tomorrow_midnight,
)
from kincare.underwriting.form_schemas import conditions_parsed

pytestmark = pytest.mark.usefixtures("catalog")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER = re.compile(r"^KC\d{8}[2-9A-HJ-NP-Z]{8}$")


def test_the_guardian_buys_a_chronic_medical_policy_for_the_grandparent(
    guardian, guardian_member, grandparent, sandbox_pay
):
    assert product(CHRONIC).questionnaire_code == "medical_chronic"
    quote = services.policy_quote(product=product(CHRONIC), plan_code="standard", members=[grandparent])
    assert quote.effective_on == timezone.localdate() + dt.timedelta(days=1)
    application = services.application_create(
        actor=guardian,
        product=product(CHRONIC),
        plan_code="standard",
        policyholder=guardian_member,
        insured=[grandparent],
    )
    assert application.status == Application.Status.UNDERWRITING
    assert application.premium_fen == quote.total_fen > 0
    decision = services.application_answer(
        actor=guardian,
        application=application,
        member=grandparent,
        conditions=conditions_parsed([hypertension()]),
        consent=True,
    )
    assert (decision.outcome, decision.loading_pct) == ("standard", 0)
    application.refresh_from_db()
    assert application.status == Application.Status.READY

    order = pay(guardian, application, sandbox_pay)

    assert order.status == PaymentOrder.Status.PAID
    assert (order.purpose, order.amount_fen, order.payer, order.family_id) == (
        "premium",
        quote.total_fen,
        guardian,
        guardian_member.family_id,
    )
    assert order.credit_account == f"insurer:{product(CHRONIC).insurer.code}:premiums"
    assert application.status == Application.Status.ISSUED and application.issued_at is not None
    policy = application.policies.get()
    assert policy.status == Policy.Status.ACTIVE
    assert NUMBER.match(policy.number), policy.number
    assert policy.number[2:10] == f"{timezone.localdate():%Y%m%d}"
    assert (policy.insured, policy.policyholder, policy.family_id) == (
        grandparent,
        guardian_member,
        application.family_id,
    )
    assert policy.premium_fen == policy.base_premium_fen == quote.total_fen
    assert policy.sum_insured_fen == application.plan.cover_fen
    assert policy.effective_at == tomorrow_midnight()
    local_start = policy.effective_at.astimezone(SHANGHAI)
    assert (local_start.hour, local_start.minute) == (0, 0)
    assert policy.ends_at == local_midnight(add_years(timezone.localdate() + dt.timedelta(days=1), 1))
    assert policy.first_effective_on == timezone.localdate() + dt.timedelta(days=1)
    assert policy.exclusions == []
    assert policy.decision == decision
    # premiums post platform clearing → insurer payable, balanced
    assert insurer_balance(CHRONIC) == clearing_balance() == quote.total_fen
    assert reconcile() == []
    assert [c.to_status for c in status_history(policy)] == ["active"]
    notice = Notification.objects.get(kind="policies.issued")
    assert notice.recipient == guardian and policy.number in notice.body


def test_exclusions_from_underwriting_are_written_on_the_policy(guardian, guardian_member, grandparent, sandbox_pay):
    [policy] = buy(
        guardian,
        sandbox_pay,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hepatitis_b_carrier()]},
    )
    assert policy.exclusions and "B18" in policy.exclusions[0]["icd10"]
    assert policy.exclusions == policy.decision.exclusions


def test_the_guardian_buys_accident_cover_for_a_child_without_health_questions(
    guardian, guardian_member, child, sandbox_pay
):
    assert not product(CHILD_ACCIDENT).questionnaire_code
    application = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    assert application.status == Application.Status.READY  # decided standard at once
    order = pay(guardian, application, sandbox_pay)
    policy = application.policies.get()
    assert policy.status == Policy.Status.ACTIVE and policy.insured == child
    assert policy.death_benefit_fen == policy.sum_insured_fen == 20_000_000
    assert policy.decision is None
    assert order.amount_fen == policy.premium_fen


def test_one_application_insures_several_members_with_one_order(
    guardian, guardian_member, grandparent, child, sandbox_pay
):
    policies = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent, child])
    assert {p.insured for p in policies} == {grandparent, child}
    assert len({p.number for p in policies}) == 2
    order = policies[0].application.order
    assert order.amount_fen == sum(p.premium_fen for p in policies)
    assert insurer_balance(CHRONIC) == order.amount_fen


def test_another_adult_buys_for_herself(adult_member, adult_row, sandbox_pay):
    [policy] = buy(adult_member, sandbox_pay, code=ADULT_ACCIDENT, policyholder=adult_row, insured=[adult_row])
    assert policy.policyholder == policy.insured == adult_row
    assert policy.death_benefit_fen == policy.sum_insured_fen


def test_another_adult_may_not_insure_other_members(adult_member, adult_row, grandparent, guardian_member):
    with pytest.raises(PermissionDenied) as exc:
        services.application_create(
            actor=adult_member,
            product=product(CHRONIC),
            plan_code="standard",
            policyholder=adult_row,
            insured=[grandparent],
        )
    assert exc.value.code == "insured_not_allowed"
    with pytest.raises(PermissionDenied) as exc:
        services.application_create(
            actor=adult_member,
            product=product(CHRONIC),
            plan_code="standard",
            policyholder=guardian_member,
            insured=[adult_row],
        )
    assert exc.value.code == "policyholder_not_self"


def test_an_outsider_is_refused_with_not_found(outsider, guardian, guardian_member, grandparent):
    outsider_member = factories.self_member(outsider)
    with pytest.raises(NotFound):
        services.application_create(
            actor=outsider,
            product=product(CHRONIC),
            plan_code="standard",
            policyholder=outsider_member,
            insured=[grandparent],
        )
    with pytest.raises(NotFound):
        services.application_create(
            actor=outsider,
            product=product(CHRONIC),
            plan_code="standard",
            policyholder=guardian_member,
            insured=[grandparent],
        )
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    for call in (
        lambda: selectors.application_get(user=outsider, application_id=application.pk),
        lambda: services.application_pay(actor=outsider, application=application),
        lambda: services.application_answer(
            actor=outsider, application=application, member=grandparent, conditions=conditions_parsed([]), consent=True
        ),
        lambda: services.application_prefill(actor=outsider, application=application, member=grandparent),
    ):
        with pytest.raises(NotFound):
            call()


def test_a_family_member_who_is_not_the_policyholder_cannot_pay(guardian, guardian_member, grandparent, adult_member):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    assert selectors.application_get(user=adult_member, application_id=application.pk) == application
    with pytest.raises(PermissionDenied) as exc:
        services.application_pay(actor=adult_member, application=application)
    assert exc.value.code == "not_policyholder"


def test_the_policyholder_must_be_verified_and_adult(family, guardian_member, grandparent):
    unverified = make_user(display_name="未认证")
    member = factories.member_add(family, name="王小红", birth_date=dt.date(1990, 1, 1), relationship="sibling")
    member.user = unverified
    member.save(update_fields=["user"])
    with pytest.raises(ValidationFailed) as exc:
        services.application_create(
            actor=unverified,
            product=product(ADULT_ACCIDENT),
            plan_code="standard",
            policyholder=member,
            insured=[member],
        )
    assert exc.value.code == "policyholder_not_verified"


def test_a_minor_cannot_be_the_policyholder(family, child):
    teen_user = factories.verified_user(
        name="王小军", birth_date=dt.date.today().replace(year=dt.date.today().year - 16)
    )
    child.user = teen_user
    child.save(update_fields=["user"])
    with pytest.raises(ValidationFailed) as exc:
        services.application_create(
            actor=teen_user, product=product(CHILD_ACCIDENT), plan_code="standard", policyholder=child, insured=[child]
        )
    assert exc.value.code == "policyholder_minor"


def test_insured_members_must_be_given_once(guardian, guardian_member, grandparent):
    for insured, code in (([], "insured_empty"), ([grandparent, grandparent], "insured_duplicate")):
        with pytest.raises(ValidationFailed) as exc:
            services.application_create(
                actor=guardian,
                product=product(CHRONIC),
                plan_code="standard",
                policyholder=guardian_member,
                insured=insured,
            )
        assert exc.value.code == code


def test_a_member_already_covered_by_the_product_cannot_buy_it_again(guardian, guardian_member, child, sandbox_pay):
    buy(guardian, sandbox_pay, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    with pytest.raises(ValidationFailed) as exc:
        apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    assert exc.value.code == "already_insured"


def test_term_life_runs_to_the_coverage_end_age_and_keeps_named_beneficiaries(
    adult_member, adult_row, guardian_member, sandbox_pay
):
    life = product(TERM_LIFE)
    application = apply(adult_member, code=TERM_LIFE, policyholder=adult_row, insured=[adult_row], payment_years=20)
    assert application.beneficiaries == {"kind": "legal"}
    named = {
        "kind": "named",
        "named": [
            {"name": "王建国", "relationship": "spouse", "share_pct": 60, "member_id": guardian_member.pk},
            {"name": "王小明", "relationship": "child", "share_pct": 40},
        ],
    }
    services.application_set_beneficiaries(
        actor=adult_member, application=application, beneficiaries=Beneficiaries.model_validate(named)
    )
    application.refresh_from_db()
    pay(adult_member, application, sandbox_pay)
    policy = application.policies.get()
    end_age = life.terms["coverage_end_age"]
    assert policy.ends_at == local_midnight(add_years(adult_row.birth_date, end_age))
    assert policy.payment_years == 20
    assert policy.beneficiaries == named
    assert policy.death_benefit_fen == policy.sum_insured_fen


@pytest.mark.parametrize(
    ("beneficiaries", "code"),
    [
        (
            {"kind": "named", "named": [{"name": "甲", "relationship": "child", "share_pct": 60}]},
            "beneficiary_shares_invalid",
        ),
        (
            {
                "kind": "named",
                "named": [
                    {"name": "甲", "relationship": "child", "share_pct": 50},
                    {"name": "乙", "relationship": "child", "share_pct": 50.5},
                ],
            },
            "beneficiary_shares_invalid",
        ),
        ({"kind": "someone"}, "beneficiaries_invalid"),
        (
            {"kind": "named", "named": [{"name": "", "relationship": "child", "share_pct": 100}]},
            "beneficiary_name_invalid",
        ),
    ],
)
def test_beneficiary_shares_must_add_up_to_100(adult_member, adult_row, beneficiaries, code):
    application = apply(adult_member, code=TERM_LIFE, policyholder=adult_row, insured=[adult_row], payment_years=20)
    with pytest.raises(ValidationFailed) as exc:  # refused by the edge's parse (the API and the page use it)
        services.application_set_beneficiaries(
            actor=adult_member, application=application, beneficiaries=Beneficiaries.model_validate(beneficiaries)
        )
    assert exc.value.code == code
    application.refresh_from_db()
    assert application.beneficiaries == {"kind": "legal"}


def test_the_insured_cannot_be_a_beneficiary(adult_member, adult_row):
    application = apply(adult_member, code=TERM_LIFE, policyholder=adult_row, insured=[adult_row], payment_years=20)
    with pytest.raises(ValidationFailed) as exc:
        services.application_set_beneficiaries(
            actor=adult_member,
            application=application,
            beneficiaries=Beneficiaries.model_validate(
                {
                    "kind": "named",
                    "named": [{"name": "李秀英", "relationship": "other", "share_pct": 100, "member_id": adult_row.pk}],
                }
            ),
        )
    assert exc.value.code == "beneficiary_is_insured"


def test_medical_products_take_no_beneficiaries(guardian, guardian_member, grandparent):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with pytest.raises(ValidationFailed) as exc:
        services.application_set_beneficiaries(
            actor=guardian, application=application, beneficiaries=Beneficiaries(kind="legal")
        )
    assert exc.value.code == "beneficiaries_not_applicable"
