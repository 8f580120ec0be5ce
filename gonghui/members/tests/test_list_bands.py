"""The member list's gender, age-band and 会龄-band filters (issue 20): the bands are the yearly
report's and the cards', counted in completed years on the day; the boundaries fall on the
birthday and the anniversary; an unknown band is a clear error on the page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core import clock
from gonghui.members import selectors, services
from gonghui.members.tests.factories import id_number, person_fields

TODAY = dt.date(2026, 5, 12)
D = dt.date
# name, born, gender, joined: ages 35 / 36 / 54 / 55 and 会龄 0 / 1 / 10 / 5 on TODAY
PEOPLE = (("甲", D(1991, 5, 12), "M", D(2025, 5, 13)), ("乙", D(1990, 5, 12), "F", D(2025, 5, 12)),
          ("丙", D(1971, 5, 13), "F", D(2016, 5, 12)), ("丁", D(1971, 5, 12), "M", D(2021, 1, 1)))


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def people(tree, city_admin):
    for seq, (name, born, gender, joined) in enumerate(PEOPLE, start=1):
        services.member_add(
            union=tree["SH-A-1-1"], actor=city_admin, joined_on=joined,
            fields=person_fields("会员" + name,
                                 id_number=id_number(birth=born, gender=gender, seq=seq)))


def names(viewer, **filters):
    return sorted(m.person.name[-1] for m in selectors.member_list(viewer=viewer, **filters))


def test_bands_on_the_day(people, district_cadre):
    assert [names(district_cadre, age=band) for band, _label in selectors.age_bands()] == [
        ["甲"], ["乙"], ["丙"], ["丁"]]
    assert {band: names(district_cadre, seniority=band)
            for band, _label in selectors.seniority_bands()} == {
        "0-1": ["甲"], "1-5": ["乙"], "5-10": ["丁"], "10-20": ["丙"], "20-30": [], "30-": []}
    assert names(district_cadre, gender="F") == ["丙", "乙"]
    assert names(district_cadre, gender="F", age="46-54", seniority="10-20") == ["丙"]
    assert names(district_cadre, gender="F", age="≤35") == []


def test_three_filters_on_the_page_and_the_api(client, people, district_cadre):
    login(client, district_cadre)
    page = client.get(reverse("members:list"), {"gender": "F", "age": "46-54",
                                                "seniority": "10-20"}).content.decode()
    assert ("会员丙" in page, "会员乙" in page, "会员甲" in page) == (True, False, False)
    assert '<option value="46-54" selected>46-54 岁</option>' in page
    assert '<option value="10-20" selected>会龄 10–20 年</option>' in page
    api = client.get("/api/v1/members", {"gender": "M", "seniority": "5-10"}).json()
    assert (api["count"], [m["person"]["name"] for m in api["items"]]) == (1, ["会员丁"])


def test_an_unknown_band_is_a_clear_error(client, people, district_cadre):
    login(client, district_cadre)
    page = client.get(reverse("members:list"), {"age": "18-20"})
    assert page.status_code == 400
    assert "年龄段“18-20”不在可选范围内。" in page.content.decode()
    api = client.get("/api/v1/members", {"seniority": "3-4"})
    assert api.status_code == 400
    assert api.json()["detail"] == "会龄段“3-4”不在可选范围内。"
    assert client.get("/api/v1/members", {"gender": "X"}).status_code == 400
