"""The claim path's query count: submitting a claim with its invoice through the API, adjudicated,
approved and paid in the same request (documents stored, accumulators locked, the ledger posted),
stays within a measured bound, so an N+1 that creeps in fails here."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from kincare.claims.tests.api_helpers import API, client_for, example_body, medical_policy, ok
from kincare.claims.tests.services_helpers import unique_pdf

#: measured with cold caches (this test alone): SQLite 38, PostgreSQL 35 (see docs/decisions.md)
MAX_QUERIES = {"sqlite": 38, "postgresql": 35}


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def test_submitting_a_claim_that_is_paid_at_once_stays_within_its_query_budget(
    guardian, guardian_member, guardian_policy, django_assert_max_num_queries
):
    client = client_for(guardian)
    payload = json.dumps(example_body(guardian_policy, guardian_member))
    invoice = SimpleUploadedFile("发票.pdf", unique_pdf(), content_type="application/pdf")
    with django_assert_max_num_queries(MAX_QUERIES[connection.vendor]):
        claim = ok(client.post(f"{API}/with-documents", {"payload": payload, "doc_invoice": [invoice]}), 201)
    assert (claim["status"], claim["payout_fen"]) == ("paid", 300_000)
