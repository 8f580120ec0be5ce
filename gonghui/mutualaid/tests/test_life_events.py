"""Mutual aid reacts to a membership's end in the same transaction: cover ends that day,
settlements admitted before it are still paid, later ones are not, nothing is deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.members import services as members
from gonghui.mutualaid.models import Enrolment, Payout, SettlementRecord
from gonghui.mutualaid.services.processing import process_queue

from .conftest import enrol, id_number, import_bytes, settlement_csv

pytestmark = pytest.mark.django_db


def _member(union, actor, name, number):
    fields = {"name": name, "id_number": number, "phone": "13812345678",
              "employer_name": "甲一公司"}
    return members.member_add(union=union, fields=fields, actor=actor,
                              joined_on=dt.date(2020, 1, 1))


def test_death_ends_cover_keeps_earlier_payouts_and_stops_enrolment(tree, plans, cadre_a11,
                                                                   city_admin):
    union = tree["SH-A-1-1"]
    m = _member(union, city_admin, "王芳", id_number(41))
    other = _member(union, city_admin, "李雷", id_number(42))
    enrol(plans["allowance"], union, cadre_a11)
    # a settlement admitted (and paid) before the death
    import_bytes(settlement_csv([{"no": "E1", "id": id_number(41),
                                  "admitted": dt.date(2026, 6, 1), "days": 10}]), tree["SH"])
    process_queue(batch_size=10)
    before = list(Payout.objects.values_list("person_id", "amount", "status"))
    assert before == [(m.person_id, Decimal("500.00"), "approved")]

    members.membership_set_status(membership=m, target="deceased", actor=cadre_a11,
                                  reason="因病去世", on=dt.date(2026, 8, 1))

    enrolment = Enrolment.objects.get(person=m.person)
    assert (enrolment.status, enrolment.ends_on) == ("active", dt.date(2026, 8, 1))
    assert Enrolment.objects.get(person=other.person).ends_on == dt.date(2026, 12, 31)
    # the earlier payout is untouched
    assert list(Payout.objects.values_list("person_id", "amount", "status")) == before
    # settlements reported later: admitted before the death still paid, after it not
    import_bytes(settlement_csv([
        {"no": "E2", "id": id_number(41), "admitted": dt.date(2026, 7, 10), "days": 4},
        {"no": "E3", "id": id_number(41), "admitted": dt.date(2026, 8, 20), "days": 4},
    ]), tree["SH"])
    process_queue(batch_size=10)
    paid = dict(Payout.objects.filter(person=m.person)
                .values_list("settlement__settlement_no", "amount"))
    assert paid == {"E1": Decimal("500.00"), "E2": Decimal("200.00")}
    assert SettlementRecord.objects.get(settlement_no="E3").status == "not_enrolled"
    audit = AuditEvent.objects.get(action="mutualaid.enrolment.member_ended")
    assert audit.after == {"ends_on": "2026-08-01", "cancelled": [],
                           "membership_status": "deceased"}
    # no new enrolment for a person without 会籍
    with pytest.raises(ApplicationError):
        enrol(plans["ratio"], union, cadre_a11, person_ids=[m.person_id])
    assert Enrolment.objects.filter(person=m.person).count() == 1


def test_cover_not_begun_is_cancelled_and_transfer_keeps_cover(tree, plans, cadre_a11,
                                                               city_admin):
    union = tree["SH-A-1-1"]
    m = _member(union, city_admin, "赵敏", id_number(51))
    moving = _member(union, city_admin, "钱进", id_number(52))
    enrol(plans["allowance"], union, cadre_a11)
    Enrolment.objects.filter(person=m.person).update(starts_on=dt.date(2026, 11, 1))
    members.membership_set_status(membership=m, target="withdrawn", actor=cadre_a11,
                                  reason="本人申请退会")
    assert Enrolment.objects.get(person=m.person).status == "cancelled"
    t = members.transfer_start(membership=moving, to_union=tree["SH-A-1-2"], actor=city_admin)
    members.transfer_accept(transfer=t, actor=city_admin)
    assert Enrolment.objects.get(person=moving.person).ends_on == dt.date(2026, 12, 31)
    assert clock.today() == dt.date(2026, 10, 15)
