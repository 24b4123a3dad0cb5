import pytest
from django.db import models

from kincare.core.fsm import IllegalTransition, allowed_targets, status_history, transition
from kincare.core.models import AuditEvent, StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    from kincare.accounts.models import User

    return User.objects.create_user(phone="13812345678", password="pw-12345678")


def test_transition_refuses_a_move_the_table_does_not_allow(order, monkeypatch):
    monkeypatch.setattr(type(order), "TRANSITIONS", {"active": {"locked"}}, raising=False)
    monkeypatch.setattr(type(order), "status", "active", raising=False)
    assert allowed_targets(order) == {"locked"}
    with pytest.raises(IllegalTransition) as exc:
        transition(order, to="deleted")
    assert exc.value.code == "illegal_transition"
    assert StatusChange.objects.count() == 0


def test_transition_records_the_status_change_and_an_audit_event():
    from kincare.core.payments.models import PaymentOrder

    if not hasattr(PaymentOrder, "TRANSITIONS"):
        pytest.skip("payments not built yet")
    order = PaymentOrder.objects.create(
        out_trade_no="T1",
        provider="sandbox",
        purpose="test",
        amount_fen=100,
        credit_account="x",
        idempotency_key="k",
    )
    before = order.status
    target = sorted(allowed_targets(order))[0]
    transition(order, to=target, reason="测试")
    order.refresh_from_db()
    assert order.status == target
    change = status_history(order).get()
    assert (change.from_status, change.to_status, change.reason) == (before, target, "测试")
    assert AuditEvent.objects.filter(subject_id=str(order.pk), action__endswith="status_changed").exists()
    # the in-memory object is stale on purpose: a concurrent mover already changed the row
    stale = PaymentOrder.objects.get(pk=order.pk)
    stale.status = before
    with pytest.raises(IllegalTransition):
        transition(stale, to=target)


def test_audit_record_captures_actor_subject_and_request_id():
    from kincare.accounts.models import User
    from kincare.core.audit import audit_record
    from kincare.core.context import request_id_var

    user = User.objects.create_user(phone="13812345678", password="pw-12345678")
    token = request_id_var.set("req-123")
    try:
        event = audit_record(actor=user, action="test.done", subject=user, old={"a": 1}, new={"a": 2})
    finally:
        request_id_var.reset(token)
    assert event.actor == user
    assert event.subject_type == "accounts.user"
    assert event.request_id == "req-123"
    assert isinstance(AuditEvent._meta.get_field("old"), models.JSONField)


def test_transition_if_current_lets_the_loser_of_a_race_walk_away_and_still_refuses_illegal_moves():
    from kincare.core.fsm import transition_if_current
    from kincare.core.payments.models import PaymentOrder

    order = PaymentOrder.objects.create(
        out_trade_no="T2", provider="sandbox", purpose="test", amount_fen=100, credit_account="x", idempotency_key="k2"
    )
    before = order.status
    target = sorted(allowed_targets(order))[0]
    stale = PaymentOrder.objects.get(pk=order.pk)
    assert transition_if_current(order, to=target) is not None
    assert transition_if_current(stale, to=target) is None  # the row moved under it: nothing written
    assert status_history(order).count() == 1
    with pytest.raises(IllegalTransition):
        transition_if_current(PaymentOrder.objects.get(pk=order.pk), to=before)
