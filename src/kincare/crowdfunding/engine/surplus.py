"""Returning a closed campaign's surplus to its donors, pro rata, to the fen.

Each donor's exact share is ``surplus × donation / total``. Everyone first gets the whole fen
of it (the floor); the fen left over go one each to the largest remainders (Hamilton's
largest-remainder method), so the returned fen add up to the surplus exactly and no one gets
more than the ceiling of their exact share, hence never more than they gave. Ties in the
remainder go to the larger donation, then to the smaller key, so the split does not depend
on the order rows came out of the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Protocol, TypeVar


class _Ordered(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Ordered)


def surplus_shares(surplus_fen: int, donations: Iterable[tuple[K, int]]) -> dict[K, int]:
    """``{key: fen returned}`` for every key; the values sum to ``surplus_fen``.

    A key listed more than once (a donor who gave twice) gets the share of its total. Raises
    ``ValueError`` for a negative or non-integer amount, or a surplus above the total donated.
    """
    if isinstance(surplus_fen, bool) or not isinstance(surplus_fen, int) or surplus_fen < 0:
        raise ValueError(f"the surplus must be a whole number of fen ≥ 0, not {surplus_fen!r}")
    given: dict[K, int] = {}
    for key, amount_fen in donations:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
            raise ValueError(f"donation {key!r}: {amount_fen!r} is not a whole number of fen ≥ 0")
        given[key] = given.get(key, 0) + amount_fen
    total_fen = sum(given.values())
    if surplus_fen > total_fen:
        raise ValueError(f"a surplus of {surplus_fen} fen is more than the {total_fen} fen donated")
    if surplus_fen == 0:
        return dict.fromkeys(given, 0)
    shares: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for key, amount_fen in given.items():
        shares[key], remainders[key] = divmod(surplus_fen * amount_fen, total_fen)
    left_over = surplus_fen - sum(shares.values())
    # fewer fen are left over than there are non-zero remainders, so each gets at most one
    ranked = sorted(given, key=lambda key: (-remainders[key], -given[key], key))
    for key in ranked[:left_over]:
        shares[key] += 1
    return shares
