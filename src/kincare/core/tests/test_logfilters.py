"""Issue 13, defect 4: no query string (member ids, ICD-10 codes) reaches a log."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command

from kincare.core.logfilters import ACCESS_LOG_FORMAT, StripQueryStrings

URL = "/api/v1/claims/expected-payout?member_id=42&diagnosis=C34.1"


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("msg", "args", "expected"),
    [
        ('"%s" %s %s', (f"GET {URL} HTTP/1.1", 200, 512), '"GET /api/v1/claims/expected-payout HTTP/1.1" 200 512'),
        ("Not Found: %s", (URL,), "Not Found: /api/v1/claims/expected-payout"),
        (
            f"referer https://kincare.example{URL}#x",
            (),
            "referer https://kincare.example/api/v1/claims/expected-payout#x",
        ),
        ("是否继续？ no path here", (), "是否继续？ no path here"),
    ],
)
def test_the_log_filter_drops_query_strings_and_keeps_the_rest(msg, args, expected):
    rec = record(msg, *args)
    assert StripQueryStrings().filter(rec) is True
    assert rec.getMessage() == expected
    assert "C34" not in rec.getMessage() and "member_id" not in rec.getMessage()


def test_every_configured_handler_strips_query_strings(settings):
    config = settings.LOGGING
    [name] = [n for n, f in config["filters"].items() if f["()"].endswith("StripQueryStrings")]
    assert all(name in handler.get("filters", []) for handler in config["handlers"].values())
    assert config["loggers"]["django.server"]["handlers"] == ["console"]


def test_kincare_serve_gives_gunicorn_an_access_format_without_the_query(monkeypatch):
    seen: dict[str, list[str]] = {}

    def execve(path, argv, env):
        seen["argv"] = argv

    monkeypatch.setattr("os.execve", execve)
    call_command("serve")
    argv = seen["argv"]
    assert argv[argv.index("--access-logformat") + 1] == ACCESS_LOG_FORMAT
    assert "%(r)s" not in ACCESS_LOG_FORMAT and "%(q)s" not in ACCESS_LOG_FORMAT and "%(f)s" not in ACCESS_LOG_FORMAT
    assert "%(U)s" in ACCESS_LOG_FORMAT
