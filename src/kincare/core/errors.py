"""Errors users can act on: a stable ``code``, a readable ``message`` and the ``field``.

Services raise ``DomainError`` subclasses; the API turns them into JSON
``{"code", "message", "field"}`` with the status of the class, pages show the message.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None):
        self.code = code or self.default_code
        self.message = str(message)
        self.field = field
        super().__init__(self.message)

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(DomainError):
    status = 422
    default_code = "validation_error"


class NotAuthenticated(DomainError):
    status = 401
    default_code = "not_authenticated"


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class Throttled(DomainError):
    status = 429
    default_code = "throttled"
