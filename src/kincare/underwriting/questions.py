"""The questions a questionnaire asks, one per condition (the wording families read)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kincare.underwriting.engine.shipped import QuestionnaireSpec, questionnaires

QUESTION_TEXT = {
    "hypertension": _("被保险人是否患有高血压（收缩压≥140mmHg 或舒张压≥90mmHg），或正在服用降压药？"),
    "diabetes": _("被保险人是否患有糖尿病，或曾被告知血糖异常需要治疗？"),
    "hyperlipidemia": _("被保险人是否患有高血脂（血脂异常），或正在服用降脂药？"),
    "hepatitis_b": _("被保险人是否为乙肝病毒携带者或患有乙型肝炎（小三阳、大三阳）？"),
    "thyroid_nodule": _("被保险人是否有甲状腺结节？"),
    "lung_nodule": _("被保险人是否有肺结节？"),
    "breast_nodule": _("被保险人是否有乳腺结节？"),
    "pregnancy": _("被保险人目前是否怀孕？"),
    "cancer_history": _("被保险人是否曾患恶性肿瘤（癌症）？"),
    "other": _("被保险人是否患有以上未列出的其他疾病、正在住院或被建议住院/手术？"),
}


def questionnaire_spec(code: str | None) -> QuestionnaireSpec | None:
    if not code:
        return None
    return questionnaires().get(code)


def questions_for(code: str | None) -> list[dict[str, str]]:
    """``[{"condition", "text"}]`` in the questionnaire's order, ending with "other"."""
    spec = questionnaire_spec(code)
    if spec is None:
        return []
    codes = [c for c in spec.conditions if c != "other"] + ["other"]
    return [{"condition": c, "text": str(QUESTION_TEXT[c])} for c in codes]
