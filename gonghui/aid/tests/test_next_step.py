"""Issue 12 item 11: the four-eyes rules are visible — who may act next, and why not you."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from gonghui.aid.models import Programme
from gonghui.aid.services import files as svc
from gonghui.aid.tests.conftest import open_file
from gonghui.aid.tests.test_programmes import _winter, district_aid  # noqa: F401

pytestmark = pytest.mark.django_db


def test_submitter_sees_why_not_and_who_verifies(client, tree, standard, person, street_cadre,
                                                  city_admin):
    file = open_file(person, street_cadre)
    svc.file_submit(file=file, actor=street_cadre, category=file.proposed_category or "relative",
                    note="" if file.proposed_category else "测试")
    page = login(client, street_cadre).get(reverse("aid:file", args=[file.pk])).content.decode()
    assert f'action="/aid/files/{file.pk}/verify/"' not in page
    assert "提交人不能核实自己提交的档案。" in page
    # the district and the city above may verify; the submitter is not offered
    assert "可核实的人员：city_admin（测试市总工会）" in page
    assert "street_a1（" not in page.split('id="next-step"')[1].split("</div>")[0]
    # the city admin gets the button and no explanation
    page = login(client, city_admin).get(reverse("aid:file", args=[file.pk])).content.decode()
    assert 'id="next-step"' not in page
    assert "核实通过" in page


def test_programme_creator_sees_why_not_and_who_approves(client, tree, district_aid,  # noqa: F811
                                                          district_cadre):
    programme = _winter(tree["SH-A"], district_aid)
    page = login(client, district_aid).get(
        reverse("aid:programme", args=[programme.pk])).content.decode()
    assert "项目须由创建人以外的人员审批：您创建了这个项目。" in page
    assert f'action="{reverse("aid:programme_approve", args=[programme.pk])}"' not in page
    assert "可审批的人员：district_a（甲区总工会）" in page
    page = login(client, district_cadre).get(
        reverse("aid:programme", args=[programme.pk])).content.decode()
    assert f'action="{reverse("aid:programme_approve", args=[programme.pk])}"' in page
    assert Programme.objects.get(pk=programme.pk).status == "draft"


def test_demo_has_a_second_huangpu_approver():
    from gonghui.demo import DEMO_USERS

    huangpu = [u for u in DEMO_USERS if u[3] == "SH-HP" and u[2] in ("admin", "cadre")]
    assert len(huangpu) >= 2
