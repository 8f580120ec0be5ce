"""我的数据 (PIPL Art. 45) lists the worker's hardship files and rights cases too, through those
apps' selectors, in the page and in the export — and nothing of anyone else."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.aid.tests.conftest import open_file
from gonghui.members import services
from gonghui.members.models import Person
from gonghui.members.tests.factories import id_number, person_fields
from gonghui.rights.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def test_my_data_lists_hardship_files_and_rights_cases(client, tree, city_admin):
    number = id_number()
    mine = services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                               fields=person_fields("王芳", id_number=number))
    other = services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                                fields=person_fields("李雷"))
    worker = make_user("13900000001")
    Person.objects.filter(pk=mine.person_id).update(user=worker)
    file = open_file(mine.person, city_admin)
    open_file(other.person, city_admin)
    open_case(tree["SH-A-1-1"], city_admin, worker_name="王芳", id_number=number)
    open_case(tree["SH-A-1-1"], city_admin, worker_name="李雷", id_number=other.person.id_number,
              description="另一人的案件")
    login(client, worker)
    page = client.get(reverse("members:portal_my_data"))
    assert page.status_code == 200
    sections = {s.key: s for s in page.context["sections"]}
    assert {"aid_files", "aid_household", "rights_cases"} <= set(sections)
    assert [r[0] for r in sections["aid_files"].rows] == [file.number]
    assert [(r[1], r[2]) for r in sections["aid_household"].rows] == [
        ("王芳", "本人"), ("家属1", "子女")]
    assert [(r[6], r[7]) for r in sections["rights_cases"].rows] == [("", "拖欠三个月工资")]
    text = page.content.decode()
    assert "困难职工档案" in text
    assert "维权案件" in text
    assert "李雷" not in text
    assert "另一人的案件" not in text
    export = json.loads(client.get(reverse("members:portal_my_data_export")).content)
    rows = {s["key"]: s["rows"] for s in export["sections"]}
    assert [r["档案编号"] for r in rows["aid_files"]] == [file.number]
    assert [r["状态"] for r in rows["rights_cases"]] == ["办理中"]
    assert number not in json.dumps(export, ensure_ascii=False)


def test_an_unlinked_account_sees_no_aid_or_rights_section(client, tree, city_admin):
    m = services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                            fields=person_fields("王芳"))
    open_file(m.person, city_admin)
    login(client, make_user("13900000002"))
    keys = [s.key for s in client.get(reverse("members:portal_my_data")).context["sections"]]
    assert keys == ["account", "applications"]
