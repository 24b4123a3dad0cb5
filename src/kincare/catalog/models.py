"""Catalog tables: insurers, products (versioned) with benefits as rows, plans, premium rows,
services, scoring models and the stored five-dimension scores. No business logic here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class Category(models.TextChoices):
    MEDICAL = "medical", _("百万医疗")
    CRITICAL_ILLNESS = "critical_illness", _("重疾险")
    ACCIDENT = "accident", _("意外险")
    TERM_LIFE = "term_life", _("定期寿险")
    LONG_TERM_CARE = "long_term_care", _("长期护理险")
    DISABILITY_INCOME = "disability_income", _("失能收入险")


class Insurer(models.Model):
    class Kind(models.TextChoices):
        PROPERTY = "property", _("财产险公司")
        LIFE = "life", _("人寿险公司")
        MUTUAL = "mutual", _("相互保险社")
        HEALTH = "health", _("健康险公司")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    core_solvency_pct = models.DecimalField(_("核心偿付能力充足率(%)"), max_digits=7, decimal_places=2)
    comprehensive_solvency_pct = models.DecimalField(_("综合偿付能力充足率(%)"), max_digits=7, decimal_places=2)
    risk_rating = models.CharField(_("风险综合评级"), max_length=3, choices=Rating.choices)
    service_rating = models.CharField(_("服务评级"), max_length=3, choices=Rating.choices)
    complaints_per_10k = models.DecimalField(_("每万张保单投诉量"), max_digits=7, decimal_places=2)
    settlement_days_median = models.DecimalField(_("理赔时效中位数(天)"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("保险公司")
        verbose_name_plural = _("保险公司")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name


class Product(models.Model):
    class RenewalKind(models.TextChoices):
        NONE = "none", _("不可续保")
        YEARLY = "yearly", _("可续保（不保证）")
        GUARANTEED = "guaranteed", _("保证续保")

    code = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    #: the version new business sees; older versions stay for the policies that reference them
    is_current = models.BooleanField(default=True)
    name = models.CharField(_("名称"), max_length=120)
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="products")
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices)
    on_sale = models.BooleanField(_("在售"), default=True)
    summary = models.TextField(_("保障说明"), blank=True)
    issue_age_min_days = models.PositiveIntegerField(_("最低投保年龄(天)"))
    issue_age_max_years = models.PositiveIntegerField(_("最高投保年龄(岁)"))
    max_renewal_age = models.PositiveIntegerField(_("最高续保年龄"))
    renewal_kind = models.CharField(_("续保"), max_length=12, choices=RenewalKind.choices)
    guaranteed_years = models.PositiveIntegerField(_("保证续保年数"), default=0)
    premium_adjustable = models.BooleanField(_("费率可调"), default=True)
    waiting_days = models.PositiveIntegerField(_("等待期(天)"))
    cooling_off_days = models.PositiveIntegerField(_("犹豫期(天)"))
    social_insurance_required = models.BooleanField(_("要求有社保"), default=False)
    occupation_classes = models.JSONField(_("可保职业类别"), default=list)
    #: product-level terms that are not benefits (hospital rule, payout rules), validated by sources.TermsIn
    terms = models.JSONField(_("其他条款"), default=dict, blank=True)
    #: filled by the underwriting app: the health questionnaire this product asks
    questionnaire_code = models.CharField(_("健康告知"), max_length=60, null=True, blank=True)
    clause_text = models.TextField(_("条款原文"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("保险产品")
        verbose_name_plural = _("保险产品")
        ordering = ["category", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="catalog_product_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="catalog_product_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class DeductibleGroup(models.Model):
    class Scope(models.TextChoices):
        ANNUAL_MEMBER = "annual_member", _("每人每年")
        ANNUAL_FAMILY = "annual_family", _("全家共享（每年）")
        PER_CLAIM = "per_claim", _("每次事故")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="deductible_groups")
    code = models.CharField(max_length=40)
    amount_fen = models.BigIntegerField(_("免赔额(分)"))
    scope = models.CharField(_("适用方式"), max_length=16, choices=Scope.choices)

    class Meta:
        verbose_name = _("免赔额组")
        verbose_name_plural = _("免赔额组")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="catalog_deductible_group_code"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="catalog_deductible_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.code


class Benefit(models.Model):
    """One row per benefit kind of a product (never a wide table)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(_("责任类型"), max_length=40)
    label = models.CharField(_("名称"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    annual_limit_fen = models.BigIntegerField(_("年度限额(分)"), null=True, blank=True)
    deductible_group = models.ForeignKey(
        DeductibleGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="benefits"
    )
    ratio_with_social = models.DecimalField(_("有社保赔付比例"), max_digits=4, decimal_places=3, null=True, blank=True)
    ratio_without_social = models.DecimalField(
        _("无社保赔付比例"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    disease_count = models.PositiveIntegerField(_("病种数"), null=True, blank=True)
    payout_ratio = models.DecimalField(_("赔付比例"), max_digits=4, decimal_places=3, null=True, blank=True)
    max_payouts = models.PositiveIntegerField(_("最多赔付次数"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("保障责任")
        verbose_name_plural = _("保障责任")
        ordering = ["product", "position"]
        constraints = [models.UniqueConstraint(fields=["product", "kind"], name="catalog_benefit_kind")]

    def __str__(self) -> str:
        return self.label


class Plan(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="plans")
    code = models.CharField(max_length=40)
    name = models.CharField(_("名称"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    cover_fen = models.BigIntegerField(_("保额/限额(分)"))
    deductible_fen = models.BigIntegerField(_("免赔额(分)"), null=True, blank=True)

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["product", "position"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="catalog_plan_code")]

    def __str__(self) -> str:
        return self.name


class PremiumRow(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="premium_rows")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="premium_rows")
    age_min = models.PositiveIntegerField(_("起始年龄"))
    age_max = models.PositiveIntegerField(_("截止年龄"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    social_insurance = models.BooleanField(_("有社保"))
    payment_years = models.PositiveIntegerField(_("缴费年期"), default=1)
    annual_premium_fen = models.BigIntegerField(_("年保费(分)"))

    class Meta:
        verbose_name = _("费率")
        verbose_name_plural = _("费率表")
        ordering = ["plan", "payment_years", "sex", "-social_insurance", "age_min"]
        indexes = [models.Index(fields=["product", "plan", "sex", "social_insurance", "age_min"])]
        constraints = [
            models.CheckConstraint(condition=Q(annual_premium_fen__gt=0), name="catalog_premium_positive"),
            models.CheckConstraint(condition=Q(age_max__gte=models.F("age_min")), name="catalog_premium_band_order"),
            models.UniqueConstraint(
                fields=["plan", "payment_years", "sex", "social_insurance", "age_min"], name="catalog_premium_band"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.age_min}-{self.age_max} {self.sex}"


class ProductService(models.Model):
    class Code(models.TextChoices):
        GREEN_CHANNEL = "green_channel", _("就医绿通")
        ADVANCE_PAYMENT = "advance_payment", _("住院垫付")
        SECOND_OPINION = "second_opinion", _("专家二次诊疗")
        DRUG_DIRECT_PAY = "drug_direct_pay", _("特药直付")
        HOSPITAL_ESCORT = "hospital_escort", _("住院陪护")
        ONLINE_CONSULT = "online_consult", _("在线问诊")
        HEALTH_CHECKUP = "health_checkup", _("体检")
        CHRONIC_CARE = "chronic_care", _("慢病管理")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(max_length=24, choices=Code.choices)

    class Meta:
        verbose_name = _("增值服务")
        verbose_name_plural = _("增值服务")
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="catalog_service_code")]

    def __str__(self) -> str:
        return self.get_code_display()


class ScoringModel(models.Model):
    """Versioned weights of the five dimensions; the active one ranks the catalog."""

    version = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=False)
    coverage_weight = models.PositiveIntegerField(_("保障范围权重"), default=35)
    price_weight = models.PositiveIntegerField(_("价格指数权重"), default=20)
    renewal_weight = models.PositiveIntegerField(_("续保条件权重"), default=20)
    insurer_weight = models.PositiveIntegerField(_("保险公司权重"), default=15)
    services_weight = models.PositiveIntegerField(_("增值服务权重"), default=10)
    threshold = models.PositiveIntegerField(_("严选门槛"), default=60)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评分模型")
        verbose_name_plural = _("评分模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="catalog_one_active_model"),
            models.CheckConstraint(
                condition=Q(coverage_weight__gt=0)
                | Q(price_weight__gt=0)
                | Q(renewal_weight__gt=0)
                | Q(insurer_weight__gt=0)
                | Q(services_weight__gt=0),
                name="catalog_model_some_weight",
            ),
            models.CheckConstraint(condition=Q(threshold__lte=100), name="catalog_model_threshold_range"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class ProductScore(models.Model):
    """The engine's output for one product under one scoring model, with the explanation lines."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="score")
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="scores")
    coverage = models.DecimalField(max_digits=5, decimal_places=2)
    price = models.DecimalField(max_digits=5, decimal_places=2)
    renewal = models.DecimalField(max_digits=5, decimal_places=2)
    insurer = models.DecimalField(max_digits=5, decimal_places=2)
    services = models.DecimalField(max_digits=5, decimal_places=2)
    total = models.DecimalField(max_digits=5, decimal_places=2)
    selected = models.BooleanField()
    #: "" when selected, else "below_threshold" or "insurer_rating"
    hidden_reason = models.CharField(max_length=24, blank=True)
    #: {dimension: [{"label", "input", "points"}]}
    explanations = models.JSONField(default=dict)
    #: cheapest annual premium across the table (the "from ¥x/year" on cards)
    price_from_fen = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("产品评分")
        verbose_name_plural = _("产品评分")
        indexes = [models.Index(fields=["selected", "total"])]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.total}"
