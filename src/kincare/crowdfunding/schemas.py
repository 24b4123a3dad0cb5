"""API schemas for campaigns and donations (amounts in integer fen)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

from kincare.crowdfunding.form_schemas import DonationInput
from kincare.crowdfunding.models import Donation
from kincare.crowdfunding.selectors import PublicCampaign


class CampaignOut(Schema):
    id: int
    title: str
    status: str
    patient: str = Field(description="masked name")
    patient_resident_id: str = Field(description="masked resident ID")
    diagnosis: str
    hospital: str
    goal_fen: int
    goal_cap_fen: int
    raised_fen: int
    donors: int
    donations: int
    ends_on: dt.date
    witnesses: int
    open_reports: int
    ledger_url: str

    @classmethod
    def build(cls, view: PublicCampaign) -> CampaignOut:
        c = view.campaign
        return cls(
            id=c.pk,
            title=c.title,
            status=c.status,
            patient=view.patient,
            patient_resident_id=view.patient_id,
            diagnosis=f"{c.icd10} {c.diagnosis_name}",
            hospital=c.hospital_name,
            goal_fen=c.goal_fen,
            goal_cap_fen=c.goal_cap_fen,
            raised_fen=view.progress.raised_fen,
            donors=view.progress.donors,
            donations=view.progress.donations,
            ends_on=c.ends_on,
            witnesses=view.witness_count,
            open_reports=view.open_reports,
            ledger_url=f"/c/{c.pk}/ledger.json",
        )


class DonationIn(Schema):
    amount_fen: StrictInt
    idempotency_key: StrictStr = Field(description="8–64 of A–Z a–z 0–9 _ -; the same key makes one donation")
    message: StrictStr = ""
    anonymous: StrictBool = True
    share: StrictStr = Field(default="", description="the share code the donor arrived through")

    def donation(self) -> DonationInput:
        """As the service takes it (ValidationFailed with its code: amount, key, message)."""
        return DonationInput(amount_fen=self.amount_fen, idempotency_key=self.idempotency_key, message=self.message)


class DonationOut(Schema):
    id: int
    campaign_id: int
    amount_fen: int
    status: str
    out_trade_no: str | None
    pay_url: str | None
    receipt_no: str | None

    @classmethod
    def build(cls, donation: Donation) -> DonationOut:
        order = donation.order
        return cls(
            id=donation.pk,
            campaign_id=donation.campaign_id,
            amount_fen=donation.amount_fen,
            status=donation.status,
            out_trade_no=order.out_trade_no if order else None,
            pay_url=(order.pay_url or None) if order and order.status == "created" else None,
            receipt_no=donation.receipt_no,
        )
