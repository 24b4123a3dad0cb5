"""Claims API."""

from ninja import Router

router = Router(tags=["claims"])
