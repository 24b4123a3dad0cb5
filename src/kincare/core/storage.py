"""Private uploads: identity and medical documents (claims, campaigns, reports).

They are stored under ``settings.PRIVATE_MEDIA_ROOT``, outside MEDIA_ROOT (which a web server may
serve), and have no URL: views that check who is asking stream them. The location is read from
settings when used, so tests (and deployments) may point it elsewhere.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: Any) -> str:
        raise ValueError("private files have no URL: stream them through a view")


_private = PrivateStorage()


def private_storage() -> PrivateStorage:
    """For ``FileField(storage=...)``: a callable keeps the migrations free of the storage's state."""
    return _private
