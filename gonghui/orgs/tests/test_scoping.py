"""A cadre of district A gets 404 for district B's orgs on every org page and endpoint, and
nothing changes; anonymous clients get the login page or 401."""

from __future__ import annotations

import json

import pytest

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.orgs.models import Org


def _state():
    return (
        list(Org.objects.order_by("pk").values_list("pk", "path", "name", "status")),
        AuditEvent.objects.count(),
    )


PAGES = [
    ("get", "orgs:detail", {}),
    ("get", "orgs:children", {}),
    ("get", "orgs:edit", {}),
    ("post", "orgs:edit", {"name": "被篡改", "level": "street", "org_type": "street"}),
    ("get", "orgs:create", {}),
    ("post", "orgs:create", {"name": "新组织", "level": "grassroots", "org_type": "grassroots"}),
    ("post", "orgs:move", {"target": "SH-A"}),
    ("post", "orgs:merge", {"target": "SH-A-1"}),
    ("post", "orgs:dissolve", {}),
]


@pytest.mark.parametrize(("method", "name", "data"), PAGES)
def test_pages_hide_other_district(client, tree, district_cadre, method, name, data):
    from django.urls import reverse

    target = tree["SH-B-1"]
    kwarg = "parent_pk" if name == "orgs:create" else "pk"
    url = reverse(name, kwargs={kwarg: target.pk})
    before = _state()
    response = getattr(login(client, district_cadre), method)(url, data)
    assert response.status_code == 404
    assert "乙区" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "data"), PAGES)
def test_pages_anonymous_redirect_to_login(client, tree, method, name, data):
    from django.urls import reverse

    kwarg = "parent_pk" if name == "orgs:create" else "pk"
    url = reverse(name, kwargs={kwarg: tree["SH-A-1"].pk})
    before = _state()
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state() == before


API = [
    ("get", "/api/v1/orgs/{id}", None),
    ("get", "/api/v1/orgs/{code}", None),
    ("get", "/api/v1/orgs/{id}/children", None),
    ("get", "/api/v1/orgs?within={code}", None),
    ("patch", "/api/v1/orgs/{id}", {"name": "被篡改"}),
    ("post", "/api/v1/orgs", {"parent": "{code}", "name": "新", "level": "grassroots",
                               "org_type": "grassroots"}),
    ("post", "/api/v1/orgs/{id}/move", {"target": "SH-A"}),
    ("post", "/api/v1/orgs/{id}/merge", {"target": "SH-A-1"}),
    ("post", "/api/v1/orgs/{id}/dissolve", {}),
]


def _fill(text: str, org: Org) -> str:
    return text.replace("{id}", str(org.pk)).replace("{code}", org.code)


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_hides_other_district(client, tree, district_cadre, method, path, body):
    target = tree["SH-B-1"]
    payload = json.loads(_fill(json.dumps(body), target)) if body is not None else None
    before = _state()
    response = getattr(login(client, district_cadre), method)(
        _fill(path, target), data=json.dumps(payload) if payload is not None else None,
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "乙区" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_anonymous_gets_401(client, tree, method, path, body):
    target = tree["SH-A-1"]
    payload = json.loads(_fill(json.dumps(body), target)) if body is not None else None
    before = _state()
    response = getattr(client, method)(
        _fill(path, target), data=json.dumps(payload) if payload is not None else None,
        content_type="application/json",
    )
    assert response.status_code == 401
    assert _state() == before


def test_api_list_is_exactly_the_subtree(client, tree, district_cadre):
    response = login(client, district_cadre).get("/api/v1/orgs")
    body = response.json()
    assert body["count"] == 4
    assert [o["code"] for o in body["items"]] == ["SH-A", "SH-A-1", "SH-A-1-1", "SH-A-1-2"]
    assert [o["parent_code"] for o in body["items"]] == ["SH", "SH-A", "SH-A-1", "SH-A-1"]


def test_tree_page_starts_at_role_org(client, tree, district_cadre):
    html = login(client, district_cadre).get("/orgs/").content.decode()
    assert "甲区总工会" in html
    assert "测试市总工会" not in html
    assert "乙区总工会" not in html


def test_org_search_counts_only_visible(client, tree, district_cadre):
    html = login(client, district_cadre).get("/orgs/list/?q=公司").content.decode()
    assert "共 2 条" in html
    assert "乙一公司工会" not in html


def test_read_only_role_gets_403_on_write(client, tree, auditor):
    target = tree["SH-A-1"]
    before = _state()
    response = login(client, auditor).post(f"/api/v1/orgs/{target.pk}/dissolve",
                                           data="{}", content_type="application/json")
    assert response.status_code == 403
    assert _state() == before
    assert client.get(f"/orgs/{target.pk}/").status_code == 200
