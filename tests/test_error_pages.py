"""Issue 12 item 18: Django's own 404/500 pages and the API's validation errors speak the
user's language (Chinese by default), not Django's or pydantic's English."""

from __future__ import annotations

import pytest

from conftest import login

pytestmark = pytest.mark.django_db


def test_404_for_an_unknown_address(client, tree, district_cadre):
    response = login(client, district_cadre).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html
    assert "Not Found" not in html
    assert 'data-gh-group="people"' in html  # the navigation stays, the user is not stranded


def test_500_page_is_chinese(client, tree, city_admin, monkeypatch):
    from gonghui.audit import views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "audit_events", broken)
    client.raise_request_exception = False
    response = login(client, city_admin).get("/audit/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html
    assert "Server Error" not in html


def test_api_validation_errors_are_chinese(client, tree, city_admin):
    response = login(client, city_admin).get("/api/v1/orgs?page=abc")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "请求数据无效。"
    assert body["errors"][0]["msg"] == "须为整数。"
    assert body["errors"][0]["field"] == "page"
    assert "Input should be" not in response.content.decode()


def test_api_missing_field_is_chinese(client, tree):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["msg"], error["field"]) == ("必须填写。", ["payload", "password"][-1])
