from django.conf import settings


def test_every_scheduled_job_names_a_registered_task():
    from kincare.celery import app

    app.loader.import_default_modules()
    app.autodiscover_tasks(["kincare.core.ledger", "kincare.core.payments", "kincare.accounts"], force=True)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_the_embedded_default_runs_tasks_eagerly_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
