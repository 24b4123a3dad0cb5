from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kincare.core.money import (
    MAX_FEN,
    AmountError,
    apply_ratio,
    fen_to_yuan_str,
    format_yuan,
    format_yuan_cn,
    parse_yuan,
    yuan,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0.01", 1), ("1", 100), ("1.5", 150), ("128.50", 12850), (" 20 ", 2000), ("1000000", 100_000_000)],
)
def test_it_parses_plain_yuan_amounts_into_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_empty"),
        ("   ", "amount_empty"),
        ("1e3", "amount_format"),
        ("-5", "amount_negative"),
        ("NaN", "amount_format"),
        ("Infinity", "amount_format"),
        ("１２", "amount_fullwidth"),
        ("12。5", "amount_fullwidth"),
        ("1,000", "amount_format"),
        ("01", "amount_format"),
        ("1 000", "amount_format"),
        ("1.", "amount_format"),
        (".5", "amount_format"),
        ("+5", "amount_format"),
        ("0x10", "amount_format"),
        ("1.234", "amount_too_precise"),
        ("0", "amount_zero"),
        ("0.00", "amount_zero"),
        ("9" * 16, "amount_too_large"),
        ("2000000000000.01", "amount_too_large"),
        (None, "amount_type"),
        (1.5, "amount_type"),
        (True, "amount_type"),
        (["1"], "amount_type"),
    ],
)
def test_it_refuses_malformed_amounts_with_a_stable_code(text, code):
    with pytest.raises(AmountError) as exc:
        parse_yuan(text, field="amount")
    assert exc.value.code == code
    assert exc.value.field == "amount"
    assert exc.value.message


def test_it_normalises_full_width_digits_only_when_asked():
    assert parse_yuan("１２.５", normalise_fullwidth=True) == 1250


def test_zero_is_accepted_where_the_caller_allows_it():
    assert parse_yuan("0", allow_zero=True) == 0


def test_it_respects_a_caller_maximum():
    with pytest.raises(AmountError) as exc:
        parse_yuan("50000.01", max_fen=5_000_000)
    assert exc.value.code == "amount_too_large"


@given(st.integers(min_value=1, max_value=MAX_FEN))
def test_formatting_then_parsing_gives_back_the_same_fen(fen):
    assert parse_yuan(fen_to_yuan_str(fen)) == fen


@given(st.text(max_size=20))
def test_parsing_any_text_either_gives_a_positive_fen_or_a_stable_error(text):
    try:
        fen = parse_yuan(text)
    except AmountError as exc:
        assert exc.code.startswith("amount_")
    else:
        assert 0 < fen <= MAX_FEN


@given(st.integers(min_value=-(10**12), max_value=10**12), st.decimals(min_value=0, max_value=2, places=4))
def test_apply_ratio_rounds_half_up_to_the_fen(amount, ratio):
    exact = Decimal(amount) * ratio
    result = apply_ratio(amount, ratio)
    assert abs(Decimal(result) - exact) <= Decimal("0.5")


def test_apply_ratio_rounds_halves_away_from_zero():
    assert apply_ratio(1, "0.5") == 1
    assert apply_ratio(3, "0.5") == 2
    assert apply_ratio(15, "0.1") == 2
    assert apply_ratio(1_500_000, "0.60") == 900_000


def test_display_formats():
    assert format_yuan(123456) == "¥1,234.56"
    assert format_yuan(-5) == "-¥0.05"
    assert format_yuan_cn(123456) == "1,234.56 元"
    assert fen_to_yuan_str(100) == "1.00"


def test_yuan_converts_exact_figures_and_refuses_fractions_of_a_fen():
    assert yuan(5000) == 500_000
    assert yuan("0.01") == 1
    with pytest.raises(ValueError):
        yuan("0.001")
