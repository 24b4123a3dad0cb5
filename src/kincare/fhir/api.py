"""/api/v1/fhir/: FHIR R4B reads of families, under the same policies as the families API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from kincare.families import selectors
from kincare.fhir.mapping import (
    FHIR_CONTENT_TYPE,
    everything_bundle,
    group_resource,
    patient_resource,
)

router = Router(tags=["fhir"])


def _fhir(resource: object) -> HttpResponse:
    return HttpResponse(resource.json(), content_type=FHIR_CONTENT_TYPE)  # type: ignore[attr-defined]


@router.get("/Group/{int:family_id}", response={200: dict}, summary="A family as a FHIR Group")
def group_read(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get(user=request.user, family_id=family_id)
    views = selectors.member_list(user=request.user, family=family)
    return _fhir(group_resource(family, views))


@router.get(
    "/Group/{int:family_id}/$everything",
    response={200: dict},
    summary="The family's Group, Patients and RelatedPersons as a Bundle",
)
def group_everything(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get(user=request.user, family_id=family_id)
    views = selectors.member_list(user=request.user, family=family)
    base = request.build_absolute_uri("/api/v1/fhir/")
    return _fhir(everything_bundle(family, views, url_for=lambda path: base + path))


@router.get("/Patient/{int:member_id}", response={200: dict}, summary="A family member as a FHIR Patient")
def patient_read(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, member_id=member_id)
    return _fhir(patient_resource(selectors.member_view(user=request.user, member=member)))
