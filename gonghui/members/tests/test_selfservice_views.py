"""Self-service pages: the member's own page (phone with the SMS code, requests), the cadre's
queue; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.members import phone_check, services
from gonghui.members.models import Person, SelfServiceRequest
from gonghui.members.tests.factories import person_fields


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.date(2026, 5, 12)):
        yield


@pytest.fixture
def member(tree, city_admin):
    worker = make_user("worker_page")
    m = services.member_add(union=tree["SH-A-1-1"], fields=person_fields("吴军"),
                            actor=city_admin)
    Person.objects.filter(pk=m.person_id).update(user=worker)
    return worker, m


def test_member_changes_phone_with_the_code(client, member):
    worker, m = member
    login(client, worker)
    assert client.get(reverse("members:portal_selfservice")).status_code == 200
    url = reverse("members:portal_selfservice")
    wrong = client.post(url, {"action": "contact", "phone": "13900002222", "code": "000000",
                              "address": ""})
    assert wrong.status_code == 400
    assert Person.objects.get(pk=m.person_id).phone == "13812345678"
    code = phone_check.phone_code("13900002222")
    ok = client.post(url, {"action": "contact", "phone": "13900002222", "code": code,
                           "address": "测试路 1 号"})
    assert ok.status_code == 302
    assert Person.objects.values_list("phone", "address").get(pk=m.person_id) == (
        "13900002222", "测试路 1 号")


def test_request_and_cadre_confirms(client, member, grassroots_cadre):
    worker, m = member
    login(client, worker)
    client.post(reverse("members:portal_selfservice"), {"action": "skill_level",
                                                       "value": "senior"})
    row = SelfServiceRequest.objects.get()
    login(client, grassroots_cadre)
    page = client.get(reverse("members:selfservice_requests")).content.decode()
    assert "吴军" in page
    response = client.post(reverse("members:selfservice_decide", args=[row.pk, "confirm"]))
    assert response.status_code == 302
    assert Person.objects.get(pk=m.person_id).skill_level == "senior"


def test_other_district_gets_404_and_nothing_changes(client, member, other_district_cadre):
    worker, m = member
    login(client, worker)
    client.post(reverse("members:portal_selfservice"), {"action": "withdraw",
                                                       "reason": "退休返乡"})
    row = SelfServiceRequest.objects.get()
    login(client, other_district_cadre)
    response = client.post(reverse("members:selfservice_decide", args=[row.pk, "confirm"]))
    assert response.status_code == 404
    assert SelfServiceRequest.objects.get().status == "pending"
    assert m.__class__.objects.get(pk=m.pk).status == "active"


def test_page_without_membership_is_404(client, tree):
    login(client, make_user("nobody"))
    assert client.get(reverse("members:portal_selfservice")).status_code == 404
