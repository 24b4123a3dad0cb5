"""Premium lookup at the edges: exact birthdays, 28-day-old infants, max issue age and beyond."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.catalog.engine import PlanFacts, PremiumBand, PremiumTable, age_on, quote_premium
from kincare.core.errors import ValidationFailed

TODAY = dt.date(2026, 6, 15)
TABLE = PremiumTable(
    issue_age_min_days=28,
    issue_age_max_years=10,
    plans=(PlanFacts("standard", 300_000_000),),
    bands=tuple(
        PremiumBand("standard", 1, sex, social, lo, hi, fen + (0 if social else 10_000) + (500 if sex == "F" else 0))
        for sex in ("M", "F")
        for social in (True, False)
        for lo, hi, fen in ((0, 0, 40_000), (1, 5, 30_000), (6, 10, 20_000))
    ),
)


def _quote(**kwargs: object) -> int:
    params: dict[str, object] = {"sex": "M", "social_insurance": True, "plan": "standard", "on_date": TODAY}
    params.update(kwargs)
    return quote_premium(TABLE, **params).annual_premium_fen  # type: ignore[arg-type]


def test_age_is_counted_in_whole_years_and_turns_on_the_birthday() -> None:
    assert age_on(dt.date(2020, 6, 15), TODAY) == 6
    assert age_on(dt.date(2020, 6, 16), TODAY) == 5
    assert age_on(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == 0
    assert age_on(dt.date(2020, 2, 29), dt.date(2021, 3, 1)) == 1


def test_it_prices_by_the_band_the_exact_birthday_falls_in() -> None:
    assert _quote(birth_date=dt.date(2020, 6, 15)) == 20_000  # 6 today: band 6-10
    assert _quote(birth_date=dt.date(2020, 6, 16)) == 30_000  # still 5: band 1-5
    assert _quote(age=5) == 30_000
    assert _quote(age=6) == 20_000


def test_a_28_day_old_infant_can_be_insured_and_a_27_day_old_cannot() -> None:
    assert _quote(birth_date=TODAY - dt.timedelta(days=28)) == 40_000
    with pytest.raises(ValidationFailed) as exc:
        _quote(birth_date=TODAY - dt.timedelta(days=27))
    assert exc.value.code == "age_below_min"
    assert exc.value.field == "birth_date"
    assert "28" in exc.value.message


def test_the_max_issue_age_is_insurable_and_one_year_more_is_a_clear_error() -> None:
    assert _quote(age=10) == 20_000
    assert _quote(birth_date=dt.date(2015, 6, 16)) == 20_000  # 10, turning 11 tomorrow
    with pytest.raises(ValidationFailed) as exc:
        _quote(age=11)
    assert exc.value.code == "age_above_max"
    assert "10" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _quote(birth_date=dt.date(2015, 6, 15))
    assert exc.value.code == "age_above_max"


def test_sex_and_social_insurance_choose_the_row() -> None:
    assert _quote(age=3, sex="F") == 30_500
    assert _quote(age=3, social_insurance=False) == 40_000


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "age_required"),
        ({"age": -1}, "age_invalid"),
        ({"age": 10**6}, "age_invalid"),
        ({"birth_date": TODAY + dt.timedelta(days=1)}, "birth_date_in_future"),
        ({"age": 3, "sex": "X"}, "sex_invalid"),
        ({"age": 3, "plan": "gold"}, "unknown_plan"),
        ({"age": 3, "payment_years": 20}, "payment_term_unavailable"),
    ],
)
def test_bad_input_gets_a_stable_error_code(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _quote(**kwargs)
    assert exc.value.code == code
