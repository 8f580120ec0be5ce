from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.funds.dues_reports import dues_collection
from gonghui.funds.models import DuesEntry, LedgerTransaction
from gonghui.funds.selectors import account_balances
from gonghui.funds.services import dues_amount, dues_list_generate, dues_mark_paid, dues_unmark
from gonghui.funds.tests.conftest import add_members
from gonghui.members.models import Membership

D = Decimal
TODAY = dt.date(2026, 3, 25)


@pytest.mark.parametrize(("wage", "dues"), [
    ("8000", "40.00"), ("5650", "28.25"), ("4321.10", "21.61"), ("4321.09", "21.61"),
    ("4320.99", "21.60"), ("1", "0.01"), ("0.99", "0.00"), (None, "0.00"),
])
def test_dues_are_half_a_percent_of_the_wage_to_the_fen(wage, dues):
    assert dues_amount(D(wage) if wage else None) == D(dues)


def test_generate_mark_paid_touch_members_and_report(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    members = add_members(union, 3, city_admin, wage="6100")
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
        entries = list(dues_list.entries.order_by("id"))
        assert [(e.person_name, e.amount) for e in entries] == [
            ("王甲", D("30.50")), ("王乙", D("30.50")), ("王丙", D("30.50"))]
        n = dues_mark_paid(dues_list=dues_list, entry_ids=[entries[0].pk, entries[1].pk],
                           paid_on=dt.date(2026, 3, 20), actor=treasurer)
        assert n == 2
        # marking again is a no-op (already paid)
        assert dues_mark_paid(dues_list=dues_list, entry_ids=[entries[0].pk],
                              paid_on=TODAY, actor=treasurer) == 0
    assert account_balances(union) == {"1002": D("61.00"), "4101": D("-61.00")}
    assert LedgerTransaction.objects.filter(source="funds.dues").count() == 2
    touched = dict(Membership.objects.filter(pk__in=[m.pk for m in members])
                   .values_list("pk", "last_dues_on"))
    assert touched == {members[0].pk: dt.date(2026, 3, 20), members[1].pk: dt.date(2026, 3, 20),
                       members[2].pk: None}
    report = dues_collection(viewer=treasurer, org=union, year=2026, month=3)
    assert report.rows[-1].cells == ["合计", 3, 2, D("91.50"), D("61.00"), "66.7%"]
    district = dues_collection(viewer=city_admin, org=tree["SH-A"], year=2026, rollup=True)
    assert [r.cells for r in district.rows] == [
        ["甲区一街道工会", 3, 2, D("91.50"), D("61.00"), "66.7%"],
        ["合计", 3, 2, D("91.50"), D("61.00"), "66.7%"],
    ]


def test_refresh_adds_new_members_and_keeps_paid_entries(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin, wage="8000")
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
        entry = dues_list.entries.get()
        dues_mark_paid(dues_list=dues_list, entry_ids=[entry.pk], paid_on=TODAY,
                       actor=treasurer)
        from gonghui.members.models import Person

        add_members(union, 2, city_admin, wage="7000")
        Person.objects.update(monthly_wage=D("9000"))
        dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
    assert sorted(DuesEntry.objects.values_list("amount", flat=True)) == [
        D("40.00"), D("45.00"), D("45.00")]  # paid entry kept at 40.00; new ones at today's wage


def test_unmark_reverses_and_paying_again_posts_again(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin)
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
        entry = dues_list.entries.get()
        dues_mark_paid(dues_list=dues_list, entry_ids=[entry.pk], paid_on=TODAY,
                       actor=treasurer)
        with pytest.raises(ApplicationError):
            dues_unmark(entry=entry, actor=treasurer, reason="")
        entry = dues_unmark(entry=entry, actor=treasurer, reason="误登记")
        assert (entry.paid_on, entry.transaction_id, entry.attempt) == (None, None, 1)
        assert account_balances(union) == {}
        dues_mark_paid(dues_list=dues_list, entry_ids=[entry.pk], paid_on=TODAY,
                       actor=treasurer)
    assert account_balances(union) == {"1002": D("40.00"), "4101": D("-40.00")}
    assert LedgerTransaction.objects.count() == 3  # payment, reversal, payment again


def test_missing_wage_is_reported_by_name(tree, city_admin, treasurer):
    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin, wage="")
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
        entry = dues_list.entries.get()
        assert entry.amount == D("0.00")
        with pytest.raises(ApplicationError) as exc:
            dues_mark_paid(dues_list=dues_list, entry_ids=[entry.pk], paid_on=TODAY,
                           actor=treasurer)
    assert exc.value.message == ("以下会员未登记月工资，无法计算会费：王甲。请先在会员信息中登记，"
                                 "再刷新名单。")


def test_auditor_cannot_generate_or_mark(tree, city_admin, funds_auditor, treasurer):
    union = tree["SH-A-1-1"]
    add_members(union, 1, city_admin)
    with pytest.raises(Forbidden):
        dues_list_generate(union=union, year=2026, month=3, actor=funds_auditor)
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=union, year=2026, month=3, actor=treasurer)
        with pytest.raises(Forbidden):
            dues_mark_paid(dues_list=dues_list, entry_ids=[dues_list.entries.get().pk],
                           paid_on=TODAY, actor=funds_auditor)
    assert LedgerTransaction.objects.count() == 0
