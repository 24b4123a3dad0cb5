"""Demo policies for ``kincare demo`` (idempotent): one bought through the sandbox, one external.

王建国 buys 安康三高也能保 (med_11, the questionnaire that accepts controlled hypertension) for
his mother 张桂兰, answering grade-1 controlled hypertension, and pays on the sandbox: the
verified notification issues the policy (after the demo's transaction commits; Celery is eager
in the embedded setup). He also records a term-life policy bought elsewhere (保单托管).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kincare.catalog.models import Product
from kincare.core.demo import register_demo_step
from kincare.core.errors import DomainError
from kincare.core.payments.sandbox import sandbox_transaction_pay
from kincare.families.models import Member
from kincare.policies import services
from kincare.policies.form_schemas import ExternalPolicyInput
from kincare.policies.models import Application, ExternalPolicy
from kincare.underwriting.form_schemas import conditions_parsed

GUARDIAN_NAME = "王建国"
INSURED_NAME = "张桂兰"
PRODUCT_CODE, PLAN_CODE = "med_11", "standard"
HYPERTENSION = {
    "code": "hypertension",
    "attributes": {"grade": 1, "controlled": True, "years": 6, "complications": False},
}


def demo_policies_ensure() -> list[str]:
    guardian = Member.objects.filter(name=GUARDIAN_NAME, relationship="self", user__isnull=False).first()
    if guardian is None or guardian.user is None:
        return []
    insured = Member.objects.filter(family_id=guardian.family_id, name=INSURED_NAME, removed_at__isnull=True).first()
    product = Product.objects.filter(code=PRODUCT_CODE, is_current=True).first()
    lines: list[str] = []
    if insured is not None and product is not None:
        lines.append(_bought(guardian, insured, product))
    lines.append(_external(guardian))
    return lines


def _bought(guardian: Member, insured: Member, product: Product) -> str:
    user = guardian.user
    existing = Application.objects.filter(
        family_id=guardian.family_id, product__code=product.code, insured__member=insured
    ).first()
    if existing is not None:
        return f"{INSURED_NAME}：{product.name}（投保单 {existing.pk}，{existing.get_status_display()}）"
    try:
        with transaction.atomic():  # all or nothing
            application = _buy(user, guardian, insured, product)
    except DomainError as exc:  # e.g. the demo person has aged out of the product
        return f"{INSURED_NAME}：未能生成演示保单（{exc.code}）"
    return f"{INSURED_NAME}：{product.name} 已通过沙箱支付（投保单 {application.pk}）"


def _buy(user: object, guardian: Member, insured: Member, product: Product) -> Application:
    application = services.application_create(
        actor=user, product=product, plan_code=PLAN_CODE, policyholder=guardian, insured=[insured]
    )
    services.application_answer(
        actor=user, application=application, member=insured, conditions=conditions_parsed([HYPERTENSION]), consent=True
    )
    order = services.application_pay(actor=user, application=application)
    sandbox_transaction_pay(provider_order_id=order.provider_order_id, succeed=True)
    return application


def _external(guardian: Member) -> str:
    name = "乐享定期寿险（外部保单）"
    if not ExternalPolicy.objects.filter(family_id=guardian.family_id, product_name=name).exists():
        today = timezone.localdate()
        policy = ExternalPolicyInput(
            insurer_name="中和人寿保险股份有限公司",
            product_name=name,
            category="term_life",
            sum_insured_fen=100_000_000,
            premium_fen=128_000,
            starts_on=today - dt.timedelta(days=400),
            ends_on=dt.date(guardian.birth_date.year + 60, guardian.birth_date.month, 1),
            policy_number="ZH2025000123",
        )
        services.external_policy_add(actor=guardian.user, insured=guardian, **policy.model_dump())
    return f"{GUARDIAN_NAME}：{name}（保单托管，未核实）"


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return ["保单 (policies, http://127.0.0.1:8000/policies/):", *(f"  {line}" for line in demo_policies_ensure())]


def register() -> None:
    register_demo_step("policies", demo_step, order=50)
