"""Hardship data is sensitive: district B's cadre gets 404 for district A's files on every page
and endpoint, and nothing changes; a read-only role gets 403 on writes; documents are served
only through the scoped view; revealing household ID numbers is logged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login
from gonghui.aid.models import (
    Assistance,
    FileActivity,
    FileDocument,
    HardshipFile,
    HouseholdMember,
    IncomeSource,
    Programme,
)
from gonghui.aid.services import files as svc
from gonghui.aid.services import programmes as programme_services
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core import clock

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _state():
    return (
        list(HardshipFile.objects.order_by("pk").values_list(
            "pk", "status", "category", "needs_review", "address", "household_size")),
        HouseholdMember.objects.count(), IncomeSource.objects.count(),
        FileActivity.objects.count(), Assistance.objects.count(), FileDocument.objects.count(),
        list(Programme.objects.values_list("pk", "status", "budget")),
        AuditEvent.objects.count(), SensitiveRead.objects.count(),
    )


@pytest.fixture
def secret(tree, standard, aid_cadre, street_cadre, district_cadre):
    """An active file of district A, with a document, and an approved programme of A."""
    file = active_file(make_person(tree["SH-A-1-1"], "甲区困难户"), aid_cadre, street_cadre,
                       incomes=("1000",))
    svc.document_add(file=file, actor=aid_cadre, kind="photo",
                     upload=SimpleUploadedFile("home.png", PNG, content_type="image/png"))
    programme = programme_services.programme_create(
        org=tree["SH-A"], actor=district_cadre, name="甲区送温暖", kind="winter",
        year=clock.today().year, budget=Decimal("1000"), amount_per_household=Decimal("500"),
        assistance_kind="cash", rule="categories", categories=["deep"])
    programme_services.beneficiaries_generate(programme=programme, actor=district_cadre)
    file.refresh_from_db()
    return file, programme


def _ids(secret):
    file, programme = secret
    return {"pk": file.pk, "mid": file.household.get(relation="self").pk,
            "iid": file.incomes.first().pk, "did": file.documents.first().pk,
            "prog": programme.pk, "bid": programme.beneficiaries.first().pk}


PAGES = [
    ("get", "aid:file", {}), ("get", "aid:file_edit", {}),
    ("post", "aid:file_edit", {"causes": ["illness"], "address": "篡改"}),
    ("post", "aid:reveal", {"purpose": "看看"}),
    ("get", "aid:member_new", {}), ("post", "aid:member_remove", {}),
    ("get", "aid:member_edit", {}), ("post", "aid:income_remove", {}),
    ("get", "aid:income_new", {}), ("get", "aid:document", {}), ("get", "aid:document_new", {}),
    ("get", "aid:submit", {}), ("post", "aid:verify", {}),
    ("post", "aid:return", {"reason": "x"}), ("post", "aid:reject", {"reason": "x"}),
    ("post", "aid:close", {"reason": "x"}), ("post", "aid:visit", {"note": "x"}),
    ("post", "aid:review", {"category": "deep"}), ("post", "aid:exit", {"evidence": "x"}),
    ("post", "aid:followup", {}), ("post", "aid:reopen", {}),
    ("post", "aid:assistance_new", {"kind": "goods", "amount": "1", "given_on": "2020-01-01",
                                    "idempotency_key": "x"}),
    ("get", "aid:programme", {}), ("post", "aid:programme_generate", {}),
    ("post", "aid:programme_approve", {}), ("post", "aid:programme_pay_all", {}),
    ("post", "aid:beneficiary_pay", {}), ("post", "aid:beneficiary_remove", {"reason": "x"}),
    ("get", "aid:programme_edit", {}),
]

_KW = {"aid:member_remove": ("pk", "mid"), "aid:member_edit": ("pk", "mid"),
       "aid:income_remove": ("pk", "iid"), "aid:document": ("pk", "did"),
       "aid:programme": ("prog",), "aid:programme_generate": ("prog",),
       "aid:programme_approve": ("prog",), "aid:programme_pay_all": ("prog",),
       "aid:programme_edit": ("prog",), "aid:beneficiary_pay": ("prog", "bid"),
       "aid:beneficiary_remove": ("prog", "bid")}


def _url(name, ids):
    keys = _KW.get(name, ("pk",))
    names = {"pk": "pk", "mid": "mid", "iid": "iid", "did": "did", "prog": "pk", "bid": "bid"}
    return reverse(name, kwargs={names[k]: ids[k] for k in keys})


@pytest.mark.parametrize(("method", "name", "data"), PAGES)
def test_pages_hide_district_a_from_district_b(client, secret, other_district_cadre, method,
                                               name, data):
    url = _url(name, _ids(secret))
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(url, data)
    assert response.status_code == 404
    assert "甲区困难户" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("method", "name", "data"),
                         [p for p in PAGES if p[1] not in ("aid:file", "aid:document",
                                                           "aid:programme", "aid:reveal",
                                                           "aid:verify", "aid:return",
                                                           "aid:reject")])
def test_read_only_role_gets_403_on_writes(client, secret, auditor, method, name, data):
    url = _url(name, _ids(secret))
    before = _state()
    response = getattr(login(client, auditor), method)(url, data)
    assert response.status_code == 403
    assert _state() == before


def test_lists_and_counts_show_nothing_of_district_a(client, secret, other_district_cadre):
    login(client, other_district_cadre)
    for name in ("aid:home", "aid:reviews_due", "aid:programmes", "aid:dashboard"):
        html = client.get(reverse(name)).content.decode()
        assert "甲区困难户" not in html
        assert "甲区送温暖" not in html
    assert "共 1 条" not in client.get(reverse("aid:home")).content.decode()
    assert client.get(reverse("aid:dashboard") + "?org=SH-A").status_code == 404
    assert client.get(reverse("aid:home") + "?org=SH-A").status_code == 404


API = [
    ("get", "/api/v1/aid/files/{pk}", None),
    ("get", "/api/v1/aid/files?within=SH-A", None),
    ("patch", "/api/v1/aid/files/{pk}", {"address": "篡改"}),
    ("post", "/api/v1/aid/files/{pk}/members", {"name": "x", "relation": "child",
                                                "id_number": "x", "work": "student"}),
    ("delete", "/api/v1/aid/files/{pk}/members/{mid}", None),
    ("post", "/api/v1/aid/files/{pk}/incomes", {"kind": "wage", "monthly_amount": "1"}),
    ("delete", "/api/v1/aid/files/{pk}/incomes/{iid}", None),
    ("post", "/api/v1/aid/files/{pk}/submit", {"category": "deep"}),
    ("post", "/api/v1/aid/files/{pk}/verify", {}),
    ("post", "/api/v1/aid/files/{pk}/return", {"reason": "x"}),
    ("post", "/api/v1/aid/files/{pk}/reject", {"reason": "x"}),
    ("post", "/api/v1/aid/files/{pk}/close", {"reason": "x"}),
    ("post", "/api/v1/aid/files/{pk}/visits", {"note": "x"}),
    ("post", "/api/v1/aid/files/{pk}/review", {"category": "deep"}),
    ("post", "/api/v1/aid/files/{pk}/exit", {"evidence": "x"}),
    ("post", "/api/v1/aid/files/{pk}/followups", {"household_size": 1, "monthly_income": "1",
                                                  "note": "x"}),
    ("post", "/api/v1/aid/files/{pk}/reopen", None),
    ("post", "/api/v1/aid/files/{pk}/reveal", {"purpose": "x"}),
    ("post", "/api/v1/aid/files/{pk}/assistance", {"kind": "cash", "amount": "1",
                                                   "idempotency_key": "x"}),
    ("get", "/api/v1/aid/programmes/{prog}", None),
    ("post", "/api/v1/aid/programmes/{prog}/generate", None),
    ("post", "/api/v1/aid/programmes/{prog}/beneficiaries", {"file_id": "{pk}"}),
    ("post", "/api/v1/aid/programmes/{prog}/approve", {}),
    ("post", "/api/v1/aid/programmes/{prog}/close", None),
    ("post", "/api/v1/aid/programmes/{prog}/pay-all", None),
    ("post", "/api/v1/aid/programmes/{prog}/beneficiaries/{bid}/pay", None),
    ("get", "/api/v1/aid/dashboard?org=SH-A", None),
    ("get", "/api/v1/aid/due/reviews?within=SH-A", None),
]


def _fill(text: str, ids: dict) -> str:
    for key, value in ids.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_hides_district_a_from_district_b(client, secret, other_district_cadre, method,
                                              path, body):
    ids = _ids(secret)
    payload = _fill(json.dumps(body), ids) if body is not None else None
    if payload and '"file_id": "' in payload:
        payload = payload.replace(f'"file_id": "{ids["pk"]}"', f'"file_id": {ids["pk"]}')
    before = _state()
    response = getattr(login(client, other_district_cadre), method)(
        _fill(path, ids), data=payload, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "甲区困难户" not in response.content.decode()
    assert _state() == before


def test_api_lists_only_the_subtree(client, secret, other_district_cadre, district_cadre):
    body = login(client, other_district_cadre).get("/api/v1/aid/files").json()
    assert (body["count"], body["items"]) == (0, [])
    body = login(client, other_district_cadre).get("/api/v1/aid/programmes").json()
    assert (body["count"], body["items"], body["next"]) == (0, [], None)
    body = login(client, district_cadre).get("/api/v1/aid/files").json()
    assert [row["applicant_name"] for row in body["items"]] == ["甲区困难户"]


def test_api_masks_ids_and_reveal_is_logged(client, secret, district_cadre, aid_cadre):
    file, _programme = secret
    detail = login(client, aid_cadre).get(f"/api/v1/aid/files/{file.pk}").json()
    me = file.household.get(relation="self")
    assert detail["household"][0]["id_number_masked"] == me.id_masked
    assert me.id_number not in json.dumps(detail)
    # the grassroots cadre holds no aid.reveal
    denied = client.post(f"/api/v1/aid/files/{file.pk}/reveal", data={"purpose": "核对"},
                         content_type="application/json")
    assert denied.status_code == 403
    assert SensitiveRead.objects.count() == 0
    revealed = login(client, district_cadre).post(
        f"/api/v1/aid/files/{file.pk}/reveal", data={"purpose": "入户核对身份"},
        content_type="application/json").json()
    assert revealed[0] == {"name": "甲区困难户", "relation": "self", "id_number": me.id_number}
    log = SensitiveRead.objects.get()
    assert (log.actor_name, log.subject_id, log.field, log.purpose, log.count) == (
        "district_a", str(file.pk), "household.id_number", "入户核对身份", 2)


def test_reveal_page_logs_before_showing(client, secret, district_cadre):
    file, _programme = secret
    me = file.household.get(relation="self")
    html = login(client, district_cadre).get(reverse("aid:file", args=[file.pk])).content.decode()
    assert me.id_number not in html
    assert SensitiveRead.objects.count() == 0
    response = client.post(reverse("aid:reveal", args=[file.pk]), {"purpose": "核对家庭成员身份"},
                           HTTP_HX_REQUEST="true")
    assert me.id_number in response.content.decode()
    assert SensitiveRead.objects.get().subject_id == str(file.pk)


def test_documents_only_through_the_scoped_view(client, secret, aid_cadre, settings):
    file, _programme = secret
    doc = file.documents.get()
    response = login(client, aid_cadre).get(reverse("aid:document", args=[file.pk, doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG
    # the stored name reveals nothing and lies under no public URL
    assert "home" not in doc.content.name
    assert client.get(f"/media/{doc.content.name}").status_code == 404


def test_api_anonymous_gets_401(client, secret):
    ids = _ids(secret)
    before = _state()
    for method, path, body in API:
        payload = _fill(json.dumps(body), ids) if body is not None else None
        response = getattr(client, method)(_fill(path, ids), data=payload,
                                           content_type="application/json")
        assert response.status_code == 401, path
    assert _state() == before
