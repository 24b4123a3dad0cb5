"""Generate the shipped underwriting rule tables (GoRules JDM) and ``questionnaires.yaml``.

The rows are written here as compact Python specs; the JSON files under ``rules/`` are the
product (what the engine, the database import and the operator console read). Regenerate with::

    .venv/bin/python src/kincare/underwriting/data/generate_rules.py          # write
    .venv/bin/python src/kincare/underwriting/data/generate_rules.py --check  # verify files are current

Each table: input node → one decision table (hit policy ``first``) → output node. Input cells
are zen unary expressions (``"1"``, ``"< 7"``, ``"[7..8)"``, ``"true"``, ``'"carrier"'``, ``""``
for any); outputs are constants (see ``engine/rules.py``). Every table ends with a catch-all
row, so no declared condition falls through the table.

Five questionnaires:

* ``medical_standard`` — 普通百万医疗: chronic conditions mostly excluded or declined.
* ``medical_chronic`` — "三高 / 乙肝也能保" medical products: controlled hypertension standard,
  type-2 diabetes with a loading, hepatitis-B carriers with liver diseases excluded.
* ``ci_standard`` — 重疾险: loadings for hypertension, cancer-site exclusions for nodules.
* ``ci_smart`` — 重疾险智能核保 (more lenient).
* ``life_standard`` — 定期寿险 / 失能收入 / 长期护理: mostly loadings, pregnancy standard.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent

# -- the attributes a table may read, in column order (engine/rules.py allows these + context) ----

COLUMNS: dict[str, tuple[str, ...]] = {
    "hypertension": ("grade", "controlled", "complications", "years", "age"),
    "diabetes": ("type", "hba1c", "complications", "insulin", "age"),
    "hyperlipidemia": ("ldl", "on_medication", "age"),
    "hepatitis_b": ("status", "liver_function_normal", "hbv_dna_positive", "cirrhosis", "age"),
    "thyroid_nodule": ("tirads", "operated", "pathology_benign", "age"),
    "lung_nodule": ("size_mm", "solid", "age"),
    "breast_nodule": ("birads", "age"),
    "pregnancy": ("weeks", "age"),
    "cancer_history": ("years_since_treatment", "age"),
}
CONDITIONS = tuple(COLUMNS)

COLUMN_LABELS = {
    "grade": "分级",
    "controlled": "血压控制良好",
    "complications": "有并发症",
    "years": "患病年数",
    "type": "类型",
    "hba1c": "糖化血红蛋白 HbA1c（%）",
    "insulin": "使用胰岛素",
    "ldl": "低密度脂蛋白 LDL（mmol/L）",
    "on_medication": "正在服药",
    "status": "状态",
    "liver_function_normal": "肝功能正常",
    "hbv_dna_positive": "HBV-DNA 阳性",
    "cirrhosis": "肝硬化",
    "tirads": "TI-RADS 分级",
    "operated": "已手术",
    "pathology_benign": "病理良性",
    "size_mm": "大小（毫米）",
    "solid": "实性结节",
    "birads": "BI-RADS 分级",
    "weeks": "孕周",
    "years_since_treatment": "治疗结束年数",
    "age": "年龄",
    "sex": "性别",
    "years_since_diagnosis": "确诊年数",
}
OUTPUT_LABELS = {
    "outcome": "结论",
    "reason": "原因代码",
    "message": "告知投保人",
    "loading_pct": "加费（%）",
    "exclusions": "除外 ICD-10",
    "exclusion_text": "除外责任",
    "postpone_months": "延期（月）",
}

CARRIER_OR_SMALL = '"carrier", "small_three_positive"'
BIG_THREE = '"big_three_positive"'

# -- exclusions (ICD-10 prefixes, words written on the policy) -------------------------------

HYPERTENSION = (["I10", "I11", "I12", "I13", "I15"], "高血压及其引起的并发症（高血压性心脏病、高血压性肾病等）")
LIVER = (
    ["B18", "K70", "K71", "K72", "K73", "K74", "K75", "K76", "K77"],
    "慢性乙型病毒性肝炎及其引起的肝脏疾病（含肝硬化、肝功能衰竭等）",
)
LIVER_CI = (["C22", "K74"], "肝脏恶性肿瘤、肝硬化")
THYROID = (
    ["E00", "E01", "E02", "E03", "E04", "E05", "E06", "E07", "D34", "C73"],
    "甲状腺及其相关疾病（含甲状腺结节、甲状腺恶性肿瘤）",
)
THYROID_CI = (["C73"], "甲状腺恶性肿瘤")
LUNG = (["R91", "D14.3", "J98.4", "C34"], "肺部结节及其相关疾病（含肺恶性肿瘤）")
LUNG_CI = (["C34"], "肺恶性肿瘤")
BREAST = (["N60", "N63", "D24", "C50"], "乳腺结节及其相关疾病（含乳腺恶性肿瘤）")
BREAST_CI = (["C50"], "乳腺恶性肿瘤")
PREGNANCY = (["O"], "妊娠、分娩及产褥期并发症")
LIPIDS = (
    ["E78", "I20", "I21", "I22", "I23", "I24", "I25", "I63", "I70"],
    "血脂异常及其引起的冠心病、脑梗死、动脉粥样硬化",
)

# -- row outcomes ----------------------------------------------------------------------------

Out = dict[str, Any]
Row = tuple[dict[str, str], Out]


def standard(reason: str, message: str) -> Out:
    return {"outcome": "standard", "reason": reason, "message": message}


def loading(pct: int, reason: str, message: str) -> Out:
    return {"outcome": "loading", "reason": reason, "message": message, "loading_pct": pct}


def exclusion(excluded: tuple[list[str], str], reason: str, message: str) -> Out:
    codes, text = excluded
    return {"outcome": "exclusion", "reason": reason, "message": message, "exclusions": codes, "exclusion_text": text}


def postpone(months: int, reason: str, message: str) -> Out:
    return {"outcome": "postpone", "reason": reason, "message": message, "postpone_months": months}


def decline(reason: str, message: str) -> Out:
    return {"outcome": "decline", "reason": reason, "message": message}


def manual(reason: str, message: str) -> Out:
    return {"outcome": "manual", "reason": reason, "message": message}


def catch_all(condition: str) -> Row:
    return ({}, manual(f"{condition}.outside_rules", "告知的情况不在自动核保规则内，需要核保人员人工审核"))


# -- shared rows ---------------------------------------------------------------------------------

T, F = "true", "false"

CANCER_DECLINE: list[Row] = [
    ({"years_since_treatment": ">= 0"}, decline("cancer_history.declined", "曾患恶性肿瘤，本产品无法承保")),
]
CANCER_FIVE_YEARS: list[Row] = [
    (
        {"years_since_treatment": ">= 5"},
        manual("cancer_history.five_years", "恶性肿瘤治疗结束已满5年，需要核保人员结合病历人工审核"),
    ),
    (
        {"years_since_treatment": "< 5"},
        decline("cancer_history.recent", "恶性肿瘤治疗结束未满5年，暂时无法承保"),
    ),
]
BREAST_MEDICAL: list[Row] = [
    ({"birads": "[1..2]"}, standard("breast_nodule.birads_1_2", "乳腺结节 BI-RADS 1–2 级（良性），按标准体承保")),
    ({"birads": "3"}, exclusion(BREAST, "breast_nodule.birads_3", "乳腺结节 BI-RADS 3 级：乳腺相关疾病除外承保")),
    ({"birads": "4"}, postpone(6, "breast_nodule.birads_4", "乳腺结节 BI-RADS 4 级需进一步检查，延期6个月后再申请")),
    ({"birads": "[5..6]"}, decline("breast_nodule.birads_5_6", "乳腺结节 BI-RADS 5–6 级，本产品无法承保")),
]
BREAST_CI_ROWS: list[Row] = [
    ({"birads": "[1..2]"}, standard("breast_nodule.birads_1_2", "乳腺结节 BI-RADS 1–2 级（良性），按标准体承保")),
    (
        {"birads": "3"},
        exclusion(BREAST_CI, "breast_nodule.birads_3", "乳腺结节 BI-RADS 3 级：乳腺恶性肿瘤除外承保"),
    ),
    ({"birads": "4"}, postpone(6, "breast_nodule.birads_4", "乳腺结节 BI-RADS 4 级需进一步检查，延期6个月后再申请")),
    ({"birads": "[5..6]"}, decline("breast_nodule.birads_5_6", "乳腺结节 BI-RADS 5–6 级，本产品无法承保")),
]
PREGNANCY_MEDICAL: list[Row] = [
    (
        {"weeks": "< 28"},
        exclusion(PREGNANCY, "pregnancy.before_28_weeks", "孕28周以内：妊娠、分娩相关费用除外承保"),
    ),
    ({"weeks": ">= 28"}, postpone(3, "pregnancy.late", "孕28周及以上，建议产后3个月再申请")),
]
PREGNANCY_CI: list[Row] = [
    ({"weeks": "< 28"}, standard("pregnancy.before_28_weeks", "孕28周以内，按标准体承保")),
    ({"weeks": ">= 28"}, postpone(3, "pregnancy.late", "孕28周及以上，建议产后3个月再申请")),
]

# -- the questionnaires ------------------------------------------------------------------------

MEDICAL_STANDARD: dict[str, list[Row]] = {
    "hypertension": [
        ({"complications": T}, decline("hypertension.complications", "高血压已有并发症，本产品无法承保")),
        ({"grade": "3"}, decline("hypertension.grade3", "3级高血压，本产品无法承保")),
        (
            {"grade": "1", "controlled": T},
            exclusion(HYPERTENSION, "hypertension.grade1_controlled", "1级高血压且控制良好：高血压及其并发症除外承保"),
        ),
        (
            {"grade": "1", "controlled": F},
            postpone(3, "hypertension.grade1_uncontrolled", "血压尚未控制达标，请规律服药控制3个月后再申请"),
        ),
        ({"grade": "2"}, manual("hypertension.grade2", "2级高血压，需要核保人员结合血压记录人工审核")),
    ],
    "diabetes": [
        ({"type": "1"}, decline("diabetes.type1", "1型糖尿病，本产品无法承保")),
        ({"complications": T}, decline("diabetes.complications", "糖尿病已有并发症，本产品无法承保")),
        ({"insulin": T}, decline("diabetes.insulin", "糖尿病需使用胰岛素治疗，本产品无法承保")),
        (
            {"type": "2", "hba1c": "< 7"},
            manual("diabetes.type2_controlled", "2型糖尿病且血糖控制良好，需要核保人员人工审核"),
        ),
        ({"type": "2", "hba1c": ">= 7"}, decline("diabetes.type2_hba1c_high", "糖化血红蛋白≥7%，本产品无法承保")),
    ],
    "hyperlipidemia": [
        ({"ldl": "< 4.9"}, standard("hyperlipidemia.mild", "血脂轻度异常（LDL<4.9），按标准体承保")),
        (
            {"ldl": "[4.9..6.5)"},
            exclusion(LIPIDS, "hyperlipidemia.moderate", "血脂明显升高：血脂异常及相关心脑血管疾病除外承保"),
        ),
        ({"ldl": ">= 6.5"}, manual("hyperlipidemia.severe", "LDL≥6.5 mmol/L，需排查家族性高胆固醇血症，转人工审核")),
    ],
    "hepatitis_b": [
        ({"cirrhosis": T}, decline("hepatitis_b.cirrhosis", "已有肝硬化，本产品无法承保")),
        ({"status": BIG_THREE}, decline("hepatitis_b.big_three_positive", "乙肝大三阳，本产品无法承保")),
        (
            {"liver_function_normal": F},
            decline("hepatitis_b.liver_function_abnormal", "乙肝且肝功能异常，本产品无法承保"),
        ),
        ({"hbv_dna_positive": T}, decline("hepatitis_b.dna_positive", "乙肝病毒 DNA 阳性，本产品无法承保")),
        (
            {"status": '"carrier"'},
            exclusion(LIVER, "hepatitis_b.carrier_normal", "乙肝携带且肝功能正常：肝脏疾病除外承保"),
        ),
        (
            {"status": '"small_three_positive"'},
            manual("hepatitis_b.small_three_positive", "乙肝小三阳，需要核保人员结合检查报告人工审核"),
        ),
    ],
    "thyroid_nodule": [
        (
            {"operated": T, "pathology_benign": T},
            standard("thyroid_nodule.operated_benign", "甲状腺结节已手术切除且病理为良性，按标准体承保"),
        ),
        (
            {"operated": T, "pathology_benign": F},
            decline("thyroid_nodule.operated_malignant", "甲状腺结节术后病理为恶性，本产品无法承保"),
        ),
        (
            {"tirads": "<= 3"},
            exclusion(THYROID, "thyroid_nodule.tirads_1_3", "甲状腺结节 TI-RADS 3 级及以下：甲状腺相关疾病除外承保"),
        ),
        ({"tirads": "4"}, postpone(6, "thyroid_nodule.tirads_4", "甲状腺结节 TI-RADS 4 级需复查，延期6个月后再申请")),
        ({"tirads": "5"}, decline("thyroid_nodule.tirads_5", "甲状腺结节 TI-RADS 5 级，本产品无法承保")),
    ],
    "lung_nodule": [
        ({"size_mm": "> 8"}, decline("lung_nodule.over_8mm", "肺结节大于8毫米，本产品无法承保")),
        (
            {"size_mm": ">= 6", "solid": T},
            manual("lung_nodule.solid_6_8mm", "6–8毫米实性肺结节，需要核保人员结合CT报告人工审核"),
        ),
        (
            {"size_mm": ">= 5", "age": ">= 60"},
            manual("lung_nodule.older_5mm", "60岁及以上且肺结节≥5毫米，需要核保人员人工审核"),
        ),
        ({"size_mm": "< 5"}, exclusion(LUNG, "lung_nodule.under_5mm", "肺结节小于5毫米：肺部相关疾病除外承保")),
        ({"size_mm": "[5..8]"}, postpone(6, "lung_nodule.5_8mm", "肺结节5–8毫米，建议6个月后复查CT再申请")),
    ],
    "breast_nodule": BREAST_MEDICAL,
    "pregnancy": PREGNANCY_MEDICAL,
    "cancer_history": CANCER_DECLINE,
}

MEDICAL_CHRONIC: dict[str, list[Row]] = {
    "hypertension": [
        ({"complications": T}, decline("hypertension.complications", "高血压已有并发症，本产品无法承保")),
        ({"grade": "3"}, manual("hypertension.grade3", "3级高血压，需要核保人员结合血压记录人工审核")),
        (
            {"grade": "[1..2]", "controlled": T},
            standard("hypertension.controlled", "1–2级高血压且控制良好，按标准体承保"),
        ),
        (
            {"grade": "[1..2]", "controlled": F},
            exclusion(HYPERTENSION, "hypertension.uncontrolled", "血压控制欠佳：高血压及其并发症除外承保"),
        ),
    ],
    "diabetes": [
        ({"type": "1"}, decline("diabetes.type1", "1型糖尿病，本产品无法承保")),
        ({"complications": T}, decline("diabetes.complications", "糖尿病已有并发症，本产品无法承保")),
        (
            {"type": "2", "hba1c": "< 8", "insulin": T},
            loading(50, "diabetes.type2_insulin", "2型糖尿病使用胰岛素且糖化血红蛋白<8%，加费50%承保"),
        ),
        (
            {"type": "2", "hba1c": "< 8"},
            loading(25, "diabetes.type2_controlled", "2型糖尿病且糖化血红蛋白<8%，加费25%承保"),
        ),
        (
            {"type": "2", "hba1c": "[8..9]"},
            manual("diabetes.type2_hba1c_8_9", "糖化血红蛋白8%–9%，需要核保人员结合血糖记录人工审核"),
        ),
        ({"type": "2", "hba1c": "> 9"}, decline("diabetes.type2_hba1c_high", "糖化血红蛋白>9%，本产品无法承保")),
    ],
    "hyperlipidemia": [
        ({"ldl": "< 7.8"}, standard("hyperlipidemia.accepted", "高血脂，按标准体承保")),
        (
            {"ldl": ">= 7.8"},
            exclusion(LIPIDS, "hyperlipidemia.severe", "LDL≥7.8 mmol/L：血脂异常及相关心脑血管疾病除外承保"),
        ),
    ],
    "hepatitis_b": [
        ({"cirrhosis": T}, decline("hepatitis_b.cirrhosis", "已有肝硬化，本产品无法承保")),
        (
            {"liver_function_normal": F},
            decline("hepatitis_b.liver_function_abnormal", "乙肝且肝功能异常，本产品无法承保"),
        ),
        (
            {"status": BIG_THREE, "hbv_dna_positive": F},
            manual("hepatitis_b.big_three_positive", "乙肝大三阳，需要核保人员结合检查报告人工审核"),
        ),
        (
            {"status": BIG_THREE},
            decline("hepatitis_b.big_three_dna_positive", "乙肝大三阳且病毒 DNA 阳性，本产品无法承保"),
        ),
        (
            {"status": CARRIER_OR_SMALL, "hbv_dna_positive": F},
            exclusion(LIVER, "hepatitis_b.carrier_normal", "乙肝携带/小三阳且肝功能正常：肝脏疾病除外承保"),
        ),
        (
            {"status": CARRIER_OR_SMALL, "hbv_dna_positive": T},
            manual("hepatitis_b.dna_positive", "乙肝病毒 DNA 阳性但肝功能正常，需要核保人员人工审核"),
        ),
    ],
    "thyroid_nodule": [
        (
            {"operated": T, "pathology_benign": T},
            standard("thyroid_nodule.operated_benign", "甲状腺结节已手术切除且病理为良性，按标准体承保"),
        ),
        (
            {"operated": T, "pathology_benign": F},
            decline("thyroid_nodule.operated_malignant", "甲状腺结节术后病理为恶性，本产品无法承保"),
        ),
        ({"tirads": "<= 2"}, standard("thyroid_nodule.tirads_1_2", "甲状腺结节 TI-RADS 1–2 级（良性），按标准体承保")),
        (
            {"tirads": "3"},
            exclusion(THYROID, "thyroid_nodule.tirads_3", "甲状腺结节 TI-RADS 3 级：甲状腺相关疾病除外承保"),
        ),
        ({"tirads": "4"}, postpone(6, "thyroid_nodule.tirads_4", "甲状腺结节 TI-RADS 4 级需复查，延期6个月后再申请")),
        ({"tirads": "5"}, decline("thyroid_nodule.tirads_5", "甲状腺结节 TI-RADS 5 级，本产品无法承保")),
    ],
    "lung_nodule": [
        ({"size_mm": "> 8"}, decline("lung_nodule.over_8mm", "肺结节大于8毫米，本产品无法承保")),
        (
            {"size_mm": ">= 6", "age": ">= 60"},
            manual("lung_nodule.older_6mm", "60岁及以上且肺结节≥6毫米，需要核保人员人工审核"),
        ),
        ({"size_mm": "< 6"}, exclusion(LUNG, "lung_nodule.under_6mm", "肺结节小于6毫米：肺部相关疾病除外承保")),
        (
            {"solid": F},
            exclusion(LUNG, "lung_nodule.6_8mm_subsolid", "6–8毫米非实性肺结节：肺部相关疾病除外承保"),
        ),
        ({"solid": T}, postpone(6, "lung_nodule.6_8mm_solid", "6–8毫米实性肺结节，建议6个月后复查CT再申请")),
    ],
    "breast_nodule": BREAST_MEDICAL,
    "pregnancy": PREGNANCY_MEDICAL,
    "cancer_history": CANCER_FIVE_YEARS,
}

CI_STANDARD: dict[str, list[Row]] = {
    "hypertension": [
        ({"complications": T}, decline("hypertension.complications", "高血压已有并发症，本产品无法承保")),
        ({"grade": "3"}, decline("hypertension.grade3", "3级高血压，本产品无法承保")),
        (
            {"grade": "1", "controlled": T},
            loading(25, "hypertension.grade1_controlled", "1级高血压且控制良好，加费25%承保"),
        ),
        (
            {"grade": "2", "controlled": T},
            loading(50, "hypertension.grade2_controlled", "2级高血压且控制良好，加费50%承保"),
        ),
        (
            {"grade": "1", "controlled": F},
            postpone(3, "hypertension.grade1_uncontrolled", "血压尚未控制达标，请规律服药控制3个月后再申请"),
        ),
        (
            {"grade": "2", "controlled": F},
            decline("hypertension.grade2_uncontrolled", "2级高血压且控制不佳，本产品无法承保"),
        ),
    ],
    "diabetes": [
        ({"type": "1"}, decline("diabetes.type1", "1型糖尿病，本产品无法承保")),
        ({"complications": T}, decline("diabetes.complications", "糖尿病已有并发症，本产品无法承保")),
        ({"insulin": T}, decline("diabetes.insulin", "糖尿病需使用胰岛素治疗，本产品无法承保")),
        (
            {"type": "2", "hba1c": "< 7"},
            manual("diabetes.type2_controlled", "2型糖尿病且血糖控制良好，需要核保人员人工审核"),
        ),
        ({"type": "2", "hba1c": ">= 7"}, decline("diabetes.type2_hba1c_high", "糖化血红蛋白≥7%，本产品无法承保")),
    ],
    "hyperlipidemia": [
        ({"ldl": "< 4.9"}, standard("hyperlipidemia.mild", "血脂轻度异常（LDL<4.9），按标准体承保")),
        ({"ldl": "[4.9..6.5)"}, loading(25, "hyperlipidemia.moderate", "血脂明显升高，加费25%承保")),
        ({"ldl": ">= 6.5"}, manual("hyperlipidemia.severe", "LDL≥6.5 mmol/L，需排查家族性高胆固醇血症，转人工审核")),
    ],
    "hepatitis_b": [
        ({"cirrhosis": T}, decline("hepatitis_b.cirrhosis", "已有肝硬化，本产品无法承保")),
        ({"status": BIG_THREE}, decline("hepatitis_b.big_three_positive", "乙肝大三阳，本产品无法承保")),
        (
            {"liver_function_normal": F},
            decline("hepatitis_b.liver_function_abnormal", "乙肝且肝功能异常，本产品无法承保"),
        ),
        ({"hbv_dna_positive": T}, decline("hepatitis_b.dna_positive", "乙肝病毒 DNA 阳性，本产品无法承保")),
        (
            {"status": '"carrier"'},
            exclusion(LIVER_CI, "hepatitis_b.carrier_normal", "乙肝携带且肝功能正常：肝癌、肝硬化除外承保"),
        ),
        (
            {"status": '"small_three_positive"'},
            manual("hepatitis_b.small_three_positive", "乙肝小三阳，需要核保人员结合检查报告人工审核"),
        ),
    ],
    "thyroid_nodule": [
        (
            {"operated": T, "pathology_benign": T},
            standard("thyroid_nodule.operated_benign", "甲状腺结节已手术切除且病理为良性，按标准体承保"),
        ),
        (
            {"operated": T, "pathology_benign": F},
            decline("thyroid_nodule.operated_malignant", "甲状腺结节术后病理为恶性，本产品无法承保"),
        ),
        (
            {"tirads": "<= 3"},
            exclusion(THYROID_CI, "thyroid_nodule.tirads_1_3", "甲状腺结节 TI-RADS 3 级及以下：甲状腺恶性肿瘤除外承保"),
        ),
        ({"tirads": "4"}, postpone(6, "thyroid_nodule.tirads_4", "甲状腺结节 TI-RADS 4 级需复查，延期6个月后再申请")),
        ({"tirads": "5"}, decline("thyroid_nodule.tirads_5", "甲状腺结节 TI-RADS 5 级，本产品无法承保")),
    ],
    "lung_nodule": [
        ({"size_mm": "> 8"}, decline("lung_nodule.over_8mm", "肺结节大于8毫米，本产品无法承保")),
        (
            {"size_mm": ">= 5", "age": ">= 60"},
            manual("lung_nodule.older_5mm", "60岁及以上且肺结节≥5毫米，需要核保人员人工审核"),
        ),
        ({"size_mm": "< 5"}, exclusion(LUNG_CI, "lung_nodule.under_5mm", "肺结节小于5毫米：肺恶性肿瘤除外承保")),
        ({"size_mm": "[5..8]"}, postpone(6, "lung_nodule.5_8mm", "肺结节5–8毫米，建议6个月后复查CT再申请")),
    ],
    "breast_nodule": BREAST_CI_ROWS,
    "pregnancy": PREGNANCY_CI,
    "cancer_history": CANCER_DECLINE,
}

CI_SMART: dict[str, list[Row]] = {
    "hypertension": [
        ({"complications": T}, decline("hypertension.complications", "高血压已有并发症，本产品无法承保")),
        ({"grade": "3"}, manual("hypertension.grade3", "3级高血压，需要核保人员结合血压记录人工审核")),
        (
            {"grade": "1", "controlled": T},
            standard("hypertension.grade1_controlled", "1级高血压且控制良好，按标准体承保"),
        ),
        (
            {"grade": "2", "controlled": T},
            loading(25, "hypertension.grade2_controlled", "2级高血压且控制良好，加费25%承保"),
        ),
        (
            {"grade": "1", "controlled": F},
            loading(25, "hypertension.grade1_uncontrolled", "1级高血压控制欠佳，加费25%承保"),
        ),
        (
            {"grade": "2", "controlled": F},
            postpone(3, "hypertension.grade2_uncontrolled", "血压尚未控制达标，请规律服药控制3个月后再申请"),
        ),
    ],
    "diabetes": [
        ({"type": "1"}, decline("diabetes.type1", "1型糖尿病，本产品无法承保")),
        ({"complications": T}, decline("diabetes.complications", "糖尿病已有并发症，本产品无法承保")),
        (
            {"type": "2", "hba1c": "< 7", "insulin": F},
            loading(50, "diabetes.type2_hba1c_under_7", "2型糖尿病且糖化血红蛋白<7%，加费50%承保"),
        ),
        (
            {"type": "2", "hba1c": "< 7", "insulin": T},
            loading(75, "diabetes.type2_insulin_under_7", "2型糖尿病使用胰岛素、糖化血红蛋白<7%，加费75%承保"),
        ),
        (
            {"type": "2", "hba1c": "[7..8)", "insulin": F},
            loading(75, "diabetes.type2_hba1c_7_8", "2型糖尿病且糖化血红蛋白7%–8%，加费75%承保"),
        ),
        (
            {"type": "2", "hba1c": "[7..8)", "insulin": T},
            loading(100, "diabetes.type2_insulin_7_8", "2型糖尿病使用胰岛素、糖化血红蛋白7%–8%，加费100%承保"),
        ),
        (
            {"type": "2", "hba1c": "[8..9)"},
            manual("diabetes.type2_hba1c_8_9", "糖化血红蛋白8%–9%，需要核保人员结合血糖记录人工审核"),
        ),
        ({"type": "2", "hba1c": ">= 9"}, decline("diabetes.type2_hba1c_high", "糖化血红蛋白≥9%，本产品无法承保")),
    ],
    "hyperlipidemia": [
        ({"ldl": "< 6.5"}, standard("hyperlipidemia.accepted", "高血脂，按标准体承保")),
        ({"ldl": ">= 6.5"}, loading(25, "hyperlipidemia.severe", "LDL≥6.5 mmol/L，加费25%承保")),
    ],
    "hepatitis_b": [
        ({"cirrhosis": T}, decline("hepatitis_b.cirrhosis", "已有肝硬化，本产品无法承保")),
        (
            {"liver_function_normal": F},
            decline("hepatitis_b.liver_function_abnormal", "乙肝且肝功能异常，本产品无法承保"),
        ),
        ({"hbv_dna_positive": T}, decline("hepatitis_b.dna_positive", "乙肝病毒 DNA 阳性，本产品无法承保")),
        (
            {"status": BIG_THREE},
            manual("hepatitis_b.big_three_positive", "乙肝大三阳，需要核保人员结合检查报告人工审核"),
        ),
        (
            {"status": CARRIER_OR_SMALL},
            exclusion(LIVER_CI, "hepatitis_b.carrier_normal", "乙肝携带/小三阳且肝功能正常：肝癌、肝硬化除外承保"),
        ),
    ],
    "thyroid_nodule": [
        (
            {"operated": T, "pathology_benign": T},
            standard("thyroid_nodule.operated_benign", "甲状腺结节已手术切除且病理为良性，按标准体承保"),
        ),
        (
            {"operated": T, "pathology_benign": F},
            decline("thyroid_nodule.operated_malignant", "甲状腺结节术后病理为恶性，本产品无法承保"),
        ),
        ({"tirads": "<= 2"}, standard("thyroid_nodule.tirads_1_2", "甲状腺结节 TI-RADS 1–2 级（良性），按标准体承保")),
        (
            {"tirads": "3"},
            exclusion(THYROID_CI, "thyroid_nodule.tirads_3", "甲状腺结节 TI-RADS 3 级：甲状腺恶性肿瘤除外承保"),
        ),
        ({"tirads": "4"}, postpone(6, "thyroid_nodule.tirads_4", "甲状腺结节 TI-RADS 4 级需复查，延期6个月后再申请")),
        ({"tirads": "5"}, decline("thyroid_nodule.tirads_5", "甲状腺结节 TI-RADS 5 级，本产品无法承保")),
    ],
    "lung_nodule": [
        ({"size_mm": "> 8"}, decline("lung_nodule.over_8mm", "肺结节大于8毫米，本产品无法承保")),
        ({"size_mm": "< 5"}, standard("lung_nodule.under_5mm", "肺结节小于5毫米，按标准体承保")),
        (
            {"age": ">= 60"},
            manual("lung_nodule.older_5mm", "60岁及以上且肺结节≥5毫米，需要核保人员人工审核"),
        ),
        (
            {"solid": F},
            exclusion(LUNG_CI, "lung_nodule.5_8mm_subsolid", "5–8毫米非实性肺结节：肺恶性肿瘤除外承保"),
        ),
        ({"solid": T}, postpone(6, "lung_nodule.5_8mm_solid", "5–8毫米实性肺结节，建议6个月后复查CT再申请")),
    ],
    "breast_nodule": BREAST_CI_ROWS,
    "pregnancy": PREGNANCY_CI,
    "cancer_history": CANCER_DECLINE,
}

LIFE_STANDARD: dict[str, list[Row]] = {
    "hypertension": [
        ({"grade": "3"}, decline("hypertension.grade3", "3级高血压，本产品无法承保")),
        (
            {"complications": T},
            manual("hypertension.complications", "高血压已有并发症，需要核保人员结合病历人工审核"),
        ),
        (
            {"grade": "1", "controlled": T},
            standard("hypertension.grade1_controlled", "1级高血压且控制良好，按标准体承保"),
        ),
        (
            {"grade": "1", "controlled": F},
            loading(25, "hypertension.grade1_uncontrolled", "1级高血压控制欠佳，加费25%承保"),
        ),
        (
            {"grade": "2", "controlled": T},
            loading(50, "hypertension.grade2_controlled", "2级高血压且控制良好，加费50%承保"),
        ),
        (
            {"grade": "2", "controlled": F},
            loading(100, "hypertension.grade2_uncontrolled", "2级高血压控制欠佳，加费100%承保"),
        ),
    ],
    "diabetes": [
        ({"type": "1"}, decline("diabetes.type1", "1型糖尿病，本产品无法承保")),
        ({"complications": T}, decline("diabetes.complications", "糖尿病已有并发症，本产品无法承保")),
        ({"hba1c": ">= 8"}, decline("diabetes.type2_hba1c_high", "糖化血红蛋白≥8%，本产品无法承保")),
        ({"insulin": T}, loading(100, "diabetes.type2_insulin", "2型糖尿病使用胰岛素，加费100%承保")),
        ({"hba1c": "< 7"}, loading(50, "diabetes.type2_hba1c_under_7", "2型糖尿病且糖化血红蛋白<7%，加费50%承保")),
        ({"hba1c": "[7..8)"}, loading(100, "diabetes.type2_hba1c_7_8", "2型糖尿病且糖化血红蛋白7%–8%，加费100%承保")),
    ],
    "hyperlipidemia": [
        ({"ldl": "< 4.9"}, standard("hyperlipidemia.mild", "血脂轻度异常（LDL<4.9），按标准体承保")),
        ({"ldl": "[4.9..6.5)"}, loading(25, "hyperlipidemia.moderate", "血脂明显升高，加费25%承保")),
        ({"ldl": ">= 6.5"}, loading(50, "hyperlipidemia.severe", "LDL≥6.5 mmol/L，加费50%承保")),
    ],
    "hepatitis_b": [
        ({"cirrhosis": T}, decline("hepatitis_b.cirrhosis", "已有肝硬化，本产品无法承保")),
        (
            {"liver_function_normal": F},
            manual("hepatitis_b.liver_function_abnormal", "乙肝且肝功能异常，需要核保人员结合肝功能报告人工审核"),
        ),
        ({"status": BIG_THREE}, loading(50, "hepatitis_b.big_three_positive", "乙肝大三阳且肝功能正常，加费50%承保")),
        (
            {"hbv_dna_positive": T},
            loading(50, "hepatitis_b.dna_positive", "乙肝病毒 DNA 阳性但肝功能正常，加费50%承保"),
        ),
        (
            {"status": CARRIER_OR_SMALL},
            loading(25, "hepatitis_b.carrier_normal", "乙肝携带/小三阳且肝功能正常，加费25%承保"),
        ),
    ],
    "thyroid_nodule": [
        (
            {"operated": T, "pathology_benign": T},
            standard("thyroid_nodule.operated_benign", "甲状腺结节已手术切除且病理为良性，按标准体承保"),
        ),
        (
            {"operated": T, "pathology_benign": F},
            manual("thyroid_nodule.operated_malignant", "甲状腺结节术后病理为恶性，需要核保人员结合病历人工审核"),
        ),
        ({"tirads": "<= 3"}, standard("thyroid_nodule.tirads_1_3", "甲状腺结节 TI-RADS 3 级及以下，按标准体承保")),
        ({"tirads": "4"}, postpone(6, "thyroid_nodule.tirads_4", "甲状腺结节 TI-RADS 4 级需复查，延期6个月后再申请")),
        ({"tirads": "5"}, decline("thyroid_nodule.tirads_5", "甲状腺结节 TI-RADS 5 级，本产品无法承保")),
    ],
    "lung_nodule": [
        ({"size_mm": "< 5"}, standard("lung_nodule.under_5mm", "肺结节小于5毫米，按标准体承保")),
        (
            {"size_mm": "<= 8", "age": ">= 60"},
            manual("lung_nodule.older_5mm", "60岁及以上且肺结节≥5毫米，需要核保人员人工审核"),
        ),
        ({"size_mm": "<= 8", "solid": F}, standard("lung_nodule.5_8mm_subsolid", "5–8毫米非实性肺结节，按标准体承保")),
        (
            {"size_mm": "<= 8", "solid": T},
            postpone(6, "lung_nodule.5_8mm_solid", "5–8毫米实性肺结节，建议6个月后复查CT再申请"),
        ),
        ({"size_mm": "> 8"}, postpone(6, "lung_nodule.over_8mm", "肺结节大于8毫米，请明确诊断，6个月后再申请")),
    ],
    "breast_nodule": [
        ({"birads": "[1..3]"}, standard("breast_nodule.birads_1_3", "乳腺结节 BI-RADS 3 级及以下，按标准体承保")),
        (
            {"birads": "4"},
            postpone(6, "breast_nodule.birads_4", "乳腺结节 BI-RADS 4 级需进一步检查，延期6个月后再申请"),
        ),
        ({"birads": "[5..6]"}, decline("breast_nodule.birads_5_6", "乳腺结节 BI-RADS 5–6 级，本产品无法承保")),
    ],
    "pregnancy": [
        ({"weeks": "[1..45]"}, standard("pregnancy.accepted", "怀孕不影响本产品承保，按标准体承保")),
    ],
    "cancer_history": CANCER_FIVE_YEARS,
}

QUESTIONNAIRES: dict[str, dict[str, Any]] = {
    "medical_standard": {"name": "医疗险健康告知（标准）", "category": "medical", "rules": MEDICAL_STANDARD},
    "medical_chronic": {"name": "医疗险健康告知（三高、乙肝可投）", "category": "medical", "rules": MEDICAL_CHRONIC},
    "ci_standard": {"name": "重疾险健康告知（标准）", "category": "critical_illness", "rules": CI_STANDARD},
    "ci_smart": {"name": "重疾险智能核保（宽松）", "category": "critical_illness", "rules": CI_SMART},
    "life_standard": {
        "name": "寿险、失能收入险、长期护理险健康告知",
        "category": "term_life",
        "rules": LIFE_STANDARD,
    },
}

# -- JDM ---------------------------------------------------------------------------------------


def _output_cell(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _describe(when: dict[str, str]) -> str:
    if not when:
        return "其余情况（兜底规则）"
    parts = []
    for column, cell in when.items():
        shown = {"true": "是", "false": "否"}.get(cell, cell.replace('"', ""))
        parts.append(f"{COLUMN_LABELS[column]} {shown}")
    return "；".join(parts)


def table_document(questionnaire: str, condition: str, rows: list[Row]) -> dict[str, Any]:
    """One JDM graph: input → decision table → output."""
    used = {column for when, _ in rows for column in when}
    unknown = used - set(COLUMNS[condition])
    if unknown:
        raise ValueError(f"{questionnaire}/{condition}: unknown columns {sorted(unknown)}")
    columns = [c for c in COLUMNS[condition] if c in used] or [COLUMNS[condition][0]]
    all_rows = [*rows, catch_all(condition)]
    rules = []
    for number, (when, then) in enumerate(all_rows, start=1):
        rule: dict[str, Any] = {"_id": f"{condition}_{number:02d}", "_description": _describe(when)}
        for column in columns:
            rule[f"in_{column}"] = when.get(column, "")
        for field in OUTPUT_LABELS:
            rule[f"out_{field}"] = _output_cell(then.get(field))
        rules.append(rule)
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "input", "type": "inputNode", "name": "告知", "position": {"x": 80, "y": 200}},
            {
                "id": "table",
                "type": "decisionTableNode",
                "name": f"{questionnaire}/{condition}",
                "position": {"x": 360, "y": 200},
                "content": {
                    "hitPolicy": "first",
                    "inputs": [{"id": f"in_{c}", "name": COLUMN_LABELS[c], "field": c} for c in columns],
                    "outputs": [{"id": f"out_{f}", "name": label, "field": f} for f, label in OUTPUT_LABELS.items()],
                    "rules": rules,
                },
            },
            {"id": "output", "type": "outputNode", "name": "结论", "position": {"x": 900, "y": 200}},
        ],
        "edges": [
            {"id": "input-table", "type": "edge", "sourceId": "input", "targetId": "table"},
            {"id": "table-output", "type": "edge", "sourceId": "table", "targetId": "output"},
        ],
    }


def render() -> dict[str, str]:
    """Relative path → file text, for every shipped file."""
    files: dict[str, str] = {}
    index: dict[str, Any] = {}
    for code, spec in QUESTIONNAIRES.items():
        rules: dict[str, list[Row]] = spec["rules"]
        missing = set(CONDITIONS) - set(rules)
        if missing:
            raise ValueError(f"{code}: no table for {sorted(missing)}")
        index[code] = {"name": spec["name"], "category": spec["category"], "conditions": [*CONDITIONS, "other"]}
        for condition in CONDITIONS:
            document = table_document(code, condition, rules[condition])
            files[f"rules/{code}/{condition}.json"] = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    header = "# Generated by generate_rules.py — edit the generator, not this file.\n"
    files["questionnaires.yaml"] = header + yaml.safe_dump(
        index, allow_unicode=True, sort_keys=False, default_flow_style=False, width=200
    )
    return files


def validate(files: dict[str, str]) -> list[str]:
    """Every table must pass the engine's own validation."""
    from kincare.underwriting.engine.rules import RuleTableInvalid, parse_table

    problems: list[str] = []
    for path, text in files.items():
        if not path.endswith(".json"):
            continue
        try:
            parse_table(text.encode(), condition=Path(path).stem)
        except RuleTableInvalid as exc:
            problems.extend(f"{path}: {p}" for p in exc.problems)
    return problems


def main(argv: list[str] | None = None, target: Path = HERE) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the files on disk differ from the generator")
    args = parser.parse_args(argv)
    files = render()
    problems = validate(files)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.check:
        stale = [
            p for p, text in files.items() if not (target / p).is_file() or (target / p).read_text("utf-8") != text
        ]
        extra = sorted(
            str(p.relative_to(target))
            for p in (target / "rules").rglob("*.json")
            if str(p.relative_to(target)) not in files
        )
        if stale or extra:
            print("out of date: " + ", ".join(stale + extra), file=sys.stderr)
            return 1
        print(f"{len(files)} files up to date")
        return 0
    for old in (target / "rules").rglob("*.json"):
        if str(old.relative_to(target)) not in files:
            old.unlink()
    for path, text in files.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {target}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))  # src/, so the engine's validation can be imported
    raise SystemExit(main())
