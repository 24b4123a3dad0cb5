import datetime
import re
from unittest import mock

import pytest
from django.utils import timezone

from kincare.accounts.models import OtpCode, User
from kincare.accounts.services import LoginLocked, SmsUnavailable, otp_login, otp_request
from kincare.accounts.services.otp import OTP_MAX_PER_CLIENT_PER_HOUR
from kincare.accounts.sms import MemorySmsBackend
from kincare.core.errors import Throttled, ValidationFailed
from kincare.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PHONE = "13700137000"


def later(seconds: int):
    return mock.patch(
        "django.utils.timezone.now",
        return_value=timezone.now() + datetime.timedelta(seconds=seconds),
    )


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_it_sends_a_six_digit_code_and_stores_only_its_hash(sms_outbox) -> None:
    sent = otp_request(phone=PHONE, ip="10.0.0.1")
    code = sms_outbox.last_code(PHONE)
    assert code is not None
    assert len(code) == 6
    assert code.isdigit()
    assert sent.phone_masked == "137****7000"
    assert code in sms_outbox.outbox[-1].text
    row = OtpCode.objects.get()
    assert code not in row.code_hash
    assert PHONE not in row.phone_hash


def test_the_log_backend_writes_the_code_to_the_kincare_sms_logger(settings, caplog) -> None:
    settings.SMS_BACKEND = "kincare.accounts.sms.LogSmsBackend"
    with caplog.at_level("INFO", logger="kincare.sms"):
        otp_request(phone=PHONE)
    record = caplog.records[-1]
    assert record.name == "kincare.sms"
    assert "137****7000" in record.getMessage()
    assert PHONE not in record.getMessage()


def test_a_code_logs_in_an_existing_user_once(alice: User, sms_outbox) -> None:
    otp_request(phone=alice.phone)
    code = sms_outbox.last_code(alice.phone)
    user, created = otp_login(phone=alice.phone, code=code, ip="10.0.0.1")
    assert (user, created) == (alice, False)
    assert AuditEvent.objects.filter(action="accounts.login", actor=alice, new__method="otp").exists()
    with pytest.raises(ValidationFailed) as exc:
        otp_login(phone=alice.phone, code=code)
    assert exc.value.code == "otp_expired"


def test_a_code_for_a_new_phone_creates_the_account(sms_outbox) -> None:
    otp_request(phone=PHONE)
    user, created = otp_login(phone=PHONE, code=f" {sms_outbox.last_code()} ")
    assert created
    assert user.phone == PHONE
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="accounts.signup", new__method="otp").exists()


def test_full_width_codes_are_accepted(sms_outbox) -> None:
    otp_request(phone=PHONE)
    code = sms_outbox.last_code()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert otp_login(phone=PHONE, code=full_width)[1]


def test_a_code_expires(settings, sms_outbox) -> None:
    otp_request(phone=PHONE)
    code = sms_outbox.last_code()
    with later(settings.OTP_TTL_SECONDS + 1), pytest.raises(ValidationFailed) as exc:
        otp_login(phone=PHONE, code=code)
    assert exc.value.code == "otp_expired"


def test_a_new_code_waits_for_the_resend_interval(settings, sms_outbox) -> None:
    otp_request(phone=PHONE)
    with pytest.raises(Throttled) as exc:
        otp_request(phone=PHONE)
    assert exc.value.code == "otp_resend_too_soon"
    assert len(sms_outbox.outbox) == 1
    with later(settings.OTP_RESEND_SECONDS + 1):
        otp_request(phone=PHONE)
    assert len(sms_outbox.outbox) == 2


def test_only_the_newest_code_is_live(settings, sms_outbox) -> None:
    otp_request(phone=PHONE)
    first = sms_outbox.last_code()
    with later(settings.OTP_RESEND_SECONDS + 1):
        otp_request(phone=PHONE)
        second = sms_outbox.last_code()
        if first != second:
            with pytest.raises(ValidationFailed):
                otp_login(phone=PHONE, code=first)
        assert otp_login(phone=PHONE, code=second)


