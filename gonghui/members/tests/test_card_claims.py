"""The card-number claim (members.CardNumberClaim): every card number a membership gets is
claimed in the same transaction, and a number held by a membership of any union is refused —
on Citus the claim's primary key is the only guard across unions (docs/scale.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from gonghui.core import clock
from gonghui.core.citus import on_citus
from gonghui.core.errors import Conflict
from gonghui.members import services
from gonghui.members.models import CardNumberClaim, Membership, MembershipStatus, Person
from gonghui.members.services._common import open_membership
from gonghui.members.tests.factories import person_fields
from gonghui.members.validation import validate_person

pytestmark = pytest.mark.django_db


def drop_card_number_key() -> None:
    """The one-node unique key on members_membership.card_number dropped (inside the test's
    transaction: it comes back with the rollback). On Citus `distribute` has already narrowed it
    to (card_number, union), which refuses nothing across unions."""
    if on_citus():
        return
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.conname FROM pg_constraint c JOIN pg_attribute a
              ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.conrelid = 'members_membership'::regclass AND c.contype = 'u'
              AND a.attname = 'card_number'""")
        names = [name for (name,) in cursor.fetchall()]
        assert names
        # the deferred foreign-key checks of the rows written so far run first (PostgreSQL
        # alters no table with pending trigger events)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in names:
            cursor.execute(f'ALTER TABLE members_membership DROP CONSTRAINT "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_every_card_number_is_claimed(tree, city_admin):
    first = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("王一"),
                                actor=city_admin)
    second = services.member_add(union=tree["SH-B-1-1"], fields=person_fields("王二"),
                                 actor=city_admin)
    assert sorted(CardNumberClaim.objects.values_list("card_number", "membership_id")) == sorted(
        [(first.card_number, first.pk), (second.card_number, second.pk)])
    assert first.card_number == f"{first.joined_on.year}{first.pk:010d}"
    # an ended membership keeps its number reserved (the unique key covers every row)
    services.membership_set_status(membership=first, target=MembershipStatus.WITHDRAWN,
                                   actor=city_admin, reason="退会")
    assert CardNumberClaim.objects.filter(card_number=first.card_number,
                                          membership=first).exists()


@pytest.mark.postgres
def test_a_card_number_of_another_union_is_refused_by_the_claim(tree, city_admin):
    """A roster kept the number <year><id> that Gonghui later generates for a member of another
    union: with the membership's unique key gone, the claim refuses it, and nothing changes."""
    held = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("王一"),
                               actor=city_admin)
    with transaction.atomic():
        drop_card_number_key()
        year = clock.today().year
        next_id = held.pk + 1000
        card = f"{year}{next_id:010d}"
        # the number a roster file brought for the member of union A (roster keeps file numbers)
        Membership.objects.filter(pk=held.pk, union_id=held.union_id).update(card_number=card)
        # (its claim moves by delete + insert: on Citus the number is the distribution column)
        CardNumberClaim.objects.filter(card_number=held.card_number).delete()
        CardNumberClaim.objects.create(card_number=card, membership=held)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('members_membership', 'id'), %s)",
                           [next_id - 1])
        before = (Membership.objects.count(), Person.objects.count(),
                  sorted(CardNumberClaim.objects.values_list("card_number", "membership_id")))
        with pytest.raises(Conflict) as error:
            services.member_add(union=tree["SH-B-1-1"], fields=person_fields("李二"),
                                actor=city_admin)
        assert error.value.code == "card_number_taken"
        assert error.value.message == (
            f"会员证号 {card} 已被其他会员使用，不能重复；未作任何更改，请联系系统管理员核对。")
        assert (Membership.objects.count(), Person.objects.count(),
                sorted(CardNumberClaim.objects.values_list("card_number", "membership_id"))
                ) == before
        assert list(Membership.objects.filter(card_number=card).values_list(
            "union__code", flat=True)) == ["SH-A-1-1"]
        # the id taken ahead (a batch): the claim comes before the membership's insert
        person = Person.objects.create(**_validated("李三"))
        with pytest.raises(Conflict) as error, transaction.atomic():
            open_membership(person=person, union=tree["SH-B-1-1"], joined_on=dt.date(year, 1, 2),
                            seniority_since=dt.date(year, 1, 2), actor=city_admin,
                            membership_id=next_id)
        assert error.value.code == "card_number_taken"
        assert not Membership.objects.filter(pk=next_id).exists()
        person.refresh_from_db()
        assert person.member_union_id is None
        transaction.set_rollback(True)  # the key comes back with the rollback


def _validated(name: str) -> dict[str, object]:
    return validate_person(person_fields(name), today=clock.today()).model_fields()
