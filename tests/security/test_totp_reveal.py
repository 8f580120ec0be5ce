"""TOTP required for the roles that can reveal personal data (issue 13; accounts/second_factor.py),
with GONGHUI_REQUIRE_TOTP_FOR_REVEAL on as in production: a reveal-capable user without an
authenticator is sent to enrol one; a reveal without an OTP-verified session, or by an API token
not issued against a code, is refused (403 with a code) and logs nothing; after signing in with
the code, or with a token issued against one, the reveal works."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, login, make_user
from gonghui.audit.models import SensitiveRead
from gonghui.members import services
from gonghui.members.tests.factories import person_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _totp_required(settings):
    settings.GONGHUI_REQUIRE_TOTP_FOR_REVEAL = True


@pytest.fixture
def member(tree, city_admin):
    return services.member_add(union=tree["SH-A-1-1"], actor=city_admin,
                               fields=person_fields("李四"))


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits,
                    device.drift)).zfill(device.digits)


def _api_reveal(client, member, **headers):
    return client.post(f"/api/v1/members/{member.pk}/reveal", {"purpose": "核对身份"},
                       content_type="application/json", **headers)


def test_a_reveal_capable_user_without_an_authenticator_is_sent_to_enrol(client, member,
                                                                        grassroots_cadre):
    login(client, grassroots_cadre)
    page = client.get(reverse("members:list"))
    assert (page.status_code, page["Location"]) == (302, reverse("accounts:totp"))
    enrol = client.get(reverse("accounts:totp"))
    assert enrol.status_code == 200
    refused = _api_reveal(client, member)
    assert (refused.status_code, refused.json()["code"]) == (403, "totp_enrolment_required")
    assert member.person.id_number not in refused.content.decode()
    assert SensitiveRead.objects.count() == 0


def test_users_who_cannot_reveal_are_not_asked(client, tree, member):
    login(client, make_user("auditor_x", org=tree["SH-A"], role="auditor"))
    assert client.get(reverse("home")).status_code == 200
    login(client, make_user("worker_x"))
    home = client.get(reverse("home"))
    assert home.get("Location") != reverse("accounts:totp")
    assert home.status_code in (200, 302)


def test_an_unverified_session_is_refused_and_a_verified_sign_in_reveals(client, member,
                                                                        grassroots_cadre):
    device = _device(grassroots_cadre)
    login(client, grassroots_cadre)   # a session without the second factor
    assert client.get(reverse("members:list")).status_code == 200
    page = client.post(reverse("members:reveal", args=[member.pk]),
                       {"field": "id_number", "purpose": "核对身份"})
    assert page.status_code == 403
    assert "须经动态口令验证" in page.content.decode()
    assert member.person.id_number not in page.content.decode()
    api = _api_reveal(client, member)
    assert (api.status_code, api.json()["code"]) == (403, "otp_required")
    assert SensitiveRead.objects.count() == 0

    client.logout()
    signed_in = client.post(reverse("accounts:login"), {
        "username": grassroots_cadre.username, "password": PASSWORD,
        "otp_token": _code(device)})
    assert signed_in.status_code == 302
    shown = client.post(reverse("members:reveal", args=[member.pk]),
                        {"field": "id_number", "purpose": "核对身份"})
    assert shown.status_code == 200
    assert member.person.id_number in shown.content.decode()
    assert SensitiveRead.objects.count() == 1


def test_api_tokens_reveal_only_when_issued_against_a_code(client, member, grassroots_cadre,
                                                          district_cadre):
    device = _device(grassroots_cadre)
    url = "/api/v1/auth/token"
    body = {"username": grassroots_cadre.username, "password": PASSWORD}
    no_code = client.post(url, body, content_type="application/json")
    assert (no_code.status_code, no_code.json()["code"]) == (401, "otp_required")
    wrong = client.post(url, {**body, "otp_token": "000000"}, content_type="application/json")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_required")
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()   # django-otp slows retries down
    device.refresh_from_db()
    issued = client.post(url, {**body, "otp_token": _code(device)},
                         content_type="application/json")
    assert issued.status_code == 200
    token = issued.json()["token"]
    shown = _api_reveal(client, member, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (shown.status_code, shown.json()["id_number"]) == (200, member.person.id_number)
    assert SensitiveRead.objects.count() == 1
    # no authenticator: a token is issued (the API reads), but it never reveals
    plain = client.post(url, {"username": district_cadre.username, "password": PASSWORD},
                        content_type="application/json").json()["token"]
    refused = _api_reveal(client, member, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert (refused.status_code, refused.json()["code"]) == (403, "totp_enrolment_required")
    assert client.get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    assert SensitiveRead.objects.count() == 1


def test_off_the_rule_asks_nothing(client, member, grassroots_cadre, settings):
    settings.GONGHUI_REQUIRE_TOTP_FOR_REVEAL = False
    login(client, grassroots_cadre)
    assert client.get(reverse("members:list")).status_code == 200
    assert _api_reveal(client, member).json()["id_number"] == member.person.id_number


def test_a_revealed_export_asks_the_second_factor_of_the_request_that_starts_it(
        tree, grassroots_cadre):
    """The worker reveals as the job's creator, with no session to ask: the export job is
    refused at creation unless the starting request was OTP-verified (docs/security.md)."""
    from gonghui.core.errors import Forbidden
    from gonghui.roster.models import ExportJob
    from gonghui.roster.services import export_job_create

    _device(grassroots_cadre)
    grassroots_cadre.is_verified = lambda: False   # as django-otp marks an unverified session
    with pytest.raises(Forbidden) as exc:
        export_job_create(org=tree["SH-A-1-1"], actor=grassroots_cadre, reveal=True,
                          purpose="核对身份", enqueue=False)
    assert exc.value.code == "otp_required"
    assert ExportJob.objects.count() == 0
    # masked exports are not asked; a verified request may start the revealed one
    export_job_create(org=tree["SH-A-1-1"], actor=grassroots_cadre, enqueue=False)
    grassroots_cadre.is_verified = lambda: True
    job = export_job_create(org=tree["SH-A-1-1"], actor=grassroots_cadre, reveal=True,
                            purpose="核对身份", enqueue=False)
    assert (job.reveal, ExportJob.objects.count()) == (True, 2)
