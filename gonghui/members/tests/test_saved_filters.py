"""Saved filters of the member list (issue 20): a cadre saves the current filters under a name,
sees them as chips, applies and deletes them; stored per user, never a search text; the export
of the filtered list uses the same filters; refusals change nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.members import services
from gonghui.members.models import SavedFilter
from gonghui.members.services import saved_filters
from gonghui.members.tests.factories import id_number, person_fields

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def people(tree, city_admin):
    rows = [("周丽", "F", "SH-A-1-1"), ("周强", "M", "SH-A-1-1"), ("周梅", "F", "SH-A-1-2"),
            ("吴丽", "F", "SH-B-1-1")]
    return {name: services.member_add(union=tree[code], actor=city_admin, fields=person_fields(
        name, id_number=id_number(gender=gender, seq=900 + i)))
        for i, (name, gender, code) in enumerate(rows)}


def _export(client, query):
    response = client.get(reverse("members:export") + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_save_apply_delete_on_the_list_page(client, people, district_cadre,
                                            other_district_cadre):
    login(client, district_cadre)
    response = client.post(reverse("members:saved_filter_save"), {
        "name": "一街女会员", "qs": "org=SH-A-1&gender=F&q=13812345678&page=2"})
    saved = SavedFilter.objects.get()
    # the search text (a phone here, maybe an ID number) and the page are not kept
    assert (saved.user_id, saved.name, saved.params) == (
        district_cadre.pk, "一街女会员", {"org": "SH-A-1", "gender": "F"})
    assert response["Location"] == "/members/?org=SH-A-1&gender=F"
    page = client.get(reverse("members:list")).content.decode()
    assert 'href="/members/?org=SH-A-1&amp;gender=F">一街女会员</a>' in page
    applied = client.get(response["Location"]).content.decode()
    assert [n in applied for n in ("周丽", "周强", "周梅", "吴丽")] == [True, False, True, False]
    # the same name again replaces the filters
    client.post(reverse("members:saved_filter_save"), {"name": "一街女会员",
                                                       "qs": "gender=M"})
    assert list(SavedFilter.objects.values_list("name", "params")) == [
        ("一街女会员", {"gender": "M"})]
    assert AuditEvent.objects.filter(action="members.saved_filter_save").count() == 2

    # another cadre neither sees nor deletes it
    login(client, other_district_cadre)
    assert "一街女会员" not in client.get(reverse("members:list")).content.decode()
    denied = client.post(reverse("members:saved_filter_delete", args=[saved.pk]))
    assert denied.status_code == 404
    assert SavedFilter.objects.count() == 1

    login(client, district_cadre)
    client.post(reverse("members:saved_filter_delete", args=[saved.pk]))
    assert SavedFilter.objects.count() == 0
    assert AuditEvent.objects.get(action="members.saved_filter_delete").before == {
        "name": "一街女会员", "params": {"gender": "M"}}


def test_bad_saves_change_nothing(people, district_cadre):
    for name, values, code in (("", {"gender": "F"}, "name_required"),
                               ("很" * 41, {"gender": "F"}, "too_long"),
                               ("只有搜索", {"q": "甲"}, "filters_empty")):
        with pytest.raises(ApplicationError) as exc:
            saved_filters.saved_filter_save(actor=district_cadre, name=name, values=values)
        assert exc.value.code == code
    for i in range(saved_filters.PER_USER):
        saved_filters.saved_filter_save(actor=district_cadre, name=f"筛选{i}",
                                        values={"status": "retired"})
    with pytest.raises(ApplicationError) as exc:
        saved_filters.saved_filter_save(actor=district_cadre, name="再一个",
                                        values={"status": "retired"})
    assert exc.value.code == "too_many"
    assert SavedFilter.objects.count() == saved_filters.PER_USER
    with pytest.raises(NotFound):
        saved_filters.saved_filter_delete(actor=district_cadre, filter_id=999999)


def test_a_saved_org_outside_the_viewer_is_404_when_applied(client, people, district_cadre):
    login(client, district_cadre)
    saved = saved_filters.saved_filter_save(actor=district_cadre, name="乙区",
                                            values={"org": "SH-B"})
    assert client.get("/members/?" + saved_filters.querystring(saved)).status_code == 404


def test_export_uses_the_same_filters(client, people, district_cadre, other_district_cadre):
    login(client, district_cadre)
    rows = _export(client, "?org=SH-A-1&gender=F")
    assert rows[0][:3] == ["姓名", "身份证号码", "性别"]
    assert sorted(r[0] for r in rows[1:]) == ["周丽", "周梅"]
    assert {r[2] for r in rows[1:]} == {"女"}
    # masked, never the full number
    full = people["周丽"].person.id_number
    assert all(full not in ",".join(r) for r in rows)
    assert [r[8] for r in rows[1:]] == ["0", "0"]
    everything = _export(client, "")
    assert sorted(r[0] for r in everything[1:]) == ["周丽", "周强", "周梅"]
    audit = AuditEvent.objects.filter(action="members.list_export").order_by("id").first()
    assert audit.after == {"filters": {"org": "SH-A-1", "gender": "F"}, "search": False}
    # another district's org: 404, nothing exported
    login(client, other_district_cadre)
    assert client.get(reverse("members:export") + "?org=SH-A-1").status_code == 404
    assert AuditEvent.objects.filter(action="members.list_export").count() == 2
