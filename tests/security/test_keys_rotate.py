"""Field key rotation (issue 13, `gonghui keys rotate`): values encrypted under key 1, a new key,
re-encryption in chunks (resumable), key 1 retired — every value still decrypts, exact search by
ID number (the blind index) still finds, and the audit chain still verifies."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gonghui.accounts.models import FieldKeyProgress
from gonghui.audit import chain, keys
from gonghui.audit.models import AuditEvent
from gonghui.core import crypto
from gonghui.core.actor import system_actor
from gonghui.members import selectors, services
from gonghui.members.models import Person
from gonghui.members.tests.factories import id_number, person_fields

pytestmark = pytest.mark.django_db
ACTOR = system_actor("test")


@pytest.fixture
def keyring(settings, tmp_path):
    settings.FIELD_KEY, settings.FIELD_KEYS, settings.FIELD_KEY_ID = "", "", 0
    settings.FIELD_KEY_FILE = tmp_path / "keys" / "field.key"
    crypto.reload_keys()
    yield tmp_path / "keys"
    crypto.reload_keys()


def _raw_ids() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_person ORDER BY id")
        return [bytes(r[0]) for r in cursor.fetchall()]


def _members(tree, city_admin, n: int) -> dict[int, str]:
    numbers = {}
    for i in range(n):
        number = id_number()
        m = services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                                fields=person_fields("会员" + "甲乙丙丁戊己庚辛"[i],
                                                     id_number=number))
        numbers[m.person_id] = number
    return numbers


def test_rotate_reencrypt_retire_and_everything_still_reads(keyring, tree, city_admin):
    numbers = _members(tree, city_admin, 5)
    hashes = dict(Person.objects.values_list("id", "id_hash"))
    assert {crypto.key_id_of(raw) for raw in _raw_ids()} == {1}
    assert not (keyring / "index.key").exists()

    assert keys.key_new(actor=ACTOR) == 2
    assert (keyring / "field.2.key").exists()
    assert (keyring / "index.key").exists()   # pinned before key 1 can go
    numbers.update(_members(tree, city_admin, 1))   # a new value: under key 2 at once
    assert [crypto.key_id_of(raw) for raw in _raw_ids()] == [1, 1, 1, 1, 1, 2]
    assert keys.status()["members.Person.id_number"] == {1: 5, 2: 1}
    with pytest.raises(keys.KeyInUse):
        keys.retire(key_id=1, actor=ACTOR)
    assert (keyring / "field.key").exists()

    done = keys.reencrypt(actor=ACTOR, chunk=2)
    assert done["members.Person.id_number"] == 5
    assert {crypto.key_id_of(raw) for raw in _raw_ids()} == {2}

    moved = keys.retire(key_id=1, actor=ACTOR)
    assert moved == str(keyring / "field.key.retired")
    assert not (keyring / "field.key").exists()
    crypto.reload_keys()
    assert sorted(crypto.keyring()) == [2]
    assert {p.pk: p.id_number for p in Person.objects.all()} == numbers
    # the blind index did not change: exact search by ID number finds the same person
    assert dict(Person.objects.values_list("id", "id_hash")) == {
        **hashes, **{pk: crypto.blind_index(n) for pk, n in numbers.items() if pk not in hashes}}
    some_pk, some_number = next(iter(numbers.items()))
    found = selectors.member_list(viewer=city_admin, q=some_number, status="all")
    assert [m.person_id for m in found] == [some_pk]
    # the audit chain (keyed by the pinned index key) still verifies, and the steps are in it
    assert chain.verify()[2] == []
    assert list(AuditEvent.objects.filter(action__startswith="keys.")
                .values_list("action", flat=True).order_by("id")) == [
        "keys.new", "keys.reencrypt", "keys.retire"]
    # a new installation's key 1 is not silently re-created once retired
    assert not (keyring / "field.key").exists()


def test_a_stopped_reencryption_resumes_where_it_was(keyring, tree, city_admin):
    numbers = _members(tree, city_admin, 5)
    keys.key_new(actor=ACTOR)
    seen: list[int] = []

    def stop_after_first_chunk(target: str, last_pk: int, rewritten: int) -> None:
        if target == "members.Person.id_number":
            seen.append(last_pk)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys.reencrypt(actor=ACTOR, chunk=2, progress=stop_after_first_chunk)
    state = FieldKeyProgress.objects.get(target="members.Person.id_number", key_id=2)
    assert (state.rewritten, state.done, state.last_pk) == (2, False, seen[0])
    assert [crypto.key_id_of(raw) for raw in _raw_ids()] == [2, 2, 1, 1, 1]
    done = keys.reencrypt(actor=ACTOR, chunk=2)
    assert done["members.Person.id_number"] == 5
    assert {crypto.key_id_of(raw) for raw in _raw_ids()} == {2}
    assert {p.pk: p.id_number for p in Person.objects.all()} == numbers


def test_the_command_rotates_and_retires(keyring, tree, city_admin):
    numbers = _members(tree, city_admin, 3)
    out = StringIO()
    call_command("keys", "rotate", "--retire", "--chunk", "2", stdout=out)
    text = out.getvalue()
    assert "new field key 2" in text
    assert "key 1 retired" in text
    crypto.reload_keys()
    assert sorted(crypto.keyring()) == [2]
    assert {p.pk: p.id_number for p in Person.objects.all()} == numbers
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert "members.Person.id_number: key 2: 3" in status.getvalue()


def test_a_retired_key_cannot_decrypt_and_the_current_key_cannot_be_retired(keyring, tree,
                                                                           city_admin):
    token = crypto.encrypt("110101199003077777")
    keys.key_new(actor=ACTOR)
    with pytest.raises(keys.KeyInUse, match="current key"):
        keys.retire(key_id=2, actor=ACTOR)
    keys.retire(key_id=1, actor=ACTOR)   # nothing in the database uses key 1
    crypto.reload_keys()
    with pytest.raises(ValueError, match="not in the keyring"):
        crypto.decrypt(token)
    assert crypto.decrypt(crypto.encrypt("x")) == "x"
