"""The one JSON API: ``/api/v1/`` with OpenAPI docs at ``/api/docs``.

Every error leaves as ``{"code", "message", "field"}`` with a stable code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from kincare.accounts.auth import api_auth
from kincare.core.errors import DomainError, Throttled
from kincare.core.http_errors import status_error

api = NinjaAPI(
    title="kincare API",
    version="1",
    description=(
        "Family protection platform API. Authenticate with `Authorization: Bearer <token>` "
        "(partner and app tokens) or a browser session. Errors are JSON "
        '`{"code", "message", "field"}`; money is integer fen.'
    ),
    auth=api_auth,
    urls_namespace="api",
    docs=Swagger(),
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


def _field_from_loc(loc: tuple[Any, ...] | list[Any]) -> str | None:
    # ninja prefixes locations with the parameter source ("body", "payload", "query", …)
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie", "file")]
    if parts and parts[0] in ("payload", "data", "filters"):
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    message = first.get("msg") or _("输入有误")
    if isinstance(message, str) and message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return _error(request, 422, "validation_error", str(message), _field_from_loc(first.get("loc", ())))


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message, exc.field)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, Throttled) and retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("请先登录或提供有效的访问令牌"))


@api.exception_handler(AuthorizationError)
def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("没有权限执行此操作"))


@api.exception_handler(DjangoPermissionDenied)
def on_django_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("没有权限执行此操作"))


@api.exception_handler(Http404)
def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("找不到该对象"))


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, "not_found", _("找不到该对象"))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, default_message = status_error(exc.status_code)
    # ninja's own 400s ("Cannot parse request body") are English: say it in the user's language
    message = default_message if exc.status_code == 400 else str(exc)
    return _error(request, exc.status_code, code, message)


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, *status_error(413))


@api.exception_handler(MultiPartParserError)
def on_malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, *status_error(400))


@api.exception_handler(BadRequest)
def on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return _error(request, 400, *status_error(400))


@api.exception_handler(SuspiciousOperation)
def on_suspicious_operation(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, 400, *status_error(400))


def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI at ``/api/docs`` (the schema itself is ``/api/v1/openapi.json``)."""
    return api.docs.render_page(request, api)


def _register_routers() -> None:
    from kincare.accounts.api import router as accounts_router
    from kincare.catalog.api import router as catalog_router
    from kincare.catalog.fhir import fhir_router as catalog_fhir_router
    from kincare.claims.api import router as claims_router
    from kincare.claims.fhir import fhir_router as claims_fhir_router
    from kincare.core.payments.api import router as payments_router
    from kincare.crowdfunding.api import router as crowdfunding_router
    from kincare.families.api import router as families_router
    from kincare.families.fhir import fhir_router as families_fhir_router
    from kincare.planning.api import router as planning_router
    from kincare.policies.api import router as policies_router
    from kincare.policies.fhir import fhir_router as policies_fhir_router
    from kincare.underwriting.api import router as underwriting_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/families", families_router)
    api.add_router("/families", planning_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/payments", payments_router)
    api.add_router("/fhir", families_fhir_router)
    api.add_router("/fhir", catalog_fhir_router)
    api.add_router("/underwriting", underwriting_router)
    api.add_router("/policies", policies_router)
    api.add_router("/fhir", policies_fhir_router)
    api.add_router("/claims", claims_router)
    api.add_router("/campaigns", crowdfunding_router)
    api.add_router("/fhir", claims_fhir_router)


_register_routers()
