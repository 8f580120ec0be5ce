"""公示 pages and API: public to every signed-in user, management 404 outside the subtree and
403 read-only, 400 on a refused form; nothing changes on a denial."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core import clock
from gonghui.notices import services
from gonghui.notices.models import Notice, NoticeItem, Objection
from gonghui.notices.services import NoticeItemIn

D = dt.date
MONDAY = D(2026, 3, 2)


@pytest.fixture
def monday():
    with clock.frozen(MONDAY):
        yield MONDAY


@pytest.fixture
def notice(tree, district_cadre, monday):
    return services.notice_publish(
        kind="test.honour", title="先进工作者公示", org=tree["SH-A"], working_days=5,
        items=[NoticeItemIn(text=f"李{i} 甲一公司 岗位能手", source_type="t", source_id=str(i))
               for i in range(60)], actor=district_cadre)


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- public pages --------------------------------------------------------------------------

def test_public_list_and_detail_for_any_signed_in_user(client, notice, member_user):
    login(client, member_user)
    body = client.get(reverse("notices:list")).content.decode()
    assert "先进工作者公示" in body
    assert "2026-03-02 至 2026-03-06（5 个工作日）" in body
    assert client.get(reverse("notices:list"), {"q": "不存在"}).content.decode().count(
        reverse("notices:detail", args=[notice.pk])) == 0
    response = client.get(reverse("notices:detail", args=[notice.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('id="item-') == 50  # paged by 50
    assert "提交异议" in body
    assert "管理此公示" not in body
    body = client.get(reverse("notices:detail", args=[notice.pk]), {"q": "李7"}).content.decode()
    assert body.count('id="item-') == 1


def test_ended_tab(client, notice, member_user, district_cadre):
    with clock.frozen(D(2026, 3, 9)):
        services.notice_close(notice=notice, actor=district_cadre)
        login(client, member_user)
        assert "先进工作者公示" not in client.get(reverse("notices:list")).content.decode()
        body = client.get(reverse("notices:list"), {"state": "ended"}).content.decode()
        assert "先进工作者公示" in body


def test_objection_form(client, notice, member_user):
    login(client, member_user)
    item = notice.items.get(position=3)
    url = reverse("notices:detail", args=[notice.pk])
    response = client.post(url, {"item": item.pk, "text": "此人未参加评选", "contact": "13800000000"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.item_id, objection.text, objection.contact) == (
        item.pk, "此人未参加评选", "13800000000")
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    with clock.frozen(D(2026, 3, 9)):
        response = client.post(url, {"text": "晚了"})
    assert response.status_code == 400
    assert "当前不在公示期内" in response.content.decode()
    assert Objection.objects.count() == 1


def test_withdrawn_notice_is_not_public(client, notice, member_user, district_cadre):
    services.notice_withdraw(notice=notice, reason="错", actor=district_cadre)
    login(client, member_user)
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404


def test_anonymous_pages_redirect_and_api_401(client, notice):
    for name, args in [("notices:list", []), ("notices:detail", [notice.pk]),
                       ("notices:manage", []), ("notices:manage_detail", [notice.pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
    assert client.get("/api/v1/notices").status_code == 401


# --- management pages ----------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("district_cadre", 200), ("city_admin", 200), ("other_district_cadre", 404),
    ("grassroots_cadre", 404), ("auditor", 200), ("member_user", 404),
])
def test_manage_detail_statuses(client, notice, request, persona, status):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("notices:manage_detail", args=[notice.pk])).status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("district_cadre", 200), ("other_district_cadre", 200), ("auditor", 403),
    ("grassroots_cadre", 403), ("member_user", 403),
])
def test_manage_list_statuses(client, tree, request, persona, status):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("notices:manage")).status_code == status


def test_manage_list_counts(notice, member_user, district_cadre):
    from gonghui.notices import selectors

    services.objection_submit(notice=notice, text="x", actor=member_user)
    services.objection_submit(notice=notice, text="y", actor=member_user)
    row = selectors.managed_notices(viewer=district_cadre).get()
    assert (row.pending, row.item_count) == (2, 60)


def test_manage_list_is_scoped(client, notice, other_district_cadre, district_cadre):
    login(client, other_district_cadre)
    assert "先进工作者公示" not in client.get(reverse("notices:manage")).content.decode()
    login(client, district_cadre)
    body = client.get(reverse("notices:manage"), {"status": "published"}).content.decode()
    assert "先进工作者公示" in body


@pytest.mark.parametrize(("persona", "status"), [
    ("other_district_cadre", 404), ("auditor", 403), ("member_user", 404)])
def test_decide_and_close_denied_change_nothing(client, notice, member_user, request, persona,
                                                status):
    objection = services.objection_submit(notice=notice, text="x", actor=member_user)
    login(client, request.getfixturevalue(persona))
    url = reverse("notices:decide", args=[notice.pk, objection.pk])
    assert client.post(url, {"decision": "upheld", "reason": "r"}).status_code == status
    with clock.frozen(D(2026, 3, 9)):
        assert client.post(reverse("notices:close", args=[notice.pk])).status_code == status
    assert client.post(reverse("notices:withdraw", args=[notice.pk]),
                       {"reason": "r"}).status_code == status
    assert Objection.objects.get().status == "pending"
    assert Notice.objects.get().status == "published"


def test_decide_and_close_pages(client, notice, member_user, district_cadre):
    objection = services.objection_submit(notice=notice, item=notice.items.get(position=1),
                                          text="x", actor=member_user)
    login(client, district_cadre)
    body = client.get(reverse("notices:manage_detail", args=[notice.pk])).content.decode()
    assert f'id="objection-{objection.pk}"' in body
    url = reverse("notices:decide", args=[notice.pk, objection.pk])
    assert client.post(url, {"decision": "upheld", "reason": ""}).status_code == 400
    with clock.frozen(D(2026, 3, 9)):
        response = client.post(reverse("notices:close", args=[notice.pk]))
        assert response.status_code == 409
        assert "还有 1 条异议未处理" in response.content.decode()
        assert client.post(url, {"decision": "upheld", "reason": "属实"}).status_code == 302
        assert client.post(reverse("notices:close", args=[notice.pk])).status_code == 302
    assert Notice.objects.get().status == "closed"
    assert NoticeItem.objects.get(position=1).objection_upheld is True
    response = client.post(reverse("notices:close", args=[notice.pk]))
    assert response.status_code == 409


def test_close_before_the_end_is_409(client, notice, district_cadre):
    login(client, district_cadre)
    response = client.post(reverse("notices:close", args=[notice.pk]))
    assert response.status_code == 409
    assert "期满后才能结束公示" in response.content.decode()
    assert Notice.objects.get().status == "published"


def test_publish_page(client, tree, district_cadre, grassroots_cadre, monday):
    login(client, grassroots_cadre)
    assert client.get(reverse("notices:publish")).status_code == 403
    login(client, district_cadre)
    assert client.get(reverse("notices:publish")).status_code == 200
    data = {"org": tree["SH-A-1"].pk, "title": "慰问对象公示", "working_days": 3,
            "items": "王五 甲一公司\n\n赵六 甲二公司\n"}
    response = client.post(reverse("notices:publish"), data)
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.kind, notice.end_date, notice.items.count()) == (
        "notices.general", D(2026, 3, 4), 2)
    bad = {**data, "items": "王五 110101199003071234"}
    assert client.post(reverse("notices:publish"), bad).status_code == 400
    # an org outside the viewer's subtrees is not a choice: invalid form
    assert client.post(reverse("notices:publish"),
                       {**data, "org": tree["SH-B"].pk}).status_code == 400
    assert Notice.objects.count() == 1


# --- API -----------------------------------------------------------------------------------

def test_api_public_flow(client, notice, member_user):
    login(client, member_user)
    data = client.get("/api/v1/notices").json()
    assert [n["title"] for n in data["items"]] == ["先进工作者公示"]
    assert data["items"][0]["end_date"] == "2026-03-06"
    items = client.get(f"/api/v1/notices/{notice.pk}/items", {"page_size": 2}).json()
    assert items["count"] == 60
    assert items["items"][0] == {"id": items["items"][0]["id"], "position": 1,
                                 "text": "李0 甲一公司 岗位能手", "source_type": None,
                                 "source_id": None, "objection_upheld": None}
    response = _post_json(client, f"/api/v1/notices/{notice.pk}/objections",
                          {"text": "不属实", "item_id": items["items"][1]["id"]})
    assert response.status_code == 201
    mine = client.get(f"/api/v1/notices/{notice.pk}/objections/mine").json()
    assert [o["text"] for o in mine["items"]] == ["不属实"]
    assert client.get(f"/api/v1/notices/{notice.pk}/objections").status_code == 404
    response = _post_json(client, f"/api/v1/notices/{notice.pk}/objections",
                          {"text": "x", "item_id": 999999})
    assert response.status_code == 404
    assert Objection.objects.count() == 1


def test_api_manage_flow(client, notice, member_user, district_cadre, other_district_cadre):
    objection = services.objection_submit(notice=notice, text="x", actor=member_user)
    login(client, other_district_cadre)
    assert client.get(f"/api/v1/notices/{notice.pk}/objections").status_code == 404
    assert _post_json(client, f"/api/v1/notices/{notice.pk}/objections/{objection.pk}/decide",
                      {"upheld": True, "reason": "r"}).status_code == 404
    assert client.get("/api/v1/notices/manage").json()["count"] == 0
    login(client, district_cadre)
    assert client.get("/api/v1/notices/manage").json()["count"] == 1
    listed = client.get(f"/api/v1/notices/{notice.pk}/objections").json()
    assert [(o["author"], o["status"]) for o in listed["items"]] == [("worker", "pending")]
    with clock.frozen(D(2026, 3, 9)):
        response = client.post(f"/api/v1/notices/{notice.pk}/close")
        assert (response.status_code, response.json()["code"]) == (409, "objections_pending")
        response = _post_json(
            client, f"/api/v1/notices/{notice.pk}/objections/{objection.pk}/decide",
            {"upheld": False, "reason": "不属实"})
        assert (response.status_code, response.json()["status"]) == (200, "dismissed")
        response = client.post(f"/api/v1/notices/{notice.pk}/close")
        assert (response.status_code, response.json()["status"]) == (200, "closed")


def test_api_publish(client, tree, district_cadre, grassroots_cadre, other_district_cadre,
                     monday):
    payload = {"org": "SH-A-1", "title": "t", "working_days": 5, "items": ["甲", "乙"]}
    login(client, grassroots_cadre)
    # org.read but no org.write anywhere: 403 before the body is read
    assert _post_json(client, "/api/v1/notices", payload).status_code == 403
    login(client, other_district_cadre)
    assert _post_json(client, "/api/v1/notices", payload).status_code == 404
    assert Notice.objects.count() == 0
    login(client, district_cadre)
    response = _post_json(client, "/api/v1/notices", payload)
    assert (response.status_code, response.json()["end_date"]) == (201, "2026-03-06")
    response = _post_json(client, "/api/v1/notices", {**payload, "items": []})
    assert (response.status_code, response.json()["code"]) == (400, "items_required")
    assert Notice.objects.count() == 1
