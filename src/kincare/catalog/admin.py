"""Operator console: insurers, products (benefits, plans, services inline), premium rows and
scoring weights. Saving anything that changes a score re-ranks the catalog through the
service (explicitly, never a signal)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from kincare.catalog import services
from kincare.catalog.form_schemas import WEIGHTS, ScoringWeights
from kincare.catalog.models import (
    Benefit,
    DeductibleGroup,
    Insurer,
    Plan,
    PremiumRow,
    Product,
    ProductScore,
    ProductService,
    ScoringModel,
)
from kincare.core.errors import ValidationFailed


@admin.register(Insurer)
class InsurerAdmin(admin.ModelAdmin):
    list_display = (
        "short_name",
        "kind",
        "risk_rating",
        "service_rating",
        "comprehensive_solvency_pct",
        "complaints_per_10k",
    )
    list_filter = ("kind", "risk_rating")
    search_fields = ("name", "short_name", "code", "credit_code")

    def save_model(self, request: HttpRequest, obj: Insurer, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_scores_recompute()


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0
    fields = (
        "position",
        "kind",
        "label",
        "annual_limit_fen",
        "deductible_group",
        "ratio_with_social",
        "ratio_without_social",
        "disease_count",
        "payout_ratio",
        "max_payouts",
        "note",
    )


class DeductibleGroupInline(admin.TabularInline):
    model = DeductibleGroup
    extra = 0


class PlanInline(admin.TabularInline):
    model = Plan
    extra = 0


class ServiceInline(admin.TabularInline):
    model = ProductService
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "version",
        "is_current",
        "category",
        "insurer",
        "on_sale",
        "score_total",
        "selected",
    )
    list_filter = ("category", "is_current", "on_sale", "insurer", "score__selected")
    search_fields = ("name", "code")
    inlines = (DeductibleGroupInline, BenefitInline, PlanInline, ServiceInline)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).select_related("insurer", "score")

    @admin.display(description="总分")
    def score_total(self, obj: Product) -> Any:
        score = getattr(obj, "score", None)
        return score.total if score else None

    @admin.display(description="严选", boolean=True)
    def selected(self, obj: Product) -> bool | None:
        score = getattr(obj, "score", None)
        return score.selected if score else None

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.catalog_scores_recompute()


@admin.register(PremiumRow)
class PremiumRowAdmin(admin.ModelAdmin):
    list_display = (
        "product",
        "plan",
        "age_min",
        "age_max",
        "sex",
        "social_insurance",
        "payment_years",
        "annual_premium_fen",
    )
    list_filter = ("product__category", "sex", "social_insurance", "payment_years")
    search_fields = ("product__code", "product__name")
    list_select_related = ("product", "plan")
    raw_id_fields = ("product", "plan")

    def save_model(self, request: HttpRequest, obj: PremiumRow, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_scores_recompute()


class ScoringModelForm(ModelForm):
    """The weights parsed as a whole (``ScoringWeights``): a refusal shows next to its field."""

    weights: ScoringWeights

    class Meta:
        model = ScoringModel
        fields = (
            "coverage_weight",
            "price_weight",
            "renewal_weight",
            "insurer_weight",
            "services_weight",
            "threshold",
            "note",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            raw = {name: data.get(f"{name}_weight") for name in WEIGHTS}
            self.weights = ScoringWeights.model_validate(
                {**raw, "threshold": data.get("threshold"), "note": data.get("note") or ""}
            )
        except ValidationFailed as exc:
            field = f"{exc.field}_weight" if exc.field in WEIGHTS else exc.field
            self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(ScoringModel)
class ScoringModelAdmin(admin.ModelAdmin):
    """Weights are versioned: "change" publishes a new version rather than editing the old one."""

    list_display = (
        "version",
        "is_active",
        "coverage_weight",
        "price_weight",
        "renewal_weight",
        "insurer_weight",
        "services_weight",
        "threshold",
        "created_at",
    )
    fields = (
        "coverage_weight",
        "price_weight",
        "renewal_weight",
        "insurer_weight",
        "services_weight",
        "threshold",
        "note",
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    form = ScoringModelForm

    def save_model(self, request: HttpRequest, obj: ScoringModel, form: ModelForm, change: bool) -> None:
        assert isinstance(form, ScoringModelForm)
        created = services.scoring_model_create(actor=request.user, **form.weights.model_dump())
        # the admin redirects to the object it saved: point it at the new version
        obj.pk = created.pk
        obj.version = created.version
        obj.is_active = True


@admin.register(ProductScore)
class ProductScoreAdmin(admin.ModelAdmin):
    list_display = (
        "product",
        "total",
        "coverage",
        "price",
        "renewal",
        "insurer",
        "services",
        "selected",
        "hidden_reason",
    )
    list_filter = ("selected", "product__category")
    list_select_related = ("product",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
