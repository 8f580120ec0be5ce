"""Issue 13 item 2, what the first pass left: the join form's rate limit counted in the
per-process memory cache, so each server process had its own allowance. The counts now live in
the database (or Redis when configured), shared by every process and connection."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.core.cache import caches
from django.db import connection, connections

from conftest import make_user
from gonghui.accounts import ratelimit
from gonghui.accounts.models import RateCount
from gonghui.members.services import identity

HOUR = 3600


@pytest.mark.django_db
def test_counts_live_in_the_database_not_in_the_process():
    assert [ratelimit.hit("join-ip", "10.0.0.9", window_seconds=HOUR) for _ in range(3)] == \
        [1, 2, 3]
    caches["default"].clear()   # a process's memory forgets nothing that counts
    assert ratelimit.hit("join-ip", "10.0.0.9", window_seconds=HOUR) == 4
    assert RateCount.objects.get().count == 4
    assert ratelimit.hit("join-ip", "10.0.0.10", window_seconds=HOUR) == 1


@pytest.mark.django_db
def test_the_join_limit_counts_in_the_shared_store(monkeypatch):
    monkeypatch.setattr(identity, "JOIN_LIMIT_PER_IP", 2)
    user = make_user("w1")
    identity.join_attempt(user=user, ip="10.0.0.9")
    identity.join_attempt(user=make_user("w2"), ip="10.0.0.9")
    caches["default"].clear()
    with pytest.raises(identity.TooManyAttempts):
        identity.join_attempt(user=make_user("w3"), ip="10.0.0.9")
    assert sorted(RateCount.objects.values_list("count", flat=True)) == [1, 1, 1, 3]


@pytest.mark.django_db
def test_with_a_cache_configured_two_clients_share_the_count(settings):
    # the Redis setting in the form a test can run without a server: a cache alias whose
    # clients (here two, as two processes would open) reach the same store
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl-test"}}
    seen: list[int] = []

    def other_client() -> None:   # caches[] gives each thread its own client
        seen.append(ratelimit.hit("join-u", "7", window_seconds=HOUR))

    ratelimit.hit("join-u", "7", window_seconds=HOUR)
    worker = threading.Thread(target=other_client)
    worker.start()
    worker.join()
    assert seen == [2]
    assert ratelimit.hit("join-u", "7", window_seconds=HOUR) == 3
    assert not RateCount.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_and_many_connections_share_one_count():
    barrier = threading.Barrier(4)

    def burst() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                ratelimit.hit("join-ip", "10.0.0.9", window_seconds=HOUR)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert RateCount.objects.get().count == 40   # no increment lost between connections
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    code = ("import django; django.setup(); from gonghui.accounts import ratelimit; "
            "print(ratelimit.hit('join-ip', '10.0.0.9', window_seconds=3600))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": url,
                                "DJANGO_SETTINGS_MODULE": "gonghui.settings"}, check=True,
                           timeout=120)
    assert other.stdout.strip().splitlines()[-1] == "41"
    assert RateCount.objects.get().count == 41
