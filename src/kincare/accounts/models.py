"""Users are identified by a mainland mobile number, stored encrypted with a blind index."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import (
    EncryptedTextField,
    blind_index,
    mask_name,
    mask_phone,
    mask_resident_id,
)


def phone_index(phone: str) -> str:
    return blind_index(phone, purpose="phone")


class StaffRole(models.TextChoices):
    UNDERWRITER = "underwriter", _("核保员")
    CLAIMS_ADJUSTER = "claims_adjuster", _("理赔员")
    CAMPAIGN_REVIEWER = "campaign_reviewer", _("筹款审核员")
    PHARMACIST = "pharmacist", _("药师")
    DOCTOR = "doctor", _("医生")
    CHARITY_ADMIN = "charity_admin", _("公益管理员")
    OPERATOR_ADMIN = "operator_admin", _("运营管理员")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # USERNAME_FIELD is the blind index; people type their phone number.
        from kincare.accounts.phones import normalise_phone

        phone = normalise_phone(username or "")
        return self.get(phone_hash=phone_index(phone))

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> User:
        from kincare.accounts.phones import normalise_phone

        extra.pop("phone_hash", None)
        normalised = normalise_phone(phone)
        user = self.model(phone=normalised, phone_hash=phone_index(normalised), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str | None = None, password: str | None = None, **extra: Any) -> User:
        # `createsuperuser` prompts for the USERNAME_FIELD and passes it as phone_hash.
        phone = phone or extra.pop("phone_hash", None)
        if not phone:
            raise ValueError("a phone number is required")
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = EncryptedTextField(_("手机号"))
    phone_hash = models.CharField(_("手机号"), max_length=64, unique=True, editable=False)
    display_name = models.CharField(_("昵称"), max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Real-name verification (实名认证): the verified person's data lives on RealNameVerification.
    real_name_verified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone_hash"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or mask_phone(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_real_name_verified(self) -> bool:
        return self.real_name_verified_at is not None

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class ApiToken(models.Model):
    """A bearer token for a partner or an app. Only its SHA-256 is stored; revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, help_text="first characters, to recognise a token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class RealNameVerification(models.Model):
    """The person behind an account (实名认证): one per user, one per resident ID."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="real_name_verification")
    name = EncryptedTextField(_("姓名"))
    resident_id = EncryptedTextField(_("身份证号"))
    resident_id_hash = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    verified_at = models.DateTimeField(_("认证时间"))

    class Meta:
        verbose_name = _("实名认证")
        verbose_name_plural = _("实名认证")

    def __str__(self) -> str:
        return f"{mask_name(self.name)} ({mask_resident_id(self.resident_id)})"


class LoginThrottle(models.Model):
    """Failed logins counted per key ("phone:<blind index>" or "ip:<address>").

    Kept in the database so every gunicorn worker sees the same counts.
    """

    key = models.CharField(max_length=120, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class OtpCode(models.Model):
    """A one-time SMS code; only its keyed hash is stored. The newest one per phone is live."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    client_key = models.CharField(max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone_hash", "-created_at"])]

    def __str__(self) -> str:
        return f"otp {self.pk}"
