"""The one clock. Code asks `clock.now()` / `clock.today()`; tests move it with `clock.frozen(...)`."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """Today's date in the display time zone (Asia/Shanghai), not in UTC."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    global _frozen
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(12, 0))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
