"""The ``kincare`` console script: Django's management commands under one name.

``kincare migrate``, ``kincare demo``, ``kincare serve``, ``kincare ledger verify`` … are the
management commands of the project; engines add their own verbs (``kincare score``, …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kincare.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["kincare", *argv])
    args[0] = "kincare"
    if len(args) > 1 and not args[1].startswith("-"):
        # verbs read better with hyphens (`kincare replan-all`); command modules use underscores
        args[1] = args[1].replace("-", "_")
    try:
        execute_from_command_line(args)
    except BrokenPipeError:
        # `kincare score | head`: the reader left; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
