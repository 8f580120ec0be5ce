"""The one org picker (issue 12 item 10): scoped to the viewer's subtrees, filtered by what the
action accepts, and used by every form that used to take a typed org code."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import login
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def _codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


def test_picker_offers_only_the_viewers_subtree(client, district_cadre):
    response = login(client, district_cadre).get(reverse("orgs:picker"),
                                                 {"q": "工会", "purpose": "read"})
    assert response.status_code == 200
    assert _codes(response) == ["SH-A", "SH-A-1", "SH-A-1-1", "SH-A-1-2"]
    # a district B name is never offered, not even by its exact code
    response = client.get(reverse("orgs:picker"), {"q": "SH-B", "purpose": "read"})
    assert _codes(response) == []
    assert "没有符合条件的组织" in response.content.decode()


def test_import_target_offers_only_unions_that_hold_members(client, district_cadre):
    response = login(client, district_cadre).get(reverse("orgs:picker"),
                                                 {"q": "甲", "purpose": "member_write"})
    # the district federation can never hold members: not offered
    assert _codes(response) == ["SH-A-1", "SH-A-1-1", "SH-A-1-2"]


def test_picker_matches_short_name_and_code_prefix(client, tree, district_cadre):
    Org.objects.filter(pk=tree["SH-A-1-2"].pk).update(short_name="甲二")
    login(client, district_cadre)
    assert _codes(client.get(reverse("orgs:picker"), {"q": "甲二", "purpose": "read"})) == [
        "SH-A-1-2"]
    assert _codes(client.get(reverse("orgs:picker"), {"q": "sh-a-1-", "purpose": "read"})) == [
        "SH-A-1-1", "SH-A-1-2"]


def test_move_target_is_above_the_moved_org_and_outside_it(client, tree, city_admin):
    response = login(client, city_admin).get(reverse("orgs:picker"), {
        "q": "工会", "purpose": "move", "for": tree["SH-A-1-1"].pk})
    # grassroots unions cannot be parents of a grassroots union; itself is excluded
    assert _codes(response) == ["SH", "SH-A", "SH-A-1", "SH-B", "SH-B-1"]
    response = client.get(reverse("orgs:picker"), {
        "q": "工会", "purpose": "move", "for": tree["SH-A"].pk})
    assert _codes(response) == ["SH"]


def test_picker_is_empty_for_a_worker(client, tree, member_user):
    response = login(client, member_user).get(reverse("orgs:picker"), {"q": "甲", "purpose": "read"})
    assert response.status_code == 200
    assert _codes(response) == []


def test_move_page_uses_the_picker_and_accepts_a_name(client, tree, city_admin):
    login(client, city_admin)
    page = client.get(reverse("orgs:move", args=[tree["SH-A-1-1"].pk])).content.decode()
    assert 'hx-get="/orgs/picker/"' in page
    assert "目标组织代码" not in page
    assert "新的上级组织代码" not in page
    response = client.post(reverse("orgs:move", args=[tree["SH-A-1-1"].pk]),
                           {"target": "乙区一街道工会"})
    assert response.status_code == 302
    moved = Org.objects.get(code="SH-A-1-1")
    assert Org.objects.get_parent(moved).code == "SH-B-1"


def test_move_by_an_ambiguous_name_changes_nothing(client, tree, city_admin):
    login(client, city_admin)
    response = client.post(reverse("orgs:move", args=[tree["SH-A-1-1"].pk]),
                           {"target": "街道"})
    assert response.status_code == 400
    assert "“街道”对应多个组织，请在下拉列表中选择一个。" in response.content.decode()
    assert Org.objects.get_parent(Org.objects.get(code="SH-A-1-1")).code == "SH-A-1"


def test_forms_with_an_org_field_use_the_picker(client, tree, district_cadre):
    login(client, district_cadre)
    for name, field in [("accounts:roles", "org_code"), ("accounts:user_new", "org_code"),
                        ("members:list", "org"), ("members:applications", "org"),
                        ("members:lapse", "org"), ("roster:home", "union")]:
        page = client.get(reverse(name)).content.decode()
        assert re.search(rf'name="{field}"[^>]*\n?[^>]*hx-get="/orgs/picker/"', page) or (
            f'name="{field}"' in page and "data-org-picker" in page), name


@pytest.mark.parametrize(("name", "context_key"), [
    ("aid:home", None), ("aid:dashboard", "org"), ("mutualaid:home", "org")])
def test_aid_and_mutualaid_filters_take_a_name(client, tree, district_cadre, name, context_key):
    login(client, district_cadre)
    response = client.get(reverse(name), {"org": "甲区一街道工会"})
    assert response.status_code == 200
    if context_key:
        assert response.context[context_key] == tree["SH-A-1"]
    response = client.get(reverse(name), {"org": "没有这个工会"})
    assert response.status_code == 200
    assert "找不到可用于此操作的组织“没有这个工会”" in response.content.decode()
