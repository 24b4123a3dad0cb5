"""Input errors: the first problem of a pydantic validation error as ``ClaimInputInvalid``
(a ``ValidationFailed``: stable ``code``, ``message``, ``field``)."""

from __future__ import annotations

from pydantic import ValidationError

from kincare.core.errors import ValidationFailed


class ClaimInputInvalid(ValidationFailed):
    default_code = "claim_invalid"


#: the codes of the engine's own checks (PydanticCustomError types)
CUSTOM_CODES = frozenset(
    {
        "date_invalid",
        "ratio_invalid",
        "ratio_out_of_range",
        "ratio_too_precise",
        "diagnosis_invalid",
        "icd_prefix_invalid",
        "icd_prefixes_invalid",
        "code_invalid",
        "exclusions_invalid",
        "period_invalid",
        "benefit_duplicate",
        "deductible_group_unknown",
        "sum_insured_required",
        "severities_required",
        "benefit_required",
        "ratio_required",
        "stay_invalid",
        "severity_invalid",
        "service_dates_invalid",
        "related_stay_required",
        "hospital_required",
        "payout_groups_mismatch",
    }
)
_CODES = {
    "missing": "field_required",
    "extra_forbidden": "field_unknown",
    "literal_error": "choice_invalid",
    "int_type": "integer_required",
    "int_parsing": "integer_required",
    "bool_type": "boolean_required",
    "string_type": "string_required",
    "dict_type": "object_required",
    "model_type": "object_required",
    "model_attributes_type": "object_required",
    "tuple_type": "list_required",
    "list_type": "list_required",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "too_short": "too_few",
    "too_long": "too_many",
    "string_too_long": "too_long",
}


#: where a check of a whole object points: the field to correct, below the object's own path
_FIELD_OF = {
    "service_dates_invalid": "service_end",
    "related_stay_required": "related_stay",
    "hospital_required": "claim.hospital",
    "period_invalid": "period_end",
    "stay_invalid": "discharge",
    "sum_insured_required": "sum_insured_fen",
    "severities_required": "severities",
    "benefit_required": "benefits",
    "benefit_duplicate": "benefits",
    "deductible_group_unknown": "benefits",
    "payout_groups_mismatch": "severe_groups",
}


def input_error(exc: ValidationError) -> ClaimInputInvalid:
    """The first problem of a pydantic error as ``ClaimInputInvalid(code, message, field)``."""
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = [str(part) for part in first["loc"]]
    kind = str(first["type"])
    code = _CODES.get(kind) or (kind if kind in CUSTOM_CODES else "value_invalid")
    if kind == "ratio_required":
        loc.append(str((first.get("ctx") or {}).get("missing", "")))
    elif kind in _FIELD_OF:
        loc.append(_FIELD_OF[kind])
    field = ".".join(part for part in loc if part)
    message = first["msg"]
    return ClaimInputInvalid(f"{field}: {message}" if field else message, code=code, field=field or None)
