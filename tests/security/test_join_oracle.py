"""Issue 13 item 2, what the first pass left: an open application from another account to the
same union no longer answers "an application is open" (that told a stranger the ID number was on
file and applied for). Each account has its own open application; the union sees both, flagged."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import login, make_user
from gonghui.core.errors import Conflict
from gonghui.members import services
from gonghui.members.models import Application
from gonghui.members.services import identity
from gonghui.members.tests.factories import id_number, person_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _apply(client, number: str):
    response = client.post(reverse("members:portal_apply_form", args=["SH-A-1-1"]), {
        "basis": "employer", "consent": "on", "name": "韩梅", "id_number": number,
        "phone": "13512345678"})
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return response.status_code, [str(m) for m in page.context["messages"]][-1:]


def test_another_accounts_open_application_answers_like_a_fresh_number(client, tree,
                                                                        grassroots_cadre):
    applied_for = id_number()
    services.application_submit(union=tree["SH-A-1-1"], actor=make_user("first"),
                                fields=person_fields("韩梅", id_number=applied_for))
    login(client, make_user("w1"))
    fresh = _apply(client, id_number())
    login(client, make_user("w2"))
    taken = _apply(client, applied_for)
    assert fresh == taken == (302, ["申请已提交，工会审批后会在这里通知您。"])
    mine = Application.objects.get(applicant__username="w2")
    first = Application.objects.get(applicant__username="first")
    assert mine.person_id == first.person_id
    assert identity.review_flags(mine) == ["identity_unproven", "other_open_application"]
    assert identity.review_flags(first) == ["identity_unproven", "other_open_application"]
    page = login(client, grassroots_cadre).get(reverse("members:application", args=[mine.pk]))
    assert "该身份证号码另有一份向本工会提交、尚待审批的申请" in page.content.decode()


def test_the_api_answers_alike_too(client, tree):
    applied_for = id_number()
    services.application_submit(union=tree["SH-A-1-1"], actor=make_user("first"),
                                fields=person_fields("韩梅", id_number=applied_for))
    login(client, make_user("w1"))
    answers = [client.post("/api/v1/applications", {
        "union": "SH-A-1-1", "name": "韩梅", "id_number": number, "phone": "13512345678"},
        content_type="application/json") for number in (id_number(), applied_for)]
    assert [(r.status_code, r.json()["status"]) for r in answers] == [(201, "submitted")] * 2


def test_an_account_still_has_one_open_application_per_union(tree):
    worker = make_user("w1")
    number = id_number()
    services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                fields=person_fields("韩梅", id_number=number))
    with pytest.raises(Conflict) as exc:
        services.application_submit(union=tree["SH-A-1-1"], actor=worker,
                                    fields=person_fields("韩梅", id_number=number))
    assert exc.value.code == "application_open"
    assert Application.objects.count() == 1


def test_the_first_approval_wins_and_the_other_cannot_be_approved(tree, grassroots_cadre):
    number = id_number()
    first = services.application_submit(union=tree["SH-A-1-1"], actor=make_user("a"),
                                        fields=person_fields("韩梅", id_number=number))
    second = services.application_submit(union=tree["SH-A-1-1"], actor=make_user("b"),
                                         fields=person_fields("韩梅", id_number=number))
    services.application_approve(application=first, actor=grassroots_cadre, reason="同意")
    with pytest.raises(Conflict):
        services.application_approve(application=second, actor=grassroots_cadre, reason="同意")
    second.refresh_from_db()
    assert second.status == "submitted"
    assert identity.review_flags(second) == ["identity_unproven", "already_member", "account_linked"]
