"""A campaign from draft to live: the goal cap with platform policies, documents, the engine's
assessment on submission, the reviewer's decisions and the lifecycle's illegal moves."""

from __future__ import annotations

import pytest

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import IllegalTransition
from kincare.core.models import StatusChange
from kincare.crowdfunding import services
from kincare.crowdfunding.form_schemas import campaign_input
from kincare.crowdfunding.models import Campaign, CampaignReview
from kincare.crowdfunding.tests.conftest import campaign_data, pdf
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import years_ago

pytestmark = pytest.mark.usefixtures("catalog")


def test_a_verified_fundraiser_drafts_a_campaign_for_a_family_member(guardian, child):
    campaign = services.campaign_create(actor=guardian, data=campaign_input(campaign_data(patient_member_id=child.pk)))
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.patient_name == child.name and campaign.relationship == "parent"
    assert campaign.goal_cap_fen == 50_000_000 and campaign.hospital_name == "北京安和医院"


def test_an_unverified_user_cannot_raise_money(db):
    user = factories.UserFactory()
    with pytest.raises(PermissionDenied) as caught:
        services.campaign_create(
            actor=user, data=campaign_input(campaign_data(patient_name="张三", patient_resident_id="x"))
        )
    assert caught.value.code == "real_name_required"


def test_a_goal_above_the_cap_is_refused_with_the_cap_explained(guardian, child):
    data = campaign_data(
        patient_member_id=child.pk,
        goal_fen=40_000_000,
        declared_insurance=[{"insurer": "某保险", "product": "重疾险", "expected_payout_fen": 10_000_000}],
        other_aid=[{"source": "大病救助", "amount_fen": 5_000_000}],
    )
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_create(actor=guardian, data=campaign_input(data))
    assert caught.value.code == "goal_above_cap" and caught.value.field == "goal_fen"
    assert "350,000.00" in caught.value.message  # 500,000 − 100,000 − 50,000
    assert not Campaign.objects.exists()


def test_the_platform_policy_the_fundraiser_did_not_declare_still_lowers_the_cap(
    guardian, guardian_member, child, sandbox_pay
):
    """The known fraud: no insurance declared while the platform knows a policy paying most of
    the cost — the cap counts the policy's expected payout and the goal is refused."""
    from kincare.crowdfunding.models import Campaign as C
    from kincare.policies.models import Policy
    from kincare.policies.tests.services_helpers import apply, pay

    application = apply(guardian, code="ci_06", policyholder=guardian_member, insured=[child], plan="si_500k")
    pay(guardian, application, sandbox_pay)
    policy = Policy.objects.get(insured=child)
    # back-date the cover past the waiting period so the claims engine pays the severe illness
    import datetime as dt

    Policy.objects.filter(pk=policy.pk).update(
        effective_at=policy.effective_at - dt.timedelta(days=400),
        first_effective_on=dt.date.today() - dt.timedelta(days=400),
    )
    cost = {"patient_member_id": child.pk, "estimated_cost_fen": 80_000_000}
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_create(actor=guardian, data=campaign_input(campaign_data(goal_fen=40_000_000, **cost)))
    assert caught.value.code == "goal_above_cap"
    assert "300,000.00" in caught.value.message  # 800,000 − the policy's 500,000
    assert not C.objects.exists()
    campaign = services.campaign_create(actor=guardian, data=campaign_input(campaign_data(goal_fen=30_000_000, **cost)))
    assert campaign.expected_payouts_fen == 50_000_000 and campaign.goal_cap_fen == 30_000_000
    assert campaign.platform_insurance[0]["expected_payout_fen"] == 50_000_000


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"goal_fen": 0}, "field_invalid", "goal_fen"),
        ({"goal_fen": -5}, "field_invalid", "goal_fen"),
        ({"goal_fen": "30000"}, "field_invalid", "goal_fen"),
        ({"goal_fen": True}, "field_invalid", "goal_fen"),
        ({"estimated_cost_fen": 10**15}, "field_invalid", "estimated_cost_fen"),
        ({"days": 61}, "field_invalid", "days"),
        ({"relationship": "neighbour"}, "relationship_invalid", "relationship"),
        ({"hospital_code": "XX999"}, "hospital_unknown", "hospital_code"),
        ({"icd10": "Z99.9"}, "diagnosis_unknown", "icd10"),
        ({"title": ""}, "field_invalid", "title"),
        ({"surprise": 1}, "field_unknown", "surprise"),
        ({"patient_member_id": 999999}, "member_not_found", "patient_member_id"),
    ],
)
def test_nasty_input_is_refused_with_a_code_and_changes_nothing(guardian, child, change, code, field):
    data = {**campaign_data(patient_member_id=child.pk), **change}
    with pytest.raises((ValidationFailed, NotFound)) as caught:
        services.campaign_create(actor=guardian, data=campaign_input(data))
    assert caught.value.code == code and caught.value.field == field
    assert not Campaign.objects.exists()


