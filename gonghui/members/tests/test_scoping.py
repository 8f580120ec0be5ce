"""District A's cadre cannot find, count, reveal, change or transfer-accept district B's members
through pages or API: 404 (never 403, never a count), and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.members import services
from gonghui.members.models import Application, Membership, Person, Transfer
from gonghui.members.tests.factories import person_fields


@pytest.fixture
def world(tree, city_admin):
    """B has a member (with a pending transfer to another B union) and a pending application;
    A has one member."""
    b_fields = person_fields("乙区会员", phone="13700000001")
    b_member = services.member_add(union=tree["SH-B-1-1"], fields=b_fields, actor=city_admin)
    b12 = type(tree["SH"]).objects.get(pk=tree["SH-B-1"].pk)
    from conftest import make_org

    b12 = make_org(b12, "SH-B-1-2", "乙二公司工会", "grassroots", "grassroots")
    transfer = services.transfer_start(membership=b_member, to_union=b12, actor=city_admin)
    worker = make_user("w_b")
    application = services.application_submit(union=tree["SH-B-1-1"], actor=worker,
                                              fields=person_fields("乙区申请人"))
    a_member = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("甲区会员"),
                                   actor=city_admin)
    return {"b_member": b_member, "b_id": b_fields["id_number"], "transfer": transfer,
            "application": application, "a_member": a_member}


def _state():
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "status", "union_id")),
        list(Person.objects.order_by("pk").values_list("pk", "name", "phone", "id_hash")),
        list(Transfer.objects.order_by("pk").values_list("pk", "status")),
        list(Application.objects.order_by("pk").values_list("pk", "status")),
        AuditEvent.objects.count(), SensitiveRead.objects.count(),
    )


PAGES = [
    ("get", "members:detail", "member", {}),
    ("get", "members:edit", "member", {}),
    ("post", "members:edit", "member", {"name": "改名", "id_number": "x"}),
    ("post", "members:status", "member", {"target": "withdrawn", "reason": "x"}),
    ("post", "members:reveal", "member", {"purpose": "好奇"}),
    ("get", "members:transfer_start", "member", {}),
    ("post", "members:transfer_start", "member", {"to_union": "SH-A-1-1"}),
    ("post", "members:lapse_action", "member:contact", {"method": "电话", "outcome": "agrees"}),
    ("post", "members:lapse_action", "member:confirm", {}),
    ("post", "members:transfer_decide", "transfer:accept", {}),
    ("post", "members:transfer_decide", "transfer:decline", {"reason": "x"}),
    ("post", "members:transfer_decide", "transfer:cancel", {}),
    ("get", "members:application", "application", {}),
    ("post", "members:application_decide", "application:approve", {}),
    ("post", "members:application_decide", "application:reject", {"reason": "x"}),
]


def _url(world, tree, name, target):
    obj, _, action = target.partition(":")
    pk = {"member": world["b_member"].pk, "transfer": world["transfer"].pk,
          "application": world["application"].pk}[obj]
    kwargs = {"pk": pk}
    if action:
        kwargs["action"] = action
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("method", "name", "target", "data"), PAGES)
def test_pages_hide_other_district(client, tree, world, district_cadre, method, name, target,
                                   data):
    url = _url(world, tree, name, target)
    before = _state()
    response = getattr(login(client, district_cadre), method)(url, data)
    assert response.status_code == 404
    assert "乙区" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "target", "data"), PAGES)
def test_pages_anonymous_redirect_to_login(client, tree, world, method, name, target, data):
    before = _state()
    response = getattr(client, method)(_url(world, tree, name, target), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state() == before


def test_search_by_exact_id_number_finds_nothing_in_other_district(client, tree, world,
                                                                  district_cadre,
                                                                  other_district_cadre):
    before = _state()
    response = login(client, district_cadre).get(reverse("members:list"), {"q": world["b_id"]},
                                                 follow=True)  # sealed out of the URL
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "乙区会员" not in response.content.decode()
    response = login(client, other_district_cadre).get(reverse("members:list"),
                                                       {"q": world["b_id"].lower()}, follow=True)
    assert [m.pk for m in response.context["page"]] == [world["b_member"].pk]
    assert _state() == before


@pytest.mark.parametrize("q", ["乙区", "13700000001"])
def test_search_by_name_or_phone_stays_in_scope(client, tree, world, district_cadre, q):
    response = login(client, district_cadre).get(reverse("members:list"), {"q": q})
    assert response.context["page"].paginator.count == 0


def test_counts_are_of_own_subtree_only(client, tree, world, district_cadre, city_admin):
    response = login(client, district_cadre).get(reverse("members:list"))
    assert response.context["page"].paginator.count == 1
    assert [m.person.name for m in response.context["page"]] == ["甲区会员"]
    response = login(client, city_admin).get(reverse("members:list"))
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize("name", ["members:list", "members:applications", "members:lapse"])
def test_list_pages_refuse_other_district_org_filter(client, tree, world, district_cadre, name):
    response = login(client, district_cadre).get(reverse(name), {"org": "SH-B"})
    assert response.status_code == 404


def test_org_stats_panel_hidden_for_other_district(client, tree, world, district_cadre):
    response = login(client, district_cadre).get(
        reverse("members:org_stats", kwargs={"org_pk": tree["SH-B"].pk}))
    assert response.status_code == 404
    response = login(client, district_cadre).get(
        reverse("members:org_stats", kwargs={"org_pk": tree["SH-A"].pk}))
    assert response.context["stats"].active == 1


def test_queues_show_only_own_subtree(client, tree, world, district_cadre, other_district_cadre):
    response = login(client, district_cadre).get(reverse("members:applications"))
    assert response.context["page"].paginator.count == 0
    response = login(client, district_cadre).get(reverse("members:transfers"))
    assert response.context["page"].paginator.count == 0
    response = login(client, other_district_cadre).get(reverse("members:transfers"))
    assert [t.pk for t in response.context["page"]] == [world["transfer"].pk]


API = [
    ("get", "/api/v1/members/{member}", None),
    ("get", "/api/v1/members?org=SH-B", None),
    ("get", "/api/v1/members/stats?org=SH-B", None),
    ("patch", "/api/v1/members/{member}", {"name": "改名"}),
    ("post", "/api/v1/members/{member}/status", {"status": "withdrawn", "reason": "x"}),
    ("post", "/api/v1/members/{member}/reveal", {"purpose": "好奇"}),
    ("post", "/api/v1/transfers", {"member_id": "{member}", "to_union": "SH-A-1-1"}),
    ("get", "/api/v1/transfers/{transfer}", None),
    ("post", "/api/v1/transfers/{transfer}/accept", {}),
    ("post", "/api/v1/transfers/{transfer}/decline", {"reason": "x"}),
    ("post", "/api/v1/transfers/{transfer}/cancel", {}),
    ("get", "/api/v1/applications/{application}", None),
    ("post", "/api/v1/applications/{application}/approve", {}),
    ("post", "/api/v1/applications/{application}/reject", {"reason": "x"}),
    ("post", "/api/v1/members", {"union": "SH-B-1-1", "name": "新人", "id_number": "{newid}"}),
]


def _fill(text, world):
    from gonghui.members.tests.factories import id_number

    return (text.replace("{member}", str(world["b_member"].pk))
            .replace("{transfer}", str(world["transfer"].pk))
            .replace("{application}", str(world["application"].pk))
            .replace("{newid}", id_number()))


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_hides_other_district(client, tree, world, district_cadre, method, path, body):
    before = _state()
    login(client, district_cadre)
    kwargs = {}
    if body is not None:
        payload = json.loads(_fill(json.dumps(body), world))
        if "member_id" in payload:
            payload["member_id"] = int(payload["member_id"])
        kwargs = {"data": json.dumps(payload), "content_type": "application/json"}
    response = getattr(client, method)(_fill(path, world), **kwargs)
    assert response.status_code == 404
    assert "乙区" not in response.content.decode()
    assert _state() == before


def _search(client, q: str) -> dict:
    """The ID search goes in the body (issue 13: a bare ID number in a GET is refused)."""
    response = client.post("/api/v1/members/search", data=json.dumps({"q": q}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_api_search_by_id_and_count(client, tree, world, district_cadre, other_district_cadre):
    data = _search(login(client, district_cadre), world["b_id"])
    assert (data["count"], data["items"]) == (0, [])
    data = login(client, district_cadre).get("/api/v1/members").json()
    assert data["count"] == 1
    data = _search(login(client, other_district_cadre), world["b_id"])
    assert data["count"] == 1
    assert data["items"][0]["person"]["id_number_masked"] == (
        world["b_id"][:3] + "*" * 11 + world["b_id"][-4:])
    assert world["b_id"] not in json.dumps(data)


def test_api_anonymous_gets_401(client, tree, world):
    before = _state()
    assert client.get(f"/api/v1/members/{world['b_member'].pk}").status_code == 401
    assert client.post(f"/api/v1/members/{world['b_member'].pk}/reveal",
                       data={"purpose": "x"}, content_type="application/json").status_code == 401
    assert _state() == before


def test_reveal_without_capability_is_403_and_not_logged(client, tree, world):
    viewer = make_user("cadre_b", org=tree["SH-B"], role="cadre")
    before = _state()
    response = login(client, viewer).post(
        f"/api/v1/members/{world['b_member'].pk}/reveal", data={"purpose": "核对"},
        content_type="application/json")
    assert response.status_code == 403
    assert _state() == before


def test_reveal_by_registrar_is_logged(client, tree, world):
    registrar = make_user("reg_b", org=tree["SH-B-1-1"], role="registrar")
    response = login(client, registrar).post(
        f"/api/v1/members/{world['b_member'].pk}/reveal", data={"purpose": "办理互助保障"},
        content_type="application/json")
    assert response.json() == {"id_number": world["b_id"]}
    read = SensitiveRead.objects.get()
    assert (read.actor, read.purpose, read.subject_id) == (
        registrar, "办理互助保障", str(world["b_member"].person_id))


def test_receiving_district_accepts_transfer_from_other_district(client, tree, city_admin,
                                                                 district_cadre,
                                                                 other_district_cadre):
    member = services.member_add(union=tree["SH-B-1-1"], fields=person_fields(), actor=city_admin)
    transfer = services.transfer_start(membership=member, to_union=tree["SH-A-1-1"],
                                       actor=other_district_cadre)
    # the sending district may see it but not accept it
    response = login(client, other_district_cadre).post(
        f"/api/v1/transfers/{transfer.pk}/accept", data={}, content_type="application/json")
    assert response.status_code == 403
    response = login(client, district_cadre).post(
        f"/api/v1/transfers/{transfer.pk}/accept", data={"reason": "欢迎"},
        content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert Membership.objects.get(status="active").union == tree["SH-A-1-1"]


def test_member_list_query_count(client, tree, city_admin, django_assert_max_num_queries):
    for _ in range(30):
        services.member_add(union=tree["SH-A-1-1"], fields=person_fields(), actor=city_admin)
    login(client, city_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("members:list"), {"per_page": 25})
    assert len(response.context["page"].object_list) == 25
    # a filtered list: on PostgreSQL its COUNT within the budget (savepoint, timeout set and
    # restored) and its page keys first, then the rows (core.pagination.keyed_slice)
    with django_assert_max_num_queries(13):
        client.get(reverse("members:list"), {"q": "张"})
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/members", {"page_size": 50})
    assert response.json()["count"] == 30
