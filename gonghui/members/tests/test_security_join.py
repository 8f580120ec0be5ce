"""Issue 13 items 1 and 2 and the PIPL duties of self-registration: a portal account is linked to
a person only once it has proven to be that person; the join form answers alike whatever the
registry holds, and is rate-limited per account and per address; registration stores the
consent; “我的数据” lists and exports what is held about the worker."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import login, make_user
from gonghui.accounts.models import User
from gonghui.audit.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import Application, Membership, Person
from gonghui.members.phone_check import phone_code
from gonghui.members.privacy import NOTICE_VERSION, notice_text
from gonghui.members.services import identity
from gonghui.members.tests.factories import id_number, person_fields

pytestmark = pytest.mark.django_db

PASSWORD = "Plum-blossom-77"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def register(client, phone: str, name: str = "韩梅") -> User:
    response = client.post(reverse("members:portal_register"), {
        "name": name, "phone": phone, "password": PASSWORD, "password2": PASSWORD,
        "code": phone_code(phone), "consent": "on"})
    assert response.status_code == 302, response.content.decode()[-400:]
    return User.objects.get(username=phone)


def apply(client, union: str, **fields):
    return client.post(reverse("members:portal_apply_form", args=[union]),
                       {"basis": "employer", "consent": "on", **fields})


def former_member(tree, city_admin, *, phone: str = "13900000001") -> tuple[Membership, str]:
    number = id_number()
    m = services.member_add(union=tree["SH-A-1-1"], actor=city_admin, fields=person_fields(
        "王芳", id_number=number, phone=phone, employer_name="甲一公司"))
    services.membership_set_status(membership=m, target="withdrawn", reason="本人申请",
                                   actor=city_admin)
    return m, number


# --- item 1: no identity takeover --------------------------------------------------------------

def test_knowing_name_and_id_number_links_nothing(client, tree, city_admin):
    m, number = former_member(tree, city_admin)
    attacker = register(client, "13800000002", name="王芳")
    response = apply(client, "SH-A-1-2", name="王芳", id_number=number, phone="13800000002")
    application = Application.objects.get()
    assert response["Location"] == reverse("members:portal_application", args=[application.pk])
    assert (application.applicant, application.person_id) == (attacker, m.person_id)
    assert Person.objects.get().user is None
    assert identity.review_flags(application) == ["identity_unproven"]
    home = client.get(reverse("members:portal"))
    assert home.context["person"] is None
    form = client.get(reverse("members:portal_apply_form", args=["SH-A-1-2"]))
    assert form.context["form"].initial["phone"] == "13800000002"   # the account's own
    assert "13900000001" not in form.content.decode()
    assert client.get(reverse("members:portal_card")).status_code == 404


def test_the_phone_on_file_proves_the_person(client, tree, city_admin):
    m, number = former_member(tree, city_admin)
    worker = register(client, "13900000001", name="王芳")
    apply(client, "SH-A-1-2", name="王芳", id_number=number, phone="13900000001")
    assert Person.objects.get().user == worker
    link = AuditEvent.objects.get(action="member.portal.link")
    assert (link.object_id, link.after) == (str(m.person_id),
                                            {"user": worker.pk, "basis": "phone_on_file"})
    assert identity.review_flags(Application.objects.get()) == []


def test_a_cadre_typed_phone_is_no_proof(client, tree, city_admin):
    """An account made by a cadre has an unproven phone: it is linked only by the union."""
    _m, number = former_member(tree, city_admin)
    worker = make_user("w1", phone="13900000001")
    login(client, worker)
    apply(client, "SH-A-1-2", name="王芳", id_number=number, phone="13900000001")
    assert Person.objects.get().user is None


def test_the_cadre_confirms_a_member_who_cannot_be_approved(client, tree, city_admin,
                                                           grassroots_cadre):
    number = id_number()
    services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                        fields=person_fields("王芳", id_number=number, phone=""))
    worker = register(client, "13800000002", name="王芳")
    apply(client, "SH-A-1-1", name="王芳", id_number=number, phone="13800000002")
    application = Application.objects.get()
    assert identity.review_flags(application) == ["identity_unproven", "already_member"]
    page = login(client, grassroots_cadre).get(reverse("members:application",
                                                       args=[application.pk]))
    assert page.context["review_flags"] == [
        "尚未核实申请人是否本人：请核验其身份证件后再批准",
        "该身份证号码的本人已有会籍：不能批准，请核实后告知本人办理转会"]
    response = client.post(reverse("members:application_decide",
                                   args=[application.pk, "confirm_identity"]))
    assert response.status_code == 302
    assert Person.objects.get().user == worker


def test_confirming_needs_member_write_over_the_union(tree, city_admin, other_district_cadre):
    _m, number = former_member(tree, city_admin)
    worker = make_user("w1")
    application = services.application_submit(
        union=tree["SH-A-1-1"], actor=worker,
        fields=person_fields("王芳", id_number=number, phone="13800000002"))
    from gonghui.core.errors import NotFound

    with pytest.raises(NotFound):
        identity.application_confirm_identity(application=application, actor=other_district_cadre)
    assert Person.objects.get().user is None
    assert not AuditEvent.objects.filter(action="member.portal.link").exists()


# --- item 2: the same answer whatever the registry holds ---------------------------------------

def test_the_join_form_is_no_oracle(client, tree, city_admin):
    on_file = services.member_add(union=tree["SH-B-1-1"], actor=city_admin,
                                  fields=person_fields("李雷"))
    cases = {
        "unknown": {"name": "韩梅", "id_number": id_number()},
        "name_differs": {"name": "韩梅", "id_number": on_file.person.id_number},
    }
    answers = {}
    for i, (case, fields) in enumerate(cases.items()):
        client.logout()
        register(client, f"1370000000{i}")
        response = apply(client, "SH-A-1-1", phone=f"1370000000{i}", **fields)
        page = client.get(response["Location"])
        answers[case] = (response.status_code,
                         [str(m) for m in page.context["messages"]][-1:],
                         page.content.decode().count("韩梅"), "李雷" in page.content.decode())
    assert answers["unknown"] == answers["name_differs"]
    assert answers["unknown"][:2] == (302, ["申请已提交，工会审批后会在这里通知您。"])
    assert answers["name_differs"][3] is False   # the registered name never shows
    assert Application.objects.count() == 2


def test_the_api_answers_alike_and_echoes_only_what_was_typed(client, tree, city_admin):
    on_file = services.member_add(union=tree["SH-B-1-1"], actor=city_admin,
                                  fields=person_fields("李雷"))
    login(client, make_user("w1"))
    response = client.post("/api/v1/applications", {
        "union": "SH-A-1-1", "name": "韩梅", "id_number": on_file.person.id_number,
        "phone": "13512345678"}, content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["status"]) == ("韩梅", "submitted")


def test_join_submissions_are_limited_per_account(client, tree):
    login(client, make_user("w1"))
    statuses = [apply(client, f"SH-A-1-{1 + i % 2}", name="韩梅", id_number=id_number(),
                      phone="13512345678").status_code for i in range(6)]
    assert statuses[:2] == [302, 302]
    assert statuses[5] == 429
    before = Application.objects.count()
    response = client.post("/api/v1/applications", {
        "union": "SH-A-1-1", "name": "韩梅", "id_number": id_number(),
        "phone": "13512345678"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (429, "too_many_attempts")
    assert Application.objects.count() == before


def test_join_submissions_are_limited_per_address(client, tree, settings, monkeypatch):
    monkeypatch.setattr(identity, "JOIN_LIMIT_PER_IP", 3)
    statuses = []
    for i in range(4):
        login(client, make_user(f"w{i}"))
        statuses.append(apply(client, "SH-A-1-1", name="韩梅", id_number=id_number(),
                              phone="13512345678", REMOTE_ADDR="10.0.0.9").status_code)
    assert statuses == [302, 302, 302, 429]
    assert Application.objects.count() == 3


# --- PIPL: consent, my data --------------------------------------------------------------------

def test_registration_stores_the_consent_it_was_given(client, tree):
    url = reverse("members:portal_register")
    form = {"name": "韩梅", "phone": "13700001111", "password": PASSWORD,
            "password2": PASSWORD, "code": phone_code("13700001111")}
    page = client.get(url).content.decode()
    assert notice_text() in page
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "consent" in refused.context["form"].errors
    assert not User.objects.filter(username="13700001111").exists()
    user = register(client, "13700001111")
    consent = identity.consent_of(user)
    assert (consent["version"], consent["text"]) == (NOTICE_VERSION, notice_text())
    assert identity.verified_phone(user) == "13700001111"


def test_my_data_lists_and_exports_what_is_held(client, tree, city_admin):
    _m, number = former_member(tree, city_admin)
    worker = register(client, "13900000001", name="王芳")
    apply(client, "SH-A-1-2", name="王芳", id_number=number, phone="13900000001")
    page = client.get(reverse("members:portal_my_data"))
    assert page.status_code == 200
    keys = [s.key for s in page.context["sections"]]
    assert keys[:5] == ["account", "applications", "person", "memberships", "transfers"]
    text = page.content.decode()
    assert number not in text
    assert Person.objects.get().masked_id in text
    export = client.get(reverse("members:portal_my_data_export"))
    assert export["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(export.content)
    sections = {s["key"]: s["rows"] for s in data["sections"]}
    assert [r["状态"] for r in sections["memberships"]] == ["退会"]
    assert [(r["申请加入的工会"], r["状态"]) for r in sections["applications"]] == [
        ("甲二公司工会", "待审批")]
    assert number not in export.content.decode()
    assert worker.username == "13900000001"


def test_my_data_of_an_unproven_account_holds_no_one_elses_record(client, tree, city_admin):
    _m, number = former_member(tree, city_admin)
    register(client, "13800000002", name="王芳")
    apply(client, "SH-A-1-2", name="王芳", id_number=number, phone="13800000002")
    sections = client.get(reverse("members:portal_my_data")).context["sections"]
    assert [s.key for s in sections] == ["account", "applications"]
    assert "甲一公司" not in client.get(reverse("members:portal_my_data_export")).content.decode()
