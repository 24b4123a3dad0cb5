import datetime
from unittest import mock

import pytest
from django.utils import timezone

from kincare.accounts.models import LoginThrottle, User
from kincare.accounts.services import LoginLocked, client_key, user_login_password
from kincare.accounts.tests.factories import PASSWORD
from kincare.core.errors import NotAuthenticated, ValidationFailed
from kincare.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_failures(settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 600


def fail(phone: str, ip: str = "10.0.0.1") -> str:
    with pytest.raises((NotAuthenticated, LoginLocked)) as exc:
        user_login_password(phone=phone, password="wrong-password", ip=ip)
    return exc.value.code


def test_it_logs_in_with_the_right_password_and_audits_it(alice: User) -> None:
    assert user_login_password(phone=alice.phone, password=PASSWORD, ip="10.0.0.1") == alice
    event = AuditEvent.objects.get(action="accounts.login")
    assert event.actor == alice
    assert event.new == {"method": "password", "ip": "10.0.0.1"}


def test_it_accepts_the_phone_typed_differently(alice: User) -> None:
    spaced = f"+86 {alice.phone[:3]} {alice.phone[3:7]} {alice.phone[7:]}"
    assert user_login_password(phone=spaced, password=PASSWORD) == alice


def test_a_wrong_password_and_an_unknown_phone_give_the_same_error(alice: User) -> None:
    with pytest.raises(NotAuthenticated) as known:
        user_login_password(phone=alice.phone, password="nope-nope-nope")
    with pytest.raises(NotAuthenticated) as unknown:
        user_login_password(phone="13999999999", password="nope-nope-nope")
    assert known.value.code == unknown.value.code == "login_failed"
    assert known.value.message == unknown.value.message
    assert known.value.field == unknown.value.field


@pytest.mark.parametrize("password", ["", "x" * 5000])
def test_it_refuses_empty_and_huge_passwords_without_hashing_them(alice: User, password: str) -> None:
    with pytest.raises(NotAuthenticated):
        user_login_password(phone=alice.phone, password=password)


def test_an_invalid_phone_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        user_login_password(phone="not a phone", password=PASSWORD)


def test_it_locks_a_phone_at_the_account_ceiling_even_with_the_right_password(alice: User, settings) -> None:
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 3  # failures from any addresses: the ceiling, not the pair's delay
    codes = [fail(alice.phone, ip=f"10.0.0.{i}") for i in range(3)]
    assert codes == ["login_failed", "login_failed", "login_locked"]
    with pytest.raises(LoginLocked) as exc:
        user_login_password(phone=alice.phone, password=PASSWORD, ip="10.9.9.9")
    assert exc.value.status == 429
    assert 0 < exc.value.retry_after <= 600
    assert "10 分钟" in exc.value.message
    locked = AuditEvent.objects.get(action="accounts.login_locked")
    assert locked.subject_type == "accounts.user"
    assert locked.new["scope"] == "phone"
    assert locked.new["phone"] == alice.masked_phone
    assert alice.phone not in str(locked.new)


def test_an_unknown_phone_locks_the_same_way(alice: User, settings) -> None:
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 3
    for i in range(3):
        fail("13999999999", ip=f"10.0.1.{i}")
    with pytest.raises(LoginLocked):
        user_login_password(phone="13999999999", password=PASSWORD, ip="10.0.2.1")


def test_it_locks_a_client_address_that_tries_many_phones(alice: User, settings) -> None:
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    for phone in ["13911111111", "13922222222", "13933333333"]:
        fail(phone, ip="203.0.113.7")
    with pytest.raises(LoginLocked):
        user_login_password(phone=alice.phone, password=PASSWORD, ip="203.0.113.7")
    # the same person from elsewhere is not locked
    assert user_login_password(phone=alice.phone, password=PASSWORD, ip="203.0.113.8") == alice
    assert AuditEvent.objects.filter(action="accounts.login_locked", new__scope="ip").exists()


def test_ipv6_clients_count_per_64_network() -> None:
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:10.0.0.1") == "ip:10.0.0.1"
    assert client_key("") == client_key("garbage") == "ip:unknown"


def test_a_lock_ends_after_the_lockout_period(alice: User) -> None:
    for _ in range(3):
        fail(alice.phone)
    later = timezone.now() + datetime.timedelta(seconds=601)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert user_login_password(phone=alice.phone, password=PASSWORD, ip="10.0.0.2") == alice


def test_failures_older_than_the_window_are_forgotten(alice: User) -> None:
    fail(alice.phone)
    fail(alice.phone)
    later = timezone.now() + datetime.timedelta(seconds=601)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert fail(alice.phone) == "login_failed"


def test_a_success_clears_the_phone_count_but_not_the_address_count(alice: User) -> None:
    fail(alice.phone, ip="10.0.0.5")
    fail(alice.phone, ip="10.0.0.5")
    user_login_password(phone=alice.phone, password=PASSWORD, ip="10.0.0.5")
    assert not LoginThrottle.objects.filter(key__startswith="phone:").exists()
    assert LoginThrottle.objects.get(key="ip:10.0.0.5").failures == 2


def test_failures_are_committed_even_though_the_login_raises(alice: User) -> None:
    fail(alice.phone)
    assert LoginThrottle.objects.filter(failures=1).count() == 2  # phone and address


def test_finished_windows_and_old_codes_are_purged(alice: User, sms_outbox) -> None:
    from kincare.accounts.models import OtpCode
    from kincare.accounts.services import login_records_purge, otp_request

    fail(alice.phone)
    otp_request(phone=alice.phone)
    assert login_records_purge() == (0, 0)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=2)):
        assert login_records_purge() == (2, 1)
    assert not LoginThrottle.objects.exists()
    assert not OtpCode.objects.exists()


