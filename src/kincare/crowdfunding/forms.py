"""Page forms: amounts typed in yuan are parsed strictly into fen; the services check the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kincare.claims.forms import MultipleFileField
from kincare.core.errors import DomainError
from kincare.core.money import parse_yuan
from kincare.crowdfunding.models import Relationship, SocialInsurance
from kincare.families.models import Member

HOUSES = 3
CARS = 2
POLICIES = 2
AIDS = 2


class YuanField(forms.CharField):
    """A yuan amount typed by a person; cleaned to fen (full-width digits are refused)."""

    def __init__(self, *args: Any, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_yuan(value, allow_zero=self.allow_zero)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=60)
    story = forms.CharField(label=_("求助说明"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    patient = forms.ChoiceField(label=_("患者"))
    patient_name = forms.CharField(label=_("患者姓名"), required=False, max_length=50)
    patient_resident_id = forms.CharField(label=_("患者身份证号"), required=False, max_length=30)
    relationship = forms.ChoiceField(label=_("你与患者的关系"), choices=Relationship.choices)
    hospital_code = forms.CharField(label=_("医院"), max_length=20, widget=forms.HiddenInput)
    department = forms.CharField(label=_("科室"), max_length=60)
    doctor = forms.CharField(label=_("主治医生"), max_length=50)
    icd10 = forms.CharField(label=_("诊断"), max_length=10, widget=forms.HiddenInput)
    diagnosed_on = forms.DateField(label=_("确诊日期"), widget=forms.DateInput(attrs={"type": "date"}))
    treatment_finished = forms.BooleanField(label=_("治疗已经结束"), required=False)
    estimated_cost = YuanField(label=_("医院预估的治疗费用（元）"), allow_zero=False)
    financial_assets = YuanField(label=_("存款、理财等金融资产（元）"), required=False)
    annual_income = YuanField(label=_("家庭年收入（元）"), required=False)
    debts = YuanField(label=_("负债（元）"), required=False)
    social_insurance = forms.ChoiceField(label=_("患者医保"), choices=SocialInsurance.choices)
    goal = YuanField(label=_("目标金额（元）"), allow_zero=False)
    days = forms.IntegerField(label=_("筹款天数"), min_value=1, max_value=60, initial=30)
    surplus_charity = forms.CharField(
        label=_("结余捐给的慈善项目（不填则按比例退还捐款人）"), required=False, max_length=120
    )
    doc_diagnosis = forms.FileField(label=_("诊断证明/出院小结/病理报告"), required=False)
    doc_cost_estimate = forms.FileField(label=_("医院出具的费用预估"), required=False)
    doc_authorisation = forms.FileField(label=_("患者书面授权（关系为“其他”时必传）"), required=False)
    photo = forms.FileField(label=_("照片"), required=False)

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patient = self.fields["patient"]
        assert isinstance(patient, forms.ChoiceField)
        patient.choices = [(str(m.pk), m.name) for m in members] + [("other", _("不是家庭成员"))]
        for i in range(1, HOUSES + 1):
            self.fields[f"house_{i}"] = YuanField(label=_("房产 %(n)d 估值（元）") % {"n": i}, required=False)
            self.fields[f"house_{i}_only"] = forms.BooleanField(label=_("唯一住房"), required=False)
        for i in range(1, CARS + 1):
            self.fields[f"car_{i}"] = YuanField(label=_("车辆 %(n)d 价值（元）") % {"n": i}, required=False)
        for i in range(1, POLICIES + 1):
            self.fields[f"policy_{i}_insurer"] = forms.CharField(label=_("保险公司"), required=False, max_length=120)
            self.fields[f"policy_{i}_product"] = forms.CharField(label=_("产品"), required=False, max_length=120)
            self.fields[f"policy_{i}_payout"] = YuanField(label=_("预计赔付（元）"), required=False)
        for i in range(1, AIDS + 1):
            self.fields[f"aid_{i}_source"] = forms.CharField(label=_("救助来源"), required=False, max_length=120)
            self.fields[f"aid_{i}_amount"] = YuanField(label=_("金额（元）"), required=False)

    def house_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"house_{i}"], self[f"house_{i}_only"]) for i in range(1, HOUSES + 1)]

    def car_fields(self) -> list[Any]:
        return [self[f"car_{i}"] for i in range(1, CARS + 1)]

    def policy_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"policy_{i}_insurer"], self[f"policy_{i}_product"], self[f"policy_{i}_payout"])
            for i in range(1, POLICIES + 1)
        ]

    def aid_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"aid_{i}_source"], self[f"aid_{i}_amount"]) for i in range(1, AIDS + 1)]

    def data_for_service(self) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "title": c["title"],
            "story": c["story"],
            "relationship": c["relationship"],
            "hospital_code": c["hospital_code"],
            "department": c["department"],
            "doctor": c["doctor"],
            "icd10": c["icd10"],
            "diagnosed_on": c["diagnosed_on"].isoformat() if isinstance(c["diagnosed_on"], dt.date) else "",
            "treatment_finished": bool(c["treatment_finished"]),
            "estimated_cost_fen": c["estimated_cost"],
            "finances": {
                "houses": [
                    {"value_fen": c[f"house_{i}"], "only_home": bool(c[f"house_{i}_only"])}
                    for i in range(1, HOUSES + 1)
                    if c.get(f"house_{i}") is not None
                ],
                "cars": [{"value_fen": c[f"car_{i}"]} for i in range(1, CARS + 1) if c.get(f"car_{i}") is not None],
                "financial_assets_fen": c.get("financial_assets") or 0,
                "annual_income_fen": c.get("annual_income") or 0,
                "debts_fen": c.get("debts") or 0,
            },
            "social_insurance": c["social_insurance"],
            "declared_insurance": [
                {
                    "insurer": c[f"policy_{i}_insurer"],
                    "product": c[f"policy_{i}_product"],
                    "expected_payout_fen": c.get(f"policy_{i}_payout") or 0,
                }
                for i in range(1, POLICIES + 1)
                if c.get(f"policy_{i}_insurer")
            ],
            "other_aid": [
                {"source": c[f"aid_{i}_source"], "amount_fen": c.get(f"aid_{i}_amount") or 0}
                for i in range(1, AIDS + 1)
                if c.get(f"aid_{i}_source")
            ],
            "goal_fen": c["goal"],
            "days": c["days"],
            "surplus_charity": c.get("surplus_charity") or "",
        }
        if c["patient"] == "other":
            data["patient_name"] = c.get("patient_name") or ""
            data["patient_resident_id"] = c.get("patient_resident_id") or ""
        else:
            data["patient_member_id"] = int(c["patient"])
        return data

    def documents(self, files: Any) -> list[tuple[str, Any]]:
        docs = []
        for field, kind in (
            ("doc_diagnosis", "diagnosis"),
            ("doc_cost_estimate", "cost_estimate"),
            ("doc_authorisation", "authorisation"),
        ):
            if files.get(field):
                docs.append((kind, files[field]))
        docs.extend(("photo", f) for f in files.getlist("photo"))
        return docs


class DonateForm(forms.Form):
    amount = YuanField(label=_("捐款金额（元）"), allow_zero=False)
    message = forms.CharField(label=_("留言（选填）"), required=False, max_length=200)
    anonymous = forms.BooleanField(label=_("隐去我的名字（不勾选则公开显示全名）"), required=False, initial=True)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReportForm(forms.Form):
    from kincare.crowdfunding.models import Report as _Report

    reason = forms.ChoiceField(label=_("举报原因"), choices=_Report.Reason.choices)
    details = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    evidence = forms.FileField(label=_("证据（选填）"), required=False)


class WitnessForm(forms.Form):
    relationship = forms.CharField(label=_("你与患者的关系"), max_length=30)
    message = forms.CharField(label=_("证实内容"), required=False, max_length=200)


class DisbursementForm(forms.Form):
    from kincare.crowdfunding.models import Disbursement as _Disbursement

    amount = YuanField(label=_("拨付金额（元）"), allow_zero=False)
    recipient = forms.ChoiceField(label=_("收款方"), choices=_Disbursement.Recipient.choices)
    recipient_name = forms.CharField(label=_("收款方名称（默认就诊医院）"), required=False, max_length=120)
    recipient_account = forms.CharField(label=_("收款账号"), max_length=40)
    note = forms.CharField(label=_("用途说明"), required=False, max_length=300)
    invoices = MultipleFileField(label=_("医疗费用发票（打款给患者时必填）"))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("凭证类型"),
        choices=[("invoice", _("医疗费用发票")), ("discharge", _("出院小结")), ("other", _("其他材料"))],
    )
    file = forms.FileField(label=_("文件"))


def form_error(form: forms.Form, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    """Put a service error on the field it names (mapped to the form's field), else on the form."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    name = name.split(".")[0] if name else ""
    form.add_error(name if name in form.fields else None, exc.message)
