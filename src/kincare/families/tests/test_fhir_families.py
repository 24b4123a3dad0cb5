"""FHIR R4B resources validate and follow the families policies (outsiders get 404)."""

import json

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.group import Group
from fhir.resources.R4B.patient import Patient

from kincare.families.fhir import RESIDENT_ID_SYSTEM
from kincare.families.models import Member

FHIR = "/api/v1/fhir"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resource(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


@pytest.fixture
def everyone(family, adult_member, child):
    return family


def test_a_family_is_a_group_of_patients(guardian, everyone):
    data = _resource(_client(guardian).get(f"{FHIR}/Group/{everyone.pk}"))
    group = Group.parse_obj(data)
    assert (group.type, group.actual, group.quantity) == ("person", True, 3)
    references = {m.entity.reference for m in group.member}
    assert references == {f"Patient/{m.pk}" for m in Member.objects.filter(family=everyone)}


def test_a_patient_carries_the_resident_id_masked_unless_the_viewer_may_see_it(guardian, adult_member, child):
    row = Member.objects.get(pk=child.pk)
    own = Patient.parse_obj(_resource(_client(guardian).get(f"{FHIR}/Patient/{child.pk}")))
    assert own.identifier[0].system == RESIDENT_ID_SYSTEM
    assert own.identifier[0].value == row.resident_id
    assert (own.gender, str(own.birthDate)) == ("male", row.birth_date.isoformat())
    other = Patient.parse_obj(_resource(_client(adult_member).get(f"{FHIR}/Patient/{child.pk}")))
    assert other.identifier[0].value != row.resident_id
    assert "*" in other.identifier[0].value


def test_everything_bundles_group_patients_and_related_persons(guardian, everyone, guardian_member):
    bundle = Bundle.parse_obj(_resource(_client(guardian).get(f"{FHIR}/Group/{everyone.pk}/$everything")))
    kinds = [e.resource.resource_type for e in bundle.entry]
    assert kinds.count("Group") == 1 and kinds.count("Patient") == 3 and kinds.count("RelatedPerson") == 2
    related = [e.resource for e in bundle.entry if e.resource.resource_type == "RelatedPerson"]
    assert {r.patient.reference for r in related} == {f"Patient/{guardian_member.pk}"}
    codes = {r.relationship[0].coding[0].code for r in related}
    assert codes == {"SPS", "CHILD"}
    assert all(e.fullUrl.startswith("http://testserver/api/v1/fhir/") for e in bundle.entry)


def test_outsiders_staff_and_other_ids_get_404(everyone, child, outsider, other_family, staff_user, guardian):
    for user in (outsider, staff_user):
        client = _client(user)
        for url in (
            f"{FHIR}/Group/{everyone.pk}",
            f"{FHIR}/Group/{everyone.pk}/$everything",
            f"{FHIR}/Patient/{child.pk}",
        ):
            response = client.get(url)
            assert (response.status_code, response.json()["code"]) == (404, "not_found")
    other_row = Member.objects.get(family=other_family)
    assert _client(guardian).get(f"{FHIR}/Patient/{other_row.pk}").status_code == 404
    assert _client(guardian).get(f"{FHIR}/Group/{other_family.pk}").status_code == 404
    assert Client().get(f"{FHIR}/Group/{everyone.pk}").status_code == 401
