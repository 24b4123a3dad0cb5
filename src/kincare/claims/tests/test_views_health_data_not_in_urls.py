"""Health data never goes into a URL (nor so into an access log): the diagnosis search and pick of the
claim form and of the crowdfunding form, the questionnaire's follow-up fields and the family health
record's condition fields are htmx POSTs (the CSRF token rides in the ``X-CSRFToken`` header that
``base.html`` sets for every htmx request), and their views refuse GET."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import kincare
from kincare.claims.tests.page_helpers import body, medical_policy
from kincare.families.services import consent_give
from kincare.policies.tests.page_helpers import application_for

#: an hx-get that would carry a diagnosis, a condition or a health answer in its URL
HEALTH_IN_URL = re.compile(r"diagnos|condition|health|fields_url|icd|q_", re.IGNORECASE)
HX_GET = re.compile(r"hx-get\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
TEMPLATES = sorted(Path(kincare.__file__).parent.glob("**/templates/**/*.html"))


def _health_gets(html: str) -> list[str]:
    return [value for value in HX_GET.findall(html) if HEALTH_IN_URL.search(value)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("/kincare/", 1)[-1])
def test_no_template_puts_a_diagnosis_or_health_answer_in_an_hx_get_url(template):
    assert _health_gets(template.read_text(encoding="utf-8")) == []


def test_the_claim_form_searches_and_picks_diagnoses_by_post(catalog, guardian, guardian_member, sandbox_pay, g):
    policy = medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)
    page = body(g.get(f"{reverse('claims:new')}?policy={policy.pk}"))
    assert f'hx-post="{reverse("claims:diagnosis_search")}"' in page
    results = body(g.post(reverse("claims:diagnosis_search"), {"diagnosis_q": "阑尾"}))
    assert 'data-code="K35.8"' in results and f'hx-post="{reverse("claims:diagnosis_pick")}"' in results
    for html in (page, results):
        assert _health_gets(html) == [] and "?code=" not in html


def test_the_crowdfunding_form_searches_and_picks_diagnoses_by_post(g):
    page = body(g.get(reverse("crowdfunding:new")))
    assert f'hx-post="{reverse("crowdfunding:diagnosis_search")}"' in page
    results = body(g.post(reverse("crowdfunding:diagnosis_search"), {"diagnosis_q": "白血病"}))
    assert f'hx-post="{reverse("crowdfunding:diagnosis_pick")}"' in results
    picked = g.post(reverse("crowdfunding:diagnosis_pick"), {"code": "C91.0"})
    assert picked.status_code == 200
    for html in (page, results):
        assert _health_gets(html) == [] and "?code=" not in html


def test_the_questionnaire_and_the_health_record_ask_for_follow_up_fields_by_post(
    catalog, guardian, guardian_member, grandparent, g
):
    application = application_for(guardian, guardian_member, [grandparent])
    questionnaire = body(g.get(reverse("policies:health", args=[application.pk, grandparent.pk])))
    consent_give(actor=guardian, member=guardian_member)
    record = body(g.get(reverse("families:health", args=[guardian_member.pk])))
    assert "hx-post=" in questionnaire, "questionnaire"
    assert "hx-post=" in record, "record"
    for html in (questionnaire, record):
        assert _health_gets(html) == []


def test_the_health_partials_refuse_get(catalog, guardian, guardian_member, grandparent, g):
    application = application_for(guardian, guardian_member, [grandparent])
    fields = reverse("policies:health_fields", args=[application.pk, grandparent.pk, "hypertension"])
    for url, query in (
        (reverse("claims:diagnosis_search"), {"diagnosis_q": "阑尾"}),
        (reverse("claims:diagnosis_pick"), {"code": "K35.8"}),
        (reverse("crowdfunding:diagnosis_search"), {"diagnosis_q": "白血病"}),
        (reverse("crowdfunding:diagnosis_pick"), {"code": "C91.0"}),
        (reverse("families:condition_fields"), {"code": "diabetes"}),
        (fields, {"q_hypertension": "yes"}),
    ):
        assert g.get(url, query).status_code == 405, url
