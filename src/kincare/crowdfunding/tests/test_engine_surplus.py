"""Returning the surplus pro rata: the fen add up exactly, and no donor gets back more than fair."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kincare.crowdfunding.engine import surplus_shares


def test_it_splits_a_surplus_in_proportion_to_the_donations():
    assert surplus_shares(600, [("a", 1_000), ("b", 2_000), ("c", 3_000)]) == {"a": 100, "b": 200, "c": 300}


def test_the_left_over_fen_go_to_the_largest_remainders():
    # exact shares 33.33… each: one fen left over, to the smallest key
    assert surplus_shares(100, [("b", 100), ("a", 100), ("c", 100)]) == {"a": 34, "b": 33, "c": 33}
    # exact shares 1.4, 2.8, 5.6 (remainders .4 .8 .6): the left-over fen go to b and c
    assert surplus_shares(10, [("a", 50), ("b", 100), ("c", 200)]) == {"a": 1, "b": 3, "c": 6}


def test_a_tie_in_remainders_goes_to_the_larger_donation_then_the_smaller_key():
    # exact shares 0.5, 1.5 and 3: one fen left over, a tie of remainders between a and b
    assert surplus_shares(5, [("a", 1), ("b", 3), ("c", 6)]) == {"a": 0, "b": 2, "c": 3}
    # exact shares 0.5 each: equal remainders and donations, the smaller key wins, whatever the order
    assert surplus_shares(1, [("z", 5), ("y", 5)]) == {"y": 1, "z": 0}
    assert surplus_shares(1, [("y", 5), ("z", 5)]) == {"y": 1, "z": 0}


def test_the_order_of_the_rows_does_not_matter():
    rows = [(k, amount) for k, amount in zip("abcdefg", [7, 3, 3, 9, 1, 3, 7], strict=True)]
    assert surplus_shares(11, rows) == surplus_shares(11, list(reversed(rows)))


def test_a_donor_who_gave_twice_gets_the_share_of_both():
    assert surplus_shares(30, [("a", 10), ("b", 10), ("a", 10)]) == {"a": 20, "b": 10}


def test_the_edge_cases_return_what_is_left_to_return():
    assert surplus_shares(0, []) == {}
    assert surplus_shares(0, [("a", 5), ("b", 0)]) == {"a": 0, "b": 0}
    assert surplus_shares(5, [("a", 5), ("b", 0)]) == {"a": 5, "b": 0}
    assert surplus_shares(15, [("a", 5), ("b", 10)]) == {"a": 5, "b": 10}  # everything back
    assert surplus_shares(0, [("a", 0)]) == {"a": 0}


@pytest.mark.parametrize(
    ("surplus", "donations"),
    [
        (1, []),
        (11, [("a", 5), ("b", 5)]),
        (-1, [("a", 5)]),
        (1, [("a", -5), ("b", 10)]),
        (1, [("a", 1.5)]),
        (1, [("a", True)]),
        (True, [("a", 5)]),
    ],
)
def test_it_refuses_a_surplus_it_cannot_return(surplus, donations):
    with pytest.raises(ValueError):
        surplus_shares(surplus, donations)


donations = st.dictionaries(st.integers(0, 10_000), st.integers(0, 10**9), min_size=1, max_size=30)


@st.composite
def surplus_and_donations(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    given_ = list(draw(donations).items())
    total = sum(amount for _, amount in given_)
    return draw(st.integers(0, total)), given_


@given(surplus_and_donations())
def test_the_shares_add_up_to_the_surplus_exactly(case):
    surplus, given_ = case
    assert sum(surplus_shares(surplus, given_).values()) == surplus


@given(surplus_and_donations())
def test_each_share_is_the_floor_or_the_ceiling_of_the_exact_share_and_never_more_than_given(case):
    surplus, given_ = case
    total = sum(amount for _, amount in given_)
    shares = surplus_shares(surplus, given_)
    for key, amount in given_:
        exact = Fraction(surplus * amount, total) if total else Fraction(0)
        assert shares[key] in {exact.numerator // exact.denominator, -(-exact.numerator // exact.denominator)}
        assert 0 <= shares[key] <= amount


@given(surplus_and_donations())
def test_a_larger_donation_never_gets_back_less(case):
    surplus, given_ = case
    shares = surplus_shares(surplus, given_)
    for key_a, amount_a in given_:
        for key_b, amount_b in given_:
            if amount_a > amount_b:
                assert shares[key_a] >= shares[key_b]
            elif amount_a == amount_b:
                assert abs(shares[key_a] - shares[key_b]) <= 1
