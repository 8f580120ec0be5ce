"""The aid pages end to end through the test client: forms, messages, exact figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import login
from gonghui.aid.models import Assistance, FileStatus, HardshipFile
from gonghui.aid.tests.conftest import active_file, id_number, make_person, open_file

pytestmark = pytest.mark.django_db


def test_open_file_by_id_number(client, tree, standard, aid_cadre, person):
    login(client, aid_cadre)
    response = client.post(reverse("aid:file_new"), {"id_number": person.id_number.lower(),
                                                     "address": "测试路 8 号", "work": "employed"})
    file = HardshipFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/aid/files/{file.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "张伟户" in html
    assert person.masked_id in html
    assert person.id_number not in html


def test_open_file_for_unknown_or_foreign_member_is_refused(client, tree, standard, aid_cadre):
    foreign = make_person(tree["SH-B-1-1"], "王强")
    login(client, aid_cadre)
    response = client.post(reverse("aid:file_new"), {"id_number": foreign.id_number,
                                                     "work": "employed"})
    assert response.status_code == 400  # the form shown again (core.views.form_status)
    assert "在您管辖的工会中没有找到该身份证号码的在册会员。" in response.content.decode()
    assert HardshipFile.objects.count() == 0


def test_second_file_page_links_to_existing(client, tree, standard, aid_cadre, person):
    first = open_file(person, aid_cadre)
    login(client, aid_cadre)
    response = client.post(reverse("aid:file_new"), {"id_number": person.id_number,
                                                     "work": "employed"})
    html = response.content.decode()
    assert response.status_code == 409
    assert f"张伟已在困难职工档案 {first.number}（张伟户，填报中）中" in html
    assert f'href="/aid/files/{first.pk}/"' in html


def test_household_income_submit_verify_assist(client, tree, standard, aid_cadre, street_cadre,
                                               person, settings):
    file = open_file(person, aid_cadre, incomes=(), extra_members=0)
    login(client, aid_cadre)
    r = client.post(reverse("aid:member_new", args=[file.pk]), {
        "name": "李娜", "relation": "spouse", "id_number": id_number("19820305"),
        "health": "serious", "work": "unemployed", "education": ""})
    assert r.status_code == 302
    r = client.post(reverse("aid:income_new", args=[file.pk]), {
        "kind": "wage", "monthly_amount": "2500.00", "member": "", "description": ""})
    assert r.status_code == 302
    file.refresh_from_db()
    assert (file.household_size, file.per_capita_income, file.proposed_category) == (
        2, Decimal("1250.00"), "deep")
    r = client.post(reverse("aid:submit", args=[file.pk]), {"category": "relative", "note": ""})
    assert "所选类别与系统建议（深度困难）不一致，请填写理由。" in r.content.decode()
    r = client.post(reverse("aid:submit", args=[file.pk]), {"category": "deep", "note": ""})
    assert r.status_code == 302
    login(client, street_cadre)
    assert client.post(reverse("aid:verify", args=[file.pk])).status_code == 302
    file.refresh_from_db()
    assert file.status == FileStatus.ACTIVE
    login(client, aid_cadre)
    form = client.get(reverse("aid:assistance_new", args=[file.pk]))
    key = form.context["form"].initial["idempotency_key"]
    data = {"kind": "goods", "amount": "300", "given_on": "2020-01-01",
            "description": "米、油", "idempotency_key": key, "beneficiary": ""}
    assert client.post(reverse("aid:assistance_new", args=[file.pk]), data).status_code == 302
    # the same form posted twice (double click, retry) records once
    assert client.post(reverse("aid:assistance_new", args=[file.pk]), data).status_code == 302
    assert Assistance.objects.filter(file=file).count() == 1
    html = client.get(reverse("aid:file", args=[file.pk])).content.decode()
    assert "物资慰问" in html
    assert "米、油" in html


def test_list_pages_render_with_bounded_queries(client, tree, standard, aid_cadre, street_cadre,
                                                django_assert_max_num_queries):
    for i in range(6):
        active_file(make_person(tree["SH-A-1-1"], "职工" + "一二三四五六"[i]), aid_cadre,
                    street_cadre)
    login(client, aid_cadre)
    for name in ("aid:home", "aid:reviews_due", "aid:followups_due", "aid:programmes",
                 "aid:standards", "aid:dashboard"):
        with django_assert_max_num_queries(20):
            response = client.get(reverse(name))
        assert response.status_code == 200, name
    html = client.get(reverse("aid:home") + "?status=active").content.decode()
    assert "共 6 条" in html


def test_file_page_queries_do_not_grow_with_household(client, tree, standard, aid_cadre,
                                                      street_cadre,
                                                      django_assert_max_num_queries):
    file = active_file(make_person(tree["SH-A-1-1"], "大户"), aid_cadre, street_cadre,
                       extra_members=6, incomes=("100",) * 6)
    login(client, aid_cadre)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("aid:file", args=[file.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<td>家属") == 6


def test_verify_buttons_only_for_a_verifier_who_did_not_submit(client, tree, standard,
                                                              street_cadre, district_cadre,
                                                              person):
    file = open_file(person, street_cadre, incomes=("1000",))
    from gonghui.aid.services import files as svc

    svc.file_submit(file=file, actor=street_cadre, category="deep")
    url = reverse("aid:file", args=[file.pk])
    assert "核实通过" not in login(client, street_cadre).get(url).content.decode()
    assert "核实通过" in login(client, district_cadre).get(url).content.decode()


def test_create_programme_page(client, tree, standard, district_cadre):
    from gonghui.aid.models import Programme

    login(client, district_cadre)
    page = client.get(reverse("aid:programme_new")).content.decode()
    assert '<option value="SH-A" selected>甲区总工会（SH-A）</option>' in page
    response = client.post(reverse("aid:programme_new"), {
        "org": "SH-A", "name": "夏送清凉", "kind": "summer", "year": "2026", "budget": "5000",
        "amount_per_household": "200", "assistance_kind": "goods", "rule": "categories",
        "categories": ["deep", "sudden"], "note": ""})
    programme = Programme.objects.get()
    assert response["Location"] == f"/aid/programmes/{programme.pk}/"
    assert (programme.org, programme.categories, programme.budget) == (
        tree["SH-A"], ["deep", "sudden"], Decimal("5000.00"))
    refused = client.post(reverse("aid:programme_new"), {
        "org": "SH-B", "name": "越界", "kind": "summer", "year": "2026", "budget": "1",
        "amount_per_household": "1", "assistance_kind": "goods", "rule": "categories",
        "categories": ["deep"]})
    assert "未找到，或您无权查看。" in refused.content.decode()
    assert Programme.objects.count() == 1
