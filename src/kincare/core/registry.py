"""Named entries that apps add in their ``AppConfig.ready``, read by a layer that imports no app.

Core sits below every app: where it needs something only an app knows (what happens when a
``premium`` order is paid, the figures of the operator dashboard, the steps of ``kincare demo``)
it keeps a ``Registry`` and each app fills in its own entries when Django starts:

    class PoliciesConfig(AppConfig):
        def ready(self) -> None:
            from kincare.core.payments.handlers import register_purpose
            from kincare.policies.services.premiums import premium_on_paid

            register_purpose("premium", premium_on_paid)

A key is registered once: the same value again is a no-op (``ready`` may run twice in a test
process), another value under a taken key is a configuration error. Entries come back ordered by
their ``order`` (then by registration, i.e. ``INSTALLED_APPS``), so a page or a command does not
depend on which app started first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str) -> None:
        self.what = what
        #: key → value, in registration order (tests swap an entry with ``monkeypatch.setitem``)
        self.entries: dict[str, T] = {}
        self._order: dict[str, int] = {}

    def register(self, key: str, value: T, *, order: int = 0) -> None:
        current = self.entries.get(key)
        if current is not None and current != value:
            raise ImproperlyConfigured(f"{self.what} {key!r} is already registered ({current!r})")
        self.entries[key] = value
        self._order[key] = order

    def get(self, key: str) -> T | None:
        return self.entries.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def items(self) -> list[tuple[str, T]]:
        """(key, value) by ``order``, then by registration."""
        position = {key: n for n, key in enumerate(self.entries)}
        keys = sorted(self.entries, key=lambda k: (self._order.get(k, 0), position[k]))
        return [(key, self.entries[key]) for key in keys]

    def __iter__(self) -> Iterator[T]:
        return iter([value for _key, value in self.items()])
