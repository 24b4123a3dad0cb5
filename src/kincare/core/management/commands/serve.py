"""``kincare serve`` — gunicorn on 127.0.0.1:8000 (``--dev`` for Django's autoreloading runserver)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kincare.core.logfilters import ACCESS_LOG_FORMAT


class Command(BaseCommand):
    help = "Serve kincare with gunicorn (or runserver with --dev)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dev", action="store_true", help="Django's development server with autoreload")
        parser.add_argument("--bind", default=os.environ.get("KINCARE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KINCARE_WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("KINCARE_WEB_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        bind = options["bind"]
        if options["dev"]:
            call_command("runserver", bind)
            return
        self.stdout.write(f"kincare: serving http://{bind}/ with gunicorn ({options['workers']} workers)")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kincare.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--forwarded-allow-ips",
            os.environ.get("KINCARE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        sys.stdout.flush()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kincare.settings")}
        if settings.DEBUG:
            argv.append("--reload")
        os.execve(sys.executable, argv, env)  # noqa: S606 - replaces this process with gunicorn
