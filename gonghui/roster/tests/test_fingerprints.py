"""Row fingerprints (issue 22): a re-run recognises the rows it already took without validating
them again or comparing them with the registry — and a registry changed since (any update of the
person or the membership, a membership ended, a union closed) is never taken for unchanged."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection

from gonghui.members.models import Membership, MembershipEvent, Person
from gonghui.members.services import membership_set_status
from gonghui.members.validation import id_hash
from gonghui.orgs.models import Org, OrgStatus
from gonghui.roster import fingerprints, samples, stripes
from gonghui.roster.models import ImportChunk, RowFingerprint
from gonghui.roster.tests.helpers import registry_state, run_import

pytestmark = pytest.mark.django_db

# The fingerprints are off on Citus (fingerprints.enabled(): their probes are correlated
# subqueries over distributed tables, which Citus refuses, and a row's xmin is its shard's
# own): there a re-run takes the full path, which test_fingerprints_only_on_postgresql_same_outcome
# checks; the tests of what the fingerprints recognise are one node's.
fingerprints_on = pytest.mark.skipif(
    bool(os.environ.get("GONGHUI_TEST_CITUS_URL")),
    reason="fingerprints are off on Citus (correlated probes refused, xmin per shard)")


def _validated(monkeypatch) -> list[int]:
    """Row numbers that go through validation from now on (the full path)."""
    seen: list[int] = []
    real = stripes.prepare_columns

    def spy(rows, *args, **kwargs):
        seen.extend(number for number, _cells in rows)
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(stripes, "prepare_columns", spy)
    return seen


def _person(i: int) -> Person:
    return Person.objects.get(id_hash=id_hash(samples.id_number(i)))


def test_fingerprints_only_on_postgresql_same_outcome(tree, tmp_path):
    path = samples.write_csv(tmp_path / "a.csv", 5)
    run_import(path, tree["SH-A-1-1"])
    again = run_import(path, tree["SH-A-1-1"])
    assert again.counts() == {"imported": 0, "unchanged": 5, "rejected": 0, "skipped": 0}
    expected = 5 if fingerprints.enabled() else 0
    assert RowFingerprint.objects.count() == expected


@pytest.mark.postgres
@fingerprints_on
def test_rerun_recognises_every_row_without_validating(tree, tmp_path, monkeypatch):
    union = tree["SH-A-1-1"]
    path = samples.write_csv(tmp_path / "a.csv", 7)
    first = run_import(path, union, chunk_rows=3)
    assert first.counts() == {"imported": 7, "unchanged": 0, "rejected": 0, "skipped": 0}
    fingerprints = RowFingerprint.objects.order_by("person_id")
    assert [f.person_id for f in fingerprints] == list(
        Person.objects.order_by("id").values_list("id", flat=True))
    assert [f.membership_id for f in fingerprints] == list(
        Membership.objects.order_by("person_id").values_list("id", flat=True))
    before = registry_state()
    seen = _validated(monkeypatch)
    again = run_import(path, union, chunk_rows=3)
    assert again.counts() == {"imported": 0, "unchanged": 7, "rejected": 0, "skipped": 0}
    assert seen == []
    assert registry_state() == before
    assert list(ImportChunk.objects.filter(job=again).order_by("index").values_list(
        "index", "rows", "first_row", "last_row")) == [(0, 3, 2, 4), (1, 3, 5, 7), (2, 1, 8, 8)]


@pytest.mark.postgres
@fingerprints_on
def test_changed_registry_rows_take_the_full_path(tree, tmp_path, monkeypatch, city_admin):
    union = tree["SH-A-1-1"]
    path = samples.write_csv(tmp_path / "a.csv", 4)
    run_import(path, union)
    row0 = samples.person_row(0)
    # person 0 edited behind the importer's back (raw SQL, no hook): stale by its row version
    Person.objects.filter(pk=_person(0).pk).update(phone="13999999999")
    # person 1 left: the row makes them a returning member, not "unchanged"
    membership_set_status(membership=Membership.objects.get(person=_person(1)),
                          target="withdrawn", actor=city_admin, reason="离职",
                          on=dt.date(2024, 1, 1))
    seen = _validated(monkeypatch)
    job = run_import(path, union, actor=city_admin)
    assert job.counts() == {"imported": 2, "unchanged": 2, "rejected": 0, "skipped": 0}
    assert job.updated == 1
    assert sorted(seen) == [2, 3]  # rows of persons 0 and 1 (row 1 is the header)
    assert _person(0).phone == row0[4]
    assert _person(1).memberships.count() == 2
    assert _person(1).member_union_id == union.pk
    seen.clear()
    third = run_import(path, union, actor=city_admin)
    assert third.counts() == {"imported": 0, "unchanged": 4, "rejected": 0, "skipped": 0}
    assert seen == []  # the full path recorded fresh fingerprints


@pytest.mark.postgres
@fingerprints_on
def test_repeated_rows_are_still_rejected(tree, tmp_path, monkeypatch):
    union = tree["SH-A-1-1"]
    path = tmp_path / "dup.csv"
    rows = [samples.person_row(0), samples.person_row(1), samples.person_row(0)]
    path.write_text("\n".join(",".join(r) for r in [list(samples.HEADERS), *rows]) + "\n",
                    encoding="utf-8")
    first = run_import(path, union)
    assert first.counts() == {"imported": 2, "unchanged": 0, "rejected": 1, "skipped": 0}
    seen = _validated(monkeypatch)
    again = run_import(path, union)
    assert again.counts() == {"imported": 0, "unchanged": 2, "rejected": 1, "skipped": 0}
    assert seen == [4]
    assert again.rejections.get().reason == \
        "与第 2 行的身份证号码相同：同一人在名册中只能出现一次，请删除重复的行。"


@pytest.mark.postgres
@fingerprints_on
def test_bulk_rows_of_a_closed_union_are_checked_again(tree, tmp_path, monkeypatch):
    path = samples.write_csv(tmp_path / "bulk.csv", 4, union_codes=("SH-A-1-1", "SH-A-1-2"))
    first = run_import(path, tree["SH-A"])
    assert first.counts() == {"imported": 4, "unchanged": 0, "rejected": 0, "skipped": 0}
    Org.objects.filter(code="SH-A-1-2").update(status=OrgStatus.DISSOLVED)
    events = MembershipEvent.objects.count()
    seen = _validated(monkeypatch)
    again = run_import(path, tree["SH-A"])
    assert again.counts() == {"imported": 0, "unchanged": 2, "rejected": 2, "skipped": 0}
    assert sorted(seen) == [3, 5]  # the rows naming SH-A-1-2
    assert {r.reason for r in again.rejections.all()} == {
        f"“{tree['SH-A-1-2'].name}”已合并或撤销，不能接收会员。"}
    assert MembershipEvent.objects.count() == events


@pytest.mark.postgres
def test_dry_run_records_no_fingerprint(tree, tmp_path):
    path = samples.write_csv(tmp_path / "a.csv", 3)
    job = run_import(path, tree["SH-A-1-1"], dry_run=True)
    assert job.counts() == {"imported": 3, "unchanged": 0, "rejected": 0, "skipped": 0}
    assert RowFingerprint.objects.count() == 0


def _chunk_fingerprints() -> list[int]:
    """The row count of each chunk fingerprint, sorted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(person_ids) FROM roster_chunkfingerprint")
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@fingerprints_on
def test_whole_chunks_are_recognised_in_one_query(tree, tmp_path, monkeypatch, city_admin):
    union = tree["SH-A-1-1"]
    path = tmp_path / "a.csv"
    # rows 2–8: chunks (2, 3, 4), (5, 6, 7), (8); row 6 repeats row 2: its chunk has no
    # chunk fingerprint (a rejected row), the others have one each
    rows = [samples.person_row(i) for i in range(7)]
    rows[4] = samples.person_row(0)
    path.write_text("\n".join(",".join(r) for r in [list(samples.HEADERS), *rows]) + "\n",
                    encoding="utf-8")
    first = run_import(path, union, chunk_rows=3)
    assert first.counts() == {"imported": 6, "unchanged": 0, "rejected": 1, "skipped": 0}
    assert _chunk_fingerprints() == [1, 3]
    asked: list[int] = []
    real = fingerprints.known

    def spy(digests, *args, **kwargs):
        asked.append(len(digests))
        return real(digests, *args, **kwargs)

    monkeypatch.setattr(fingerprints, "known", spy)
    seen = _validated(monkeypatch)
    again = run_import(path, union, chunk_rows=3)
    assert again.counts() == {"imported": 0, "unchanged": 6, "rejected": 1, "skipped": 0}
    assert asked == [2]  # only the chunk with the repeated row, row by row
    assert seen == [6]
    # a member edited since: their chunk fails as a whole and goes row by row
    Person.objects.filter(pk=_person(1).pk).update(phone="13999999999")
    asked.clear()
    seen.clear()
    third = run_import(path, union, chunk_rows=3)
    assert third.counts() == {"imported": 1, "unchanged": 5, "rejected": 1, "skipped": 0}
    assert third.updated == 1
    assert asked == [3, 2]
    assert seen == [3, 6]
    assert _person(1).phone == samples.person_row(1)[4]
