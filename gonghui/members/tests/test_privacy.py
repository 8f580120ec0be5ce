"""Issue 12 item 14: phones masked like ID numbers in lists and pages, revealed only through
the logged reveal with a purpose; a full-ID export asks for its purpose."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from gonghui.audit.models import SensitiveRead
from gonghui.core.errors import ApplicationError
from gonghui.members import services
from gonghui.members.tests.factories import person_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tree, city_admin):
    return services.member_add(union=tree["SH-A-1-1"],
                               fields=person_fields(name="李四", phone="13911112222"),
                               actor=city_admin)


def test_phones_are_masked_in_the_list_and_on_the_page(client, member, grassroots_cadre):
    login(client, grassroots_cadre)
    html = client.get(reverse("members:list")).content.decode()
    assert "139****2222" in html
    assert "13911112222" not in html
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "139****2222" in html
    assert "13911112222" not in html


def test_phone_reveal_asks_a_purpose_and_logs_it(client, member, grassroots_cadre):
    login(client, grassroots_cadre)
    url = reverse("members:reveal", args=[member.pk])
    refused = client.post(url, {"field": "phone", "purpose": " "})
    assert refused.status_code == 400
    assert "13911112222" not in refused.content.decode()
    assert SensitiveRead.objects.count() == 0
    shown = client.post(url, {"field": "phone", "purpose": "通知领取慰问品"})
    assert shown.status_code == 200
    assert "13911112222" in shown.content.decode()
    read = SensitiveRead.objects.get()
    assert (read.field, read.purpose, read.actor_id) == ("phone", "通知领取慰问品",
                                                          grassroots_cadre.pk)


def test_a_role_without_reveal_cannot_read_the_phone(client, tree, member):
    from conftest import make_user

    cadre = make_user("cadre_a1", org=tree["SH-A-1"], role="cadre")
    response = login(client, cadre).post(reverse("members:reveal", args=[member.pk]),
                                         {"field": "phone", "purpose": "x"})
    assert response.status_code == 403
    assert "13911112222" not in response.content.decode()
    assert SensitiveRead.objects.count() == 0


def test_full_id_export_needs_a_purpose(tree, member, district_cadre):
    from gonghui.roster.models import ExportJob
    from gonghui.roster.services import export_job_create

    with pytest.raises(ApplicationError, match="须填写查看用途"):
        export_job_create(org=tree["SH-A"], actor=district_cadre, reveal=True, purpose=" ",
                          enqueue=False)
    assert ExportJob.objects.count() == 0
    job = export_job_create(org=tree["SH-A"], actor=district_cadre, reveal=True,
                            purpose="年度统计", enqueue=False)
    assert job.purpose == "年度统计"


class _Texts:
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_self_registration_proves_the_phone(client, tree, settings):
    """Issue 12 item 14: no account for a number whose owner did not type the code sent to it."""
    from gonghui.accounts.models import User

    settings.GONGHUI_SMS_BACKEND = f"{__name__}._Texts"
    _Texts.sent = []
    url = reverse("members:portal_register")
    form = {"name": "韩梅", "phone": "13700001111", "password": "Plum-blossom-77",
            "password2": "Plum-blossom-77", "consent": "on"}
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "请填写短信验证码" in refused.content.decode()
    assert not User.objects.filter(username="13700001111").exists()

    sent = client.post(url, {**form, "send_code": "1"})
    assert sent.status_code == 200
    assert "验证码已发送至 137****1111" in sent.content.decode()
    ((phone, text),) = _Texts.sent
    code = text.split("验证码是 ")[1][:6]
    assert phone == "13700001111"
    assert code.isdigit()
    # asking again within a minute sends nothing more
    assert client.post(url, {**form, "send_code": "1"}).status_code == 400
    assert len(_Texts.sent) == 1

    wrong = client.post(url, {**form, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert not User.objects.filter(username="13700001111").exists()

    done = client.post(url, {**form, "code": code})
    assert done.status_code == 302
    assert User.objects.get(username="13700001111").display_name == "韩梅"
