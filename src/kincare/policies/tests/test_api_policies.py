"""The wallet (GET /policies), a policy, cooling-off cancellation — per persona, exclusions guarded."""

import pytest

from kincare.accounts.services import api_token_create
from kincare.core.models import AuditEvent
from kincare.core.payments.providers import RefundResult
from kincare.core.payments.sandbox import SandboxProvider
from kincare.policies.models import Policy
from kincare.policies.tests.api_helpers import API, buy, call, client_for, error, hypertension_answer, ok

DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.0, "complications": False, "insulin": False}}


@pytest.fixture
def grandparent_policy(catalog, guardian, guardian_member, grandparent, django_capture_on_commit_callbacks):
    """Bought by the guardian for the grandparent: uncontrolled hypertension, hypertension excluded."""
    return buy(
        client_for(guardian),
        django_capture_on_commit_callbacks,
        policyholder=guardian_member,
        insured=grandparent,
        conditions=[hypertension_answer(controlled=False)],
    )


def _policies_in(wallet):
    """Every platform policy id anywhere in the wallet JSON."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "fhir_id" in node and str(node["fhir_id"]).startswith("pol-"):
                found.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(wallet)
    return found


def test_the_whole_family_sees_the_policy_in_the_wallet(grandparent_policy, guardian, adult_member, outsider):
    assert grandparent_policy["status"] == "active"
    for user in (guardian, adult_member):
        wallet = ok(client_for(user).get(f"{API}/"))
        assert _policies_in(wallet) == {grandparent_policy["id"]}
    assert _policies_in(ok(client_for(outsider).get(f"{API}/"))) == set()
    error(client_for().get(f"{API}/"), 401, "not_authenticated")


def test_staff_see_no_familys_policies(grandparent_policy, underwriter):
    client = client_for(underwriter)
    error(client.get(f"{API}/{grandparent_policy['id']}"), 404, "policy_not_found")
    assert ok(client.get(f"{API}/"))["members"] == []


def test_showing_the_grandparents_exclusions_to_the_guardian_is_audited(grandparent_policy, guardian):
    before = AuditEvent.objects.filter(action="policy_exclusions.read").count()
    ok(client_for(guardian).get(f"{API}/{grandparent_policy['id']}"))
    rows = AuditEvent.objects.filter(action="policy_exclusions.read")
    assert rows.count() == before + 1
    last = rows.order_by("id").last()
    assert (last.subject_id, last.new) == (str(grandparent_policy["id"]), {"policies": [grandparent_policy["id"]]})


def test_a_bearer_token_reads_the_wallet(grandparent_policy, guardian):
    _token, raw = api_token_create(user=guardian, name="家庭保单 App")
    response = client_for().get(f"{API}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _policies_in(ok(response)) == {grandparent_policy["id"]}
    error(client_for().get(f"{API}/", HTTP_AUTHORIZATION="Bearer kc_forged"), 401)


def test_exclusions_are_shown_only_to_who_may_see_them(grandparent_policy, guardian, adult_member):
    mine = ok(client_for(guardian).get(f"{API}/{grandparent_policy['id']}"))
    assert mine["exclusions_visible"] is True
    assert mine["exclusions"] and mine["exclusions"][0]["icd10"][0].startswith("I1")
    theirs = ok(client_for(adult_member).get(f"{API}/{grandparent_policy['id']}"))
    assert (theirs["exclusions_visible"], theirs["exclusions"]) == (False, None)
    assert theirs["number"] == mine["number"]
    # nor does the wallet leak them to the other adult
    wallet_text = client_for(adult_member).get(f"{API}/").content.decode()
    assert "I10" not in wallet_text and "高血压及其" not in wallet_text


def test_outsiders_get_404_and_anonymous_401_on_a_policy(grandparent_policy, outsider):
    url = f"{API}/{grandparent_policy['id']}"
    error(client_for(outsider).get(url), 404, "policy_not_found")
    error(call(client_for(outsider), "post", f"{url}/cancel", {}), 404, "policy_not_found")
    error(client_for().get(url), 401, "not_authenticated")
    error(call(client_for(), "post", f"{url}/cancel", {}), 401, "not_authenticated")
    error(client_for(outsider).get(f"{API}/99999999999999999999999"), 404)


def test_the_policyholder_cancels_within_the_cooling_off_period(grandparent_policy, guardian, adult_member):
    url = f"{API}/{grandparent_policy['id']}/cancel"
    # the other adult sees the policy but is not its policyholder
    error(call(client_for(adult_member), "post", url, {"reason": "不需要了"}), 403, "cancel_not_allowed")
    for bad in ({"reason": 5}, {"reason": "x" * 301}):
        error(call(client_for(guardian), "post", url, bad), 422, "validation_error")
    cancelled = ok(call(client_for(guardian), "post", url, {"reason": "买重了"}))
    assert (cancelled["status"], cancelled["id"]) == ("cancelled", grandparent_policy["id"])
    assert cancelled["cancelled_at"]
    again = call(client_for(guardian), "post", url, {})
    assert again.status_code in (409, 422)
    assert Policy.objects.get(pk=grandparent_policy["id"]).status == "cancelled"


def test_cancelling_with_an_empty_body(grandparent_policy, guardian):
    response = call(client_for(guardian), "post", f"{API}/{grandparent_policy['id']}/cancel")
    assert ok(response)["status"] == "cancelled"


@pytest.fixture
def spouse_policy(catalog, adult_member, adult_row, django_capture_on_commit_callbacks):
    """The spouse's own policy: she is policyholder and insured (diabetes: a 25% loading)."""
    return buy(
        client_for(adult_member),
        django_capture_on_commit_callbacks,
        policyholder=adult_row,
        insured=adult_row,
        conditions=[DIABETES],
    )