def test_a_patient_outside_the_family_needs_a_valid_resident_id(guardian):
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_create(
            actor=guardian,
            data=campaign_input(campaign_data(patient_name="张三", patient_resident_id="110101199003074478")),
        )
    assert caught.value.field == "patient_resident_id"


def test_someone_elses_family_member_is_not_found(guardian, outsider):
    other = factories.member_add(factories.family_for(factories.verified_user()), name="赵小", birth_date=years_ago(5))
    with pytest.raises(NotFound):
        services.campaign_create(actor=guardian, data=campaign_input(campaign_data(patient_member_id=other.pk)))


def test_submitting_needs_the_diagnosis_and_the_cost_estimate(guardian, child):
    campaign = services.campaign_create(actor=guardian, data=campaign_input(campaign_data(patient_member_id=child.pk)))
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_submit(actor=guardian, campaign=campaign)
    assert caught.value.code == "documents_missing"


def test_a_documented_campaign_is_assessed_and_waits_for_a_reviewer(make_campaign):
    campaign = make_campaign()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert campaign.risk_decision == "approve" and campaign.risk_score == 0
    assert StatusChange.objects.filter(subject_id=str(campaign.pk), to_status="submitted").exists()


def test_liquid_assets_covering_the_goal_are_rejected_by_the_engine(make_campaign):
    campaign = make_campaign(
        finances={"houses": [], "cars": [], "financial_assets_fen": 40_000_000, "annual_income_fen": 0, "debts_fen": 0}
    )
    assert campaign.status == Campaign.Status.REJECTED
    assert campaign.risk_reasons == ["liquid_assets_cover_goal"]
    assert CampaignReview.objects.get(campaign=campaign).action == "reject"


def test_a_second_flat_worth_twice_the_goal_is_flagged_for_review(make_campaign):
    """The other known fraud: two flats and insurance — flagged, with the reason shown."""
    campaign = make_campaign(
        finances={
            "houses": [{"value_fen": 150_000_000, "only_home": True}, {"value_fen": 200_000_000, "only_home": False}],
            "cars": [{"value_fen": 35_000_000}],
            "financial_assets_fen": 0,
            "annual_income_fen": 12_000_000,
            "debts_fen": 0,
        }
    )
    assert campaign.status == Campaign.Status.SUBMITTED
    assert campaign.risk_decision == "review"
    assert {"extra_houses_high_value", "car_value_high"} <= set(campaign.risk_reasons)


def test_the_reviewer_asks_for_information_and_the_fundraiser_resubmits(make_campaign, reviewer, guardian):
    campaign = services.campaign_request_info(
        actor=reviewer, campaign=make_campaign(), reasons=["documents_unclear"], message="请上传清晰的诊断证明"
    )
    assert campaign.status == Campaign.Status.NEEDS_INFO
    services.campaign_documents_add(actor=guardian, campaign=campaign, documents=[("diagnosis", pdf())])
    campaign = services.campaign_submit(actor=guardian, campaign=campaign)
    assert campaign.status == Campaign.Status.SUBMITTED


def test_the_reviewer_approves_and_the_campaign_goes_live_with_a_public_escrow(make_campaign, reviewer):
    from kincare.core.ledger.models import Account

    campaign = services.campaign_approve(actor=reviewer, campaign=make_campaign())
    assert campaign.status == Campaign.Status.LIVE and campaign.live_at is not None
    escrow = Account.objects.get(code=f"campaign:{campaign.pk}:escrow")
    assert escrow.public and not escrow.allow_negative


