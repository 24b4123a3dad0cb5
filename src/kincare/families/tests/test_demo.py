from kincare.families import selectors
from kincare.families.demo import DEMO_FAMILY_PASSWORD, demo_families_ensure
from kincare.families.models import Family, HealthDeclaration, Member


def test_demo_families_are_created_once_with_valid_ids_and_a_consented_declaration(db):
    lines = demo_families_ensure()
    assert Family.objects.count() == 3
    counts = (Member.objects.count(), HealthDeclaration.objects.count())
    assert demo_families_ensure() == lines
    assert (Family.objects.count(), Member.objects.count(), HealthDeclaration.objects.count()) == (3, *counts)
    assert counts == (9, 1)
    assert any("监护人" in line and "13800001001" in line and DEMO_FAMILY_PASSWORD in line for line in lines)
    assert all(line.startswith("家庭 ") for line in lines)
    for family in Family.objects.all():
        assert family.guardian.is_real_name_verified
    grandmother = Member.objects.get(name="张桂兰")
    son = grandmother.family.guardian
    # the grandmother granted her son (the guardian) access to her controlled hypertension
    declarations = selectors.declaration_list(user=son, member=grandmother)
    assert declarations[0].payload["attributes"]["controlled"] is True


def test_demo_ids_are_valid(db):
    demo_families_ensure()
    from kincare.families.engine import parse_resident_id

    for member in Member.objects.all():
        _number, birth_date, sex = parse_resident_id(member.resident_id)
        assert (birth_date, sex) == (member.birth_date, member.sex)
