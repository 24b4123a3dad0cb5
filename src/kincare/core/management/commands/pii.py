"""``kincare pii newkey`` prints a fresh key; ``kincare pii rotate`` re-encrypts every PII column.

Rotation: prepend the new key to KINCARE_PII_KEYS (keep the old ones), restart, run
``kincare pii rotate``, then remove the old keys.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kincare.core.pii import EncryptedJSONField, EncryptedTextField, new_key


class Command(BaseCommand):
    help = "PII key management: newkey | rotate"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["newkey", "rotate"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "newkey":
            self.stdout.write(new_key())
            return
        total = 0
        for model in apps.get_models():
            fields = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField | EncryptedJSONField)
            ]
            if not fields:
                continue
            manager = model._base_manager
            for obj in manager.only("pk", *fields).iterator(chunk_size=500):
                with transaction.atomic():
                    manager.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in fields})
                total += 1
        self.stdout.write(f"re-encrypted {total} rows under the first key")
