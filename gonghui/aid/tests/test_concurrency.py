"""The database decides under real concurrency (PostgreSQL, real threads): one open file per
person, a programme pays a household once, and its budget holds."""

from __future__ import annotations

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from conftest import make_user
from gonghui.aid.models import Assistance, Beneficiary, HardshipFile, HouseholdClaim
from gonghui.aid.services import files as file_services
from gonghui.aid.services import programmes as svc
from gonghui.aid.tests.conftest import active_file, id_number, make_person
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.models import LedgerTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(calls):
    """Run the callables at once, one thread each; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_files_for_one_person_at_once(tree, standard, aid_cadre):
    person = make_person(tree["SH-A-1-1"], "赵敏")
    other_cadre = make_user("aid_a11_b", org=tree["SH-A-1"], role="cadre")
    # both transactions have inserted their file row before either claims the person
    inside = threading.Barrier(2)
    original = file_services._claim

    def claim_together(member, viewer):
        inside.wait(timeout=10)
        return original(member, viewer)

    with mock.patch.object(file_services, "_claim", claim_together):
        results = _run([
            lambda: file_services.file_open(person=person, actor=aid_cadre),
            lambda: file_services.file_open(person=person, actor=other_cadre),
        ])
    files = [r for r in results if isinstance(r, HardshipFile)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(files), len(conflicts)) == (1, 1), results
    assert conflicts[0].code == "person_has_open_file"
    assert conflicts[0].message == (f"赵敏已在困难职工档案 {files[0].number}（赵敏户，填报中）中，"
                                    "一人只能在一份在档档案中。")
    assert HardshipFile.objects.count() == 1
    assert HouseholdClaim.objects.count() == 1


def test_one_spouse_added_to_two_households_at_once(tree, standard, aid_cadre):
    first = file_services.file_open(person=make_person(tree["SH-A-1-1"], "甲"), actor=aid_cadre)
    second = file_services.file_open(person=make_person(tree["SH-A-1-1"], "乙"), actor=aid_cadre)
    spouse = id_number("19850101")
    results = _run([
        lambda f=f: file_services.member_add(file=f, actor=aid_cadre, id_number=spouse,
                                             name="共同配偶", relation="spouse",
                                             work="employed")
        for f in (first, second)
    ])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "HouseholdMember"]
    assert HouseholdClaim.objects.count() == 3


@pytest.fixture
def approved(tree, standard, aid_cadre, street_cadre, district_cadre):
    """An approved 送温暖 programme of district A listing two households at 500 each."""
    organiser = make_user("district_aid", org=tree["SH-A"], role="cadre")
    for name in ("钱一", "钱二"):
        active_file(make_person(tree["SH-A-1-1"], name), aid_cadre, street_cadre,
                    incomes=("1000",))
    programme = svc.programme_create(
        org=tree["SH-A"], actor=organiser, name="送温暖", kind="winter",
        year=clock.today().year, budget=Decimal("1000"), amount_per_household=Decimal("500"),
        assistance_kind="cash", rule="categories", categories=["deep"])
    assert svc.beneficiaries_generate(programme=programme, actor=organiser) == 2
    svc.programme_approve(programme=programme, actor=district_cadre)
    return programme, organiser


def test_a_household_is_paid_once_when_two_pay_it_at_once(approved, district_cadre):
    programme, organiser = approved
    row = programme.beneficiaries.select_related("programme").first()
    results = _run([
        lambda: svc.beneficiary_pay(beneficiary=row, actor=organiser, idempotency_key="click-1"),
        lambda: svc.beneficiary_pay(beneficiary=row, actor=district_cadre,
                                    idempotency_key="click-2"),
    ])
    assert sorted(type(r).__name__ for r in results) == ["Assistance", "Conflict"]
    assert Assistance.objects.filter(beneficiary=row).count() == 1
    assert LedgerTransaction.objects.filter(source="aid.assistance").count() == 1
    assert Beneficiary.objects.get(pk=row.pk).status == "paid"


def test_pay_all_twice_at_once_pays_each_household_once(approved, district_cadre):
    programme, organiser = approved
    results = _run([
        lambda: svc.programme_pay_all(programme=programme, actor=organiser),
        lambda: svc.programme_pay_all(programme=programme, actor=district_cadre),
    ])
    assert sum(paid for paid, _problems in results) == 2
    assert Assistance.objects.filter(programme=programme).count() == 2
    assert LedgerTransaction.objects.filter(source="aid.assistance").count() == 2


def test_budget_holds_when_three_households_are_added_at_once(tree, standard, aid_cadre,
                                                             street_cadre):
    organiser = make_user("district_aid", org=tree["SH-A"], role="cadre")
    files = [active_file(make_person(tree["SH-A-1-1"], "孙" + "一二三"[i]), aid_cadre,
                         street_cadre, incomes=("1000",)) for i in range(3)]
    programme = svc.programme_create(
        org=tree["SH-A"], actor=organiser, name="夏送清凉", kind="summer",
        year=clock.today().year, budget=Decimal("1000"), amount_per_household=Decimal("500"),
        assistance_kind="cash", rule="categories", categories=["deep"])
    results = _run([
        lambda f=f: svc.beneficiary_add(programme=programme, file=f, actor=organiser)
        for f in files
    ])
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert sorted(type(r).__name__ for r in results) == [
        "ApplicationError", "Beneficiary", "Beneficiary"]
    assert refused[0].code == "over_budget"
    assert svc.committed(programme) == Decimal("1000.00")
