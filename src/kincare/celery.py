"""Celery application. Eager in the embedded default; a Redis broker in production."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kincare.settings")

app = Celery("kincare")
app.config_from_object("django.conf:settings", namespace="CELERY")
# every installed app's tasks.py (Django apps are read lazily, after settings load)
app.autodiscover_tasks()
