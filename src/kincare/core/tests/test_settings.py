import importlib
import os

import pytest

from kincare import env


def test_typed_env_helpers_parse_and_refuse(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "yes")
    assert env.envbool("X_BOOL", False) is True
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ValueError):
        env.envbool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12")
    assert env.envint("X_INT", 1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ValueError):
        env.envint("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env.envlist("X_LIST", []) == ["a", "b", "c"]
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_STR_FILE", str(secret))
    assert env.envstr("X_STR", "default") == "from-file"


def test_production_defaults_are_safe(monkeypatch):
    for name in ("KINCARE_DEBUG", "KINCARE_HTTPS", "KINCARE_TESTING"):
        monkeypatch.delenv(name, raising=False)
    import kincare.settings as settings_module

    fresh = importlib.reload(settings_module)
    try:
        assert fresh.DEBUG is False
        assert fresh.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS >= 31536000
        assert fresh.X_FRAME_OPTIONS == "DENY"
        assert fresh.LANGUAGE_CODE == "zh-hans"
        assert fresh.TIME_ZONE == "Asia/Shanghai"
    finally:
        os.environ["KINCARE_TESTING"] = "true"
        importlib.reload(settings_module)