def test_the_guardian_may_not_cancel_the_spouses_own_policy(spouse_policy, guardian, adult_member):
    url = f"{API}/{spouse_policy['id']}/cancel"
    assert ok(client_for(guardian).get(f"{API}/{spouse_policy['id']}"))["status"] == "active"
    refused = error(call(client_for(guardian), "post", url, {}), 403, "cancel_not_allowed")
    assert "投保人" in refused["message"]
    assert Policy.objects.get(pk=spouse_policy["id"]).status == "active"
    assert ok(call(client_for(adult_member), "post", url, {}))["status"] == "cancelled"


def test_the_loading_and_standard_premium_are_only_for_who_may_see_the_terms(
    spouse_policy, guardian, adult_member, outsider
):
    hers = ok(client_for(adult_member).get(f"{API}/{spouse_policy['id']}"))
    assert hers["loading_pct"] == 25 and hers["base_premium_fen"] < hers["premium_fen"]
    # the guardian may not read her health data: the premium, not its breakdown
    seen = ok(client_for(guardian).get(f"{API}/{spouse_policy['id']}"))
    assert (seen["loading_pct"], seen["base_premium_fen"], seen["exclusions"]) == (None, None, None)
    assert seen["premium_fen"] == hers["premium_fen"]
    wallet = client_for(guardian).get(f"{API}/").content.decode()
    assert "loading" not in wallet and "base_premium" not in wallet
    error(client_for(outsider).get(f"{API}/{spouse_policy['id']}"), 404, "policy_not_found")


def test_a_refused_refund_shows_on_the_policy_and_is_asked_again_with_cancel(
    grandparent_policy, guardian, monkeypatch, django_capture_on_commit_callbacks
):
    url = f"{API}/{grandparent_policy['id']}"
    assert ok(client_for(guardian).get(url))["refund_status"] is None
    monkeypatch.setattr(
        SandboxProvider,
        "refund",
        lambda self, order, *, amount_fen, refund_no: RefundResult(
            refund_no, "", amount_fen, succeeded=False, message="SYSTEMERROR"
        ),
    )
    # (the provider is asked once the cancellation commits: here when the capture block ends)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = ok(call(client_for(guardian), "post", f"{url}/cancel", {}))
    assert (cancelled["status"], cancelled["refund_status"]) == ("cancelled", "pending")
    refused = ok(client_for(guardian).get(url))
    assert (refused["refund_status"], refused["refund_status_label"]) == ("failed", "退款失败，请重试")
    assert refused["refund_fen"] == grandparent_policy["premium_fen"]
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = ok(call(client_for(guardian), "post", f"{url}/cancel", {}))
    assert (retried["status"], retried["refund_status"]) == ("cancelled", "pending")
    refunded = ok(client_for(guardian).get(url))
    assert (refunded["status"], refunded["refund_status"], refunded["refund_status_label"]) == (
        "cancelled",
        "succeeded",
        "已退款",
    )
    error(call(client_for(guardian), "post", f"{url}/cancel", {}), 409, "policy_not_active")
