"""Pure date arithmetic shared by the engines (no Django, no I/O)."""

from __future__ import annotations

import datetime as dt


def age_on(birth_date: dt.date, on_date: dt.date) -> int:
    """Age in whole years (周岁) on a date; someone born on 29 February ages on 1 March."""
    years = on_date.year - birth_date.year
    if (on_date.month, on_date.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
