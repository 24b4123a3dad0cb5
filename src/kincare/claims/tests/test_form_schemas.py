"""A claim is parsed once, at the edge (``claim_draft``: the API, the page, FHIR and these tests);
``claim_submit`` takes the draft and checks only the actor, the policy and the claim type."""

from __future__ import annotations

import pytest

from kincare.claims.form_schemas import claim_draft, invoice_hash
from kincare.claims.tests.services_helpers import SERVICE_START, example
from kincare.core.errors import ValidationFailed


def test_a_draft_carries_typed_values_and_only_the_invoices_hashes():
    draft = claim_draft(**example(service_start=SERVICE_START.isoformat(), invoice_numbers=[" INV-1 ", "INV-1"]))
    assert draft.service_start == SERVICE_START and draft.hospital.code == example()["hospital_code"]
    assert draft.total_fen == 2_530_000 and draft.diagnoses == ["K35.8"]
    assert draft.invoice_hashes == [invoice_hash("INV-1")]


def test_a_critical_illness_draft_may_have_no_items_and_a_medical_one_may_not():
    assert claim_draft(**example(claim_type="critical_illness", items=[], social_insurance_paid_fen=0)).items == []
    with pytest.raises(ValidationFailed) as refused:
        claim_draft(**example(items=[]))
    assert (refused.value.code, refused.value.field) == ("items_invalid", "items")
