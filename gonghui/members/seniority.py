"""会龄 (union seniority): THE arithmetic, used by the e-card, the lists, the exports and the API.

Seniority counts from `Membership.seniority_since` — the first join date, carried unchanged
through transfers and merges, and for a member migrated from an old system the legacy
会龄起算日 (earlier than the join date in Gonghui). It runs to today while the membership
holds 会籍 (active or retired), and to the end date once it ended. Full years, as on a card.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

# Bands of the member lists and exports (年).
BANDS: tuple[tuple[int, int | None], ...] = ((0, 1), (1, 5), (5, 10), (10, 20), (20, 30),
                                            (30, None))


def years_ago(today: dt.date, years: int) -> dt.date:
    """The same day `years` years before `today` (29 February → 28 February): a date d lies
    at least `years` completed years back exactly when d <= years_ago(today, years)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def full_years(since: dt.date, until: dt.date) -> int:
    """Completed years from `since` to `until` (0 when until < since). 29 Feb counts as 28 Feb
    in a common year."""
    if until < since:
        return 0
    years = until.year - since.year
    if (until.month, until.day) < (since.month, since.day):
        years -= 1
    return years


def seniority_years(membership: Any, today: dt.date) -> int:
    """The membership's 会龄 in full years on `today` (to its end date once it ended)."""
    until = membership.ended_on or today
    return full_years(membership.seniority_since, min(until, today))


def band_of(years: int) -> str:
    """The band label of a seniority ("1–5 年"), as lists and exports show it."""
    for low, high in BANDS:
        if high is None or years < high:
            return _("{low} 年以上").format(low=low) if high is None else \
                _("{low}–{high} 年").format(low=low, high=high)
    return ""
