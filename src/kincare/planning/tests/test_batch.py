"""``kincare replan-all`` on a LocalCluster: every family planned once, in partitions, resumable."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from kincare.families.models import Family
from kincare.planning.batch import replan_all
from kincare.planning.models import FamilyPlan, ReplanRun
from kincare.planning.synthetic import synthetic_families_create

# the workers read and write the database: the test's data must be committed
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]


@pytest.fixture(scope="module")
def scheduler():  # type: ignore[no-untyped-def]
    """A LocalCluster of one worker thread: it shares the test database settings (a worker process
    would read the settings from the environment and open the production database)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0", silence_logs=logging.ERROR
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(autouse=True)
def _threads(settings):  # type: ignore[no-untyped-def]
    settings.PLANNING_DASK_PROCESSES = False


@pytest.fixture
def families(transactional_db):  # type: ignore[no-untyped-def]
    synthetic_families_create(7, seed=11)
    return list(Family.objects.order_by("pk"))


def nightly(family: Family) -> int:
    return FamilyPlan.objects.filter(family=family, trigger="nightly").count()


def test_it_plans_every_family_once_in_partitions(families, scheduler):
    result = replan_all(scheduler=scheduler, partition_size=3)
    assert result.finished and result.families == 7 and result.partitions == 3
    assert all(nightly(f) == 1 for f in families)
    plan = FamilyPlan.objects.filter(trigger="nightly").first()
    assert plan.inputs["members"] and plan.result["members"] and plan.run_id == result.run_id
    assert ReplanRun.objects.get(pk=result.run_id).status == ReplanRun.Status.DONE


def test_an_interrupted_run_resumes_without_redoing_a_finished_partition(families, scheduler):
    first = replan_all(scheduler=scheduler, partition_size=3, limit_partitions=1)
    assert not first.finished and first.families == 3
    assert [nightly(f) for f in families] == [1, 1, 1, 0, 0, 0, 0]
    second = replan_all(scheduler=scheduler, partition_size=3)
    assert second.resumed and second.run_id == first.run_id
    assert second.skipped_partitions == 1 and second.families == 4 and second.finished
    assert all(nightly(f) == 1 for f in families)
    third = replan_all(scheduler=scheduler, partition_size=3)  # a new night: a new run
    assert not third.resumed and third.families == 7
    assert all(nightly(f) == 2 for f in families)


def test_the_plans_match_the_engine_run_in_the_request(families, scheduler):
    from kincare.planning.catalog import planning_catalog_current
    from kincare.planning.engine import plan_family
    from kincare.planning.services import family_input

    replan_all(scheduler=scheduler, partition_size=4)
    for family in families[:3]:
        stored = FamilyPlan.objects.get(family=family, trigger="nightly")
        again = plan_family(family_input(family, as_of=stored.as_of), planning_catalog_current()).as_json()
        assert stored.result["items"] == again["items"]


def test_the_command_prints_its_throughput(families, scheduler):
    out = StringIO()
    call_command("replan_all", "--scheduler", scheduler, "--partition-size", "5", "--json", "--no-progress", stdout=out)
    result = json.loads(out.getvalue())
    assert result["families"] == 7 and result["finished"] and result["families_per_s"] > 0


def test_a_local_cluster_is_started_when_no_scheduler_is_given(families):
    result = replan_all(workers=1, partition_size=10)
    assert result.finished and result.families == 7 and result.workers == 1


def test_the_nightly_task_runs_on_the_configured_scheduler(families, scheduler, settings):
    from kincare.planning.tasks import replan_all_task

    settings.PLANNING_DASK_SCHEDULER = scheduler
    assert replan_all_task() == 7  # the task body, as the beat schedule runs it
    assert "planning-replan-all-nightly" in settings.CELERY_BEAT_SCHEDULE


def test_operators_follow_the_runs_in_the_console(families, scheduler, client):
    from kincare.accounts.models import User

    result = replan_all(scheduler=scheduler, partition_size=3)
    admin = User.objects.create_superuser("13900009999", "Admin-pass-2026!")
    client.force_login(admin)
    response = client.get("/admin/planning/replanrun/")
    assert response.status_code == 200 and "3 / 3" in response.content.decode()
    assert client.get(f"/admin/planning/replanrun/{result.run_id}/change/").status_code == 200


def test_the_nightly_run_drops_plans_older_than_the_retention(families, scheduler):
    import datetime as dt

    from django.utils import timezone

    replan_all(scheduler=scheduler, partition_size=10)
    FamilyPlan.objects.update(created_at=timezone.now() - dt.timedelta(days=91))
    replan_all(scheduler=scheduler, partition_size=10)
    assert all(FamilyPlan.objects.filter(family=f).count() == 1 for f in families)
