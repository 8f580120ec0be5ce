"""Roster sync: the members missing from a complete roster are listed, exactly, never changed by
the sync; the cadre decides each (or in bulk) with a reason through the members services."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.members import services as members
from gonghui.members.models import Membership, SyncCandidate
from gonghui.members.tests.factories import person_fields
from gonghui.roster import sync

from .helpers import run_import

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _roster(path: Path, people: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "身份证号码", "手机号码"])
        for p in people:
            writer.writerow([p["name"], p["id_number"], p["phone"]])
    return path


@pytest.fixture
def union_members(tree, city_admin):
    union = tree["SH-A-1-1"]
    fields = [person_fields(n) for n in ("甲", "乙", "丙", "丁")]
    held = [members.member_add(union=union, fields=f, actor=city_admin) for f in fields]
    # a member of another union and an ended membership are never candidates here
    members.member_add(union=tree["SH-A-1-2"], fields=person_fields("戊"), actor=city_admin)
    members.membership_set_status(membership=held[3], target="withdrawn", actor=city_admin,
                                  reason="本人申请")
    return union, fields, held


def test_sync_lists_exactly_the_missing_members_and_changes_nothing(tree, tmp_path,
                                                                    union_members, city_admin):
    union, fields, held = union_members
    new = person_fields("己")
    path = _roster(tmp_path / "全量名册.csv", [fields[0], new])
    job = run_import(path, union)
    assert (job.imported, job.unchanged) == (1, 1)
    before = sorted(Membership.objects.values_list("pk", "status"))
    assert sync.sync_detect(job=job, actor=city_admin) == 2
    assert sorted(SyncCandidate.objects.values_list("membership_id", flat=True)) == sorted(
        [held[1].pk, held[2].pk])
    assert sorted(Membership.objects.values_list("pk", "status")) == before
    # once per job
    assert sync.sync_detect(job=job, actor=city_admin) == 2
    assert SyncCandidate.objects.count() == 2
    assert AuditEvent.objects.filter(action="roster.sync_detect").count() == 2


def test_cadre_decides_each_or_in_bulk_with_a_reason(tree, tmp_path, union_members,
                                                     city_admin, district_cadre):
    union, fields, held = union_members
    job = run_import(_roster(tmp_path / "r.csv", [fields[0]]), union)
    sync.sync_detect(job=job, actor=city_admin)
    first, second = sync.sync_candidates(viewer=district_cadre, job_id=job.pk)
    with pytest.raises(ApplicationError):
        sync.sync_decide(candidate=first, decision="withdrawn", actor=district_cadre, reason="")
    done, failures = sync.sync_decide_many(ids=[first.pk, second.pk, 999999],
                                           decision="retired", actor=district_cadre,
                                           reason="已办理退休")
    assert (done, failures) == (2, [{"id": 999999, "code": "not_found",
                                     "message": "未找到，或您无权查看。"}])
    assert sorted(Membership.objects.filter(pk__in=[held[1].pk, held[2].pk])
                  .values_list("status", flat=True)) == ["retired", "retired"]
    assert list(SyncCandidate.objects.values_list("status", "reason").distinct()) == [
        ("retired", "已办理退休")]


def test_other_district_cannot_see_or_decide(tree, tmp_path, union_members, city_admin,
                                             other_district_cadre):
    union, fields, _held = union_members
    job = run_import(_roster(tmp_path / "r.csv", [fields[0]]), union)
    sync.sync_detect(job=job, actor=city_admin)
    assert list(sync.sync_candidates(viewer=other_district_cadre)) == []
    candidate = SyncCandidate.objects.first()
    with pytest.raises(NotFound):
        sync.sync_decide(candidate=candidate, decision="withdrawn", actor=other_district_cadre,
                         reason="越权")
    with pytest.raises(NotFound):
        sync.sync_detect(job=job, actor=other_district_cadre)
    assert SyncCandidate.objects.filter(status="open").count() == 2
    assert Membership.objects.filter(status="active").count() == 4


def test_the_cadre_compares_and_decides_on_the_pages(client, tree, tmp_path, union_members,
                                                     city_admin):
    """From the finished import's page: 名册同步比对 lists the two members the file lacks; the
    ticked ones are decided together with a reason; nothing ticked or no reason changes
    nothing; another district's cadre never sees the list."""
    from django.contrib.auth import get_user_model

    from conftest import login, make_user

    union, fields, held = union_members
    job = run_import(_roster(tmp_path / "全量名册.csv", [fields[0]]), union)
    cadre = get_user_model().objects.get(pk=city_admin.pk)
    login(client, cadre)
    page = client.get(f"/members/roster/imports/{job.pk}/").content.decode()
    assert 'id="sync"' in page
    response = client.post(f"/members/roster/imports/{job.pk}/sync/detect/")
    assert response["Location"] == f"/members/roster/imports/{job.pk}/sync/"
    listed = client.get(response["Location"]).content.decode()
    assert [f">{f['name']}</a>" in listed for f in fields] == [False, True, True, False]
    candidates = {c.membership_id: c for c in SyncCandidate.objects.all()}
    assert set(candidates) == {held[1].pk, held[2].pk}
    # nothing ticked / no reason: 400, nothing changed
    assert client.post(f"/members/roster/imports/{job.pk}/sync/",
                       {"decision": "kept", "reason": "核实在职"}).status_code == 400
    assert client.post(f"/members/roster/imports/{job.pk}/sync/",
                       {"ids": [candidates[held[1].pk].pk], "decision": "kept",
                        "reason": " "}).status_code == 400
    assert set(SyncCandidate.objects.values_list("status", flat=True)) == {"open"}
    response = client.post(f"/members/roster/imports/{job.pk}/sync/", {
        "ids": [candidates[held[1].pk].pk], "decision": "kept", "reason": "核实在职，漏报"})
    assert response.status_code == 302
    response = client.post(f"/members/roster/imports/{job.pk}/sync/", {
        "ids": [candidates[held[2].pk].pk], "decision": "withdrawn", "reason": "已离职"})
    assert response.status_code == 302
    assert sorted(SyncCandidate.objects.values_list("membership_id", "status", "reason")) == [
        (held[1].pk, "kept", "核实在职，漏报"), (held[2].pk, "withdrawn", "已离职")]
    assert list(Membership.objects.filter(pk__in=[held[1].pk, held[2].pk]).order_by("pk")
                .values_list("status", flat=True)) == ["active", "withdrawn"]
    other = make_user("cadre_b", org=tree["SH-B"], role="admin")
    login(client, other)
    assert client.get(f"/members/roster/imports/{job.pk}/sync/").status_code == 404
