"""Issue 13, defect 6: a Content-Security-Policy everywhere; no-store on personal data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kincare.accounts.models import User

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


@pytest.fixture
def member() -> User:
    return User.objects.create_user("13900002222", "correct-horse-42")


@pytest.mark.parametrize(
    "path", ["/", "/catalog/", "/accounts/login/", "/api/docs", "/api/v1/openapi.json", "/nowhere"]
)
def test_every_response_carries_a_content_security_policy_without_inline_scripts(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/accounts/me", "/api/v1/no-such-thing"])
def test_api_responses_are_never_stored_by_caches(client, path):
    assert "no-store" in client.get(path)["Cache-Control"]


def test_every_page_for_a_signed_in_user_is_never_stored(client, member):
    client.force_login(member)
    for path in ("/family/", "/catalog/", "/notifications/"):
        response = client.get(path, follow=True)
        assert "no-store" in response["Cache-Control"], path


def test_an_anonymous_public_page_is_not_marked_no_store(client):
    assert "no-store" not in client.get("/catalog/").get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_event_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(template.relative_to(SRC)))
    assert offenders == []
