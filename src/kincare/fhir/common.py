"""The FHIR plumbing every app's mapping shares: the media type and the response.

Mappings live with their app (``<app>/fhir.py``, or ``<app>/fhir/`` when it has inbound and
outbound mappings, like claims), each with its ``fhir_router`` that ``kincare.api`` mounts under
``/api/v1/fhir``; this package holds only what they share (docs/decisions.md, "FHIR layout").
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

FHIR_CONTENT_TYPE = "application/fhir+json"


def fhir_response(resource: Any, *, status: int = 200) -> HttpResponse:
    """A validated ``fhir.resources`` model as ``application/fhir+json`` (UTF-8, not ASCII-escaped)."""
    text = json.dumps(json.loads(resource.json()), ensure_ascii=False)
    return HttpResponse(text, content_type=FHIR_CONTENT_TYPE, status=status)
