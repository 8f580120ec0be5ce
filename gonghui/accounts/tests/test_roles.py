from __future__ import annotations

import pytest

from conftest import login, make_user
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.scoping import prefixes, scope
from gonghui.audit.models import AuditEvent
from gonghui.orgs.models import Org


def test_scope_reaches_exact_subtree(tree, district_cadre):
    codes = sorted(scope(Org.objects.all(), district_cadre, "org.read").values_list("code", flat=True))
    assert codes == ["SH-A", "SH-A-1", "SH-A-1-1", "SH-A-1-2"]


def test_nested_grants_collapse_to_outer_prefix(tree, district_cadre):
    RoleAssignment.objects.create(user=district_cadre, org=tree["SH-A-1"], role="cadre")
    assert prefixes(district_cadre, "org.read") == [tree["SH-A"].path]


def test_role_at_closed_org_grants_nothing(tree):
    user = make_user("old", org=tree["SH-A-1-2"], role="admin")
    Org.objects.filter(pk=tree["SH-A-1-2"].pk).update(status="dissolved")
    assert scope(Org.objects.all(), user, "org.read").count() == 0


def test_assign_role_page(client, tree, district_cadre):
    target = make_user("newbie")
    response = login(client, district_cadre).post(
        "/accounts/roles/", {"username": "newbie", "org_code": "SH-A-1", "role": "cadre"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=target, org=tree["SH-A-1"], role="cadre").count() == 1
    assert AuditEvent.objects.get(action="role.assign").after == {
        "user": "newbie", "org": "SH-A-1", "role": "cadre"}


def test_cannot_assign_role_outside_subtree(client, tree, district_cadre):
    make_user("newbie")
    response = login(client, district_cadre).post(
        "/accounts/roles/", {"username": "newbie", "org_code": "SH-B-1", "role": "admin"})
    assert response.status_code == 200
    assert "未找到，或您无权查看" in response.content.decode()
    assert RoleAssignment.objects.filter(user__username="newbie").count() == 0


@pytest.mark.parametrize("persona", ["grassroots_cadre", "member_user"])
def test_roles_page_needs_role_assign(client, request, persona):
    user = request.getfixturevalue(persona)
    assert login(client, user).get("/accounts/roles/").status_code == 403


def test_create_user_with_role(client, tree, district_cadre):
    from gonghui.accounts.models import User

    response = login(client, district_cadre).post("/accounts/users/new/", {
        "username": "zhang", "display_name": "张三", "password": "Zhang-pass-2026",
        "org_code": "sh-a-1", "role": "cadre"})
    assert response.status_code == 302
    user = User.objects.get(username="zhang")
    assert list(user.role_assignments.values_list("org__code", "role")) == [("SH-A-1", "cadre")]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user.create", "role.assign"]


@pytest.mark.parametrize(("data", "message"), [
    ({"org_code": "SH-B-1", "password": "Zhang-pass-2026"}, "未找到，或您无权查看"),
    ({"org_code": "SH-A-1", "password": "short"}, "密码太短"),
])
def test_create_user_refused_changes_nothing(client, tree, district_cadre, data, message):
    from gonghui.accounts.models import User

    before = User.objects.count()
    response = login(client, district_cadre).post("/accounts/users/new/", {
        "username": "zhang", "role": "cadre", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert AuditEvent.objects.count() == 0
