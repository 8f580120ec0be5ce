"""Issue 12 item 4: a union's name typed into the member lists' org filter filters by it —
never a full-page 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["members:list", "members:applications", "members:lapse"])
def test_org_filter_by_name(client, tree, district_cadre, name):
    response = login(client, district_cadre).get(reverse(name), {"org": "甲二公司工会"})
    assert response.status_code == 200
    assert response.context["within"] == tree["SH-A-1-2"]


def test_org_filter_by_unknown_name_says_so(client, tree, district_cadre):
    response = login(client, district_cadre).get(reverse("members:list"), {"org": "不存在的工会"})
    assert response.status_code == 200
    assert response.context["within"] is None
    assert "找不到可用于此操作的组织“不存在的工会”" in response.content.decode()


def test_org_filter_never_reveals_another_districts_union_by_name(client, tree, district_cadre):
    response = login(client, district_cadre).get(reverse("members:list"), {"org": "乙一公司工会"})
    assert response.status_code == 200
    assert response.context["within"] is None
