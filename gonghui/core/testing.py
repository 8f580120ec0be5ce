"""Synthetic data shared by tests, benchmarks and demo generators (never used by the product).

`synthetic_id_number(seq)` is THE generator of valid resident ID numbers (GB 11643 check digit):
distinct for distinct `seq` below 13,000,000 with the defaults, deterministic, and shaped by
keyword where a test needs a region, a birth date or a gender.

    synthetic_id_number(7)                                   # 310101 1965-01-01 order 007
    synthetic_id_number(region="110105", birth=dt.date(1990, 5, 1), gender="F")
"""

from __future__ import annotations

import datetime as dt
import itertools

from gonghui.core.idnumber import with_check_digit

FIRST_BIRTH = dt.date(1965, 1, 1)
BIRTH_DAYS = 13000  # 1965 … 2000
_counter = itertools.count(1)


def synthetic_id_number(seq: int | None = None, *, region: str = "310101",
                        birth: dt.date | str | None = None, gender: str = "") -> str:
    """A valid ID number. `seq` (default: the next of a process-wide counter) picks the birth
    date (when not given) and the 3-digit order code; `gender` "M"/"F" fixes the parity of the
    order code (odd for men, GB 11643)."""
    n = next(_counter) if seq is None else seq
    if isinstance(birth, str):
        birth = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    if birth is None:
        birth = FIRST_BIRTH + dt.timedelta(days=(n // 1000) % BIRTH_DAYS)
    code = n % 500 * 2 + (1 if gender == "M" else 0) if gender else n % 1000
    return with_check_digit(f"{region}{birth:%Y%m%d}{code:03d}")
