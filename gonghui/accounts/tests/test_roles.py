from __future__ import annotations

import pytest

from conftest import login, make_user
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment, User
from gonghui.accounts.scoping import prefixes, scope
from gonghui.audit.models import AuditEvent
from gonghui.orgs.models import Org


def test_scope_reaches_exact_subtree(tree, district_cadre):
    codes = sorted(scope(Org.objects.all(), district_cadre, Capability.ORG_READ).values_list("code", flat=True))
    assert codes == ["SH-A", "SH-A-1", "SH-A-1-1", "SH-A-1-2"]


def test_nested_grants_collapse_to_outer_prefix(tree, district_cadre):
    RoleAssignment.objects.create(user=district_cadre, org=tree["SH-A-1"], role="cadre")
    assert prefixes(district_cadre, Capability.ORG_READ) == [tree["SH-A"].path]


def test_role_at_closed_org_grants_nothing(tree):
    user = make_user("old", org=tree["SH-A-1-2"], role="admin")
    Org.objects.filter(pk=tree["SH-A-1-2"].pk).update(status="dissolved")
    assert scope(Org.objects.all(), user, Capability.ORG_READ).count() == 0


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
    # outside the subtree: the 404 page (was the form again with 200 before the kernel policy)
    assert response.status_code == 404
    assert "未找到，或您无权查看" in response.content.decode()
    assert RoleAssignment.objects.filter(user__username="newbie").count() == 0


# a list page: 403 for whoever may not assign roles (issue 13 item 14: never a 404 that hides it)
@pytest.mark.parametrize(("persona", "status"), [("grassroots_cadre", 403), ("member_user", 403)])
def test_roles_page_needs_role_assign(client, request, persona, status):
    user = request.getfixturevalue(persona)
    assert login(client, user).get("/accounts/roles/").status_code == status


def test_create_user_with_role(client, tree, district_cadre):
    response = login(client, district_cadre).post("/accounts/users/new/", {
        "username": "zhang", "display_name": "张三", "password": "Zhang-pass-2026",
        "org_code": "sh-a-1", "role": "cadre"})
    assert response.status_code == 302
    user = User.objects.get(username="zhang")
    assert list(user.role_assignments.values_list("org__code", "role")) == [("SH-A-1", "cadre")]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user.create", "role.assign"]


# outside the subtree → the 404 page; a weak password → the form again with 400 (both were 200)
@pytest.mark.parametrize(("data", "message", "status"), [
    ({"org_code": "SH-B-1", "password": "Zhang-pass-2026"}, "未找到，或您无权查看", 404),
    ({"org_code": "SH-A-1", "password": "short"}, "密码太短", 400),
])
def test_create_user_refused_changes_nothing(client, tree, district_cadre, data, message, status):
    before = User.objects.count()
    response = login(client, district_cadre).post("/accounts/users/new/", {
        "username": "zhang", "role": "cadre", **data})
    assert response.status_code == status
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert AuditEvent.objects.count() == 0


def test_role_assign_refuses_closed_org(tree, district_cadre):
    from gonghui.accounts.services import role_assign
    from gonghui.core.errors import ApplicationError
    from gonghui.orgs.services import org_dissolve

    org_dissolve(org=tree["SH-A-1-2"], actor=district_cadre)
    target = make_user("newbie")
    with pytest.raises(ApplicationError) as exc:
        role_assign(user=target, org=Org.objects.get(code="SH-A-1-2"), role="cadre",
                    actor=district_cadre)
    assert (exc.value.code, exc.value.message) == ("org_closed", "已合并或撤销的组织不能授权。")
    assert RoleAssignment.objects.filter(user=target).count() == 0
    assert AuditEvent.objects.filter(action="role.assign").count() == 0


@pytest.mark.parametrize(("persona", "status"), [
    ("grassroots_cadre", 403),      # sees SH-A-1-1 (org.read), may not revoke there
    ("other_district_cadre", 404),  # district B: SH-A-1-1 does not exist for them
    ("member_user", 404),
])
def test_revoke_is_refused_and_changes_nothing(client, request, tree, persona, status):
    holder = make_user("holder", org=tree["SH-A-1-1"], role="cadre")
    grant = holder.role_assignments.get()
    response = login(client, request.getfixturevalue(persona)).post(
        f"/accounts/roles/{grant.pk}/revoke/")
    assert response.status_code == status
    assert RoleAssignment.objects.filter(pk=grant.pk).count() == 1
    assert AuditEvent.objects.count() == 0


def test_revoke_writes_audit_in_same_transaction(client, tree, district_cadre):
    holder = make_user("holder", org=tree["SH-A-1-1"], role="cadre")
    grant = holder.role_assignments.get()
    response = login(client, district_cadre).post(f"/accounts/roles/{grant.pk}/revoke/")
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=holder).count() == 0
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_name, event.org_path) == (
        "role.revoke", "district_a", tree["SH-A-1-1"].path)
    assert event.before == {"user": "holder", "org": "SH-A-1-1", "role": "cadre"}


def test_user_create_needs_role_assign(tree, grassroots_cadre, member_user):
    from gonghui.accounts.services import user_create
    from gonghui.core.errors import Forbidden

    before = User.objects.count()
    with pytest.raises(Forbidden):
        user_create(username="li", password="Li-pass-2026", actor=grassroots_cadre)
    with pytest.raises(Forbidden):  # no org: a capability held nowhere is 403 (issue 13 item 14)
        user_create(username="li", password="Li-pass-2026", actor=member_user)
    assert User.objects.count() == before
    assert AuditEvent.objects.count() == 0


def test_assign_form_unknown_user_is_400(client, tree, district_cadre):
    response = login(client, district_cadre).post(
        "/accounts/roles/", {"username": "nobody", "org_code": "SH-A-1", "role": "cadre"})
    assert response.status_code == 400
    assert "用户不存在。" in response.content.decode()
    assert RoleAssignment.objects.count() == 1  # district_cadre's own grant
