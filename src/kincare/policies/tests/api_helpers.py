"""Helpers of the policies API tests: clients per persona and a purchase through the API + sandbox."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.sandbox import sandbox_transaction_pay
from kincare.policies.tests.fixtures import client_for as client_for

API = "/api/v1/policies"
FHIR = "/api/v1/fhir"
#: a medical product with the medical_chronic questionnaire that takes a 66-year-old
CHRONIC_PRODUCT, CHRONIC_PLAN = "med_11", "standard"


def hypertension_answer(**overrides: Any) -> dict[str, Any]:
    attributes = {"grade": 1, "controlled": True, "years": 5, "complications": False, **overrides}
    return {"code": "hypertension", "attributes": attributes}


def call(client: Client, method: str, url: str, body: Any = None, *, raw: str | None = None) -> Any:
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if raw is not None:
        kwargs["data"] = raw
    elif body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"code", "message", "field"}, body
    if code is not None:
        assert body["code"] == code, body
    assert body["message"]
    return body


def sandbox_pay(out_trade_no: str, capture: Any, *, succeed: bool = True) -> None:
    """Press "pay" on the sandbox checkout; the signed notification is delivered (``capture`` is
    pytest-django's ``django_capture_on_commit_callbacks``)."""
    order = PaymentOrder.objects.get(out_trade_no=out_trade_no)
    with capture(execute=True):
        sandbox_transaction_pay(provider_order_id=order.provider_order_id, succeed=succeed)


def apply(
    client: Client,
    *,
    policyholder: Any,
    insured: list[Any],
    product: str = CHRONIC_PRODUCT,
    plan: str = CHRONIC_PLAN,
    payment_years: int | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_code": product,
        "plan_code": plan,
        "policyholder_member_id": policyholder.pk,
        "insured_member_ids": [m.pk for m in insured],
    }
    if payment_years is not None:
        body["payment_years"] = payment_years
    return ok(call(client, "post", f"{API}/applications", body), 201)


def answer(
    client: Client, application_id: int, member: Any, conditions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    url = f"{API}/applications/{application_id}/insured/{member.pk}/answers"
    return ok(call(client, "post", url, {"conditions": conditions or [], "consent": True}))


def buy(
    client: Client,
    capture: Any,
    *,
    policyholder: Any,
    insured: Any,
    conditions: list[dict[str, Any]] | None = None,
    product: str = CHRONIC_PRODUCT,
    plan: str = CHRONIC_PLAN,
) -> dict[str, Any]:
    """Apply, answer, pay through the sandbox: the issued policy as GET /policies/{id} shows it."""
    application = apply(client, policyholder=policyholder, insured=[insured], product=product, plan=plan)
    if application["status"] == "underwriting":
        answered = answer(client, application["id"], insured, conditions)
        assert answered["application_status"] == "ready", answered
    paid = ok(call(client, "post", f"{API}/applications/{application['id']}/pay"))
    sandbox_pay(paid["order"]["out_trade_no"], capture)
    issued = ok(client.get(f"{API}/applications/{application['id']}"))
    assert issued["status"] == "issued", issued
    from kincare.policies.models import Policy

    policy = Policy.objects.get(application_id=application["id"], insured_id=insured.pk)
    return ok(client.get(f"{API}/{policy.pk}"))
