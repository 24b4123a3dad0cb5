import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kincare.core import pii


def test_masks_match_the_platform_convention():
    assert pii.mask_name("张小明") == "张*明"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳小明") == "欧**明"
    assert pii.mask_resident_id("110101199003074477") == "110***********4477"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("+8613812345678") == "138****5678"
    assert pii.mask_name("") == pii.mask_phone(None) == pii.mask_resident_id(None) == ""


def test_encryption_round_trips_and_hides_the_value():
    token = pii.encrypt_str("110101199003074477")
    assert "110101" not in token
    assert pii.decrypt_str(token) == "110101199003074477"


def test_a_rotated_key_list_still_decrypts_old_values_and_encrypts_with_the_new_key(settings):
    old_token = pii.encrypt_str("13812345678")
    new_key = Fernet.generate_key().decode()
    settings.PII_KEYS = [new_key, *settings.PII_KEYS]
    assert pii.decrypt_str(old_token) == "13812345678"
    rotated = pii.rotate_token(old_token)
    settings.PII_KEYS = [new_key]
    assert pii.decrypt_str(rotated) == "13812345678"
    with pytest.raises(ImproperlyConfigured):
        pii.decrypt_str(old_token)


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.PII_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt_str("x")


def test_the_blind_index_is_stable_keyed_and_separated_by_purpose(settings):
    a = pii.blind_index("11010119900307447x", purpose="resident_id")
    assert a == pii.blind_index("11010119900307447X ", purpose="resident_id")
    assert a != pii.blind_index("11010119900307447X", purpose="phone")
    settings.PII_HASH_KEY = "another"
    assert a != pii.blind_index("11010119900307447X", purpose="resident_id")


@pytest.mark.django_db
def test_phones_are_encrypted_in_the_database_column():
    from kincare.accounts.models import User

    user = User.objects.create_user(phone="13812345678", password="pw-12345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM accounts_user WHERE id = %s", [user.pk])
        raw_phone, raw_hash = cursor.fetchone()
    assert "13812345678" not in raw_phone
    assert "13812345678" not in raw_hash
    assert User.objects.get(pk=user.pk).phone == "13812345678"


@pytest.mark.django_db
def test_encrypted_fields_cannot_be_filtered_by_value():
    from kincare.accounts.models import User

    with pytest.raises(TypeError):
        list(User.objects.filter(phone="13812345678"))


@pytest.mark.django_db
def test_pii_rotate_re_encrypts_every_row_under_the_new_first_key(settings):
    from django.core.management import call_command

    from kincare.accounts.models import User

    user = User.objects.create_user(phone="13812345678", password="pw-12345678")
    new_key = Fernet.generate_key().decode()
    settings.PII_KEYS = [new_key, *settings.PII_KEYS]
    call_command("pii", "rotate")
    settings.PII_KEYS = [new_key]
    assert User.objects.get(pk=user.pk).phone == "13812345678"


def test_a_compressed_encrypted_json_field_round_trips_and_is_smaller():
    from kincare.core.pii import EncryptedJSONField

    document = {"notes": [{"code": "item", "text": "为王建国选择安康医疗险，年保费 1,166.00 元"}] * 50}
    compressed, plain = EncryptedJSONField(compress=True), EncryptedJSONField()
    token = compressed.get_prep_value(document)
    assert token.startswith("z:") and "王建国" not in token
    assert len(token) < len(plain.get_prep_value(document)) / 5
    assert compressed.from_db_value(token, None, None) == document
    # a column written before compression was switched on still reads
    assert compressed.from_db_value(plain.get_prep_value(document), None, None) == document
