"""Every ``/api/`` and ``/fhir/`` error leaves as JSON ``{"code", "message", "field"}``.

Django answers some requests before (or around) the API's own exception handlers: an unknown
path (404), a wrong method (ninja's empty 405), a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(``RequestDataTooBig``, 413 here), malformed multipart (400), an uncaught exception (500).
``handler400/403/404/500`` (set in ``kincare.urls``) answer those in the JSON shape on API
paths and with Django's pages elsewhere, and ``ApiErrorMiddleware`` turns any remaining
non-JSON error response on an API path into the JSON shape with the status's stable code.

FHIR: errors are the same JSON shape (clients of ``/api/v1/fhir/`` share the API's error
handling); a client that asks for ``Accept: application/fhir+json`` on a FHIR path gets the same
code and message as a FHIR ``OperationOutcome`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults

API_PREFIXES = ("/api/", "/fhir/")
FHIR_PREFIXES = ("/api/v1/fhir/", "/fhir/")
#: HTML pages that live under /api/ (the Swagger UI)
HTML_PATHS = frozenset({"/api/docs"})
FHIR_CONTENT_TYPE = "application/fhir+json"
ERROR_SHAPE = frozenset({"code", "message", "field"})

#: status → (stable code, message) for errors that carry no code of their own
STATUS_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _("请求格式错误")),
    401: ("not_authenticated", _("请先登录或提供有效的访问令牌")),
    403: ("permission_denied", _("没有权限执行此操作")),
    404: ("not_found", _("找不到该对象")),
    405: ("method_not_allowed", _("不支持该请求方法")),
    413: ("too_large", _("请求内容过大")),
    415: ("unsupported_media_type", _("不支持该内容类型")),
    429: ("throttled", _("请求过于频繁，请稍后再试")),
    500: ("server_error", _("服务器内部错误，请稍后重试")),
}
#: FHIR OperationOutcome issue codes by HTTP status
_FHIR_ISSUE = {401: "login", 403: "forbidden", 404: "not-found", 409: "conflict", 413: "too-long", 429: "throttled"}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) and path not in HTML_PATHS


def wants_operation_outcome(request: HttpRequest) -> bool:
    return request.path.startswith(FHIR_PREFIXES) and FHIR_CONTENT_TYPE in request.headers.get("Accept", "")


def status_error(status: int) -> tuple[str, str]:
    code, message = STATUS_ERRORS.get(status, ("server_error" if status >= 500 else "error", _("请求失败")))
    return code, str(message)


def json_error(
    status: int, code: str | None = None, message: str | None = None, field: str | None = None
) -> JsonResponse:
    default_code, default_message = status_error(status)
    body = {"code": code or default_code, "message": message or default_message, "field": field}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def operation_outcome(status: int, body: dict[str, Any]) -> HttpResponse:
    issue: dict[str, Any] = {
        "severity": "error",
        "code": _FHIR_ISSUE.get(status, "processing" if status < 500 else "exception"),
        "details": {"coding": [{"system": "urn:kincare:error-code", "code": str(body.get("code"))}]},
        "diagnostics": str(body.get("message", "")),
    }
    if body.get("field"):
        issue["expression"] = [str(body["field"])]
    outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
    return HttpResponse(json.dumps(outcome, ensure_ascii=False), status=status, content_type=FHIR_CONTENT_TYPE)


def _json_error_body(response: HttpResponse) -> dict[str, Any] | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) and set(body) >= ERROR_SHAPE else None


class ApiErrorMiddleware:
    """On API paths: a non-JSON error response becomes the JSON error shape (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request.path) or response.streaming:
            return response
        body = _json_error_body(response)
        if body is None:
            replacement: HttpResponse = json_error(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            response, body = replacement, json.loads(replacement.content)
        if wants_operation_outcome(request):
            fhir = operation_outcome(response.status_code, body)
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length"):
                    fhir[header] = value
            return fhir
        return response


# Django's error handlers (``handler400`` … in kincare.urls): JSON on API paths, pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(500)
    return defaults.server_error(request)
