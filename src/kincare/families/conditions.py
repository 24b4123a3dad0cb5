"""Declared conditions (健康告知) exactly as the underwriting spec table: a code and attributes.

``validate_declaration(code, attributes, diagnosed_on)`` is the one gate: it returns the
normalised payload stored (encrypted) on ``HealthDeclaration.payload`` or raises
``ValidationFailed`` naming the field. Underwriting reads these payloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic import ValidationError as PydanticValidationError

from kincare.core.errors import ValidationFailed


class _Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hypertension(_Attributes):
    grade: int = Field(ge=1, le=3)
    controlled: StrictBool
    years: int = Field(ge=0, le=100)
    complications: StrictBool


class Diabetes(_Attributes):
    type: Literal[1, 2]
    hba1c: float = Field(ge=3, le=20)
    complications: StrictBool
    insulin: StrictBool


class Hyperlipidemia(_Attributes):
    ldl: float = Field(ge=0, le=30)
    on_medication: StrictBool


class HepatitisB(_Attributes):
    status: Literal["carrier", "small_three_positive", "big_three_positive"]
    liver_function_normal: StrictBool
    hbv_dna_positive: StrictBool
    cirrhosis: StrictBool


class ThyroidNodule(_Attributes):
    tirads: int = Field(ge=1, le=5)
    operated: StrictBool
    pathology_benign: StrictBool


class LungNodule(_Attributes):
    size_mm: float = Field(ge=0, le=100)
    solid: StrictBool


class BreastNodule(_Attributes):
    birads: int = Field(ge=1, le=6)


class Pregnancy(_Attributes):
    weeks: int = Field(ge=1, le=45)


class CancerHistory(_Attributes):
    years_since_treatment: int = Field(ge=0, le=100)


class OtherCondition(_Attributes):
    description: str = Field(min_length=1, max_length=500)


CONDITION_MODELS: dict[str, type[_Attributes]] = {
    "hypertension": Hypertension,
    "diabetes": Diabetes,
    "hyperlipidemia": Hyperlipidemia,
    "hepatitis_b": HepatitisB,
    "thyroid_nodule": ThyroidNodule,
    "lung_nodule": LungNodule,
    "breast_nodule": BreastNodule,
    "pregnancy": Pregnancy,
    "cancer_history": CancerHistory,
    "other": OtherCondition,
}

CONDITION_LABELS = {
    "hypertension": gettext_lazy("高血压"),
    "diabetes": gettext_lazy("糖尿病"),
    "hyperlipidemia": gettext_lazy("高血脂"),
    "hepatitis_b": gettext_lazy("乙肝"),
    "thyroid_nodule": gettext_lazy("甲状腺结节"),
    "lung_nodule": gettext_lazy("肺结节"),
    "breast_nodule": gettext_lazy("乳腺结节"),
    "pregnancy": gettext_lazy("怀孕"),
    "cancer_history": gettext_lazy("恶性肿瘤病史"),
    "other": gettext_lazy("其他疾病"),
}

ATTRIBUTE_LABELS = {
    "grade": gettext_lazy("分级"),
    "controlled": gettext_lazy("血压控制良好"),
    "years": gettext_lazy("患病年数"),
    "complications": gettext_lazy("有并发症"),
    "type": gettext_lazy("类型"),
    "hba1c": gettext_lazy("糖化血红蛋白 HbA1c（%）"),
    "insulin": gettext_lazy("使用胰岛素"),
    "ldl": gettext_lazy("低密度脂蛋白 LDL（mmol/L）"),
    "on_medication": gettext_lazy("正在服药"),
    "status": gettext_lazy("状态"),
    "liver_function_normal": gettext_lazy("肝功能正常"),
    "hbv_dna_positive": gettext_lazy("HBV-DNA 阳性"),
    "cirrhosis": gettext_lazy("肝硬化"),
    "tirads": gettext_lazy("TI-RADS 分级"),
    "operated": gettext_lazy("已手术"),
    "pathology_benign": gettext_lazy("病理良性"),
    "size_mm": gettext_lazy("大小（毫米）"),
    "solid": gettext_lazy("实性结节"),
    "birads": gettext_lazy("BI-RADS 分级"),
    "weeks": gettext_lazy("孕周"),
    "years_since_treatment": gettext_lazy("治疗结束年数"),
    "description": gettext_lazy("描述"),
}

HEPATITIS_B_STATUS_LABELS = {
    "carrier": gettext_lazy("携带者"),
    "small_three_positive": gettext_lazy("小三阳"),
    "big_three_positive": gettext_lazy("大三阳"),
}


def condition_label(code: str) -> str:
    return str(CONDITION_LABELS.get(code, code))


def validate_declaration(code: object, attributes: object, diagnosed_on: object = None) -> dict[str, Any]:
    """Return ``{"code", "attributes", "diagnosed_on"}`` normalised, or raise ValidationFailed."""
    if not isinstance(code, str) or code not in CONDITION_MODELS:
        raise ValidationFailed(_("请选择一种已列出的疾病"), code="condition_unknown", field="code")
    if not isinstance(attributes, dict):
        raise ValidationFailed(_("疾病详情格式不正确"), code="condition_attributes_invalid", field="attributes")
    try:
        model = CONDITION_MODELS[code].model_validate(attributes)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else ""
        label = str(ATTRIBUTE_LABELS.get(name, name))
        raise ValidationFailed(
            _("“%(label)s”填写有误：%(reason)s") % {"label": label, "reason": first.get("msg", "")},
            code="condition_attributes_invalid",
            field=f"attributes.{name}" if name else "attributes",
        ) from None
    diagnosed = _parse_diagnosed_on(diagnosed_on)
    return {
        "code": code,
        "attributes": model.model_dump(mode="json"),
        "diagnosed_on": diagnosed.isoformat() if diagnosed else None,
    }


def _parse_diagnosed_on(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed(
                _("确诊日期格式应为 YYYY-MM-DD"), code="diagnosed_on_invalid", field="diagnosed_on"
            ) from None
    if not isinstance(value, dt.date):
        raise ValidationFailed(_("确诊日期格式应为 YYYY-MM-DD"), code="diagnosed_on_invalid", field="diagnosed_on")
    if value > dt.date.today() or value.year < 1900:
        raise ValidationFailed(_("确诊日期不能晚于今天"), code="diagnosed_on_invalid", field="diagnosed_on")
    return value
