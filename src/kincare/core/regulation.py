"""Rules set by regulation that several engines apply (pure: no ORM, no I/O)."""

from __future__ import annotations

from kincare.core.money import yuan

#: minors' death benefit across all their policies (NFRA): (age below, cap in fen)
MINOR_DEATH_CAPS: tuple[tuple[int, int], ...] = ((10, yuan(200_000)), (18, yuan(500_000)))


def minor_death_cap_fen(age: int) -> int | None:
    """The regulatory cap on a minor's death benefit (None for adults)."""
    for below, cap in MINOR_DEATH_CAPS:
        if age < below:
            return cap
    return None
