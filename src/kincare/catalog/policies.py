"""Who may see what of the catalog (one policy per model). The catalog is public:

* families and anonymous visitors see the selected (严选) products on sale, and with them their
  plans, benefits, deductible groups, premium rows, services and scores; operators (active
  staff) see every current product, the hidden ones marked;
* insurers and the active scoring model (the published method) are public; operators see
  every scoring model.

Nobody changes the catalog here: operators edit it through the admin and the import commands.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

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
from kincare.core.permissions import PublicPolicy, is_operator

M = TypeVar("M", bound=Model)

__all__ = [
    "POLICY",
    "ProductPolicy",
    "is_operator",
    "product_policy",
]


class ProductPolicy(PublicPolicy[Product]):
    model = Product
    public_actions = frozenset({"view"})

    def scope(self, user: Any, action: str) -> QuerySet[Product]:
        base = Product.objects.filter(is_current=True)
        if action == "view" and is_operator(user):
            return base
        if action == "view":
            return base.filter(on_sale=True, score__selected=True)
        return Product.objects.none()


product_policy = ProductPolicy()
POLICY = product_policy


class _ProductPartPolicy(PublicPolicy[M]):
    """A part of a product: visible with the product it belongs to."""

    public_actions = frozenset({"view"})
    product_field = "product"

    def scope(self, user: Any, action: str) -> QuerySet[M]:
        if action != "view":
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**{f"{self.product_field}__in": product_policy.scope(user, "view")})


class DeductibleGroupPolicy(_ProductPartPolicy[DeductibleGroup]):
    model = DeductibleGroup


class BenefitPolicy(_ProductPartPolicy[Benefit]):
    model = Benefit


class PlanPolicy(_ProductPartPolicy[Plan]):
    model = Plan


class PremiumRowPolicy(_ProductPartPolicy[PremiumRow]):
    model = PremiumRow


class ProductServicePolicy(_ProductPartPolicy[ProductService]):
    model = ProductService


class ProductScorePolicy(_ProductPartPolicy[ProductScore]):
    model = ProductScore


class InsurerPolicy(PublicPolicy[Insurer]):
    model = Insurer
    public_actions = frozenset({"view"})

    def scope(self, user: Any, action: str) -> QuerySet[Insurer]:
        return Insurer.objects.all() if action == "view" else Insurer.objects.none()


class ScoringModelPolicy(PublicPolicy[ScoringModel]):
    model = ScoringModel
    public_actions = frozenset({"view"})

    def scope(self, user: Any, action: str) -> QuerySet[ScoringModel]:
        if action != "view":
            return ScoringModel.objects.none()
        return ScoringModel.objects.all() if is_operator(user) else ScoringModel.objects.filter(is_active=True)
