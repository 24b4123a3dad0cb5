"""Test-wide fixtures: database-kind markers, fast hashing, eager Celery."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    skip_browser = pytest.mark.skip(reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    has_browser = shutil.which("chromium") is not None or shutil.which("/usr/bin/chromium") is not None
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Every test starts in the default language: a page requested in English earlier in the
    same thread (LocaleMiddleware activates it) must not leak into the next test's strings."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Private uploads go to a temporary folder, never to var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.getbasetemp() / "private"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: Any) -> None:
    # Argon2 is the production hasher (tested in accounts); tests hash fast.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # a local-memory cache outlives the test: login throttles, cached progress
