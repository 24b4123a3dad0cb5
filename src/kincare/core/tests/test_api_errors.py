import pytest


def test_the_openapi_schema_and_docs_are_served(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower() or b"static" in response.content


@pytest.mark.django_db
def test_an_unauthenticated_call_gets_a_json_error_with_a_stable_code(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_not_found_or_plain_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404


@pytest.mark.django_db
def test_responses_carry_a_request_id_and_security_headers(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response["X-Request-ID"] == "abc-123"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id!"})["X-Request-ID"] != "bad id!"