def test_only_a_campaign_reviewer_decides(make_campaign, guardian, underwriter):
    campaign = make_campaign()
    for actor in (guardian, underwriter):
        with pytest.raises(PermissionDenied):
            services.campaign_approve(actor=actor, campaign=campaign)


def test_a_reject_needs_a_listed_reason(make_campaign, reviewer):
    with pytest.raises(ValidationFailed):
        services.campaign_reject(actor=reviewer, campaign=make_campaign(), reasons=[])
    with pytest.raises(ValidationFailed):
        services.campaign_reject(actor=reviewer, campaign=make_campaign(), reasons=["because"])


@pytest.mark.parametrize("move", ["approve_twice", "submit_live", "end_draft", "edit_live"])
def test_the_lifecycles_illegal_moves_are_refused(make_campaign, reviewer, guardian, move):
    live = services.campaign_approve(actor=reviewer, campaign=make_campaign())
    draft = make_campaign(submit=False)
    attempts = {
        "approve_twice": lambda: services.campaign_approve(actor=reviewer, campaign=live),
        "submit_live": lambda: services.campaign_submit(actor=guardian, campaign=live),
        "end_draft": lambda: services.campaign_end(actor=guardian, campaign=draft),
        # valid input (parsed at the edge first): the live campaign's state is what refuses the edit
        "edit_live": lambda: services.campaign_update(
            actor=guardian,
            campaign=live,
            data=campaign_input(campaign_data(patient_name="张三", patient_resident_id="110101199003074478")),
        ),
    }
    with pytest.raises((IllegalTransition, Conflict)):
        attempts[move]()


def test_a_blacklisted_fundraiser_is_rejected_on_the_next_submission(make_campaign, reviewer):
    first = make_campaign()
    services.fundraiser_blacklist(actor=reviewer, campaign=first, reason="伪造诊断证明")
    second = make_campaign()
    assert second.status == Campaign.Status.REJECTED
    assert "fundraiser_blacklisted" in second.risk_reasons


def test_another_active_campaign_for_the_same_patient_is_flagged(make_campaign):
    make_campaign()
    second = make_campaign()
    assert "duplicate_patient_campaign" in second.risk_reasons


def test_a_fundraiser_account_a_few_days_old_is_flagged(make_campaign, guardian):
    from django.utils import timezone

    from kincare.accounts.models import User

    User.objects.filter(pk=guardian.pk).update(date_joined=timezone.now())
    campaign = make_campaign()
    assert campaign.risk_reasons == ["new_fundraiser_account"] and campaign.risk_decision == "review"


def test_raising_money_for_a_member_with_an_account_needs_their_health_grant(guardian, adult_row):
    data = campaign_data(patient_member_id=adult_row.pk, relationship="spouse")
    with pytest.raises(PermissionDenied) as caught:
        services.campaign_create(actor=guardian, data=campaign_input(data))
    assert caught.value.code == "health_grant_required"
    assert not Campaign.objects.exists()


def test_with_the_grant_the_fundraiser_raises_money_for_that_member(guardian, guardian_member, adult_member, adult_row):
    from kincare.families.services.health import consent_give, health_grant_give

    consent_give(actor=adult_member, member=adult_row)
    health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    campaign = services.campaign_create(
        actor=guardian, data=campaign_input(campaign_data(patient_member_id=adult_row.pk, relationship="spouse"))
    )
    assert campaign.patient_member_id == adult_row.pk


def test_a_family_member_typed_in_by_resident_id_is_taken_as_that_member(guardian, child):
    data = campaign_data(patient_name=child.name, patient_resident_id=child.resident_id)
    campaign = services.campaign_create(actor=guardian, data=campaign_input(data))
    assert campaign.patient_member_id == child.pk  # so the child's platform policies count against the cap


def test_only_one_house_can_be_the_only_home(guardian, child):
    houses = [{"value_fen": 100_000_000, "only_home": True}, {"value_fen": 90_000_000, "only_home": True}]
    data = campaign_data(patient_member_id=child.pk, finances={"houses": houses})
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_create(actor=guardian, data=campaign_input(data))
    assert caught.value.code == "only_home_twice"
