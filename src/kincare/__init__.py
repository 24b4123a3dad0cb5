"""kincare: family protection platform."""

from kincare.celery import app as celery_app

__all__ = ["celery_app"]
