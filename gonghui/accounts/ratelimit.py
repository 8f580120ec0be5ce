"""Counting attempts per time window, shared by every process (issue 13 item 2: the join form is
rate-limited per account and per address; a per-process cache would give each of gunicorn's
workers its own allowance).

Where the counts live:
- `GONGHUI_RATELIMIT_REDIS_URL` set: Redis, through Django's cache alias "ratelimit" (INCR is
  atomic; keys expire by themselves);
- otherwise (the embedded default, no other service): the database, table
  `accounts_ratecount`, one row per key and window, incremented by an atomic UPDATE.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F

from gonghui.accounts.models import RateCount
from gonghui.core import clock

CACHE_ALIAS = "ratelimit"


def _uses_cache() -> bool:
    return CACHE_ALIAS in settings.CACHES


def hit(name: str, subject: str, *, window_seconds: int) -> int:
    """Count one attempt of `subject` under rule `name` in the current window; the count so far
    (this attempt included)."""
    now = clock.now()
    window = int(now.timestamp()) // window_seconds
    key = f"gh:{name}:{subject}:{window}"[:200]
    if _uses_cache():
        cache = caches[CACHE_ALIAS]
        cache.add(key, 0, window_seconds * 2)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds * 2)
            return 1
    expires = now + dt.timedelta(seconds=window_seconds * 2)
    with transaction.atomic():
        if RateCount.objects.filter(key=key).update(count=F("count") + 1) == 0:
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, count=1, expires_at=expires)
            except IntegrityError:  # another process created it first: count on it
                RateCount.objects.filter(key=key).update(count=F("count") + 1)
        count = RateCount.objects.filter(key=key).values_list("count", flat=True).get()
    RateCount.objects.filter(expires_at__lt=now).delete()
    return int(count)


def reset(name: str, subject: str, *, window_seconds: int) -> None:
    """Forget the current window's count (tests, an administrator lifting a limit)."""
    window = int(clock.now().timestamp()) // window_seconds
    key = f"gh:{name}:{subject}:{window}"[:200]
    if _uses_cache():
        caches[CACHE_ALIAS].delete(key)
    else:
        RateCount.objects.filter(key=key).delete()
