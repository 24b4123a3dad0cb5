"""Crowdfunding tables: campaigns and their documents, reviews, donations, shares, witnesses,
reports, updates and disbursements, and the fundraisers' blacklist.

Money raised lives in the ledger (``campaign:<id>:escrow``, public and hash-chained); a donation
row records who gave what through which order and share, and is confirmed only by the payment
provider's verified notification. Identities (the patient's resident ID) are encrypted with a
blind index; everything shown publicly is masked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedTextField, mask_name
from kincare.core.storage import private_storage


class SocialInsurance(models.TextChoices):
    NONE = "none", _("无医保")
    URBAN_EMPLOYEE = "urban_employee", _("城镇职工医保")
    URBAN_RURAL_RESIDENT = "urban_rural_resident", _("城乡居民医保")
    OTHER = "other", _("其他")


class Relationship(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    OTHER = "other", _("其他（需患者书面授权）")


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("审核中")
        NEEDS_INFO = "needs_info", _("待补充材料")
        REJECTED = "rejected", _("未通过审核")
        LIVE = "live", _("筹款中")
        PAUSED = "paused", _("已暂停（举报核查中）")
        ENDED = "ended", _("已结束")
        DISBURSING = "disbursing", _("拨付中")
        CLOSED = "closed", _("已结案")
        TERMINATED = "terminated", _("已终止（全部退款）")

    TRANSITIONS = {
        "draft": {"submitted"},
        "submitted": {"needs_info", "live", "rejected"},
        "needs_info": {"submitted"},
        "live": {"paused", "ended"},
        # a pause (reports under investigation) returns to where it came from, or terminates
        "paused": {"live", "ended", "disbursing", "terminated"},
        "ended": {"disbursing", "closed", "paused"},
        "disbursing": {"closed", "paused"},
    }
    #: statuses whose money is still held: donations in, or disbursements out
    FUNDED = ("live", "paused", "ended", "disbursing")

    fundraiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey("families.Family", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=60)
    story = models.TextField(_("求助说明"), max_length=5000)
    # the patient: a member of the fundraiser's family, or named here (masked wherever public)
    patient_member = models.ForeignKey(
        "families.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    patient_name = models.CharField(_("患者姓名"), max_length=50)
    patient_resident_id = EncryptedTextField(_("患者身份证号"))
    patient_resident_id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    patient_birth_date = models.DateField(_("患者出生日期"))
    relationship = models.CharField(_("筹款人与患者关系"), max_length=16, choices=Relationship.choices)
    # diagnosis (published: donors decide on it; the documents stay private)
    hospital_code = models.CharField(_("医院"), max_length=20)
    hospital_name = models.CharField(_("医院名称"), max_length=120)
    department = models.CharField(_("科室"), max_length=60)
    doctor = models.CharField(_("主治医生"), max_length=50)
    icd10 = models.CharField(_("诊断（ICD-10）"), max_length=10)
    diagnosis_name = models.CharField(_("诊断名称"), max_length=120)
    diagnosed_on = models.DateField(_("确诊日期"))
    treatment_finished = models.BooleanField(_("治疗已结束"), default=False)
    estimated_cost_fen = models.BigIntegerField(_("预计治疗费用（分）"))
    # declared household finances: houses [{value_fen, only_home}], cars [{value_fen}], …
    finances: Any = models.JSONField(_("家庭经济状况"), default=dict)
    social_insurance = models.CharField(_("医保类型"), max_length=24, choices=SocialInsurance.choices)
    #: platform policies with their expected payouts, filled in from the claims engine
    platform_insurance: Any = models.JSONField(default=list)
    #: other commercial policies the fundraiser declared [{insurer, product, expected_payout_fen}]
    declared_insurance: Any = models.JSONField(default=list)
    expected_payouts_fen = models.BigIntegerField(_("预计保险赔付（分）"), default=0)
    #: other aid received or expected [{source, amount_fen}]
    other_aid: Any = models.JSONField(default=list)
    other_aid_fen = models.BigIntegerField(_("其他救助（分）"), default=0)
    goal_fen = models.BigIntegerField(_("目标金额（分）"))
    goal_cap_fen = models.BigIntegerField(_("目标上限（分）"), default=0)
    #: how long the campaign runs once a reviewer approves it (1–60 days)
    days = models.PositiveSmallIntegerField(_("筹款天数"), default=30)
    ends_on = models.DateField(_("结束日期"))
    #: the named charity project that receives any surplus instead of the donors ("" = donors)
    surplus_charity = models.CharField(_("结余捐赠的慈善项目"), max_length=120, blank=True)
    # the verification engine's last assessment
    risk_decision = models.CharField(max_length=8, blank=True)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_reasons: Any = models.JSONField(default=list)
    #: where a paused campaign returns when its reports are resolved
    resume_to = models.CharField(max_length=12, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("筹款项目")
        verbose_name_plural = _("筹款项目")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(goal_fen__gt=0), name="crowdfunding_goal_positive"),
            models.CheckConstraint(condition=Q(estimated_cost_fen__gt=0), name="crowdfunding_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def escrow_code(self) -> str:
        return f"campaign:{self.pk}:escrow"


class CampaignDocument(models.Model):
    class Kind(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("诊断证明/出院小结/病理报告")
        COST_ESTIMATE = "cost_estimate", _("医院出具的费用预估")
        AUTHORISATION = "authorisation", _("患者书面授权")
        PHOTO = "photo", _("照片")
        INVOICE = "invoice", _("医疗费用发票")
        DISCHARGE = "discharge", _("出院小结")
        OTHER = "other", _("其他材料")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="campaigns/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    #: photos are public; use-of-funds evidence once a reviewer publishes it; identity and medical documents never
    public = models.BooleanField(default=False)
    disbursement = models.ForeignKey(
        "Disbursement", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:8]}"


class CampaignReview(models.Model):
    """A reviewer's decision (or a system move) with the reasons shown to the fundraiser."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("通过")
        NEEDS_INFO = "needs_info", _("要求补充材料")
        REJECT = "reject", _("驳回")
        PAUSE = "pause", _("暂停")
        RESUME = "resume", _("恢复")
        TERMINATE = "terminate", _("终止并退款")
        BLACKLIST = "blacklist", _("列入黑名单")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    reasons: Any = models.JSONField(default=list)
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.campaign_id}"


