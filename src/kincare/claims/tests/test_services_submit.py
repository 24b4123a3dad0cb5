"""claim_submit end to end on a back-dated med_01 policy: the spec's examples (numbers exactly as
the spec), who may claim, bad input refused with stable codes and nothing written, bad uploads."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.claims import services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim, ClaimAccumulator, ClaimDocument
from kincare.claims.tests.services_helpers import (
    HOSPITAL,
    JPEG,
    PDF,
    PNG,
    SERVICE_END,
    SERVICE_START,
    TODAY,
    example,
    issued_policy,
    submit,
    upload,
)
from kincare.core.errors import NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.models import AuditEvent
from kincare.core.pii import blind_index
from kincare.families.models import Member
from kincare.policies.models import Policy

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _accumulator(policy: Policy) -> ClaimAccumulator:
    return ClaimAccumulator.objects.get(policy=policy, member=policy.insured)


# The spec's examples ------------------------------------------------------------------------------


def test_the_spec_example_is_approved_and_paid_3000_yuan(guardian, policy):
    claim = submit(guardian, policy)
    result = claim.engine_result
    assert (claim.status, claim.decided_by, claim.payout_fen, claim.proposed_payout_fen) == (
        "paid",
        "engine",
        300_000,
        300_000,
    )
    assert {k: result[k] for k in ("decision", "reasons", "benefit", "covered_fen", "not_covered_fen")} == {
        "decision": "approved",
        "reasons": [],
        "benefit": "general",
        "covered_fen": 2_500_000,
        "not_covered_fen": 30_000,
    }
    assert (result["base_fen"], result["deductible_applied_fen"], result["ratio"], result["payout_fen"]) == (
        1_300_000,
        1_000_000,
        "1.00",
        300_000,
    )
    assert result["accumulators_after"] == {
        "deductible_used_fen": {"main": 1_000_000},
        "paid_fen": {"general": 300_000},
    }
    assert claim.total_fen == 2_530_000 and claim.benefit == "general" and claim.reasons == [] and claim.flags == []
    assert [c.to_status for c in status_history(claim).order_by("id")] == ["approved", "paid"]
    assert claim.adjudicated_at and claim.decided_at and claim.paid_at
    accumulator = _accumulator(policy)
    assert (accumulator.deductible_used, accumulator.paid) == ({"main": 1_000_000}, {"general": 300_000})


def test_without_social_insurance_the_example_pays_9000_yuan(guardian, policy):
    claim = submit(guardian, policy, social_insurance_used=False, social_insurance_paid_fen=0)
    assert (claim.payout_fen, claim.engine_result["base_fen"], claim.engine_result["ratio"]) == (
        900_000,
        2_500_000,
        "0.60",
    )


def test_other_insurance_offsets_the_deductible_first(guardian, policy):
    claim = submit(guardian, policy, other_insurance_paid_fen=400_000)
    result = claim.engine_result
    assert (result["base_fen"], result["deductible_applied_fen"], claim.payout_fen) == (900_000, 1_000_000, 300_000)
    deductible = next(line for line in result["lines"] if line["code"] == "deductible")
    assert (deductible["by_other_fen"], deductible["by_base_fen"]) == (400_000, 600_000)


def test_a_serious_illness_pays_from_its_own_benefit_without_deductible(guardian, policy):
    claim = submit(guardian, policy, diagnoses=["C34.1"])
    assert (claim.benefit, claim.payout_fen, claim.engine_result["deductible_applied_fen"]) == (
        "serious_illness",
        1_300_000,
        0,
    )
    assert _accumulator(policy).paid == {"serious_illness": 1_300_000}


def test_a_claim_inside_the_waiting_period_is_rejected(guardian, guardian_member, sandbox_pay):
    # first covered day = first effective day + 30
    policy = issued_policy(
        guardian,
        sandbox_pay,
        policyholder=guardian_member,
        insured=guardian_member,
        effective_days_ago=20,
        first_effective_days_ago=20,
    )
    claim = submit(
        guardian, policy, service_start=TODAY - dt.timedelta(days=10), service_end=TODAY - dt.timedelta(days=5)
    )
    assert (claim.status, claim.reasons, claim.payout_fen, claim.decided_by) == (
        "rejected",
        ["waiting_period"],
        0,
        "engine",
    )
    assert _accumulator(policy).deductible_used == {}


def test_a_second_claim_finds_the_deductible_used_and_pays_in_full(guardian, policy):
    first = submit(guardian, policy)
    second = submit(guardian, policy)
    assert (first.payout_fen, second.payout_fen) == (300_000, 1_300_000)
    assert second.engine_result["deductible_applied_fen"] == 0
    assert _accumulator(policy).deductible_used == {"main": 1_000_000}
    assert _accumulator(policy).paid == {"general": 1_600_000}


def test_a_claim_below_the_deductible_is_approved_with_nothing_to_pay(guardian, policy):
    claim = submit(guardian, policy, items=[{"category": "drug", "amount_fen": 1_500_000}])
    assert (claim.status, claim.payout_fen, claim.reasons) == ("approved", 0, ["below_deductible"])
    assert _accumulator(policy).deductible_used == {"main": 300_000}


# Who may claim -------------------------------------------------------------------------------------


def test_the_guardian_claims_for_a_child_and_the_grandparent_without_account(
    guardian, guardian_member, child, grandparent, sandbox_pay
):
    for member in (child, grandparent):
        policy = issued_policy(
            guardian, sandbox_pay, policyholder=guardian_member, insured=member, code="med_11", plan=None
        )
        claim = submit(guardian, policy, member)
        assert (claim.status, claim.submitted_by, claim.member) == ("paid", guardian, member)


def test_the_adult_claims_for_herself_and_the_guardian_may_not(guardian, adult_member, adult_row, sandbox_pay):
    policy = issued_policy(adult_member, sandbox_pay, policyholder=adult_row, insured=adult_row)
    with pytest.raises(PermissionDenied) as refused:
        submit(guardian, policy, adult_row)
    assert refused.value.code == "claim_not_allowed"
    assert submit(adult_member, policy, adult_row).status == "paid"


def test_the_policyholder_may_claim_for_the_adult_insured(
    guardian, guardian_member, adult_member, adult_row, sandbox_pay
):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=adult_row)
    assert submit(guardian, policy, adult_row).status == "paid"
    assert submit(adult_member, policy, adult_row).status == "paid"


def test_an_outsider_or_someone_elses_policy_is_404_and_nothing_is_written(
    guardian, guardian_member, outsider, adult_row, policy
):
    with pytest.raises(NotFound) as outsider_refused:
        submit(outsider, policy, guardian_member)
    assert outsider_refused.value.code == "member_not_found"
    outsider_row = Member.objects.get(user=outsider)
    with pytest.raises(NotFound):
        submit(guardian, policy, outsider_row)
    with pytest.raises(NotFound) as not_hers:  # the guardian's policy named with the spouse as member
        submit(guardian, policy, adult_row)
    assert not_hers.value.code == "policy_not_found"
    with pytest.raises(NotFound):
        services.claim_submit(actor=guardian, policy=None, member=guardian_member, draft=claim_draft(**example()))
    assert Claim.objects.count() == 0


def test_an_unpaid_or_cancelled_policy_cannot_be_claimed_on(guardian, guardian_member, policy):
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.CANCELLED)
    policy.refresh_from_db()
    with pytest.raises(ValidationFailed) as cancelled:
        submit(guardian, policy)
    assert cancelled.value.code == "policy_not_claimable"
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.PENDING_PAYMENT)
    policy.refresh_from_db()
    with pytest.raises(NotFound) as pending:
        submit(guardian, policy)
    assert pending.value.code == "policy_not_found"
    assert Claim.objects.count() == 0


def test_a_claim_on_a_policy_that_has_expired_since_is_still_adjudicated(guardian, policy):
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.EXPIRED)
    policy.refresh_from_db()
    assert submit(guardian, policy).payout_fen == 300_000


# Bad input -------------------------------------------------------------------------------------------

ITEM = {"category": "drug", "amount_fen": 2_500_000}
BAD = [
    ({"claim_type": "dental"}, "claim_type_invalid", "claim_type"),
    ({"claim_type": "critical_illness"}, "claim_type_invalid", "claim_type"),
    ({"claim_type": None}, "claim_type_invalid", "claim_type"),
    ({"service_start": "2026/03/01"}, "date_invalid", "service_start"),
    ({"service_start": "２０２５-０３-０１"}, "date_invalid", "service_start"),
    ({"service_start": 20250301}, "date_invalid", "service_start"),
    ({"service_end": "2025-02-30"}, "date_invalid", "service_end"),
    ({"service_start": dt.datetime(2025, 3, 1)}, "date_invalid", "service_start"),
    ({"service_start": SERVICE_END, "service_end": SERVICE_START}, "service_dates_order", "service_end"),
    ({"service_end": TODAY + dt.timedelta(days=1)}, "service_date_future", "service_end"),
    ({"service_start": dt.date(1999, 12, 31)}, "service_date_too_old", "service_start"),
    ({"hospital_code": "NOPE999"}, "hospital_unknown", "hospital_code"),
    ({"hospital_code": ""}, "hospital_unknown", "hospital_code"),
    ({"hospital_code": 1}, "hospital_unknown", "hospital_code"),
    ({"diagnoses": []}, "diagnoses_invalid", "diagnoses"),
    ({"diagnoses": "K35.8"}, "diagnoses_invalid", "diagnoses"),
    ({"diagnoses": ["K35.8"] * 11}, "diagnoses_invalid", "diagnoses"),
    ({"diagnoses": ["ZZ99.9"]}, "diagnosis_unknown", "diagnoses.0"),
    ({"diagnoses": ["K35.8", 35]}, "diagnosis_unknown", "diagnoses.1"),
    ({"diagnoses": ["K35.8" * 100]}, "diagnosis_unknown", "diagnoses.0"),
    ({"items": []}, "items_invalid", "items"),
    ({"items": "drug"}, "items_invalid", "items"),
    ({"items": [ITEM] * 101}, "items_invalid", "items"),
    ({"items": [ITEM, "drug"]}, "item_invalid", "items.1"),
    ({"items": [{**ITEM, "category": "champagne"}]}, "item_invalid", "items.0.category"),
    ({"items": [{**ITEM, "amount_fen": 0}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": -1}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": 10**10 + 1}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": 10**30}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [ITEM, {**ITEM, "amount_fen": "25000"}]}, "item_invalid", "items.1.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": "２５０００"}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": 2_500_000.0}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": True}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "amount_fen": None}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{"category": "drug"}]}, "item_invalid", "items.0.amount_fen"),
    ({"items": [{**ITEM, "description": "x" * 201}]}, "item_invalid", "items.0.description"),
    ({"items": [{**ITEM, "surprise": 1}]}, "item_invalid", "items.0"),
    ({"social_insurance_used": "true"}, "value_invalid", "social_insurance_used"),
    ({"social_insurance_used": 1}, "value_invalid", "social_insurance_used"),
    ({"social_insurance_paid_fen": -1}, "amount_invalid", "social_insurance_paid_fen"),
    ({"social_insurance_paid_fen": "1200000"}, "amount_invalid", "social_insurance_paid_fen"),
    ({"social_insurance_paid_fen": 12000.5}, "amount_invalid", "social_insurance_paid_fen"),
    ({"other_insurance_paid_fen": False}, "amount_invalid", "other_insurance_paid_fen"),
    ({"other_insurance_paid_fen": 10**40}, "amount_invalid", "other_insurance_paid_fen"),
    ({"social_insurance_paid_fen": 2_000_000, "other_insurance_paid_fen": 600_000}, "settlement_above_total", None),
    ({"social_insurance_used": False}, "social_insurance_inconsistent", "social_insurance_paid_fen"),
    ({"claim_type": "pre_post_outpatient"}, "related_stay_required", "related_stay"),
    ({"claim_type": "pre_post_outpatient", "related_stay": "2025-01-01"}, "related_stay_invalid", "related_stay"),
    (
        {"claim_type": "pre_post_outpatient", "related_stay": {"admission": "x", "discharge": "2025-01-01"}},
        "date_invalid",
        "related_stay.admission",
    ),
    (
        {
            "claim_type": "pre_post_outpatient",
            "related_stay": {"admission": SERVICE_END.isoformat(), "discharge": SERVICE_START.isoformat()},
        },
        "related_stay_invalid",
        "related_stay.discharge",
    ),
    ({"severity": "very"}, "severity_invalid", "severity"),
    ({"severity": 1}, "severity_invalid", "severity"),
    ({"is_accident": "yes"}, "value_invalid", "is_accident"),
    ({"invoice_numbers": ["x" * 65]}, "invoice_number_invalid", "invoice_numbers.0"),
    ({"invoice_numbers": ["INV-1", ""]}, "invoice_number_invalid", "invoice_numbers.1"),
    ({"invoice_numbers": ["ＩＮＶ１"]}, "invoice_number_invalid", "invoice_numbers.0"),
    ({"invoice_numbers": [1]}, "invoice_number_invalid", "invoice_numbers.0"),
    ({"invoice_numbers": "INV-1"}, "invoice_numbers_invalid", "invoice_numbers"),
    ({"invoice_numbers": [f"I{i}" for i in range(51)]}, "invoice_numbers_invalid", "invoice_numbers"),
]


@pytest.mark.parametrize(("overrides", "code", "field"), BAD)
def test_bad_input_is_refused_with_a_stable_code_and_nothing_is_written(guardian, policy, overrides, code, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        submit(guardian, policy, **overrides)
    assert refused.value.code == code
    if field is not None:
        assert refused.value.field == field
    assert Claim.objects.count() == 0 and ClaimAccumulator.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_diagnosis_codes_are_read_without_case_and_stored_as_listed(guardian, policy):
    claim = submit(guardian, policy, diagnoses=[" k35.8 ", "K35.8"])
    assert claim.diagnoses == ["K35.8"]


def test_invoice_numbers_are_stored_only_as_keyed_hashes(guardian, policy):
    claim = submit(guardian, policy, invoice_numbers=["INV-2026-0001", " inv-2026-0001 "])
    assert claim.invoice_hashes == [blind_index("INV-2026-0001", purpose="claim_invoice")]
    assert "INV-2026-0001" not in str(Claim.objects.filter(pk=claim.pk).values_list("invoice_hashes", flat=True)[0])


def test_an_accident_medical_claim_is_an_accident(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code="acc_01")
    claim = submit(guardian, policy, claim_type="accident_medical", diagnoses=["S82.0"])
    assert claim.is_accident and claim.status == "paid"
    # acc_01: 100% with social insurance, no deductible, annual limit 50,000 yuan
    assert claim.payout_fen == 1_300_000


# Uploads ---------------------------------------------------------------------------------------------


def test_documents_are_sniffed_hashed_and_stored_under_a_random_name(guardian, policy):
    claim = submit(
        guardian,
        policy,
        documents=[
            ("invoice", upload(PDF, "发票 王建国.pdf")),
            ("settlement", upload(PNG, "结算单.png", "image/png")),
            ("discharge", upload(JPEG, "出院小结.jpg", "image/jpeg")),
        ],
    )
    docs = list(ClaimDocument.objects.filter(claim=claim).order_by("id"))
    assert [(d.kind, d.content_type, d.size) for d in docs] == [
        ("invoice", "application/pdf", len(PDF)),
        ("settlement", "image/png", len(PNG)),
        ("discharge", "image/jpeg", len(JPEG)),
    ]
    assert docs[0].original_name == "发票 王建国.pdf" and "王建国" not in docs[0].file.name
    assert docs[0].file.read() == PDF
    assert len(docs[0].sha256) == 64 and docs[0].uploaded_by == guardian


@pytest.mark.parametrize(
    ("documents", "code"),
    [
        ([("invoice", upload(b"MZ\x90\x00" + b"\x00" * 64, "setup.pdf"))], "document_type_invalid"),
        ([("invoice", upload(b"", "empty.pdf"))], "document_type_invalid"),
        ([("invoice", upload(b"<html>%PDF-", "page.pdf", "application/pdf"))], "document_type_invalid"),
        ([("invoice", upload(PDF + b"\x00" * (10 * 1024 * 1024), "big.pdf"))], "document_too_large"),
        ([("invoice", upload())] * 21, "too_many_documents"),
        ([("selfie", upload())], "document_kind_invalid"),
        ([upload()], "documents_invalid"),
        ("invoice.pdf", "documents_invalid"),
    ],
    ids=["exe_renamed_pdf", "empty", "html", "too_big", "too_many", "unknown_kind", "no_kind", "a_string"],
)
def test_bad_uploads_are_refused_and_nothing_is_written(guardian, policy, tmp_path, documents, code):
    with pytest.raises(ValidationFailed) as refused:
        submit(guardian, policy, documents=documents)
    assert refused.value.code == code
    assert Claim.objects.count() == 0 and ClaimDocument.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_documents_can_be_added_while_the_claim_is_in_review_only(guardian, policy):
    big = submit(guardian, policy, diagnoses=["C34.1"], items=[{"category": "surgery", "amount_fen": 9_000_000}])
    assert big.status == "manual_review"
    services.claim_documents_add(actor=guardian, claim=big, documents=[("diagnosis", upload())])
    assert big.documents.count() == 2  # the invoice it came with and this one
    paid = submit(guardian, policy)
    with pytest.raises(Exception) as closed:
        services.claim_documents_add(actor=guardian, claim=paid, documents=[("invoice", upload())])
    assert getattr(closed.value, "code", None) == "claim_closed"
    with pytest.raises(ValidationFailed) as too_many:
        services.claim_documents_add(actor=guardian, claim=big, documents=[("invoice", upload())] * 20)
    assert too_many.value.code == "too_many_documents"


def test_the_hospital_is_stored_as_it_was_when_the_claim_was_made(guardian, policy):
    claim = submit(guardian, policy)
    assert claim.hospital == {"code": HOSPITAL, "name": "北京安和医院", "level": 3, "public": True, "city": "北京"}
