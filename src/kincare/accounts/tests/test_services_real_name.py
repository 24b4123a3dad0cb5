import datetime

import pytest

from kincare.accounts.models import RealNameVerification, User
from kincare.accounts.services import resident_id_index, user_verify_real_name
from kincare.accounts.tests.factories import make_resident_id
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.models import AuditEvent

pytestmark = pytest.mark.django_db
MAN_ID = make_resident_id(birth_date=datetime.date(1990, 3, 7), sequence=447)
WOMAN_ID = make_resident_id(birth_date=datetime.date(1992, 8, 1), sequence=128)


def test_it_verifies_a_user_and_derives_birth_date_and_sex(alice: User) -> None:
    verification = user_verify_real_name(user=alice, name="张小明", resident_id=MAN_ID.lower())
    verification.refresh_from_db()
    alice.refresh_from_db()
    assert verification.name == "张小明"
    assert verification.resident_id == MAN_ID
    assert verification.resident_id_hash == resident_id_index(MAN_ID)
    assert verification.birth_date == datetime.date(1990, 3, 7)
    assert verification.sex == "M"
    assert alice.is_real_name_verified
    assert alice.real_name_verified_at == verification.verified_at


def test_the_audit_row_holds_masked_values_only(alice: User) -> None:
    user_verify_real_name(user=alice, name="张小明", resident_id=MAN_ID)
    event = AuditEvent.objects.get(action="accounts.real_name_verified")
    assert event.new == {
        "name": "张*明",
        "resident_id": MAN_ID[:3] + "*" * 11 + MAN_ID[-4:],
        "sex": "M",
    }
    assert MAN_ID not in str(event.new)


def test_the_resident_id_is_encrypted_at_rest(alice: User) -> None:
    from django.db import connection

    user_verify_real_name(user=alice, name="张小明", resident_id=MAN_ID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, resident_id FROM accounts_realnameverification")
        name, stored = cursor.fetchone()
    assert MAN_ID not in stored
    assert "张小明" not in name


def test_it_accepts_matching_birth_date_and_sex(alice: User) -> None:
    verification = user_verify_real_name(
        user=alice, name="李华", resident_id=WOMAN_ID, birth_date=datetime.date(1992, 8, 1), sex="F"
    )
    assert verification.sex == "F"


def test_it_refuses_a_mismatched_birth_date(alice: User) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_verify_real_name(user=alice, name="李华", resident_id=WOMAN_ID, birth_date=datetime.date(1992, 8, 2))
    assert (exc.value.code, exc.value.field) == ("birth_date_mismatch", "birth_date")
    assert not RealNameVerification.objects.exists()


def test_it_refuses_a_mismatched_sex(alice: User) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_verify_real_name(user=alice, name="李华", resident_id=WOMAN_ID, sex="M")
    assert (exc.value.code, exc.value.field) == ("sex_mismatch", "sex")


def test_it_refuses_an_unknown_sex_value(alice: User) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_verify_real_name(user=alice, name="李华", resident_id=WOMAN_ID, sex="X")
    assert exc.value.code == "sex_invalid"


def test_it_refuses_a_wrong_check_digit(alice: User) -> None:
    bad = MAN_ID[:-1] + ("0" if MAN_ID[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        user_verify_real_name(user=alice, name="张小明", resident_id=bad)
    assert exc.value.code == "resident_id_invalid"
    alice.refresh_from_db()
    assert not alice.is_real_name_verified


def test_it_refuses_a_bad_name(alice: User) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_verify_real_name(user=alice, name="张", resident_id=MAN_ID)
    assert exc.value.code == "name_invalid"


def test_it_accepts_full_width_ids(alice: User) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in MAN_ID)
    assert user_verify_real_name(user=alice, name="张小明", resident_id=full_width).resident_id == MAN_ID


def test_a_resident_id_verified_by_another_user_is_taken(alice: User, bob: User) -> None:
    user_verify_real_name(user=alice, name="张小明", resident_id=MAN_ID)
    with pytest.raises(Conflict) as exc:
        user_verify_real_name(user=bob, name="张小明", resident_id=MAN_ID.lower())
    assert (exc.value.code, exc.value.field) == ("resident_id_taken", "resident_id")
    bob.refresh_from_db()
    assert not bob.is_real_name_verified


def test_a_user_verifies_only_once(alice: User) -> None:
    user_verify_real_name(user=alice, name="张小明", resident_id=MAN_ID)
    with pytest.raises(Conflict) as exc:
        user_verify_real_name(user=alice, name="李华", resident_id=WOMAN_ID)
    assert exc.value.code == "already_verified"