def test_a_code_dies_after_five_wrong_attempts(settings, sms_outbox) -> None:
    settings.LOGIN_MAX_FAILURES = 100
    otp_request(phone=PHONE)
    code = sms_outbox.last_code()
    for _ in range(5):
        with pytest.raises(ValidationFailed) as exc:
            otp_login(phone=PHONE, code=wrong(code))
        assert exc.value.code == "otp_invalid"
    with pytest.raises(ValidationFailed) as exc:
        otp_login(phone=PHONE, code=code)
    assert exc.value.code == "otp_attempts_exceeded"
    assert OtpCode.objects.get().attempts == 5


def test_wrong_codes_count_towards_the_login_lockout(settings, sms_outbox) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    otp_request(phone=PHONE)
    code = sms_outbox.last_code()
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            otp_login(phone=PHONE, code=wrong(code))
    with pytest.raises(LoginLocked):
        otp_login(phone=PHONE, code=wrong(code))
    with pytest.raises(LoginLocked):
        otp_login(phone=PHONE, code=code)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None, 123456])
def test_malformed_codes_are_refused_without_spending_an_attempt(code, sms_outbox) -> None:
    otp_request(phone=PHONE)
    with pytest.raises(ValidationFailed) as exc:
        otp_login(phone=PHONE, code=code)
    assert exc.value.code == "otp_invalid"
    assert exc.value.field == "code"
    assert OtpCode.objects.get().attempts == 0


def test_logging_in_without_any_code_sent_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        otp_login(phone=PHONE, code="123456")
    assert exc.value.code == "otp_expired"


def test_one_address_may_not_request_codes_for_endless_phones(sms_outbox) -> None:
    for i in range(OTP_MAX_PER_CLIENT_PER_HOUR):
        otp_request(phone=f"1360000{i:04d}", ip="198.51.100.1")
    with pytest.raises(Throttled) as exc:
        otp_request(phone="13611112222", ip="198.51.100.1")
    assert exc.value.code == "otp_too_many"
    otp_request(phone="13611112222", ip="198.51.100.2")


class BrokenGateway(MemorySmsBackend):
    def send(self, **kwargs) -> None:
        raise RuntimeError("gateway down")


def test_a_failed_send_forgets_the_code_so_the_person_can_retry(settings) -> None:
    settings.SMS_BACKEND = "kincare.accounts.tests.test_services_otp.BrokenGateway"
    with pytest.raises(SmsUnavailable) as exc:
        otp_request(phone=PHONE)
    assert exc.value.status == 503
    assert not OtpCode.objects.exists()


def test_an_inactive_user_cannot_log_in_by_code(alice: User, sms_outbox) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    otp_request(phone=alice.phone)
    with pytest.raises(Exception) as exc:
        otp_login(phone=alice.phone, code=sms_outbox.last_code())
    assert getattr(exc.value, "code", "") == "login_failed"


def test_the_log_backend_never_writes_the_code(settings, caplog) -> None:
    settings.SMS_BACKEND = "kincare.accounts.sms.LogSmsBackend"
    settings.DEMO = False
    with caplog.at_level("INFO", logger="kincare.sms"):
        sent = otp_request(phone=PHONE)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "137****7000" in logged and PHONE not in logged
    assert "******" in logged
    assert not re.search(r"\d{6}", logged.replace("137****7000", ""))
    assert sent.demo_code == ""


def test_in_demo_mode_the_log_backend_code_is_shown_on_the_page_instead(settings, client) -> None:
    from django.urls import reverse

    settings.SMS_BACKEND = "kincare.accounts.sms.LogSmsBackend"
    settings.DEMO = True
    response = client.post(reverse("accounts:otp_request"), {"phone": PHONE}, HTTP_HX_REQUEST="true")
    code = re.search(r"data-demo-code>[^<]*?(\d{6})", response.content.decode())
    assert code is not None
    user, created = otp_login(phone=PHONE, code=code.group(1))
    assert created and user.phone == PHONE


def test_a_real_gateway_never_has_its_code_on_the_page(settings, sms_outbox) -> None:
    settings.DEMO = True
    assert otp_request(phone=PHONE).demo_code == ""
