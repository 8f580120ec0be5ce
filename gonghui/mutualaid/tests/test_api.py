"""The JSON API: same rules as the pages — scoped lists, 404 across districts with nothing
changed, 403 for read-only roles, the computation in the payout."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from conftest import login, make_user
from gonghui.mutualaid.models import Payout, PayoutBatch, PayoutStatus
from gonghui.mutualaid.services import payee_account_set, process_queue

from .conftest import enrol, id_number, import_bytes, settlement_csv
from .test_views import _state

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, plans, members, cadre_a11, other_district_cadre):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["ratio"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["allowance"], tree["SH-B-1-1"], other_district_cadre)
    import_bytes(settlement_csv([
        {"no": "A1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 4,
         "self_paid": "6000.00"},
        {"no": "B1", "id": id_number(101), "admitted": dt.date(2026, 5, 1), "days": 5},
    ]), tree["SH"])
    process_queue()
    return {"a": Payout.objects.get(settlement__settlement_no="A1", plan__code="ZFBZ"),
            "b": Payout.objects.get(settlement__settlement_no="B1")}


def test_payout_list_and_detail(client, world, district_cadre):
    login(client, district_cadre)
    data = client.get("/api/v1/mutualaid/payouts").json()
    assert data["count"] == 2
    assert {item["settlement_no"] for item in data["items"]} == {"A1"}
    detail = client.get(f"/api/v1/mutualaid/payouts/{world['a'].pk}").json()
    assert detail["amount"] == "2750.00"
    assert detail["status"] == "pending"
    assert [line["step"] for line in detail["computation"]] == [
        "coverage", "self_paid_base", "ratio", "year_left", "result"]
    assert detail["computation"][2]["text"] == "5500.00 元 × 给付比例 50%"


def test_approve_and_reject_through_the_api(client, world, cadre_a11):
    login(client, cadre_a11)
    url = f"/api/v1/mutualaid/payouts/{world['a'].pk}"
    response = client.post(url + "/reject", json.dumps({"reason": ""}),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请填写驳回原因。"
    response = client.post(url + "/approve", json.dumps({"note": "核对无误"}),
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["history"][0]["note"] == "核对无误"
    again = client.post(url + "/approve", "{}", content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] == "当前状态“待支付”不能变为“待支付”。"


API = [
    ("get", "/api/v1/mutualaid/payouts/{id}", None),
    ("post", "/api/v1/mutualaid/payouts/{id}/approve", {}),
    ("post", "/api/v1/mutualaid/payouts/{id}/reject", {"reason": "x"}),
    ("post", "/api/v1/mutualaid/payouts/{id}/requeue", {"note": "x"}),
    ("get", "/api/v1/mutualaid/payouts?within=SH-A", None),
    ("get", "/api/v1/mutualaid/dashboard?org=SH-A&year=2026", None),
    ("post", "/api/v1/mutualaid/plans/ZYJT/enrol", {"union": "SH-A-1-1", "plan_year": 2026}),
    ("post", "/api/v1/mutualaid/batches", {"org": "SH"}),
]


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_hides_district_a_from_district_b(client, world, other_district_cadre, method,
                                              path, body):
    before = _state()
    url = path.replace("{id}", str(world["a"].pk))
    login(client, other_district_cadre)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到，或您无权查看。"
    assert _state() == before


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/mutualaid/payouts").status_code == 401
    assert client.post(f"/api/v1/mutualaid/payouts/{world['a'].pk}/approve", "{}",
                       content_type="application/json").status_code == 401


def test_batch_and_import_through_the_api(client, tree, world, city_admin, members,
                                          django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(client, city_admin)
    client.post(f"/api/v1/mutualaid/payouts/{world['a'].pk}/approve", "{}",
                content_type="application/json")
    payee_account_set(person=members["a"][0], actor=city_admin, holder_name="甲会员1",
                      bank_name="工商银行", account_number="6222020200112233445")
    response = client.post("/api/v1/mutualaid/batches", json.dumps({"org": "SH"}),
                           content_type="application/json")
    assert response.status_code == 201
    batch = response.json()
    assert (batch["items_count"], batch["total"]) == (2, "2950.00")
    export = client.post(f"/api/v1/mutualaid/batches/{batch['id']}/export")
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3
    references = [line.split(",")[1] for line in lines[1:]]
    result = io.BytesIO(("付款参考号,处理结果\n" + "".join(f"{r},成功\n" for r in references))
                        .encode())
    result.name = "result.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/mutualaid/batches/{batch['id']}/results",
                               {"file": result})
    assert response.status_code == 202
    assert PayoutBatch.objects.get().status == "settled"
    assert Payout.objects.filter(status=PayoutStatus.PAID).count() == 2

    upload = io.BytesIO(settlement_csv([{"no": "A9", "id": id_number(2),
                                         "admitted": dt.date(2026, 9, 1), "days": 2}]))
    upload.name = "s.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/mutualaid/imports", {"org": "SH", "file": upload})
    assert response.status_code == 202
    detail = client.get(f"/api/v1/mutualaid/imports/{response.json()['id']}").json()
    assert (detail["status"], detail["inserted"], detail["records"]["matched"]) == ("done", 1, 1)


def test_member_api_lists_own_payouts(client, world, members):
    member = make_user("member_a1")
    person = members["a"][0]
    person.user = member
    person.save(update_fields=["user"])
    data = login(client, member).get("/api/v1/mutualaid/my/payouts").json()
    # a page since the kernel's paging (was a bare list cut at 100)
    assert [p["settlement_no"] for p in data["items"]] == ["A1", "A1"]
    assert (data["count"], data["next"]) == (2, None)
    assert client.get(f"/api/v1/mutualaid/payouts/{world['a'].pk}").status_code == 404