# issue 13, defect 7: a stranger can slow an account down from their own address, not lock it


def test_a_strangers_failures_from_one_address_do_not_block_the_owner_from_another(alice: User) -> None:
    for _ in range(10):
        fail(alice.phone, ip="198.51.100.66")
    assert fail(alice.phone, ip="198.51.100.66") == "login_locked"
    assert user_login_password(phone=alice.phone, password=PASSWORD, ip="203.0.113.10") == alice


def test_the_wait_for_one_account_and_address_doubles_up_to_the_cap(alice: User, settings) -> None:
    settings.LOGIN_DELAY_SECONDS = 60  # the fixture: 3 failures, a 600-second cap
    now = timezone.now()
    waits = []
    for _ in range(2):
        with mock.patch("django.utils.timezone.now", return_value=now):
            fail(alice.phone)
    for _ in range(6):
        with mock.patch("django.utils.timezone.now", return_value=now), pytest.raises(LoginLocked) as exc:
            user_login_password(phone=alice.phone, password="wrong-password", ip="10.0.0.1")
        waits.append(exc.value.retry_after)
        now += datetime.timedelta(seconds=exc.value.retry_after + 1)
    assert waits == [60, 120, 240, 480, 600, 600]


def test_while_waiting_even_the_right_password_is_not_checked_from_that_address(alice: User) -> None:
    for _ in range(3):
        fail(alice.phone, ip="10.0.0.9")
    with pytest.raises(LoginLocked) as exc:
        user_login_password(phone=alice.phone, password=PASSWORD, ip="10.0.0.9")
    assert 0 < exc.value.retry_after <= 60
    assert AuditEvent.objects.filter(action="accounts.login_locked", new__scope="pair").count() == 1


def test_the_account_ceiling_is_far_higher_and_locks_the_account_everywhere(alice: User) -> None:
    # the default ceiling: 100 failures in an hour, from any number of addresses
    codes = [fail(alice.phone, ip=f"10.1.{i // 250}.{i % 250}") for i in range(100)]
    assert codes[:99] == ["login_failed"] * 99 and codes[99] == "login_locked"
    with pytest.raises(LoginLocked):
        user_login_password(phone=alice.phone, password=PASSWORD, ip="203.0.113.10")


def test_one_address_trying_many_accounts_hits_the_address_ceiling(alice: User) -> None:
    codes = [fail(f"139{i:08d}", ip="198.51.100.7") for i in range(20)]
    assert codes[:19] == ["login_failed"] * 19 and codes[19] == "login_locked"
    with pytest.raises(LoginLocked):
        user_login_password(phone=alice.phone, password=PASSWORD, ip="198.51.100.7")
    assert user_login_password(phone=alice.phone, password=PASSWORD, ip="198.51.100.8") == alice


def _request(remote: str, forwarded: str | None = None) -> object:
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_client_address_is_remote_addr_unless_a_trusted_proxy_forwards(settings) -> None:
    from kincare.accounts.services import request_ip

    settings.TRUSTED_PROXIES = []
    assert request_ip(_request("10.0.0.5", "1.2.3.4")) == "10.0.0.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert request_ip(_request("10.0.0.5", "1.2.3.4")) == "1.2.3.4"
    # a client writing its own X-Forwarded-For is ignored: the proxy appends what it saw
    assert request_ip(_request("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9")) == "1.2.3.4"
    assert request_ip(_request("203.0.113.1", "1.2.3.4")) == "203.0.113.1"
    assert request_ip(_request("10.0.0.5")) == "10.0.0.5"
