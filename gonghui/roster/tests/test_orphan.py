"""A worker fed by its parent (the .xlsx feeder) that loses the feed: the parent killed, it
stops without a word on the job, for a resume; the pipe broken while the parent lives on, it
is a fault and fails as one."""

from __future__ import annotations

import itertools

import pytest

from gonghui.roster import stripes
from gonghui.roster.models import ImportJob


class _BrokenFeed:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def recv(self):
        self.calls += 1
        raise self.error


def _stripe(feed, parent_pid: int = 4242) -> stripes.Stripe:
    return stripes.Stripe(ImportJob(pk=7), token="t", actor=None, index=0, count=2,  # type: ignore[arg-type]
                          parent_pid=parent_pid, feed=feed)


def test_half_a_message_while_the_kill_is_still_in_progress_stops_quietly(monkeypatch):
    """The kernel closes a dying process's pipes before it hands its children to a new
    parent: the first reads of the parent id still name the killed feeder."""
    seen = itertools.chain([4242, 4242, 4242], itertools.repeat(1))
    monkeypatch.setattr(stripes.os, "getppid", lambda: next(seen))
    stripe = _stripe(_BrokenFeed(OSError("got end of file during message")))
    with pytest.raises(SystemExit) as stopped:
        next(stripe._fed())
    assert stopped.value.code == 3


def test_a_broken_feed_with_the_parent_alive_is_a_fault(monkeypatch):
    monkeypatch.setattr(stripes.os, "getppid", lambda: 4242)
    monkeypatch.setattr(stripes, "ORPHAN_WAIT_SECONDS", 0.05)
    stripe = _stripe(_BrokenFeed(OSError("got end of file during message")))
    with pytest.raises(OSError, match="end of file during message"):
        next(stripe._fed())


def test_end_of_feed_stops_at_once(monkeypatch):
    monkeypatch.setattr(stripes.os, "getppid", lambda: 4242)
    feed = _BrokenFeed(EOFError())
    with pytest.raises(SystemExit) as stopped:
        next(_stripe(feed)._fed())
    assert (stopped.value.code, feed.calls) == (3, 1)


def test_orphaned_without_waiting(monkeypatch):
    monkeypatch.setattr(stripes.os, "getppid", lambda: 1)
    assert _stripe(None)._orphaned() is True
    monkeypatch.setattr(stripes.os, "getppid", lambda: 4242)
    assert _stripe(None)._orphaned() is False
    assert _stripe(None, parent_pid=None)._orphaned(wait=5) is False  # type: ignore[arg-type]
