"""The sandbox provider's checkout page (what the WeChat Pay / Alipay cashier would show)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kincare.core.errors import DomainError
from kincare.core.payments.models import SandboxTransaction
from kincare.core.payments.sandbox import (
    sandbox_enabled,
    sandbox_scenario_set,
    sandbox_transaction_get,
    sandbox_transaction_pay,
)
from kincare.core.payments.selectors import payment_order_get


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, provider_order_id: str) -> HttpResponse:
    """Only the order's payer, logged in, sees the page (anyone else: 404, as for no order)."""
    if "sandbox" not in settings.PAYMENT_PROVIDERS or not sandbox_enabled():
        raise Http404
    try:
        txn = sandbox_transaction_get(provider_order_id[:64])
        payment_order_get(user=request.user, out_trade_no=txn.out_trade_no, action="pay")
    except DomainError:
        raise Http404 from None
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        scenario = request.POST.get("scenario", "")
        try:
            if scenario and scenario != txn.scenario and txn.state == SandboxTransaction.State.NOTPAY:
                sandbox_scenario_set(out_trade_no=txn.out_trade_no, scenario=scenario)
            if action not in ("pay", "fail"):
                raise DomainError(_("请选择支付或模拟失败"), code="invalid_action")
            txn = sandbox_transaction_pay(provider_order_id=txn.provider_order_id, succeed=action == "pay")
        except DomainError as exc:
            error, status = exc.message, exc.status
            txn.refresh_from_db()
    context = {
        "txn": txn,
        "error": error,
        "scenarios": SandboxTransaction.Scenario.choices,
        "settled": txn.state != SandboxTransaction.State.NOTPAY,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "payments/partials/sandbox_panel.html", context, status=status)
    return render(request, "payments/sandbox_checkout.html", context, status=status)
