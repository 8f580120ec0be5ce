"""The survey link for workers without an account: a signed link, a QR code made on the host,
the identity proved by the mobile number the union holds and a texted code, the once-only rule
and the declared anonymity of the portal, and a page that does not tell a stranger who is in
the survey."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.core.errors import NotFound
from gonghui.evaluation.models import Answered, Response
from gonghui.evaluation.services import links
from gonghui.evaluation.services import surveys as svc
from gonghui.evaluation.tests.conftest import add_members
from gonghui.members.models import Person
from gonghui.members.phone_check import phone_code


class RecordingSms:
    """An SMS backend that keeps what it was asked to send."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture(autouse=True)
def _sms(settings: Any) -> Any:
    settings.GONGHUI_SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent.clear()
    return RecordingSms.sent


@pytest.fixture
def survey(tree: Any, city_admin: Any) -> Any:
    members = add_members(tree["SH-A-1-1"], 3, city_admin)
    for n, m in enumerate(members):
        Person.objects.filter(pk=m.person_id).update(phone=f"1390000000{n}")
    survey = svc.survey_create(org=tree["SH-A-1-1"], title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 3, 31), actor=city_admin)
    svc.question_add(survey=survey, kind="single", text="您是否加班", options=["是", "否"],
                     actor=city_admin)
    svc.question_add(survey=survey, kind="text", text="建议", required=False, actor=city_admin)
    return svc.survey_open(survey=survey, actor=city_admin)


def _url(survey: Any) -> str:
    return reverse("evaluation:link", args=[links.link_token(survey)])


def _verified(survey: Any, phone: str = "13900000001") -> Client:
    client = Client()
    url = _url(survey)
    assert client.post(url, {"action": "send", "phone": phone}).status_code == 200
    response = client.post(url, {"action": "verify", "phone": phone,
                                 "code": phone_code(phone)})
    assert response.status_code == 200
    return client


def test_link_is_signed(survey) -> None:
    token = links.link_token(survey)
    assert links.survey_for_token(token) == survey
    with pytest.raises(NotFound):
        links.survey_for_token(f"{survey.pk}:forged")
    assert Client().get(reverse("evaluation:link", args=[f"{survey.pk}:x"])).status_code == 404


def test_worker_without_account_answers_once(survey) -> None:
    q1, q2 = survey.questions.all()
    page = Client().get(_url(survey))
    assert page.status_code == 200
    assert "获取验证码" in page.content.decode()
    client = _verified(survey)
    assert RecordingSms.sent == [("13900000001", f"您正在填写问卷“职工队伍状况调查”，验证码是 "
                                                 f"{phone_code('13900000001')}，10 分钟内有效。"
                                                 f"如非本人操作请忽略。")]
    assert 'id="answer-form"' in client.get(_url(survey)).content.decode()
    done = client.post(_url(survey), {"action": "answer", f"q{q1.pk}": "2", f"q{q2.pk}": "好"})
    assert done.status_code == 200
    assert "您已提交本问卷" in done.content.decode()
    person = Person.objects.get(phone="13900000001")
    assert list(Answered.objects.values_list("person_id", flat=True)) == [person.pk]
    response = Response.objects.get()
    assert (response.person_id, response.anonymous) == (None, True)
    assert sorted(response.answers.values_list("option", "text")) == [("", "好"), ("2", "")]
    event = AuditEvent.objects.filter(action="evaluation.survey.answer").get()
    assert (event.object_id, event.actor_name) == (str(survey.pk), "survey-link")
    # a second submission from the same browser, or after proving the number again, changes
    # nothing
    again = client.post(_url(survey), {"action": "answer", f"q{q1.pk}": "1"})
    assert again.status_code == 409
    assert "每人只能提交一次" in again.content.decode()
    assert (Answered.objects.count(), Response.objects.count()) == (1, 1)


def test_a_stranger_learns_nothing_and_gets_no_text(survey) -> None:
    client = Client()
    reply = client.post(_url(survey), {"action": "send", "phone": "13711112222"})
    assert reply.status_code == 200
    assert "如该手机号在本次调查范围内，验证码已发送" in reply.content.decode()
    assert RecordingSms.sent == []
    wrong = client.post(_url(survey), {"action": "verify", "phone": "13711112222",
                                       "code": "000000"})
    assert wrong.status_code == 400
    assert "验证码不正确或已过期。" in wrong.content.decode()
    # even with the right code for that number, someone not invited cannot answer
    right = client.post(_url(survey), {"action": "verify", "phone": "13711112222",
                                       "code": phone_code("13711112222")})
    assert right.status_code == 400
    assert "您不在本次调查的范围内。" in right.content.decode()
    q1 = survey.questions.first()
    refused = client.post(_url(survey), {"action": "answer", f"q{q1.pk}": "1"})
    assert refused.status_code == 400
    assert "请先验证手机号。" in refused.content.decode()
    assert (Answered.objects.count(), Response.objects.count()) == (0, 0)


def test_bad_phone_and_closed_survey(survey, city_admin) -> None:
    bad = Client().post(_url(survey), {"action": "send", "phone": "12345"})
    assert bad.status_code == 400
    assert RecordingSms.sent == []
    client = _verified(survey, "13900000002")
    svc.survey_close(survey=survey, actor=city_admin)
    q1 = survey.questions.first()
    closed = client.post(_url(survey), {"action": "answer", f"q{q1.pk}": "1"})
    assert closed.status_code == 409
    assert "本问卷不在答题期内。" in closed.content.decode()
    assert Answered.objects.count() == 0


def test_qr_code_for_cadres_only(survey, client, city_admin, tree) -> None:
    from conftest import make_user

    client.force_login(city_admin)
    qr = client.get(reverse("evaluation:survey_qr", args=[survey.pk]))
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/svg+xml")
    assert qr.content.startswith(b"<?xml")
    assert b"<svg" in qr.content
    page = client.get(reverse("evaluation:survey", args=[survey.pk]))
    assert f"http://testserver{_url(survey)}" in page.content.decode()
    other = Client()
    other.force_login(make_user("cadre_b", org=tree["SH-B"], role="cadre"))
    assert other.get(reverse("evaluation:survey_qr", args=[survey.pk])).status_code == 404
    assert Client().get(reverse("evaluation:survey_qr", args=[survey.pk])).status_code == 302


def test_link_api(survey, client, city_admin) -> None:
    client.force_login(city_admin)
    got = client.get(f"/api/v1/evaluation/surveys/{survey.pk}/link")
    assert got.status_code == 200
    assert got.json() == {"url": f"http://testserver{_url(survey)}",
                          "qr": f"http://testserver/evaluation/surveys/{survey.pk}/qr.svg"}
