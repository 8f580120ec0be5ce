"""The three cross-union keys of mutual aid and aid that Citus cannot hold on their own rows
(core/citus.py CROSS_UNION_UNIQUES) are carried by claim tables keyed by the unique value
(DISTRIBUTED_BY_KEY): one enrolment per person, plan and year (`EnrolmentClaim`), one current
payee account per person (`CurrentPayeeClaim`), a household once per aid programme
(`BeneficiaryClaim`). On SQLite and PostgreSQL the services write the claims with the rows; on
PostgreSQL each rule is shown to hold with the one-node unique key dropped (as on Citus), the
second row coming through ANOTHER union, and the payee claim under two real concurrent first
registrations."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from gonghui.core.citus import on_citus
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.models import LedgerTransaction
from gonghui.members.models import Membership
from gonghui.mutualaid import services
from gonghui.mutualaid.models import (
    CurrentPayeeClaim,
    Enrolment,
    EnrolmentClaim,
    EnrolmentRun,
    PayeeAccount,
)
from gonghui.mutualaid.tests.conftest import (  # noqa: F401  (fixtures)
    YEAR,
    _today,
    add_member,
    cadre_a11,
    enrol,
    id_number,
    members,
    plans,
)

pytestmark = pytest.mark.django_db


def _drop_key(table: str, name: str) -> None:
    """Drop the one-node unique key `name` of `table` inside the test's transaction (the
    rollback brings it back), as `citus distribute` does. On the cluster the key is gone (a
    partial one) or holds inside one union only (a plain one, re-created with the union), and
    DDL on a distributed table is left alone."""
    if on_citus():
        return
    with connection.cursor() as cursor:
        # the deferred foreign-key checks of the rows written so far first: PostgreSQL alters
        # no table with pending trigger events
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _transfer(person, to) -> None:
    """The person's membership moves to union `to` (written directly: members tests the
    transfer itself)."""
    Membership.objects.filter(person=person).update(status="transferred_out",
                                                    ended_on=dt.date(2026, 2, 28))
    Membership.objects.create(person=person, union=to, union_path=to.path, status="active",
                              joined_on=dt.date(2026, 3, 1), seniority_since=dt.date(2020, 1, 1))
    type(person).objects.filter(pk=person.pk).update(member_union=to)


# --- written everywhere -----------------------------------------------------------------------


def test_enrol_members_writes_one_claim_per_enrolment(tree, plans, members, cadre_a11,  # noqa: F811
                                                      city_admin):
    run = enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    assert run.enrolled_count == 3
    enrolled = sorted(Enrolment.objects.values_list("person_id", "plan_id", "plan_year"))
    assert sorted(EnrolmentClaim.objects.values_list("person_id", "plan_id", "plan_year")) \
        == enrolled == sorted((p.pk, plans["allowance"].pk, YEAR) for p in members["a"])
    # the same members again: skipped, as the unique key skipped them
    with pytest.raises(ApplicationError) as exc:
        enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    assert exc.value.message == "没有可参保的会员：所选会员均已参加 2026 年度该计划。"
    assert EnrolmentClaim.objects.count() == Enrolment.objects.count() == 3


def test_the_current_account_claim_follows_the_current_account(tree, members, city_admin):  # noqa: F811
    person = members["a"][0]
    first = services.payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                                       bank_name="工商银行", account_number="6222020200112233445")
    assert list(CurrentPayeeClaim.objects.values_list("person_id", "account_id")) == [
        (person.pk, first.pk)]
    second = services.payee_account_set(person=person, actor=city_admin, union=tree["SH-B-1-1"],
                                        holder_name=person.name, bank_name="建设银行",
                                        account_number="6217000010001234567")
    assert list(CurrentPayeeClaim.objects.values_list("person_id", "account_id")) == [
        (person.pk, second.pk)]
    assert sorted(PayeeAccount.objects.values_list("pk", "union_id", "is_current")) == [
        (first.pk, tree["SH-A-1-1"].pk, False), (second.pk, tree["SH-B-1-1"].pk, True)]
    # the claim's primary key refuses a second claim row for the person
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrentPayeeClaim.objects.create(person=person, account=first)
    assert CurrentPayeeClaim.objects.get().account_id == second.pk


# --- with the one-node key dropped (PostgreSQL) --------------------------------------------------


@pytest.mark.postgres
def test_enrolment_in_another_union_without_the_index(tree, plans, members, cadre_a11,  # noqa: F811
                                                      city_admin):
    """A member enrolled for the year by union A transfers to union B, which enrols its
    members: the claim (not the key ma_enrolment_once_per_year, dropped) skips the member, and
    a run with nobody else to enrol is refused with the key's sentence, changing nothing."""
    plan = plans["allowance"]
    enrol(plan, tree["SH-A-1-1"], cadre_a11)
    moved = members["a"][0]
    _transfer(moved, tree["SH-B-1-1"])
    with transaction.atomic():
        _drop_key("mutualaid_enrolment", "ma_enrolment_once_per_year")
        before = (Enrolment.objects.count(), EnrolmentRun.objects.count(),
                  EnrolmentClaim.objects.count(), LedgerTransaction.objects.count())
        with pytest.raises(ApplicationError) as exc, transaction.atomic():
            enrol(plan, tree["SH-B-1-1"], city_admin, person_ids=[moved.pk])
        assert exc.value.code == "nothing_to_enrol"
        assert exc.value.message == "没有可参保的会员：所选会员均已参加 2026 年度该计划。"
        assert (Enrolment.objects.count(), EnrolmentRun.objects.count(),
                EnrolmentClaim.objects.count(), LedgerTransaction.objects.count()) == before
        # with the union's own members: they are enrolled, the moved member is skipped
        run = enrol(plan, tree["SH-B-1-1"], city_admin)
        assert (run.enrolled_count, run.skipped_count, run.amount) == (2, 1, Decimal("60.00"))
        assert list(Enrolment.objects.filter(person=moved).values_list(
            "union__code", "plan_year")) == [("SH-A-1-1", YEAR)]
        assert Enrolment.objects.count() == EnrolmentClaim.objects.count() == 5
        transaction.set_rollback(True)  # the key comes back with the rollback


