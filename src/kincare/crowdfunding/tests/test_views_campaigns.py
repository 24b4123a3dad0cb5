"""The crowdfunding pages for each persona: the fundraiser, a donor, a stranger (masked identities),
an anonymous visitor, and a reviewer in the console (unmasked, audited)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kincare.core.models import AuditEvent
from kincare.crowdfunding import services
from kincare.crowdfunding.models import Campaign, Donation, Report, Share
from kincare.crowdfunding.tests.conftest import pdf, png
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import client_for

pytestmark = pytest.mark.usefixtures("catalog")


def page(campaign: Campaign) -> str:
    return reverse("crowdfunding:page", args=[campaign.pk])


def test_a_stranger_sees_the_public_page_with_masked_identities(live_campaign, child, outsider):
    body = client_for(outsider).get(page(live_campaign)).content.decode()
    assert live_campaign.title in body and "平台已审核" in body
    assert child.resident_id not in body and child.name not in body
    assert child.name[0] + "*" in body  # 王*明
    assert child.resident_id[:3] + "*" in body


def test_an_anonymous_visitor_sees_the_page_but_must_log_in_to_donate(live_campaign):
    client = client_for(None)
    assert client.get(page(live_campaign)).status_code == 200
    response = client.post(
        reverse("crowdfunding:donate", args=[live_campaign.pk]), {"amount": "10", "key": "abcdefgh12"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Donation.objects.exists()


def test_a_campaign_not_yet_approved_is_not_public(make_campaign, outsider, guardian):
    campaign = make_campaign()
    assert client_for(outsider).get(page(campaign)).status_code == 404
    assert client_for(guardian).get(reverse("crowdfunding:manage", args=[campaign.pk])).status_code == 200
    assert client_for(outsider).get(reverse("crowdfunding:manage", args=[campaign.pk])).status_code == 404


def test_a_donor_gives_through_a_share_link_and_the_donation_is_attributed(live_campaign, guardian, sandbox_pay):
    sharer = client_for(guardian)
    link = sharer.post(reverse("crowdfunding:share", args=[live_campaign.pk])).content.decode()
    code = link.split("?s=")[1].split('"')[0]
    donor = factories.UserFactory()
    client = client_for(donor)
    client.get(page(live_campaign), {"s": code})
    response = client.post(
        reverse("crowdfunding:donate", args=[live_campaign.pk]),
        {"amount": "88.80", "message": "加油", "anonymous": "on", "key": "k-0000000001"},
    )
    assert response.status_code == 302 and "/pay/sandbox/" in response["Location"]
    donation = Donation.objects.get()
    assert donation.amount_fen == 8_880 and donation.share == Share.objects.get(code=code)
    sandbox_pay(donation.order)
    progress = client.get(reverse("crowdfunding:progress", args=[live_campaign.pk])).content.decode()
    assert "88.80" in progress and "爱心人士" in progress
    reach = client_for(guardian).get(reverse("crowdfunding:manage", args=[live_campaign.pk])).content.decode()
    assert "88.80" in reach


def test_shares_of_shares_form_a_tree(live_campaign, guardian, outsider):
    first = services.share_create(actor=guardian, campaign=live_campaign)
    second = services.share_create(actor=outsider, campaign=live_campaign, parent=first)
    assert second.parent == first and second.depth == 1


@pytest.mark.parametrize("amount", ["１２", "-5", "0", "abc", "1e3", "50000.01", "", "9" * 30])
def test_a_nasty_amount_gets_a_readable_message_and_changes_nothing(live_campaign, outsider, amount):
    client = client_for(outsider)
    response = client.post(
        reverse("crowdfunding:donate", args=[live_campaign.pk]), {"amount": amount, "key": "k-0000000002"}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not Donation.objects.exists()


def test_the_donor_sees_their_donation_and_receipt(live_campaign, sandbox_pay):
    donor = factories.UserFactory()
    donation = services.donation_start(
        actor=donor, campaign=live_campaign, amount_fen=5_000, idempotency_key="receipt-01"
    )
    sandbox_pay(donation.order)
    client = client_for(donor)
    assert "收据" in client.get(reverse("crowdfunding:mine")).content.decode()
    receipt = client.get(reverse("crowdfunding:receipt", args=[donation.pk]))
    assert receipt.status_code == 200 and Donation.objects.get().receipt_no in receipt.content.decode()
    assert (
        client_for(factories.UserFactory()).get(reverse("crowdfunding:receipt", args=[donation.pk])).status_code == 404
    )


def test_the_public_ledger_downloads_as_json_and_verifies(live_campaign, sandbox_pay):
    from kincare.core.ledger.checks import verify
    from kincare.core.ledger.services import ledger_seal_all

    donation = services.donation_start(
        actor=factories.UserFactory(), campaign=live_campaign, amount_fen=5_000, idempotency_key="ledger-01"
    )
    sandbox_pay(donation.order)
    ledger_seal_all()
    body = json.loads(client_for(None).get(reverse("crowdfunding:ledger", args=[live_campaign.pk])).content)
    assert body["account"] == f"campaign:{live_campaign.pk}:escrow"
    assert [e["postings"][0]["amount_fen"] for e in body["entries"]] == [-5_000]
    assert verify() == []


def test_a_visitor_reports_and_a_witness_confirms(live_campaign, outsider):
    client = client_for(outsider)
    response = client.post(
        reverse("crowdfunding:report", args=[live_campaign.pk]), {"reason": "hidden_assets", "details": "他家有两套房"}
    )
    assert response.status_code == 302 and Report.objects.count() == 1
    client.post(reverse("crowdfunding:witness", args=[live_campaign.pk]), {"relationship": "邻居", "message": "属实"})
    body = client.get(page(live_campaign)).content.decode()
    assert "邻居" in body and "1 条举报正在核查" in body


def test_the_fundraiser_creates_a_campaign_through_the_form(guardian, child):
    client = client_for(guardian)
    form = {
        "title": "救救我的孩子",
        "story": "孩子被确诊为急性淋巴细胞白血病，需要长期化疗，恳请大家帮助。",
        "patient": str(child.pk),
        "relationship": "parent",
        "hospital_code": "BJ001",
        "department": "血液科",
        "doctor": "李医生",
        "icd10": "C91.0",
        "diagnosed_on": "2026-11-01",
        "estimated_cost": "500000",
        "financial_assets": "20000",
        "annual_income": "120000",
        "house_1": "1500000",
        "house_1_only": "on",
        "social_insurance": "urban_rural_resident",
        "goal": "300000",
        "days": "30",
        "doc_diagnosis": pdf(),
        "doc_cost_estimate": pdf(),
        "photo": png(),
    }
    response = client.post(reverse("crowdfunding:new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.goal_fen == 30_000_000 and campaign.documents.count() == 3
    over = client.post(
        reverse("crowdfunding:new"),
        {**form, "goal": "600000", "doc_diagnosis": pdf(), "doc_cost_estimate": pdf(), "photo": png()},
    )
    body = over.content.decode()
    assert over.status_code == 422, body
    assert "超过上限" in body, [line for line in body.splitlines() if "errorlist" in line]
    response = client.post(reverse("crowdfunding:manage", args=[campaign.pk]), {"action": "submit"})
    assert Campaign.objects.get().status in ("submitted", "rejected")


def test_the_goal_cap_is_explained_live(guardian, child):
    body = (
        client_for(guardian)
        .post(
            reverse("crowdfunding:cap"),
            {"estimated_cost": "500000", "goal": "450000", "aid_1_source": "民政救助", "aid_1_amount": "100000"},
        )
        .content.decode()
    )
    assert "400,000.00" in body and "超过上限" in body


def test_a_reviewer_sees_the_unmasked_identity_and_the_read_is_audited(make_campaign, reviewer, child):
    campaign = make_campaign()
    client = client_for(reviewer)
    body = client.get(reverse("admin:crowdfunding_campaign_case", args=[campaign.pk])).content.decode()
    assert child.resident_id in body
    assert AuditEvent.objects.filter(action="crowdfunding.case_read", actor=reviewer).exists()
    client.post(
        reverse("admin:crowdfunding_campaign_case", args=[campaign.pk]), {"action": "approve", "message": "材料齐全"}
    )
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.LIVE


def test_other_staff_and_families_cannot_open_the_reviewers_console(make_campaign, underwriter, guardian):
    campaign = make_campaign()
    for user in (underwriter, guardian):
        response = client_for(user).get(reverse("admin:crowdfunding_campaign_case", args=[campaign.pk]))
        assert response.status_code in (302, 403)


def test_a_photo_is_served_from_private_storage_and_medical_documents_never(live_campaign, outsider):
    photo = live_campaign.documents.get(kind="photo")
    diagnosis = live_campaign.documents.get(kind="diagnosis")
    client = client_for(outsider)
    assert (
        reverse("crowdfunding:file", args=[live_campaign.pk, photo.pk])
        in client.get(page(live_campaign)).content.decode()
    )
    response = client.get(reverse("crowdfunding:file", args=[live_campaign.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(reverse("crowdfunding:file", args=[live_campaign.pk, diagnosis.pk])).status_code == 404
    assert "/media/" not in client.get(page(live_campaign)).content.decode()


def test_a_photo_of_a_campaign_under_review_is_not_served(make_campaign, outsider):
    campaign = make_campaign()
    photo = campaign.documents.get(kind="photo")
    assert client_for(outsider).get(reverse("crowdfunding:file", args=[campaign.pk, photo.pk])).status_code == 404


def test_sharing_needs_a_login(live_campaign):
    response = client_for(None).post(reverse("crowdfunding:share", args=[live_campaign.pk]))
    assert response.status_code == 302 and not Share.objects.exists()


def test_a_chain_of_shares_stops_growing_at_its_depth_limit(live_campaign):
    from kincare.crowdfunding.services.social import MAX_DEPTH

    parent = None
    for _ in range(MAX_DEPTH + 3):
        parent = services.share_create(actor=factories.UserFactory(), campaign=live_campaign, parent=parent)
    assert max(Share.objects.values_list("depth", flat=True)) == MAX_DEPTH
    from kincare.crowdfunding import selectors

    reach = selectors.share_reach(live_campaign)
    assert reach[0].descendants == MAX_DEPTH + 2


@pytest.mark.parametrize("junk", ["abc", "-1", "１", "", "9" * 40])
def test_a_junk_id_in_a_form_is_a_404_not_a_500(live_campaign, guardian, reviewer, junk):
    manage = client_for(guardian).post(
        reverse("crowdfunding:manage", args=[live_campaign.pk]),
        {"action": "evidence", "disbursement": junk, "kind": "invoice", "file": pdf()},
    )
    assert manage.status_code in (404, 422)
    case = client_for(reviewer).post(
        reverse("admin:crowdfunding_campaign_case", args=[live_campaign.pk]),
        {"action": "resolve_report", "report": junk, "status": "dismissed", "outcome": "x"},
    )
    assert case.status_code == 404


def test_the_reviewer_publishes_evidence_from_the_case_page(live_campaign, guardian, reviewer, sandbox_pay):
    import datetime as dt

    from django.utils import timezone

    donation = services.donation_start(
        actor=factories.UserFactory(), campaign=live_campaign, amount_fen=100_000, idempotency_key="evidence-01"
    )
    sandbox_pay(donation.order)
    services.campaign_end(actor=guardian, campaign=live_campaign)
    Campaign.objects.filter(pk=live_campaign.pk).update(ended_at=timezone.now() - dt.timedelta(days=4))
    paid = services.disbursement_request(
        actor=guardian, campaign=live_campaign, amount_fen=50_000, recipient_account="6222020200112233"
    )
    services.disbursement_approve(actor=reviewer, disbursement=paid)
    [doc] = services.disbursement_evidence_add(actor=guardian, disbursement=paid, documents=[("invoice", pdf())])
    file_url = reverse("crowdfunding:file", args=[live_campaign.pk, doc.pk])
    assert client_for(None).get(file_url).status_code == 404
    case_url = reverse("admin:crowdfunding_campaign_case", args=[live_campaign.pk])
    assert "****2233" in client_for(reviewer).get(case_url).content.decode()
    client_for(reviewer).post(case_url, {"action": "publish_document", "document": str(doc.pk)})
    assert client_for(None).get(file_url).status_code == 200
    assert file_url in client_for(None).get(page(live_campaign)).content.decode()
