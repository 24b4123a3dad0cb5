"""Family tables: families, members, invitations, consents, grants, declarations, life events.

Every family-owned row carries ``family_id`` and every query filters by it (see
ARCHITECTURE.md, "Scale path"). Resident IDs and phones are encrypted with a blind index;
health declarations and life-event details are encrypted JSON.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedJSONField, EncryptedTextField, mask_name


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relationship(models.TextChoices):
    """Relationship of a member to the family's guardian (与监护人关系)."""

    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    PARENT_IN_LAW = "parent_in_law", _("岳父母/公婆")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class SocialInsurance(models.TextChoices):
    NONE = "none", _("无社保")
    URBAN_EMPLOYEE = "urban_employee", _("城镇职工医保")
    URBAN_RURAL_RESIDENT = "urban_rural_resident", _("城乡居民医保")
    OTHER = "other", _("其他")


class Family(models.Model):
    name = models.CharField(_("家庭名称"), max_length=50)
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guarded_families",
        verbose_name=_("监护人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Household finances, used by planning (needs and gaps); unknown until the family says.
    annual_expenses_fen = models.BigIntegerField(_("家庭年支出（分）"), null=True, blank=True)
    debts_fen = models.BigIntegerField(_("负债（分）"), null=True, blank=True)
    savings_fen = models.BigIntegerField(_("储蓄（分）"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        constraints = [
            models.CheckConstraint(
                condition=(Q(annual_expenses_fen__isnull=True) | Q(annual_expenses_fen__gte=0))
                & (Q(debts_fen__isnull=True) | Q(debts_fen__gte=0))
                & (Q(savings_fen__isnull=True) | Q(savings_fen__gte=0)),
                name="family_finances_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    # A person belongs to at most one family as a member (one-to-one with their account).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="family_member",
    )
    name = models.CharField(_("姓名"), max_length=50)
    resident_id = EncryptedTextField(_("身份证号"))
    resident_id_hash = models.CharField(max_length=64, editable=False)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    relationship = models.CharField(_("与监护人关系"), max_length=20, choices=Relationship.choices)
    annual_income_fen = models.BigIntegerField(_("年收入（分）"), null=True, blank=True)
    social_insurance = models.CharField(
        _("社保"), max_length=30, choices=SocialInsurance.choices, default=SocialInsurance.NONE
    )
    occupation_class = models.PositiveSmallIntegerField(_("职业类别"), default=1)
    smoker = models.BooleanField(_("吸烟"), default=False)
    city = models.CharField(_("城市"), max_length=50, blank=True)
    deceased_on = models.DateField(_("去世日期"), null=True, blank=True)
    # Removed members stay for history (policies, claims may point at them) but leave the roster.
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "resident_id_hash"],
                condition=Q(removed_at__isnull=True),
                name="member_resident_id_unique_in_family",
            ),
            models.CheckConstraint(
                condition=Q(occupation_class__gte=1) & Q(occupation_class__lte=6),
                name="member_occupation_class_1_6",
            ),
            models.CheckConstraint(
                condition=Q(annual_income_fen__isnull=True) | Q(annual_income_fen__gte=0),
                name="member_income_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)


class Invitation(models.Model):
    """The guardian invites an adult by phone; only the SHA-256 of the link's token is stored."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="invitations")
    phone = EncryptedTextField(_("手机号"))
    phone_hash = models.CharField(max_length=64, db_index=True)
    # An existing member row the invitee will be linked to (else it is created on acceptance).
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(
        _("与监护人关系"), max_length=20, choices=Relationship.choices, default=Relationship.OTHER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("家庭邀请")
        verbose_name_plural = _("家庭邀请")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class HealthDataGrant(models.Model):
    """An adult lets another adult of the family see their health data; revocable."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    grantor = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="grants_given")
    grantee = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="grants_received")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("健康信息授权")
        verbose_name_plural = _("健康信息授权")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grantor", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_active_per_pair",
            ),
            models.CheckConstraint(condition=~Q(grantor=models.F("grantee")), name="grant_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"grant {self.grantor_id}→{self.grantee_id}"


class SensitiveDataConsent(models.Model):
    """PIPL 敏感个人信息处理同意: separate consent to process a member's health data."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    policy_version = models.CharField(max_length=20)
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("敏感个人信息处理同意")
        verbose_name_plural = _("敏感个人信息处理同意")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.member_id} v{self.policy_version}"


class DeclarationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REMOVED = "removed", _("已删除")


class HealthDeclaration(models.Model):
    """One declared condition; ``payload`` (encrypted) holds code, attributes, diagnosed_on."""

    TRANSITIONS = {"active": {"removed"}}

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="declarations")
    payload: Any = EncryptedJSONField()
    status = models.CharField(max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("健康告知")
        verbose_name_plural = _("健康告知")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"declaration {self.pk}"


class LifeEventKind(models.TextChoices):
    BIRTH = "birth", _("出生")
    MARRIAGE = "marriage", _("结婚")
    INCOME_CHANGE = "income_change", _("收入变化")
    DIAGNOSIS = "diagnosis", _("确诊")
    DEATH = "death", _("去世")


class LifeEvent(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField(_("事件"), max_length=20, choices=LifeEventKind.choices)
    occurred_on = models.DateField(_("日期"))
    # Encrypted: a birth carries the child's resident ID, a diagnosis is health data.
    details: Any = EncryptedJSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭大事")
        verbose_name_plural = _("家庭大事")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"
