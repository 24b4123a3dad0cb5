"""The pure core of the catalog: the five-dimension score (严选) and the premium lookup.

No ORM, no I/O: frozen dataclasses in, frozen dataclasses out. The same functions run in the
import service, in web requests (quotes), in ``kincare score`` on YAML files and in the bench.

Scoring, within a category (the methodology page states it in words):

* every dimension is a sum of explanation lines (input → points); each line is a
  non-decreasing, capped function of one input, rounded *down* to 0.01, so the lines add up
  to the dimension score exactly, the score stays within 0–100, and improving an input never
  lowers it;
* price compares the product's premium per unit of cover, for the category's reference
  profiles, with the median of the *other* products of the category (leave-one-out, so a
  product's own premium never moves its own yardstick): ``points = 100 × ref / (ref + own)``
  averaged over the profiles the product can be bought for;
* total = Σ weight × dimension / Σ weights, rounded down to 0.01.

A product is selected (shown to families) when total ≥ threshold and its insurer's risk
rating is not C or D.
"""

from kincare.catalog.engine.facts import (
    CENT,
    DIMENSIONS,
    PROFILES,
    RATING_ORDER,
    RISK_RATING_POINTS,
    SERVICE_POINTS,
    SERVICE_RATING_POINTS,
    UNSELECTABLE_RATINGS,
    CoverageFacts,
    DimensionScore,
    InsurerFacts,
    Line,
    PlanFacts,
    PremiumBand,
    PremiumTable,
    ProductFacts,
    ProductScore,
    Profile,
    Weights,
)
from kincare.catalog.engine.premium import Quote, age_on, quote_premium
from kincare.catalog.engine.score import score_catalog, score_product, unit_price

__all__ = [
    "CENT",
    "DIMENSIONS",
    "PROFILES",
    "RATING_ORDER",
    "RISK_RATING_POINTS",
    "SERVICE_POINTS",
    "SERVICE_RATING_POINTS",
    "UNSELECTABLE_RATINGS",
    "CoverageFacts",
    "DimensionScore",
    "InsurerFacts",
    "Line",
    "PlanFacts",
    "PremiumBand",
    "PremiumTable",
    "ProductFacts",
    "ProductScore",
    "Profile",
    "Quote",
    "Weights",
    "age_on",
    "quote_premium",
    "score_catalog",
    "score_product",
    "unit_price",
]
