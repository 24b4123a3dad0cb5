"""Plans are computed from the database, stored with their inputs, and re-planned by the
services that change those inputs (after their commit, once per transaction)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from kincare.core.errors import NotFound, ValidationFailed
from kincare.families import services as family_services
from kincare.families.tests import factories
from kincare.planning import services
from kincare.planning.catalog import catalog_from_db
from kincare.planning.engine import plan_family
from kincare.planning.engine.shipped import load_planning_catalog
from kincare.planning.models import FamilyPlan, PlanSettings
from kincare.planning.schemas import PlanRequest
from kincare.planning.selectors import plan_view
from kincare.policies.services import external_policy_add
from kincare.policies.tests.fixtures import client_for, hypertension, years_ago

pytestmark = pytest.mark.usefixtures("catalog")


def plans(family: Any) -> list[FamilyPlan]:
    return list(FamilyPlan.objects.filter(family=family).order_by("id"))


def test_the_first_plan_is_computed_once_and_stored_with_its_inputs(guardian, family, child):
    family_services.member_update(
        actor=guardian, member=family.members.get(user=guardian), annual_income_fen=20_000_000
    )
    plan = services.family_plan_ensure(actor=guardian, family=family)
    assert plan.trigger == "first"
    assert {m["member_id"] for m in plan.inputs["members"]} == {
        str(child.pk),
        str(plan.inputs["members"][0]["member_id"]),
    }
    assert plan.result["items"] and plan.total_premium_fen == sum(i["premium_fen"] for i in plan.result["items"])
    assert services.family_plan_ensure(actor=guardian, family=family).pk == plan.pk


def test_an_outsider_cannot_compute_anothers_plan(family, outsider):
    with pytest.raises(NotFound):
        services.family_plan_ensure(actor=outsider, family=family)


def test_the_database_catalog_plans_exactly_like_the_shipped_files(guardian, family, child, grandparent):
    family_services.member_update(
        actor=guardian, member=family.members.get(user=guardian), annual_income_fen=25_000_000
    )
    inputs = services.family_input(family)
    from_db = plan_family(inputs, catalog_from_db()).as_json()
    from_files = plan_family(inputs, load_planning_catalog()).as_json()
    assert from_db["items"] == from_files["items"]
    assert from_db["members"] == from_files["members"]


def test_adding_a_member_replans_after_the_commit(guardian, family, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        child = factories.member_add(family, name="王小红", birth_date=years_ago(3), sex="F")
    (plan,) = plans(family)
    assert plan.trigger == "member_added"
    assert str(child.pk) in {m["member_id"] for m in plan.inputs["members"]}


def test_an_income_change_replans_and_other_edits_do_not(guardian, family, django_capture_on_commit_callbacks):
    me = family.members.get(user=guardian)
    with django_capture_on_commit_callbacks(execute=True):
        family_services.member_update(actor=guardian, member=me, city="北京")
    assert plans(family) == []
    with django_capture_on_commit_callbacks(execute=True):
        family_services.member_update(actor=guardian, member=me, annual_income_fen=30_000_000)
    (plan,) = plans(family)
    assert plan.trigger == "income_changed" and plan.budget_fen == 2_400_000


def test_a_new_diagnosis_replans_with_the_declared_condition(guardian, family, django_capture_on_commit_callbacks):
    me = family.members.get(user=guardian)
    with django_capture_on_commit_callbacks(execute=True):
        family_services.consent_give(actor=guardian, member=me)
    with django_capture_on_commit_callbacks(execute=True):
        family_services.declaration_add(actor=guardian, member=me, **hypertension(grade=2))
    plan = plans(family)[-1]
    assert plan.trigger == "declaration_changed"
    (mine,) = [m for m in plan.inputs["members"] if m["member_id"] == str(me.pk)]
    assert mine["conditions"][0]["code"] == "hypertension"


def test_a_withdrawn_consent_takes_the_declarations_out_of_the_plan(
    guardian, family, django_capture_on_commit_callbacks
):
    me = family.members.get(user=guardian)
    with django_capture_on_commit_callbacks(execute=True):
        family_services.consent_give(actor=guardian, member=me)
        family_services.declaration_add(actor=guardian, member=me, **hypertension())
    with django_capture_on_commit_callbacks(execute=True):
        family_services.consent_withdraw(actor=guardian, member=me)
    (mine,) = [m for m in plans(family)[-1].inputs["members"] if m["member_id"] == str(me.pk)]
    assert mine["conditions"] == []


def test_recording_an_external_policy_replans(guardian, family, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        child = factories.member_add(family, name="王小明", birth_date=years_ago(8))
    with django_capture_on_commit_callbacks(execute=True):
        external_policy_add(
            actor=guardian,
            insured=child,
            insurer_name="某保险",
            product_name="少儿意外",
            category="accident",
            sum_insured_fen=20_000_000,
            premium_fen=10_000,
            starts_on=timezone.localdate() - dt.timedelta(days=10),
        )
    plan = plans(family)[-1]
    assert plan.trigger == "external_changed"
    child_row = next(m for m in plan.result["members"] if m["member_id"] == str(child.pk))
    assert child_row["categories"]["accident"]["existing_fen"] == 20_000_000


def test_several_changes_in_one_transaction_replan_once_with_every_reason(
    guardian, family, django_capture_on_commit_callbacks
):
    me = family.members.get(user=guardian)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        family_services.member_update(actor=guardian, member=me, annual_income_fen=12_000_000)
        factories.member_add(family, name="王小红", birth_date=years_ago(3), sex="F")
    (plan,) = plans(family)
    assert set(plan.trigger.split(",")) == {"income_changed", "member_added"}


def test_a_rolled_back_change_asks_for_no_plan(guardian, family, django_capture_on_commit_callbacks):
    me = family.members.get(user=guardian)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                family_services.member_update(actor=guardian, member=me, annual_income_fen=12_000_000)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert plans(family) == []


def test_a_planning_failure_never_undoes_the_change_that_asked_for_it(
    guardian, family, django_capture_on_commit_callbacks
):
    me = family.members.get(user=guardian)
    with (
        mock.patch("kincare.planning.services.plan_family", side_effect=RuntimeError("engine down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        family_services.member_update(actor=guardian, member=me, annual_income_fen=12_000_000)
    me.refresh_from_db()
    assert me.annual_income_fen == 12_000_000 and plans(family) == []


def test_a_family_budget_replans_and_is_kept_for_later_plans(
    guardian, family, child, django_capture_on_commit_callbacks
):
    plan = services.family_budget_set(actor=guardian, family=family, budget_fen=500_000)
    assert plan.trigger == "budget" and plan.budget_fen == 500_000 and not plan.budget_is_default
    assert plan.total_premium_fen <= 500_000
    with django_capture_on_commit_callbacks(execute=True):
        factories.member_add(family, name="王小红", birth_date=years_ago(3), sex="F")
    assert plans(family)[-1].budget_fen == 500_000
    back = services.family_budget_set(actor=guardian, family=family, budget_fen=None)
    assert back.budget_is_default and PlanSettings.objects.get(family=family).budget_fen is None


@pytest.mark.parametrize(
    ("budget", "code"),
    [
        (-1, "budget_out_of_range"),
        (10**14, "budget_out_of_range"),
        ("100", "budget_invalid"),
        (True, "budget_invalid"),
        (1.5, "budget_invalid"),
    ],
)
def test_a_nasty_budget_is_refused_and_changes_nothing(guardian, family, budget, code):
    # the schema is the one place that parses a budget; the API answers its code
    with pytest.raises(ValidationFailed) as caught:
        PlanRequest.model_validate({"budget_fen": budget})
    assert (caught.value.code, caught.value.field) == (code, "budget_fen")
    response = client_for(guardian).post(
        f"/api/v1/families/{family.pk}/plan", json.dumps({"budget_fen": budget}), content_type="application/json"
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, "budget_fen")
    assert not PlanSettings.objects.filter(family=family).exists() and plans(family) == []


def test_another_adult_may_set_the_budget_but_an_outsider_may_not(family, adult_member, outsider):
    assert services.family_budget_set(actor=adult_member, family=family, budget_fen=300_000).budget_fen == 300_000
    with pytest.raises(NotFound):
        services.family_budget_set(actor=outsider, family=family, budget_fen=300_000)


def test_the_page_tells_what_changed_since_the_last_plan(guardian, family, django_capture_on_commit_callbacks):
    services.family_plan_ensure(actor=guardian, family=family)
    with django_capture_on_commit_callbacks(execute=True):
        factories.member_add(family, name="王小红", birth_date=years_ago(3), sex="F")
    view = plan_view(user=guardian, family=family, plan=plans(family)[-1])
    assert any("王小红" in line for line in view.changes)
    assert view.trigger_labels == ["新增家庭成员"]


def test_an_issued_policy_replans_and_its_product_is_not_offered_again(
    guardian, guardian_member, family, sandbox_pay, django_capture_on_commit_callbacks
):
    from kincare.policies.tests.services_helpers import CHILD_ACCIDENT, apply, pay

    with django_capture_on_commit_callbacks(execute=True):
        family_services.member_update(actor=guardian, member=guardian_member, annual_income_fen=20_000_000)
        child = factories.member_add(family, name="王小明", birth_date=years_ago(8))
    application = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    pay(guardian, application, sandbox_pay)
    plan = plans(family)[-1]
    assert "policy_issued" in plan.trigger.split(",")
    child_row = next(m for m in plan.result["members"] if m["member_id"] == str(child.pk))
    assert child_row["categories"]["accident"]["existing_fen"] == 20_000_000
    assert not any(
        i["product_code"] == CHILD_ACCIDENT and i["member_id"] == str(child.pk) for i in plan.result["items"]
    )
