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


def test_list_without_any_role_is_404(client, tree, member_user):
    assert login(client, member_user).get("/api/v1/orgs").status_code == 404
    assert client.get("/orgs/").status_code == 404
    assert client.get("/orgs/list/").status_code == 404


def test_invalid_payload_is_400(client, tree, district_cadre):
    response = login(client, district_cadre).post(
        "/api/v1/orgs", data='{"name": "缺上级"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
