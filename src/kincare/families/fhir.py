"""Families as HL7 FHIR R4B resources (validated by ``fhir.resources``) and their ``fhir_router``.

* a family → ``Group`` (type person, actual) whose members reference ``Patient``s;
* a member → ``Patient`` with the resident ID as identifier (system
  ``urn:oid:2.16.156.10011.1.1``, masked unless the viewer may see it in full);
* a member's relationship to the guardian → ``RelatedPerson`` (same id as the member's
  Patient, ``patient`` = the guardian's Patient, relationship from the HL7 v3 RoleCode
  system). They are returned in the ``Group/{id}/$everything`` searchset Bundle rather than
  as contained resources, so a partner can reference them.

``fhir_router`` (mounted under /api/v1/fhir) reads them under the same policies as the families
API: ``GET /Group/{id}``, ``GET /Group/{id}/$everything``, ``GET /Patient/{id}``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.group import Group
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson
from ninja import Router

from kincare.families import selectors
from kincare.families.engine import MemberRole
from kincare.families.models import Family, Relationship
from kincare.families.selectors import MemberView
from kincare.fhir.common import FHIR_CONTENT_TYPE

RESIDENT_ID_SYSTEM = "urn:oid:2.16.156.10011.1.1"
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

#: relationship to the guardian → (v3 RoleCode, display)
RELATIONSHIP_CODES: dict[str, tuple[str, str]] = {
    Relationship.SPOUSE: ("SPS", "spouse"),
    Relationship.CHILD: ("CHILD", "child"),
    Relationship.PARENT: ("PRN", "parent"),
    Relationship.PARENT_IN_LAW: ("PRNINLAW", "parent in-law"),
    Relationship.GRANDPARENT: ("GRPRN", "grandparent"),
    Relationship.GRANDCHILD: ("GRNDCHILD", "grandchild"),
    Relationship.SIBLING: ("SIB", "sibling"),
    Relationship.OTHER: ("FAMMEMB", "family member"),
}
_GENDERS = {"M": "male", "F": "female"}


def _name(view: MemberView) -> list[dict[str, object]]:
    return [{"use": "official", "text": view.member.name}]


def patient_resource(view: MemberView) -> Patient:
    member = view.member
    data: dict[str, object] = {
        "id": str(member.pk),
        "active": member.removed_at is None,
        "identifier": [
            {
                "use": "official",
                "system": RESIDENT_ID_SYSTEM,
                "value": view.resident_id,
                "type": {"text": "居民身份证号（已脱敏）" if view.resident_id_masked else "居民身份证号"},
            }
        ],
        "name": _name(view),
        "gender": _GENDERS.get(member.sex, "unknown"),
        "birthDate": member.birth_date.isoformat(),
    }
    if member.deceased_on is not None:
        data["deceasedDateTime"] = member.deceased_on.isoformat()
    return Patient.parse_obj(data)


def related_person_resource(view: MemberView, guardian: MemberView) -> RelatedPerson | None:
    """The member as a relative of the guardian (None for the guardian's own row)."""
    code = RELATIONSHIP_CODES.get(view.member.relationship)
    if code is None or view.role == MemberRole.GUARDIAN:
        return None
    return RelatedPerson.parse_obj(
        {
            "id": str(view.member.pk),
            "patient": {"reference": f"Patient/{guardian.member.pk}"},
            "relationship": [
                {
                    "coding": [{"system": ROLE_CODE_SYSTEM, "code": code[0], "display": code[1]}],
                    "text": str(view.member.get_relationship_display()),
                }
            ],
            "name": _name(view),
            "gender": _GENDERS.get(view.member.sex, "unknown"),
            "birthDate": view.member.birth_date.isoformat(),
        }
    )


def group_resource(family: Family, views: list[MemberView]) -> Group:
    return Group.parse_obj(
        {
            "id": str(family.pk),
            "type": "person",
            "actual": True,
            "name": family.name,
            "quantity": len(views),
            "member": [
                {
                    "entity": {"reference": f"Patient/{v.member.pk}", "display": v.member.name},
                    "inactive": v.member.deceased_on is not None,
                }
                for v in views
            ],
        }
    )


def everything_bundle(family: Family, views: list[MemberView], *, url_for: Callable[[str], str]) -> Bundle:
    """Group, Patients and RelatedPersons in one searchset Bundle (``url_for`` makes fullUrls)."""
    resources: list[Group | Patient | RelatedPerson] = [group_resource(family, views)]
    resources += [patient_resource(v) for v in views]
    guardian = next((v for v in views if v.role == MemberRole.GUARDIAN), None)
    if guardian is not None:
        for v in views:
            related = related_person_resource(v, guardian)
            if related is not None:
                resources.append(related)
    return Bundle.parse_obj(
        {
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {
                    "fullUrl": url_for(f"{r.get_resource_type()}/{r.id}"),
                    "resource": r,
                    "search": {"mode": "match" if r.get_resource_type() == "Group" else "include"},
                }
                for r in resources
            ],
        }
    )


# -- the router ----------------------------------------------------------------------------------

fhir_router = Router(tags=["fhir"])


def _fhir(resource: object) -> HttpResponse:
    return HttpResponse(resource.json(), content_type=FHIR_CONTENT_TYPE)  # type: ignore[attr-defined]


@fhir_router.get("/Group/{int:family_id}", response={200: dict}, summary="A family as a FHIR Group")
def group_read(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get(user=request.user, family_id=family_id)
    views = selectors.member_list(user=request.user, family=family)
    return _fhir(group_resource(family, views))


@fhir_router.get(
    "/Group/{int:family_id}/$everything",
    response={200: dict},
    summary="The family's Group, Patients and RelatedPersons as a Bundle",
)
def group_everything(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get(user=request.user, family_id=family_id)
    views = selectors.member_list(user=request.user, family=family)
    base = request.build_absolute_uri("/api/v1/fhir/")
    return _fhir(everything_bundle(family, views, url_for=lambda path: base + path))


@fhir_router.get("/Patient/{int:member_id}", response={200: dict}, summary="A family member as a FHIR Patient")
def patient_read(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, member_id=member_id)
    return _fhir(patient_resource(selectors.member_view(user=request.user, member=member)))
