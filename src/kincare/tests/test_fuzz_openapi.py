"""Schema fuzz (issue 13): schemathesis generates requests for every operation of the OpenAPI
document; the API must answer each without a server error, and every error in the JSON shape.

Examples per operation and identity are bounded (``KINCARE_FUZZ_EXAMPLES``, default 3 valid
and 1 invalid) and derandomised, so that ``make test`` stays fast and reproducible; raise the
number to fuzz harder. Requests go through Django's test client, inside the test's transaction.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from kincare.accounts.models import User
from kincare.accounts.services.tokens import api_token_create
from kincare.api import api
from kincare.families.tests import factories

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("KINCARE_FUZZ_EXAMPLES", "3"))
SHAPE = {"code", "message", "field"}
#: the OpenAPI document the API serves at /api/v1/openapi.json
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
#: revoking a token can end the fuzzing identity's own credentials: that operation runs last
_ENDS_CREDENTIALS = {("DELETE", "/api/v1/accounts/tokens/{token_id}")}
OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()),
    key=lambda op: (op.method.upper(), op.path) in _ENDS_CREDENTIALS,
)


def _send(client: Client, case: Any, headers: dict[str, str]) -> Any:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(kwargs["url"])
    path = url.path
    sent_headers = {k: v for k, v in kwargs.get("headers", {}).items() if k.lower() not in ("content-length",)}
    sent_headers.update(headers)
    content_type = sent_headers.pop("Content-Type", None) or "application/octet-stream"
    params = kwargs.get("params") or {}
    method = kwargs["method"].lower()
    extra: dict[str, Any] = {"headers": sent_headers, "QUERY_STRING": _query(params)}
    if "files" in kwargs or content_type.startswith("multipart/"):
        form: dict[str, Any] = dict(kwargs.get("data") or {})
        for name, value in _files(kwargs.get("files")):
            form.setdefault(name, []).append(value)
        return client.generic(method.upper(), path, **_multipart(client, form), **extra)
    if "json" in kwargs:
        body: Any = json.dumps(kwargs["json"])
        content_type = "application/json"
    else:
        body = kwargs.get("data", b"")
        if isinstance(body, dict):
            from urllib.parse import urlencode

            body = urlencode(body, doseq=True)
    return client.generic(method.upper(), path, data=body or b"", content_type=content_type, **extra)


def _query(params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=True)


def _files(files: Any) -> list[tuple[str, Any]]:
    out = []
    for item in files or []:
        name, spec = item if isinstance(item, tuple) else (item, files[item])
        content = spec[1] if isinstance(spec, tuple) else spec
        filename = spec[0] if isinstance(spec, tuple) and spec[0] else "file.bin"
        data = content if isinstance(content, bytes) else str(content).encode()
        out.append((name, SimpleUploadedFile(str(filename), data)))
    return out


def _multipart(client: Client, form: dict[str, Any]) -> dict[str, Any]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, form), "content_type": MULTIPART_CONTENT}


def _problem(response: Any) -> str | None:
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code < 400:
        return None
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"{response.status_code} not JSON ({response.get('Content-Type')})"
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{response.status_code} body is not JSON"
    if not isinstance(body, dict) or set(body) != SHAPE or not isinstance(body.get("code"), str):
        return f"{response.status_code} not the error shape: {str(body)[:200]}"
    return None


def _fuzz(client: Client, headers: dict[str, str]) -> tuple[list[str], Counter[int]]:
    problems: list[str] = []
    statuses: Counter[int] = Counter()
    for operation in OPERATIONS:
        for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES), (GenerationMode.NEGATIVE, max(1, EXAMPLES // 2))):
            _run(operation, mode, examples, lambda case: _check(client, case, headers, problems, statuses))
    return problems, statuses


def _run(operation: Any, mode: GenerationMode, examples: int, check: Callable[[Any], None]) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def each(case: Any) -> None:
        check(case)

    try:
        each()
    except Exception as exc:  # a strategy the schema cannot satisfy is not the API's fault
        if type(exc).__name__ not in ("Unsatisfiable", "FailedHealthCheck", "InvalidArgument"):
            raise


def _check(client: Client, case: Any, headers: dict[str, str], problems: list[str], statuses: Counter[int]) -> None:
    response = _send(client, case, headers)
    statuses[response.status_code] += 1
    problem = _problem(response)
    if problem:
        problems.append(f"{case.operation.method.upper()} {case.operation.path}: {problem}")


@pytest.fixture
def family_user() -> User:
    """A guardian (verified) of a family with a child: real ids for the generated requests to hit."""
    user = factories.verified_user()
    factories.member_add(factories.family_for(user))
    return user


def test_anonymous_fuzzing_finds_no_server_error_and_only_json_errors() -> None:
    problems, statuses = _fuzz(Client(raise_request_exception=False), {})
    assert problems == [], "\n".join(sorted(set(problems))[:20])
    assert statuses[401] > 0


def test_fuzzing_with_a_family_token_finds_no_server_error_and_only_json_errors(family_user: User) -> None:
    _token, raw = api_token_create(user=family_user, name="fuzz")
    problems, statuses = _fuzz(Client(raise_request_exception=False), {"Authorization": f"Bearer {raw}"})
    assert problems == [], "\n".join(sorted(set(problems))[:20])
    assert sum(n for status, n in statuses.items() if status < 300) > 0, statuses
    assert statuses[401] < sum(statuses.values()) // 4, statuses  # the token stayed valid throughout


def test_fuzzing_with_a_family_session_finds_no_server_error_and_only_json_errors(family_user: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(family_user)
    problems, statuses = _fuzz(client, {})
    assert problems == [], "\n".join(sorted(set(problems))[:20])
    assert sum(n for status, n in statuses.items() if status < 300) > 0, statuses
