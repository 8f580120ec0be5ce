"""The level split (分级上解) on the 限额与分成 page: the city sets it in percent, the street below
sees the city's split with each level's part of an example sum passed up, a wrong sum is refused
with the totals and stores nothing, and a read-only viewer gets no form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core import clock
from gonghui.funds.models import LevelSplitRule


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.date(2026, 6, 1)):
        yield


FORM = {"form": "split", "year": "2026", "street": "5", "district": "15", "city": "15",
        "national": "5", "province": "", "residue_level": "district", "note": "市总工会〔2026〕3号"}


def test_city_sets_the_split_and_the_street_sees_it(client, tree, city_admin, district_cadre,
                                                    auditor):
    login(client, city_admin)
    url = reverse("funds:limits", args=[tree["SH"].pk])
    assert 'id="split-missing"' in client.get(url).content.decode()
    response = client.post(url, FORM)
    assert (response.status_code, response["Location"]) == (302, url)
    rule = LevelSplitRule.objects.get()
    assert (rule.org_id, rule.year, rule.residue_level, rule.note) == (
        tree["SH"].pk, 2026, "district", "市总工会〔2026〕3号")
    assert rule.shares == {"street": "0.05", "district": "0.15", "city": "0.15",
                           "national": "0.05"}
    login(client, district_cadre)
    page = client.get(reverse("funds:limits", args=[tree["SH-A-1"].pk])).content.decode()
    table = page[page.index('id="split-table"'):page.index("</table>", page.index('id="split-table"'))]
    assert "沿用" + tree["SH"].name + "的设定。" in page
    # of ¥10,000.00 passed up (40 % of the allocation): 5/40 = 1,250.00, 15/40 = 3,750.00
    for level, percent, part in (("全国", "5.00%", "1,250.00"), ("市级", "15.00%", "3,750.00"),
                                 ("区县/产业", "15.00%", "3,750.00"),
                                 ("街道/乡镇/园区", "5.00%", "1,250.00")):
        row = table[table.index(f"<td>{level}"):]
        row = row[:row.index("</tr>")]
        assert percent in row, row
        assert part in row, row
    assert 'name="form" value="split"' in page  # a district may set its own subtree's split
    login(client, auditor)
    page = client.get(url).content.decode()
    assert ('id="split-table"' in page, 'name="form" value="split"' in page) == (True, False)


def test_a_wrong_sum_is_refused_and_nothing_stored(client, tree, city_admin):
    login(client, city_admin)
    url = reverse("funds:limits", args=[tree["SH"].pk])
    response = client.post(url, {**FORM, "national": "6"})
    assert response.status_code == 400
    assert "各级分成比例合计 0.41 必须等于上解比例 0.4000（留成 0.6000）。" in (
        response.content.decode())
    assert LevelSplitRule.objects.count() == 0
    response = client.post(url, {**FORM, "residue_level": "province"})
    assert response.status_code == 400
    assert "尾差归属必须是分成比例大于零的一级。" in response.content.decode()
    assert LevelSplitRule.objects.count() == 0