class BlacklistEntry(models.Model):
    """A fundraiser who may not raise money here (by resident ID, so a new account does not help)."""

    resident_id_hash = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("筹款人黑名单")
        verbose_name_plural = _("筹款人黑名单")

    def __str__(self) -> str:
        return f"blacklisted {self.resident_id_hash[:8]}"


class Share(models.Model):
    """A share link: who shared, and the share they arrived through (a tree of reach)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="shares")
    code = models.CharField(max_length=16, unique=True)
    sharer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "sharer", "parent"], name="crowdfunding_one_share_per_sharer_and_parent"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        CONFIRMED = "confirmed", _("已到账")
        REFUSED = "refused", _("已退回（项目不再接受捐款）")
        REFUNDED = "refunded", _("已退款")

    TRANSITIONS = {"pending": {"confirmed", "refused"}, "confirmed": {"refunded"}}

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="donations")
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    message = models.CharField(_("留言"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=True)
    share = models.ForeignKey(Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations")
    #: the donor's key for this attempt: a double click or a retry makes one donation
    idempotency_key = models.CharField(max_length=128, unique=True)
    order = models.OneToOneField(
        "payments.PaymentOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="donation"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    receipt_no = models.CharField(max_length=32, unique=True, null=True, blank=True)
    #: the surplus returned to this donor at close (fen)
    surplus_returned_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["campaign", "status", "-confirmed_at"], name="crowdfunding_donations_recent"),
            models.Index(fields=["donor", "-id"], name="crowdfunding_donations_mine"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gte=100) & Q(amount_fen__lte=5_000_000), name="crowdfunding_donation_range"
            )
        ]

    def __str__(self) -> str:
        return f"donation {self.pk} to {self.campaign_id}"


class Witness(models.Model):
    """Someone who knows the family confirms the story (证实)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="witnesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50)
    relationship = models.CharField(_("与患者关系"), max_length=30)
    message = models.CharField(_("证实内容"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="crowdfunding_one_witness_each")]

    def __str__(self) -> str:
        return f"witness {self.pk}"


class Report(models.Model):
    class Reason(models.TextChoices):
        FAKE_ILLNESS = "fake_illness", _("病情不实")
        HIDDEN_ASSETS = "hidden_assets", _("隐瞒财产")
        HIDDEN_INSURANCE = "hidden_insurance", _("隐瞒保险或其他救助")
        MISUSE = "misuse", _("善款挪用")
        DUPLICATE = "duplicate", _("重复筹款")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("核查中")
        CREDIBLE = "credible", _("经核实可信")
        DISMISSED = "dismissed", _("经核实不成立")
        UPHELD = "upheld", _("经核实成立")

    #: a credible report keeps the campaign paused until a reviewer dismisses or upholds it
    TRANSITIONS = {"open": {"credible", "dismissed", "upheld"}, "credible": {"dismissed", "upheld"}}

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("举报原因"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("说明"), max_length=2000)
    evidence = models.FileField(upload_to="reports/%Y/%m/", blank=True, storage=private_storage)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    #: the outcome published on the campaign page
    outcome = models.CharField(_("处理结果"), max_length=500, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"report {self.pk}"


class CampaignUpdate(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"update {self.pk}"


class Disbursement(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审核")
        PAID = "paid", _("已拨付")
        REJECTED = "rejected", _("已驳回")

    class Recipient(models.TextChoices):
        HOSPITAL = "hospital", _("医院对公账户")
        PATIENT = "patient", _("患者本人账户（凭发票）")

    TRANSITIONS = {"requested": {"paid", "rejected"}}

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="disbursements")
    instalment = models.PositiveSmallIntegerField()
    amount_fen = models.BigIntegerField(_("金额（分）"))
    recipient = models.CharField(max_length=10, choices=Recipient.choices, default=Recipient.HOSPITAL)
    recipient_name = models.CharField(_("收款方"), max_length=120)
    recipient_account = EncryptedTextField(_("收款账号"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "instalment"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "instalment"], name="crowdfunding_one_instalment_number"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="crowdfunding_disbursement_positive"),
        ]

    def __str__(self) -> str:
        return f"disbursement {self.campaign_id}#{self.instalment}"

    @property
    def public_recipient(self) -> str:
        """The payee as the public sees it: a hospital by name, a person masked."""
        return self.recipient_name if self.recipient == self.Recipient.HOSPITAL else mask_name(self.recipient_name)
