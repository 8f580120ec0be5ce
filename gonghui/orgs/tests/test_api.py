"""The org API on the kernel's paging and status policy."""

from __future__ import annotations

from conftest import login


def test_list_pages_with_next(client, tree, district_cadre):
    body = login(client, district_cadre).get("/api/v1/orgs?page_size=3").json()
    assert [o["code"] for o in body["items"]] == ["SH-A", "SH-A-1", "SH-A-1-1"]
    assert (body["count"], body["page"], body["page_size"], body["offset"]) == (4, 1, 3, 0)
    assert body["next"] == "/api/v1/orgs?offset=3&limit=3"
    rest = client.get(body["next"]).json()
    assert [o["code"] for o in rest["items"]] == ["SH-A-1-2"]
    assert (rest["page"], rest["next"]) == (2, None)


def test_page_size_over_the_cap_is_refused(client, tree, district_cadre):
    response = login(client, district_cadre).get("/api/v1/orgs?page_size=500")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_children_are_a_page(client, tree, district_cadre):
    body = login(client, district_cadre).get(f"/api/v1/orgs/{tree['SH-A-1'].pk}/children").json()
    assert [o["code"] for o in body["items"]] == ["SH-A-1-1", "SH-A-1-2"]
    assert [o["parent_code"] for o in body["items"]] == ["SH-A-1", "SH-A-1"]
    assert (body["count"], body["next"]) == (2, None)


def test_list_without_any_role_is_403(client, tree, member_user):
    """Issue 13 item 14: a refusal, not 200 with an empty list nor a 404 hiding the list."""
    assert login(client, member_user).get("/api/v1/orgs").status_code == 403
    assert client.get("/orgs/").status_code == 403
    assert client.get("/orgs/list/").status_code == 403


def test_invalid_payload_is_400(client, tree, district_cadre):
    response = login(client, district_cadre).post(
        "/api/v1/orgs", data='{"name": "缺上级"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def _state():
    from gonghui.audit.models import AuditEvent
    from gonghui.orgs.models import Org

    return (list(Org.objects.order_by("pk").values_list("pk", "path", "name", "status")),
            AuditEvent.objects.count())


def test_the_gate_answers_before_the_payload(client, tree, auditor, member_user):
    """Someone who may not create orgs learns nothing about the payload: 403 / 404, not 400."""
    before = _state()
    assert login(client, auditor).post(
        "/api/v1/orgs", data="{}", content_type="application/json").status_code == 403
    assert login(client, auditor).post(
        f"/api/v1/orgs/{tree['SH-A-1'].pk}/move", data="{}",
        content_type="application/json").status_code == 403
    assert login(client, member_user).post(
        "/api/v1/orgs", data="{}", content_type="application/json").status_code == 403
    assert _state() == before


def test_empty_patch_is_400(client, tree, district_cadre):
    before = _state()
    response = login(client, district_cadre).patch(
        f"/api/v1/orgs/{tree['SH-A-1'].pk}", data="{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "empty_patch")
    assert _state() == before


def test_create_through_the_api(client, tree, district_cadre):
    response = login(client, district_cadre).post(
        "/api/v1/orgs", data='{"parent": "SH-A-1", "name": "甲三公司工会", "level": "grassroots",'
        ' "org_type": "grassroots"}', content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["code"], response.json()["parent_code"]) == ("SH-A-1-03", "SH-A-1")


def test_openapi_documents_the_bodies(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    body = doc["paths"]["/api/v1/orgs/{org_id}/move"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["required"] == ["target"]
