"""The settlement queue claimed lane by lane (how it runs on Citus, where the records are
distributed by their person's queue lane: core/citus.py DISTRIBUTED_BY_KEY): each batch holds the
records of one lane, and the whole queue pays exactly what the one-statement claim pays."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import transaction

from gonghui.core.citus import on_citus
from gonghui.core.crypto import blind_index
from gonghui.mutualaid.models import Payout, SettlementRecord, lane_of
from gonghui.mutualaid.services import processing
from gonghui.mutualaid.services.processing import claim_records, process_queue

from .conftest import enrol, id_number, import_bytes, settlement_csv

pytestmark = pytest.mark.django_db


def _file(tree):
    rows = [{"no": f"L{i:03d}", "id": id_number(n), "admitted": dt.date(2026, 4 + i % 5, 1),
             "days": 3 + i % 4}
            for i, n in enumerate([1, 2, 3, 101, 102, 1, 2, 3, 101, 999])]
    return import_bytes(settlement_csv(rows), tree["SH"])


def _paid():
    return sorted(Payout.objects.values_list("settlement__settlement_no", "plan__code",
                                             "amount", "status"))


def test_a_lane_claim_holds_one_lane_in_id_order(tree, members):
    _file(tree)
    lanes = {n: lane_of(blind_index(id_number(n))) for n in (1, 2, 3, 101, 102, 999)}
    assert len(set(lanes.values())) > 1  # the file spans lanes
    processing._next_lane = min(lanes.values())
    with transaction.atomic():
        claimed = claim_records(500, by_lane=True)
    expected = list(SettlementRecord.objects.filter(lane=min(lanes.values()))
                    .order_by("id").values_list("id", flat=True))
    assert [r[0] for r in claimed] == expected
    assert {r[8] for r in claimed} == {min(lanes.values())}
    assert processing._next_lane == (min(lanes.values()) + 1) % 64
    if not on_citus():  # Citus refuses a row lock over several shards
        with transaction.atomic():
            assert len(claim_records(500, by_lane=False)) == 10


@pytest.mark.parametrize("by_lane", [
    pytest.param(False, marks=pytest.mark.skipif(
        bool(os.environ.get("GONGHUI_TEST_CITUS_URL")),
        reason="one node: Citus refuses a row lock over several shards")),
    True])
def test_the_queue_by_lane_pays_what_the_single_claim_pays(tree, plans, members, city_admin,
                                                            monkeypatch, by_lane):
    for plan in plans.values():
        enrol(plan, tree["SH-A-1-1"], city_admin)
        enrol(plan, tree["SH-B-1-1"], city_admin)
    _file(tree)
    monkeypatch.setattr(processing, "on_citus", lambda: by_lane)
    result = process_queue(batch_size=3)
    assert (result.claimed, result.payouts, result.amount) == (10, 18, Decimal("10350.00"))
    assert dict(result.records) == {"matched": 9, "not_member": 1}
    # April stays are in the 90-day waiting period: declined; the rest paid by both plans
    allowance = {"L001": "200.00", "L002": "250.00", "L003": "300.00", "L004": "150.00",
                 "L006": "250.00", "L007": "300.00", "L008": "150.00"}
    assert _paid() == sorted(
        [(no, code, Decimal("0.00"), "declined") for no in ("L000", "L005")
         for code in ("ZFBZ", "ZYJT")]
        + [(no, "ZYJT", Decimal(amount), "approved") for no, amount in allowance.items()]
        + [(no, "ZFBZ", Decimal("1250.00"), "approved") for no in allowance])
