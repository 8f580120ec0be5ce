"""API of self-service requests: a member creates and lists their own; the union lists, confirms
(through the one edit service) and declines with a reason; other districts get 404, readers
403, and nothing changes on a refusal."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.members import services
from gonghui.members.models import Membership, Person, SelfServiceRequest
from gonghui.members.tests.factories import person_fields

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def member(tree, city_admin):
    worker = make_user("worker_api")
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("周敏"),
                            actor=city_admin)
    Person.objects.filter(pk=m.person_id).update(user=worker)
    return worker, m


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_member_creates_and_lists_own_requests(client, member):
    worker, _m = member
    login(client, worker)
    created = _post(client, "/api/v1/members/me/requests",
                    {"kind": "skill_level", "value": "senior"})
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["value"], body["before"], body["status"], body["union"]) == (
        "skill_level", "senior", "", "pending", "SH-A-1-1")
    again = _post(client, "/api/v1/members/me/requests",
                  {"kind": "skill_level", "value": "technician"})
    assert (again.status_code, again.json()["code"]) == (409, "request_pending")
    no_reason = _post(client, "/api/v1/members/me/requests", {"kind": "withdraw"})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    listed = client.get("/api/v1/members/me/requests").json()
    assert (listed["count"], [r["id"] for r in listed["items"]]) == (1, [body["id"]])
    assert SelfServiceRequest.objects.count() == 1


def test_worker_without_membership_gets_403_and_nothing_is_written(client, tree):
    login(client, make_user("nobody"))
    response = _post(client, "/api/v1/members/me/requests",
                     {"kind": "skill_level", "value": "senior"})
    assert response.status_code == 403
    assert client.get("/api/v1/members/me/requests").json()["count"] == 0
    assert SelfServiceRequest.objects.count() == 0


def test_union_lists_confirms_and_declines(client, member, district_cadre):
    worker, m = member
    login(client, worker)
    skill = _post(client, "/api/v1/members/me/requests",
                {"kind": "skill_level", "value": "senior"}).json()
    quit_ = _post(client, "/api/v1/members/me/requests",
                  {"kind": "withdraw", "reason": "退休返乡"}).json()
    login(client, district_cadre)
    listed = client.get("/api/v1/members/selfservice").json()
    assert (listed["count"], [(r["id"], r["name"]) for r in listed["items"]]) == (
        2, [(skill["id"], "周敏"), (quit_["id"], "周敏")])
    only = client.get("/api/v1/members/selfservice?kind=withdraw").json()
    assert [r["id"] for r in only["items"]] == [quit_["id"]]
    assert client.get("/api/v1/members/selfservice?status=nope").status_code == 400

    blank = _post(client, f"/api/v1/members/selfservice/{quit_['id']}/decline", {})
    assert (blank.status_code, blank.json()["code"]) == (400, "reason_required")
    declined = _post(client, f"/api/v1/members/selfservice/{quit_['id']}/decline",
                     {"reason": "请先结清互助保障"})
    assert (declined.status_code, declined.json()["status"],
            declined.json()["decision_reason"]) == (200, "rejected", "请先结清互助保障")
    confirmed = _post(client, f"/api/v1/members/selfservice/{skill['id']}/confirm", {})
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    assert Person.objects.get(pk=m.person_id).skill_level == "senior"
    assert Membership.objects.get(pk=m.pk).status == "active"
    assert AuditEvent.objects.filter(action="member.self_request_decide").count() == 2
    done = client.get("/api/v1/members/selfservice?status=all").json()
    assert sorted(r["status"] for r in done["items"]) == ["confirmed", "rejected"]


def test_other_district_404_reader_403_nothing_changed(client, tree, member,
                                                       other_district_cadre, auditor):
    worker, m = member
    login(client, worker)
    skill = _post(client, "/api/v1/members/me/requests",
                {"kind": "skill_level", "value": "senior"}).json()
    login(client, other_district_cadre)
    assert client.get("/api/v1/members/selfservice").json()["count"] == 0
    for action in ("confirm", "decline"):
        response = _post(client, f"/api/v1/members/selfservice/{skill['id']}/{action}",
                         {"reason": "越权"})
        assert response.status_code == 404
    # a reader of the registry (the treasurer: member.read, not member.write) sees the request
    # and may not decide it; the auditor does not read the registry at all
    login(client, auditor)
    assert client.get("/api/v1/members/selfservice").status_code == 403
    login(client, make_user("treasurer", org=tree["SH"], role="treasurer"))
    assert client.get("/api/v1/members/selfservice").json()["count"] == 1
    assert _post(client, f"/api/v1/members/selfservice/{skill['id']}/confirm",
                 {}).status_code == 403
    assert SelfServiceRequest.objects.get(pk=skill["id"]).status == "pending"
    assert Person.objects.get(pk=m.person_id).skill_level == ""
    assert AuditEvent.objects.filter(action="member.self_request_decide").count() == 0
