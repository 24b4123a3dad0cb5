"""FHIR R4B Claim → ClaimResponse, ExplanationOfBenefit."""

from ninja import Router

fhir_router = Router(tags=["fhir"])