@pytest.mark.postgres
def test_current_account_in_another_union_without_the_index(tree, members, city_admin):  # noqa: F811
    """With ma_payee_one_current dropped, a second current account of the person registered
    through another union: the claim's primary key refuses a second claim row, and the
    service (which takes the claim first) retires the first account."""
    person = members["a"][0]
    with transaction.atomic():
        _drop_key("mutualaid_payeeaccount", "ma_payee_one_current")
        first = services.payee_account_set(person=person, actor=city_admin,
                                           holder_name=person.name, bank_name="工商银行",
                                           account_number="6222020200112233445")
        with pytest.raises(IntegrityError), transaction.atomic():
            CurrentPayeeClaim.objects.create(person=person, account=first)
        second = services.payee_account_set(person=person, actor=city_admin,
                                            union=tree["SH-B-1-1"], holder_name=person.name,
                                            bank_name="建设银行",
                                            account_number="6217000010001234567")
        assert sorted(PayeeAccount.objects.filter(person=person).values_list(
            "union__code", "is_current")) == [("SH-A-1-1", False), ("SH-B-1-1", True)]
        assert list(CurrentPayeeClaim.objects.values_list("person_id", "account_id")) == [
            (person.pk, second.pk)]
        transaction.set_rollback(True)


@pytest.mark.postgres
def test_household_listed_through_another_union_without_the_index(tree, city_admin):
    """The same applicant's file in union B (the household moved; its first file in union A is
    on the city programme's list): with aid_beneficiary_once_per_person dropped, the claim
    refuses the second listing with the key's sentence and nothing changes."""
    from conftest import make_user
    from gonghui.aid.models import Beneficiary, BeneficiaryClaim, HardshipFile
    from gonghui.aid.services import programmes as svc
    from gonghui.aid.services.standards import standard_save
    from gonghui.aid.tests.conftest import active_file, make_person
    from gonghui.core import clock

    standard_save(org=tree["SH"], year=clock.today().year, monthly_line=Decimal("1510"),
                  actor=city_admin)
    first = active_file(make_person(tree["SH-A-1-1"], "甲一"),
                        make_user("aid_a11", org=tree["SH-A-1-1"], role="cadre"),
                        make_user("street_a1", org=tree["SH-A-1"], role="cadre"),
                        incomes=("1000",))
    second = active_file(make_person(tree["SH-B-1-1"], "乙一"),
                         make_user("aid_b", org=tree["SH-B-1-1"], role="cadre"),
                         make_user("street_b", org=tree["SH-B-1"], role="cadre"),
                         incomes=("1000",))
    HardshipFile.objects.filter(pk=second.pk).update(applicant_hash=first.applicant_hash)
    second.refresh_from_db()
    programme = svc.programme_create(
        org=tree["SH"], actor=city_admin, name="2026 年送温暖", kind="winter",
        year=clock.today().year, budget=Decimal("2000"), amount_per_household=Decimal("500"),
        assistance_kind="cash", rule="categories", categories=["deep"])
    svc.beneficiary_add(programme=programme, file=first, actor=city_admin)
    with transaction.atomic():
        _drop_key("aid_beneficiary", "aid_beneficiary_once_per_person")
        with pytest.raises(Conflict) as exc:
            svc.beneficiary_add(programme=programme, file=second, actor=city_admin)
        assert exc.value.message == "该户已在本项目名单中，一个项目内每户只能列入一次。"
        assert list(Beneficiary.objects.values_list("file_id", "union__code")) == [
            (first.pk, "SH-A-1-1")]
        assert list(BeneficiaryClaim.objects.values_list("programme_id", "applicant_hash")) \
            == [(programme.pk, first.applicant_hash)]
        # generating the list adds nobody either: the applicant is listed
        assert svc.beneficiaries_generate(programme=programme, actor=city_admin) == 0
        assert Beneficiary.objects.count() == BeneficiaryClaim.objects.count() == 1
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_registrations_at_once_leave_one_current_account(tree, members,  # noqa: F811
                                                                    city_admin):
    """Two cadres of two unions register a first account for the same person at the same
    moment, with ma_payee_one_current dropped (as on Citus). The first holds its transaction
    open after registering; the second waits on the person's claim until the first commits,
    then replaces its account: exactly one current account (without the claim both commit a
    current account)."""
    person = members["a"][0]
    restore = not on_citus()
    if restore:
        with connection.cursor() as cursor:
            cursor.execute('DROP INDEX IF EXISTS "ma_payee_one_current"')
    first_in, release = threading.Event(), threading.Event()
    done: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                done["first"] = services.payee_account_set(
                    person=person, actor=city_admin, holder_name=person.name,
                    bank_name="工商银行", account_number="6222020200112233445").pk
                first_in.set()
                release.wait(20)
        except Exception as exc:
            done["first"] = exc
        finally:
            first_in.set()
            connections.close_all()

    def second() -> None:
        try:
            done["second"] = services.payee_account_set(
                person=person, actor=city_admin, union=tree["SH-B-1-1"],
                holder_name=person.name, bank_name="建设银行",
                account_number="6217000010001234567").pk
        except Exception as exc:
            done["second"] = exc
        finally:
            connections.close_all()

    try:
        one = threading.Thread(target=first)
        one.start()
        assert first_in.wait(20)
        two = threading.Thread(target=second)
        two.start()
        time.sleep(1.0)
        waited = "second" not in done  # still waiting on the claim the first holds
        release.set()
        one.join(30)
        two.join(30)
        assert waited
        assert isinstance(done["first"], int), done
        assert isinstance(done["second"], int), done
        assert list(PayeeAccount.objects.filter(person=person, is_current=True)
                    .values_list("pk", "union__code")) == [(done["second"], "SH-B-1-1")]
        assert PayeeAccount.objects.filter(person=person).count() == 2
        assert list(CurrentPayeeClaim.objects.values_list("person_id", "account_id")) == [
            (person.pk, done["second"])]
    finally:
        release.set()
        if restore:
            with connection.cursor() as cursor:
                # (after a failure two accounts may be current: the key must come back)
                cursor.execute("UPDATE mutualaid_payeeaccount SET is_current = false "
                               "WHERE is_current AND id NOT IN (SELECT max(id) FROM "
                               "mutualaid_payeeaccount WHERE is_current GROUP BY person_id)")
                cursor.execute('CREATE UNIQUE INDEX IF NOT EXISTS "ma_payee_one_current" ON '
                               '"mutualaid_payeeaccount" ("person_id") WHERE "is_current"')
