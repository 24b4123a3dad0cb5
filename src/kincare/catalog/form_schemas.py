"""Catalog input as the edge parses it: the weights of a scoring model (the operator console's
form builds ``ScoringWeights``; ``scoring_model_create(**weights.model_dump())`` takes them).

Every error is a ``ValidationFailed`` with the stable code and field the service used to raise.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from kincare.core.errors import ValidationFailed

WEIGHTS = ("coverage", "price", "renewal", "insurer", "services")


class ScoringWeights(BaseModel):
    """The five dimensions' weights (whole numbers 0–1000, not all zero) and the 严选 threshold (0–100)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    coverage: int
    price: int
    renewal: int
    insurer: int
    services: int
    threshold: int = 60
    note: str = ""

    @field_validator(*WEIGHTS, mode="before")
    @classmethod
    def _weight(cls, value: object, info: ValidationInfo) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1000:
            raise ValidationFailed("权重应为 0 到 1000 的整数", code="weight_invalid", field=str(info.field_name))
        return value

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold(cls, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValidationFailed("严选门槛应在 0 到 100 之间", code="threshold_invalid", field="threshold")
        return value

    @model_validator(mode="after")
    def _not_all_zero(self) -> Any:
        if not any(getattr(self, name) for name in WEIGHTS):
            raise ValidationFailed("至少一个维度的权重大于 0", code="weights_all_zero", field="coverage")
        return self
