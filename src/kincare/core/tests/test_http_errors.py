"""Issue 13, defects 2 and 3: every /api/ error is the JSON shape; anonymous writes get 401."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.accounts.services.tokens import api_token_create

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "field"}


@pytest.fixture
def member() -> User:
    return User.objects.create_user("13900001111", "correct-horse-42")


def bearer(user: User) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == SHAPE, body
    assert body["code"] == code and body["message"]
    return body


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/nothing/here", "/api/v1/families/abc", "/fhir/Patient/1"]
)
def test_it_answers_an_unknown_api_path_with_a_json_not_found(path):
    json_error(Client().get(path), 404, "not_found")


def test_it_answers_a_wrong_method_with_a_json_405_that_keeps_the_allow_header(member):
    response = Client().delete("/api/v1/families/mine", headers=bearer(member))
    json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_it_answers_malformed_json_with_a_translated_400(member):
    response = Client().post(
        "/api/v1/families/", data="{not json", content_type="application/json", headers=bearer(member)
    )
    assert json_error(response, 400, "bad_request")["message"] == "请求格式错误"


def test_it_answers_malformed_multipart_with_a_json_400(member):
    body = b'--xyz\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{}'  # never closed
    response = Client().post(
        "/api/v1/claims/with-documents",
        data=body,
        content_type="multipart/form-data; boundary=",  # an empty boundary is invalid
        headers=bearer(member),
    )
    json_error(response, 400, "bad_request")


def test_it_answers_a_body_over_the_upload_limit_with_a_json_413(member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    big = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    response = Client().post("/api/v1/families/", data=big, content_type="application/json", headers=bearer(member))
    json_error(response, 413, "too_large")


def test_a_body_over_the_upload_limit_on_a_page_keeps_djangos_400(member):
    client = Client()
    client.force_login(member)
    response = client.post("/notifications/", data="x=" + "y" * (3 * 1024 * 1024), content_type="text/plain")
    assert response.status_code in (302, 400)


def test_it_answers_an_unexpected_exception_with_a_json_500(member, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kincare.families.api.selectors.family_get_for_user", boom)
    response = Client(raise_request_exception=False).get("/api/v1/families/mine", headers=bearer(member))
    body = json_error(response, 500, "server_error")
    assert "boom" not in body["message"]


def test_a_server_error_handler_answers_json_on_api_paths_and_html_elsewhere(rf):
    from kincare.core.http_errors import server_error

    api = server_error(rf.get("/api/v1/families/mine"))
    assert api.status_code == 500 and json.loads(api.content)["code"] == "server_error"
    page = server_error(rf.get("/family/"))
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


def test_a_fhir_client_asking_for_fhir_json_gets_an_operation_outcome():
    response = Client().get("/api/v1/fhir/Patient/999999", headers={"Accept": "application/fhir+json"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/fhir+json"
    outcome = json.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "login"
    assert outcome["issue"][0]["details"]["coding"][0]["code"] == "not_authenticated"


# --- defect 3 ----------------------------------------------------------------------------


def test_an_anonymous_write_gets_401_with_the_login_code_not_a_csrf_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/families/", data="{}", content_type="application/json")
    json_error(response, 401, "not_authenticated")


def test_a_session_write_without_the_csrf_token_gets_403_csrf_failed_in_the_users_language(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/api/v1/families/", data="{}", content_type="application/json")
    body = json_error(response, 403, "csrf_failed")
    assert "CSRF" in body["message"] and "Failed" not in body["message"]


def test_a_session_read_needs_no_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get("/api/v1/accounts/me").status_code == 200
