"""The demo.seed hook: skips without members, then loads plans, enrolments, payouts and a bank
batch once; a second run adds nothing; the portal worker sees their payouts."""

from __future__ import annotations

import io

import pytest

from gonghui.core import clock
from gonghui.mutualaid import demo
from gonghui.mutualaid.models import (
    Enrolment,
    Payout,
    PayoutBatch,
    Plan,
    PlanVersion,
    SettlementRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """The demo uses the real clock (this year's plans)."""
    return


def test_demo_seed_waits_for_members_then_loads_once():
    from gonghui.demo import load_orgs, load_users
    from gonghui.members.demo import seed_members

    orgs = load_orgs()
    users = load_users(orgs)
    out = io.StringIO()
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert out.getvalue() == "Mutual aid: no demo members yet, skipped."
    assert Plan.objects.count() == 0
    seed_members(orgs=orgs, users=users)
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert Plan.objects.count() == 4
    assert PlanVersion.objects.count() == 5
    counts = (Enrolment.objects.count(), SettlementRecord.objects.count(),
              Payout.objects.count(), PayoutBatch.objects.count())
    assert counts[1] == 29  # 3 of the worker, 24 others, 2 people who are not members
    batch = PayoutBatch.objects.get()
    assert (batch.status, batch.failed_count) == ("settled", 1)
    assert batch.paid_count == batch.items_count - 1
    worker = list(Payout.objects.filter(person__user__username="worker")
                  .order_by("settlement__admitted_on", "plan__code")
                  .values_list("settlement__admitted_on__month", "plan__code", "decline"))
    assert worker[:2] == [(2, "ZFBZ", "waiting_period"), (2, "ZYJT", "waiting_period")]
    assert len(worker) == 6
    assert {p.version.number for p in Payout.objects.filter(
        plan__code="ZYJT", settlement__admitted_on__gte=f"{clock.today().year}-07-01")} <= {2}
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert (Enrolment.objects.count(), SettlementRecord.objects.count(),
            Payout.objects.count(), PayoutBatch.objects.count()) == counts
    assert out.getvalue().endswith("Mutual aid: demo plans already loaded.")
