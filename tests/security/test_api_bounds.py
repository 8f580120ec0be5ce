"""Out-of-range and malformed input answers 4xx and changes nothing (issue 13, findings 5 and 13).

The requests are the ones the attack found answering 5xx (or, for finding 13, approving an
application on a body that is not an object), sent by the city administrator, who may do
everything: the refusal comes from the input, never from the gate.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gonghui.core import clock
from tests.matrix.digest import changed, digest
from tests.matrix.world import WORLD_DAY, World
from tests.security.conftest import API_PREFIX

HUGE = 10**19


@pytest.fixture
def admin_client(two_districts: World) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(two_districts.users["city_admin"],
                       backend="django.contrib.auth.backends.ModelBackend")
    return client


def _send(client: Client, method: str, path: str, body: Any = None, *,
          raw: str | None = None, query: dict[str, Any] | None = None) -> Any:
    data = raw if raw is not None else ("" if body is None else json.dumps(body))
    with clock.frozen(WORLD_DAY):
        return client.generic(method, API_PREFIX + path, data=data,
                              content_type="application/json", query_params=query)


def _ids(world: World, kind: str) -> Any:
    return world.obj(kind, "A")


LISTS = [
    ("/members", {"page": HUGE}),
    ("/applications", {"page": HUGE}),
    ("/aid/files", {"page": HUGE}),
    ("/orgs", {"page": HUGE}),
    ("/orgs", {"offset": HUGE}),
    ("/workplan/plans", {"page": 9103457699430368256}),
    ("/notifications", {"page": 2692426752575037440}),
    ("/rights/risk", {"page": 288230376151711745}),
    ("/aid/dashboard", {"year": -106496322185}),
    ("/aid/dashboard", {"year": "¹²"}),
    ("/aid/standards", {"year": "¹²"}),
    ("/aid/standards", {"year": 10**22}),
    ("/workdays/overrides", {"year": 10_000_000}),
    ("/workdays/1135440", {}),
    ("/workdays/208159616920", {}),
    ("/outreach/dashboard", {"year": 8141402}),
]


@pytest.mark.parametrize(("path", "query"), LISTS, ids=[f"{p}{q}" for p, q in LISTS])
def test_out_of_range_query_is_400(two_districts: World, admin_client: Client, path: str,
                                   query: dict[str, Any]) -> None:
    response = _send(admin_client, "GET", path, query=query)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"] == "请求数据无效。"


def test_unions_transactions_page_is_400(two_districts: World, admin_client: Client) -> None:
    org = _ids(two_districts, "org")
    response = _send(admin_client, "GET", f"/funds/unions/{org.pk}/transactions",
                     query={"page": HUGE})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page"


def _write_cases(world: World) -> list[tuple[str, str, dict[str, Any], str]]:
    tx = world.obj("tx", "A").pk
    file = world.obj("aid_file", "A").pk
    plan = world.obj("wp_plan", "A").pk
    org = world.obj("org", "A").pk
    return [
        ("POST", f"/funds/transactions/{tx}/reverse", {"date": "3882-01-01", "memo": "冲销"},
         "date"),
        ("PATCH", f"/aid/files/{file}", {"sudden_on": "5135-06-01"}, "sudden_on"),
        ("PATCH", f"/workplan/plans/{plan}", {"year": 10**22}, "year"),
        ("PATCH", f"/workplan/plans/{plan}", {"stale_days": -1}, "stale_days"),
        ("PATCH", f"/orgs/{org}", {"short_name": "甲一", "unexpected": 1}, "unexpected"),
        ("PATCH", f"/orgs/{org}", {"level": "请填写移交原因。"}, "level"),
        ("PATCH", f"/orgs/{org}", {"founded_on": "5167-09-25"}, "founded_on"),
        ("PATCH", f"/orgs/{org}", {"employees_count": 10**12}, "employees_count"),
    ]


WRITE_LABELS = ["reverse-date-3882", "aid-file-5135", "plan-year-1e22", "plan-stale-days-neg",
                "org-unknown-key", "org-level-bogus", "org-founded-5167", "org-employees-1e12"]


@pytest.mark.parametrize("index", range(len(WRITE_LABELS)), ids=WRITE_LABELS)
def test_out_of_range_body_is_400_and_changes_nothing(two_districts: World,
                                                      admin_client: Client, index: int) -> None:
    method, path, body, field = _write_cases(two_districts)[index]
    response = _send(admin_client, method, path, body)
    assert response.status_code == 400, response.content[:300]
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert changed(two_districts.baseline, digest()) == []


@pytest.mark.parametrize("body", ["[null,null]", "1", '"approve"', "[]", "null"])
def test_an_action_body_that_is_not_an_object_is_422(two_districts: World, admin_client: Client,
                                                     body: str) -> None:
    application = two_districts.obj("application", "A").pk
    response = _send(admin_client, "POST", f"/applications/{application}/approve", raw=body)
    assert response.status_code == 422
    assert response.json() == {"detail": "请求体须为 JSON 对象。", "code": "body_not_object"}
    assert changed(two_districts.baseline, digest()) == []


def test_an_action_that_reads_no_body_refuses_a_non_object(two_districts: World,
                                                           admin_client: Client) -> None:
    """Sending reminders reads no body: `[null, null]` went through (200) and sent them."""
    plan = two_districts.obj("wp_plan", "A").pk
    response = _send(admin_client, "POST", f"/workplan/plans/{plan}/remind", raw="[null,null]")
    assert response.status_code == 422
    assert response.json()["code"] == "body_not_object"
    assert changed(two_districts.baseline, digest()) == []


def test_an_action_body_that_is_not_json_is_400(two_districts: World,
                                                admin_client: Client) -> None:
    application = two_districts.obj("application", "A").pk
    response = _send(admin_client, "POST", f"/applications/{application}/approve", raw="[nul")
    assert response.status_code == 400
    assert response.json()["errors"][0]["type"] == "json_invalid"
    assert changed(two_districts.baseline, digest()) == []


def test_an_object_body_still_approves(two_districts: World, admin_client: Client) -> None:
    from gonghui.members.models import Application

    application = two_districts.obj("application", "A").pk
    response = _send(admin_client, "POST", f"/applications/{application}/approve", {})
    assert response.status_code == 200
    assert Application.objects.get(pk=application).status == "approved"
