"""The underwriting engine's facts: an insured member (a row) as the engine's ``Applicant`` on a
day — age on that day, sex, and the conditions declared for this decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kincare.core.dates import age_on
from kincare.underwriting.engine import Applicant, DeclaredCondition


def applicant_facts(member: Any, *, conditions: tuple[DeclaredCondition, ...], on_date: dt.date) -> Applicant:
    return Applicant(conditions=conditions, age=age_on(member.birth_date, on_date), sex=member.sex)
