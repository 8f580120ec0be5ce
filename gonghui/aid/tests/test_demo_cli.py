"""The demo.seed hook (skips without members, then adds files once; a second run adds nothing)
and the `gonghui aid` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.aid import demo
from gonghui.aid.models import Assistance, HardshipFile, LocalStandard, Programme

pytestmark = pytest.mark.django_db


def test_demo_seed_waits_for_members_then_loads_once():
    from gonghui.demo import load_orgs, load_users
    from gonghui.members.demo import seed_members

    orgs = load_orgs()
    users = load_users(orgs)
    out = io.StringIO()
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert "skipped — no demo members yet" in out.getvalue()
    assert HardshipFile.objects.count() == 0
    assert LocalStandard.objects.count() == 3
    seed_members(orgs=orgs, users=users)
    demo.seed(orgs=orgs, users=users, stdout=out)
    counts = (HardshipFile.objects.count(), Assistance.objects.count(),
              Programme.objects.count(), LocalStandard.objects.count())
    assert counts == (9, 12, 2, 3)
    assert sorted(HardshipFile.objects.values_list("status", flat=True)) == [
        "active", "active", "active", "active", "active", "draft", "exited", "exited",
        "submitted"]
    assert HardshipFile.objects.filter(relapse_found=True).count() == 1
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert (HardshipFile.objects.count(), Assistance.objects.count(),
            Programme.objects.count(), LocalStandard.objects.count()) == counts
    assert out.getvalue().endswith("Demo hardship files: already loaded.\n")


def test_cli_import_reports_rows_and_fails_on_errors(tree, city_admin, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text("地区,年度,低保标准\nSH,2025,1510\n", encoding="utf-8")
    out = io.StringIO()
    call_command("aid", "import-standards", str(good), "--user", "city_admin", stdout=out)
    assert out.getvalue() == "created 1, updated 0, unchanged 0, errors 0\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("地区,年度,低保标准\nSH,2025,1510\nSH-A,二〇二五,1\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 row\(s\) refused"):
        call_command("aid", "import-standards", str(bad), "--user", "city_admin", stdout=out)
    assert out.getvalue() == ("created 0, updated 0, unchanged 1, errors 1\n"
                              "  row 3 [年度] “二〇二五”不是年度\n")
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        call_command("aid", "import-standards", str(good), "--user", "nobody")
