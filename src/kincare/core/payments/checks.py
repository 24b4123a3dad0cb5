"""System checks: a deployment must not accept notifications signed with the public demo key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from kincare.core.payments.sandbox import DEFAULT_SANDBOX_SECRET, SandboxProvider, sandbox_enabled


def _sandbox_providers() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, config in (getattr(settings, "PAYMENT_PROVIDERS", None) or {}).items():
        try:
            cls = import_string(str(config.get("class", "")))
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, SandboxProvider):
            found.append((str(name), dict(config)))
    return found


_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}


def _served_beyond_this_machine() -> bool:
    """The embedded demo answers on loopback only; anything else may reach real payers."""
    return any(host not in _LOCAL_HOSTS for host in settings.ALLOWED_HOSTS)


@register("payments", "security", deploy=False)
def check_sandbox_secret(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``kincare.payments.E001`` / ``W001``: the sandbox is on and signs with the shipped secret.

    Anyone who reads the source can then forge a "paid" notification. An error where
    ``settings.PRODUCTION`` is set, a warning in any other non-debug, non-test run that is
    served beyond loopback (the embedded demo on 127.0.0.1 stays quiet); ``W002``: the
    sandbox is on in production at all (its checkout page marks orders paid without money).
    """
    if not sandbox_enabled() or getattr(settings, "TESTING", False):
        return []
    production = bool(getattr(settings, "PRODUCTION", False))
    messages: list[CheckMessage] = []
    for name, config in _sandbox_providers():
        default_secret = str(config.get("secret") or "") in ("", DEFAULT_SANDBOX_SECRET)
        if default_secret and production:
            messages.append(
                Error(
                    f"Payment provider {name!r} is the sandbox signing with the public default secret.",
                    hint="Set KINCARE_SANDBOX_PAY_SECRET, or turn the sandbox off with KINCARE_PAYMENT_SANDBOX=false.",
                    id="kincare.payments.E001",
                )
            )
        elif default_secret and not settings.DEBUG and _served_beyond_this_machine():
            messages.append(
                Warning(
                    f"Payment provider {name!r} is the sandbox signing with the public default secret: "
                    "anyone can forge payment notifications.",
                    hint="Set KINCARE_SANDBOX_PAY_SECRET, or KINCARE_PAYMENT_SANDBOX=false where real money moves.",
                    id="kincare.payments.W001",
                )
            )
        elif production:
            messages.append(
                Warning(
                    f"Payment provider {name!r} is the sandbox, enabled in production: its checkout page "
                    "marks orders paid without money.",
                    hint="Set KINCARE_PAYMENT_SANDBOX=false in production.",
                    id="kincare.payments.W002",
                )
            )
    return messages


@register("payments", "security", deploy=False)
def check_sandbox_only_in_demo(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``kincare.payments.E002``: the sandbox provider is configured and enabled outside DEMO.

    The sandbox confirms payments without money (its checkout page, and notifications signed
    with a secret that ships with the source unless changed), so only a demonstration
    (``settings.DEMO``, env ``KINCARE_DEMO``) may run it; every management command, ``kincare
    serve`` included, then refuses to start.
    """
    if not sandbox_enabled() or getattr(settings, "DEMO", False):
        return []
    messages: list[CheckMessage] = []
    for name, config in _sandbox_providers():
        default_secret = str(config.get("secret") or "") in ("", DEFAULT_SANDBOX_SECRET)
        what = "signing with the public default secret" if default_secret else "which confirms payments without money"
        messages.append(
            Error(
                f"Payment provider {name!r} is the sandbox, {what}, and this is not a demo.",
                hint="Remove the sandbox provider or set KINCARE_PAYMENT_SANDBOX=false; "
                "only a demonstration sets KINCARE_DEMO=true.",
                id="kincare.payments.E002",
            )
        )
    return messages
