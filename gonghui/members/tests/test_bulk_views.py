"""Pages and API of bulk decisions: ticked rows and select-all on the filtered list, the job's
page (its creator only), the overdue list, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.members import services
from gonghui.members.models import Application, BulkDecisionJob, Membership
from gonghui.members.tests.factories import person_fields

TODAY = dt.date(2026, 5, 12)
NAMES = ("王一", "王二", "王三", "李四", "李五")


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def queue(tree, city_admin):
    a = [services.application_submit(union=tree["SH-A-1-1"], fields=person_fields(n),
                                     actor=city_admin) for n in NAMES]
    b = services.application_submit(union=tree["SH-B-1-1"], fields=person_fields("乙某"),
                                    actor=city_admin)
    return a, b


def test_ticked_rows_approved_from_the_list(client, queue, district_cadre):
    a, _b = queue
    login(client, district_cadre)
    page = client.get(reverse("members:applications"))
    assert page.status_code == 200
    assert page.content.decode().count('name="ids"') == 5
    response = client.post(reverse("members:bulk_start"), {
        "kind": "application", "action": "approve", "ids": [a[0].pk, a[1].pk]})
    job = BulkDecisionJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:bulk_job", args=[job.pk])
    assert (job.status, job.succeeded, job.failed) == ("done", 2, 0)
    assert Membership.objects.count() == 2
    shown = client.get(response["Location"]).content.decode()
    assert "共 2 项：成功 2 项，失败 0 项。" in shown


def test_select_all_on_the_filtered_list(client, queue, district_cadre):
    a, b = queue
    login(client, district_cadre)
    response = client.post(reverse("members:bulk_start"), {
        "kind": "application", "action": "decline", "all": "1", "f_status": "submitted",
        "f_q": "王", "reason": "不符合入会条件"})
    assert response.status_code == 302
    job = BulkDecisionJob.objects.get()
    assert sorted(job.ids) == sorted(x.pk for x in a[:3])
    assert (job.succeeded, job.failed) == (3, 0)
    assert sorted(Application.objects.filter(status="rejected")
                  .values_list("person__name", flat=True)) == ["王一", "王三", "王二"]
    assert Application.objects.get(pk=b.pk).status == "submitted"


def test_decline_without_reason_is_400_and_changes_nothing(client, queue, district_cadre):
    a, _b = queue
    login(client, district_cadre)
    response = client.post(reverse("members:bulk_start"), {
        "kind": "application", "action": "decline", "ids": [a[0].pk]})
    assert response.status_code == 400
    assert BulkDecisionJob.objects.count() == 0
    assert Application.objects.filter(status="submitted").count() == 6


@pytest.mark.parametrize("persona", ["auditor", "member_user"])
def test_bulk_refused_without_write_changes_nothing(client, queue, persona, request):
    a, _b = queue
    login(client, request.getfixturevalue(persona))
    response = client.post(reverse("members:bulk_start"), {
        "kind": "application", "action": "approve", "ids": [a[0].pk]})
    assert response.status_code in (403, 404)
    assert BulkDecisionJob.objects.count() == 0
    assert Membership.objects.count() == 0


def test_job_page_is_its_creator_only(client, queue, district_cadre, other_district_cadre):
    a, _b = queue
    login(client, district_cadre)
    client.post(reverse("members:bulk_start"), {"kind": "application", "action": "approve",
                                                "ids": [a[0].pk]})
    job = BulkDecisionJob.objects.get()
    login(client, other_district_cadre)
    assert client.get(reverse("members:bulk_job", args=[job.pk])).status_code == 404


def test_other_district_row_reported_not_named(client, queue, district_cadre):
    a, b = queue
    login(client, district_cadre)
    client.post(reverse("members:bulk_start"), {"kind": "application", "action": "approve",
                                                "ids": [a[0].pk, b.pk]})
    job = BulkDecisionJob.objects.get()
    assert job.failures == [{"id": b.pk, "name": "", "code": "not_found",
                             "message": "未找到，或您无权查看。"}]
    assert Application.objects.get(pk=b.pk).status == "submitted"


def test_overdue_page_and_api_for_the_level_above(client, tree, city_admin):
    street = make_user("street_a1", org=tree["SH-A-1"], role="admin")
    late = services.application_submit(union=tree["SH-A-1-1"], fields=person_fields("迟某"),
                                       actor=city_admin)
    login(client, street)
    with clock.frozen(dt.date(2026, 5, 18)):   # due Fri 15 May
        page = client.get(reverse("members:overdue")).content.decode()
        api = client.get("/api/v1/members/overdue").json()
    assert "迟某" in page
    assert api == [{"kind": "application", "id": late.pk, "name": "迟某",
                    "union": "SH-A-1-1", "due_on": "2026-05-15"}]


def test_api_bulk_with_filter_and_job_status(client, queue, district_cadre):
    login(client, district_cadre)
    response = client.post("/api/v1/members/bulk", data=json.dumps({
        "kind": "application", "action": "approve", "filter": {"status": "submitted",
                                                               "q": "李"}}),
        content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["succeeded"], body["failed"], body["status"]) == (2, 2, 0, "done")
    again = client.get(f"/api/v1/members/bulk/{body['id']}").json()
    assert again["percent"] == 100
    empty = client.post("/api/v1/members/bulk", data="{}", content_type="application/json")
    assert empty.status_code == 400
    assert BulkDecisionJob.objects.count() == 1
