import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kincare.accounts.auth import BearerTokenAuth, hash_token
from kincare.accounts.models import ApiToken, User
from kincare.accounts.selectors import api_token_list
from kincare.accounts.services import (
    api_token_create,
    api_token_revoke,
    api_token_revoke_by_operator,
    staff_user_create,
)
from kincare.accounts.services.tokens import MAX_ACTIVE_TOKENS
from kincare.accounts.tests.factories import PASSWORD
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def authenticate(raw: str) -> User | None:
    request = RequestFactory().get("/")
    return BearerTokenAuth().authenticate(request, raw)


def test_it_creates_a_token_that_authenticates_and_stores_only_its_hash(alice: User) -> None:
    token, raw = api_token_create(user=alice, name="  药店 对接 ")
    assert raw.startswith("kc_")
    assert len(raw) > 40
    assert token.name == "药店 对接"
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    assert raw.startswith(token.prefix)
    assert authenticate(raw) == alice
    event = AuditEvent.objects.get(action="accounts.api_token_created")
    assert raw not in str(event.new)


def test_a_revoked_token_no_longer_authenticates(alice: User) -> None:
    token, raw = api_token_create(user=alice, name="app")
    api_token_revoke(user=alice, token_id=token.pk)
    assert authenticate(raw) is None
    # revoking twice is harmless and audited once
    api_token_revoke(user=alice, token_id=token.pk)
    assert AuditEvent.objects.filter(action="accounts.api_token_revoked").count() == 1


def test_someone_elses_token_is_not_found(alice: User, bob: User) -> None:
    token, raw = api_token_create(user=alice, name="app")
    with pytest.raises(NotFound):
        api_token_revoke(user=bob, token_id=token.pk)
    assert authenticate(raw) == alice


@pytest.mark.parametrize("token_id", [0, -1, 2**70, 999999])
def test_impossible_ids_are_not_found(alice: User, token_id: int) -> None:
    with pytest.raises(NotFound):
        api_token_revoke(user=alice, token_id=token_id)


def test_an_expired_token_does_not_authenticate(alice: User) -> None:
    token, raw = api_token_create(user=alice, name="app", expires_at=timezone.now() + datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert authenticate(raw) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_it_refuses_bad_names(alice: User, name: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        api_token_create(user=alice, name=name)
    assert (exc.value.code, exc.value.field) == ("name_invalid", "name")


def test_it_refuses_an_expiry_in_the_past(alice: User) -> None:
    with pytest.raises(ValidationFailed) as exc:
        api_token_create(user=alice, name="app", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert exc.value.code == "expires_at_invalid"


def test_it_limits_active_tokens(alice: User) -> None:
    for i in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=alice, name=f"t{i}")
    with pytest.raises(Conflict) as exc:
        api_token_create(user=alice, name="one more")
    assert exc.value.code == "too_many_tokens"


def test_the_list_shows_only_the_users_tokens(alice: User, bob: User) -> None:
    mine, _ = api_token_create(user=alice, name="mine")
    api_token_create(user=bob, name="theirs")
    assert list(api_token_list(user=alice)) == [mine]


def test_operators_with_the_permission_revoke_any_token(alice: User) -> None:
    token, raw = api_token_create(user=alice, name="app")
    operator = staff_user_create(phone="13600136000", password=PASSWORD, role="operator_admin", display_name="")
    operator = User.objects.get(pk=operator.pk)
    assert api_token_revoke_by_operator(actor=operator, tokens=[token]) == 1
    assert authenticate(raw) is None


def test_other_staff_cannot_revoke_tokens(alice: User) -> None:
    token, _ = api_token_create(user=alice, name="app")
    doctor = staff_user_create(phone="13600136000", password=PASSWORD, role="doctor", display_name="")
    with pytest.raises(PermissionDenied):
        api_token_revoke_by_operator(actor=User.objects.get(pk=doctor.pk), tokens=[token])
