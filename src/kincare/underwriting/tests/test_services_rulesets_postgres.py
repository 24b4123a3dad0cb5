"""On PostgreSQL: two drafts of one rule table activated at the same moment leave exactly one active."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.underwriting.models import RuleSet
from kincare.underwriting.services import ruleset_activate, ruleset_create
from kincare.underwriting.tests.helpers import QUESTIONNAIRE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]


def _together(fn, jobs):
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait(timeout=10)
            return fn(job)
        except Exception as exc:  # the outcome of each thread is what the test looks at
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(worker, jobs))


def _draft(underwriter, active: RuleSet, n: int) -> RuleSet:
    data = json.loads(active.content)
    for node in data["nodes"]:
        if node.get("type") == "decisionTableNode":
            node["name"] = f"{node.get('name', 'table')} v{n}"
    return ruleset_create(
        actor=underwriter,
        questionnaire=QUESTIONNAIRE,
        condition="hypertension",
        content=json.dumps(data, ensure_ascii=False),
        note=f"draft {n}",
    )


@pytest.mark.parametrize("drafts", [2, 4])
def test_drafts_of_one_table_activated_together_leave_one_active_and_the_rest_in_order(underwriter, drafts):
    active = RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension", status="active")
    made = [_draft(underwriter, active, n) for n in range(1, drafts + 1)]

    results = _together(lambda ruleset: ruleset_activate(actor=underwriter, ruleset=ruleset), made)

    # the activations took turns: each one retired the version the one before made active
    assert all(isinstance(r, RuleSet) for r in results), results
    rows = RuleSet.objects.filter(questionnaire=QUESTIONNAIRE, condition="hypertension")
    [now_active] = rows.filter(status="active")
    assert now_active.pk in {r.pk for r in made}
    assert rows.filter(pk__in=[r.pk for r in made], status="retired").count() == drafts - 1
    assert not rows.filter(status="draft").exists()
    active.refresh_from_db()
    assert active.status == RuleSet.Status.RETIRED
