"""One policy per model: ``can(user, action, obj)`` and ``scope(user, action) -> QuerySet``.

Selectors and services never query a family-owned model without going through its policy
(after Wagtail's permission policies). ``require`` turns a refusal into ``NotFound`` for
objects the user may not even see — an outsider probing IDs learns nothing — and into
``PermissionDenied`` for objects they can see but not change.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from kincare.core.errors import NotFound, PermissionDenied

M = TypeVar("M", bound=models.Model)


class Policy(Generic[M]):
    model: type[M]
    #: the action that lets a user know the object exists at all
    view_action = "view"

    def scope(self, user: Any, action: str) -> models.QuerySet[M]:  # pragma: no cover - abstract
        raise NotImplementedError

    def can(self, user: Any, action: str, obj: M) -> bool:
        """Default: the object is in the user's scope for that action."""
        if not getattr(user, "is_authenticated", False):
            return False
        return self.scope(user, action).filter(pk=obj.pk).exists()

    def require(self, user: Any, action: str, obj: M) -> M:
        if self.can(user, action, obj):
            return obj
        if action != self.view_action and self.can(user, self.view_action, obj):
            raise PermissionDenied(_("没有权限执行此操作"))
        raise NotFound(_("找不到该对象"))

    def get(self, user: Any, action: str, **lookup: Any) -> M:
        """Fetch one object by ``lookup`` that the user may act on, or NotFound/PermissionDenied."""
        try:
            obj = self.model._default_manager.get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound(_("找不到该对象")) from None
        return self.require(user, action, obj)


def is_active_user(user: Any) -> bool:
    """A signed-in user whose account is active (anonymous visitors and ``None`` are not)."""
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def is_operator(user: Any) -> bool:
    """An active staff user (any role)."""
    return is_active_user(user) and bool(getattr(user, "is_staff", False))


def is_staff_with(user: Any, *roles: str) -> bool:
    """An active staff user in one of the given role groups (superusers hold every role)."""
    if not is_operator(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()


class PublicPolicy(Policy[M]):
    """A policy whose ``public_actions`` need no account: ``can`` asks the scope for anonymous
    visitors too (the scope decides what the public sees)."""

    public_actions: frozenset[str] = frozenset()

    def can(self, user: Any, action: str, obj: M) -> bool:
        if action in self.public_actions:
            return self.scope(user, action).filter(pk=obj.pk).exists()
        return super().can(user, action, obj)


class StaffOnlyPolicy(Policy[M]):
    """Operators' tables: staff holding one of ``roles`` (any active staff when ``roles`` is
    empty) may ``view`` and ``change`` every row; families never see them."""

    roles: tuple[str, ...] = ()
    actions: frozenset[str] = frozenset({"view", "change"})

    def allows(self, user: Any) -> bool:
        return is_staff_with(user, *self.roles) if self.roles else is_operator(user)

    def scope(self, user: Any, action: str) -> models.QuerySet[M]:
        if action in self.actions and self.allows(user):
            return self.model._default_manager.all()
        return self.model._default_manager.none()


class ServiceOnlyPolicy(Policy[M]):
    """Bookkeeping that only the app's services read and write (throttles, one-time codes,
    accumulators, batch partitions): no user — family or staff — acts on a row through a
    selector or view. The operators reach them, if at all, through the admin's model permissions."""

    def scope(self, user: Any, action: str) -> models.QuerySet[M]:
        return self.model._default_manager.none()
