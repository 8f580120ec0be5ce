from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts.models import RoleAssignment, User
from gonghui.demo import seed_demo
from gonghui.orgs.models import Org


def test_orgs_list_json(tree):
    out = io.StringIO()
    call_command("orgs", "list", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 8
    assert rows[0] == {"code": "SH", "name": "测试市总工会", "level": "city", "type": "federation",
                       "status": "active", "parent_code": None}
    assert {r["code"]: r["parent_code"] for r in rows}["SH-A-1-2"] == "SH-A-1"


def test_users_add_reads_password_from_stdin(tree, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Cadre-pass-2026\n"))
    out = io.StringIO()
    call_command("users", "add", "wang", "--org", "SH-A-1", "--role", "cadre", stdout=out)
    user = User.objects.get(username="wang")
    assert user.check_password("Cadre-pass-2026")
    assert list(RoleAssignment.objects.filter(user=user).values_list("org__code", "role")) == [
        ("SH-A-1", "cadre")]
    assert out.getvalue().strip() == "created wang: cadre at SH-A-1 甲区一街道工会"


def test_users_add_refuses_weak_password(tree, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        call_command("users", "add", "wang", "--org", "SH-A-1", "--role", "cadre")
    assert User.objects.filter(username="wang").count() == 0


def test_demo_federation_is_idempotent_and_valid(db):
    orgs, users = seed_demo()
    assert Org.objects.count() == len(orgs) == 221
    assert Org.objects.filter(level="district", org_type="federation").count() == 16
    assert {"admin", "huangpu", "xuhui", "njdl", "jichen"} <= set(users)
    user_count = User.objects.count()
    seed_demo()
    assert Org.objects.count() == 221
    assert User.objects.count() == user_count
    from gonghui.orgs.validation import clean_uscc

    for org in Org.objects.all():
        assert clean_uscc(org.uscc, union=True) == org.uscc
    assert Org.objects.get(code="SH-HP").name == "上海市黄浦区总工会"
