"""Issue 12 item 3: the role-grant form never starts on, nor falls back to, 管理员."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.accounts.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _selected(page: str) -> list[str]:
    select = re.search(r'<select class="form-select" name="role".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)" selected', select.group(0))


def test_role_form_starts_on_no_role(client, district_cadre):
    page = login(client, district_cadre).get(reverse("accounts:roles")).content.decode()
    assert _selected(page) == []
    assert '<option value="">请选择角色</option>' in page


def test_role_form_keeps_the_chosen_role_after_an_error(client, tree, district_cadre):
    make_user("newbie")
    response = login(client, district_cadre).post(
        reverse("accounts:roles"), {"username": "newbie", "org_code": "", "role": "registrar"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择组织。" in page
    assert _selected(page) == ["registrar"]
    assert not RoleAssignment.objects.filter(user__username="newbie").exists()


def test_role_form_without_a_role_grants_nothing(client, tree, district_cadre):
    make_user("newbie")
    response = login(client, district_cadre).post(
        reverse("accounts:roles"), {"username": "newbie", "org_code": "SH-A-1", "role": ""})
    assert response.status_code == 400
    assert "请选择要授予的角色。" in response.content.decode()
    assert not RoleAssignment.objects.filter(user__username="newbie").exists()


def test_new_user_form_has_no_default_role(client, district_cadre):
    page = login(client, district_cadre).get(reverse("accounts:user_new")).content.decode()
    assert _selected(page) == []
