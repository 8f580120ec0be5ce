"""Issue 13 item 3: the payee's full bank account is read only with mutualaid.reveal (its own
capability, not mutualaid.write), with a purpose, and the read is logged under the payout's
union — also once the payee's membership has ended, so the subtree's auditors see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.accounts import roles
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.roles import Role
from gonghui.audit.models import SensitiveRead
from gonghui.audit.selectors import sensitive_reads
from gonghui.members.models import Membership, Person
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Payout

from .conftest import YEAR, enrol, id_number, import_bytes, settlement_csv

pytestmark = pytest.mark.django_db

ACCOUNT = {"holder_name": "甲会员1", "bank_name": "工商银行",
           "account_number": "6222020200112233445"}


@pytest.fixture
def payout(tree, plans, members, cadre_a11):
    enrol(plans["ratio"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([{"no": "K1", "id": id_number(1),
                                  "admitted": dt.date(YEAR, 5, 1), "days": 4,
                                  "self_paid": "6000.00"}]), tree["SH"])
    services.process_queue()
    services.payee_account_set(person=members["a"][0], actor=cadre_a11, **ACCOUNT)
    return Payout.objects.get()


def test_mutualaid_write_alone_does_not_reveal(client, payout, tree, monkeypatch):
    """A role that handles payouts (mutualaid.write) without mutualaid.reveal: 403, no read."""
    monkeypatch.setitem(roles.CAPABILITIES, Role.CADRE,
                        roles.CAPABILITIES[Role.CADRE] - {Capability.MUTUALAID_REVEAL})
    street = make_user("street_cadre", org=tree["SH-A-1"], role="cadre")
    response = login(client, street).post(
        reverse("mutualaid:account_reveal", args=[payout.pk]), {"purpose": "核对账号"})
    assert response.status_code == 403
    assert "6222020200112233445" not in response.content.decode()
    assert SensitiveRead.objects.count() == 0


def test_a_read_after_the_membership_ended_is_logged_under_the_payouts_union(
        client, payout, tree, cadre_a11, auditor):
    person = Person.objects.get(pk=payout.person_id)
    Membership.objects.filter(person=person).update(status="withdrawn",
                                                    ended_on=dt.date(YEAR, 9, 1))
    Person.objects.filter(pk=person.pk).update(member_union=None)
    response = login(client, cadre_a11).post(
        reverse("mutualaid:account_reveal", args=[payout.pk]), {"purpose": "回盘失败，核对账号"})
    assert response.status_code == 200
    assert "6222020200112233445" in response.content.decode()
    read = SensitiveRead.objects.get()
    assert (read.field, read.purpose, read.org_path, read.actor_name) == (
        "account_number", "回盘失败，核对账号", tree["SH-A-1-1"].path, "cadre_a11")
    assert list(sensitive_reads(viewer=auditor).values_list("pk", flat=True)) == [read.pk]


def test_a_reveal_without_purpose_reads_nothing(client, payout, cadre_a11):
    response = login(client, cadre_a11).post(
        reverse("mutualaid:account_reveal", args=[payout.pk]), {"purpose": " "})
    assert response.status_code == 400
    assert "6222020200112233445" not in response.content.decode()
    assert SensitiveRead.objects.count() == 0
