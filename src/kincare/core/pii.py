"""Personal data at rest: encrypted fields, a keyed hash for exact lookups, and masking.

* ``EncryptedTextField`` / ``EncryptedJSONField`` store a MultiFernet token (AES-128-CBC +
  HMAC-SHA256). ``settings.PII_KEYS``: the first key encrypts, every key decrypts, so a key is
  rotated by prepending a new one and re-saving rows (``kincare pii rotate``).
* ``blind_index(value)`` is HMAC-SHA256 under ``settings.PII_HASH_KEY`` of the normalised
  value: the only way to find a row by resident ID or phone without decrypting every row.
* ``mask_name`` / ``mask_resident_id`` / ``mask_phone`` are what every page and API shows
  unless a policy allows the full value (张*明, 110***********1234, 138****5678).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("KINCARE_PII_KEYS must hold at least one key")
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "KINCARE_PII_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(generate one with `kincare pii newkey`)"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_KEYS))


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def encrypt_str(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A PII value cannot be decrypted with any key in KINCARE_PII_KEYS "
            "(a key was removed before its rows were re-encrypted)"
        ) from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the first key (no-op in meaning, new ciphertext)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of a normalised value; ``purpose`` separates e.g. phones from resident IDs."""
    key = hashlib.sha256(f"{settings.PII_HASH_KEY}:{purpose}".encode()).digest()
    digest = hmac.new(key, value.strip().upper().encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


class EncryptedTextField(models.TextField):
    """A text value stored encrypted. Not filterable: look rows up by a blind index column."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_str(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            raise TypeError(f"Encrypted fields cannot be filtered with {lookup_name!r}; use the blind index")
        return super().get_lookup(lookup_name)


#: marks a token whose plaintext was zlib-compressed before encryption
COMPRESSED = "z:"


class EncryptedJSONField(models.TextField):
    """A JSON document stored encrypted (health declarations, medical details).

    ``compress=True`` deflates the JSON before encrypting it (tokens start with ``z:``): for
    large documents written in bulk (stored plans), ciphertext does not compress, so this keeps
    rows a fifth of the size and inline in the table instead of in TOAST.
    """

    description = "Encrypted JSON"

    def __init__(self, *args: Any, compress: bool = False, **kwargs: Any) -> None:
        self.compress = compress
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.compress:
            kwargs["compress"] = True
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        if value.startswith(COMPRESSED):
            raw = fernet().decrypt(value[len(COMPRESSED) :].encode("ascii"))
            return json.loads(zlib.decompress(raw))
        return json.loads(decrypt_str(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        if self.compress:
            token = fernet().encrypt(zlib.compress(text.encode("utf-8"), 1)).decode("ascii")
            return COMPRESSED + token
        return encrypt_str(text)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            raise TypeError(f"Encrypted fields cannot be filtered with {lookup_name!r}")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, default=str)


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明; Latin names keep the first letter."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_resident_id(resident_id: str | None) -> str:
    """110101199003074477 → 110***********4477 (first three, last four)."""
    if not resident_id:
        return ""
    value = resident_id.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(phone: str | None) -> str:
    """13812345678 or +8613812345678 → 138****5678."""
    if not phone:
        return ""
    digits = phone.strip()
    if digits.startswith("+86"):
        digits = digits[3:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(account: str | None) -> str:
    """6222020200112233445 → ****3445 (a bank account: the last four only)."""
    if not account:
        return ""
    value = account.strip()
    return "****" + value[-4:] if len(value) > 4 else "*" * len(value)
