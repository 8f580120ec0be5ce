from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, login
from gonghui.accounts.models import APIToken, User
from gonghui.accounts.services import password_check, user_create
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_then_lockout_after_five_failures(client, district_cadre):
    for _ in range(5):
        response = _login(client, "district_a", "wrong-password-1")
        assert response.status_code in (400, 429)  # the form again with 400 (was 200)
    response = _login(client, "district_a", PASSWORD)  # right password, but locked now
    assert response.status_code == 429
    assert "已被锁定 30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_success_is_allowed(client, district_cadre):
    for _ in range(4):
        assert "用户名或密码不正确" in _login(client, "district_a", "nope-nope-1").content.decode()
    response = _login(client, "district_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(district_cadre.pk)


def test_api_token_lockout(client, district_cadre):
    for _ in range(5):
        client.post("/api/v1/auth/token", data=json.dumps(
            {"username": "district_a", "password": "bad-pass-123"}), content_type="application/json")
    response = client.post("/api/v1/auth/token", data=json.dumps(
        {"username": "district_a", "password": PASSWORD}), content_type="application/json")
    assert response.status_code == 429
    assert APIToken.objects.count() == 0


@pytest.mark.parametrize(("password", "fragment"), [
    ("short1a", "至少"),                 # too short (Django's Chinese message)
    ("abcdefghijkl", "字母和数字"),       # letters only
    ("12345678901234", "数字"),         # digits only
    ("password123", "太常见"),           # common
])
def test_password_policy(db, password, fragment):
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as exc:
        password_check(password, User(username="someone"))
    assert fragment in exc.value.message
    assert User.objects.count() == 0


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = user_create(username="new_user", password="Strong-pass-2026", actor=system_actor("cli"))
    assert user.password.startswith("argon2$argon2id$")


def test_csrf_enforced_on_login_form(district_cadre):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "district_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_csrf_enforced_on_org_form(tree, district_cadre):
    client = Client(enforce_csrf_checks=True)
    login(client, district_cadre)
    response = client.post(f"/orgs/{tree['SH-A-1'].pk}/edit/", {"name": "改名"})
    assert response.status_code == 403


def test_csrf_enforced_on_session_api(tree, district_cadre):
    client = Client(enforce_csrf_checks=True)
    login(client, district_cadre)
    response = client.patch(f"/api/v1/orgs/{tree['SH-A-1'].pk}", data='{"name": "改名"}',
                            content_type="application/json")
    assert response.status_code == 403
    assert tree["SH-A-1"].name == "甲区一街道工会"


def test_token_auth_reaches_same_scope(client, tree, district_cadre):
    response = client.post("/api/v1/auth/token", data=json.dumps(
        {"username": "district_a", "password": PASSWORD}), content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    fresh = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert fresh.get("/api/v1/orgs/SH-A-1", **auth).status_code == 200
    assert fresh.get("/api/v1/orgs/SH-B-1", **auth).status_code == 404
    assert fresh.get("/api/v1/orgs/SH-A-1", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert APIToken.objects.get().key_hash == APIToken.hash_key(token)


def test_totp_required_when_enabled(client, district_cadre):
    device = TOTPDevice.objects.create(user=district_cadre, name="phone", confirmed=True)
    response = _login(client, "district_a", PASSWORD)
    assert "请输入动态口令" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "district_a", "password": PASSWORD,
                                                "otp_token": "000000"})
    assert "动态口令不正确" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles after a wrong code
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = client.post("/accounts/login/", {"username": "district_a", "password": PASSWORD,
                                                "otp_token": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(district_cadre.pk)


def test_idle_session_expires(client, district_cadre, settings):
    settings.SESSION_IDLE_SECONDS = 0
    login(client, district_cadre)
    session = client.session
    session["_gh_last_seen"] = 1
    session.save()
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_last_seen_is_written_once_a_minute_not_on_every_page(client, district_cadre,
                                                              monkeypatch):
    from gonghui.accounts import middleware

    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    login(client, district_cadre)
    assert client.session["_gh_last_seen"] == 1_000_000  # the sign-in itself
    client.get("/orgs/")
    assert client.session["_gh_last_seen"] == 1_000_000
    clock[0] += 59
    client.get("/orgs/")
    assert client.session["_gh_last_seen"] == 1_000_000  # not rewritten within the minute
    clock[0] += 1
    client.get("/orgs/")
    assert client.session["_gh_last_seen"] == 1_000_060
    clock[0] += 1801
    response = client.get("/orgs/")
    assert response.status_code == 302  # idle for more than 30 minutes: signed out
    assert response["Location"].startswith("/accounts/login/")


def test_login_form_errors_answer_400(client, district_cadre):
    response = client.post("/accounts/login/", {})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    login(client, district_cadre)
    assert client.get("/accounts/login/").status_code == 302  # signed in: sent on


def test_password_change_form_errors_answer_400(client, district_cadre):
    response = login(client, district_cadre).post("/accounts/password/", {})
    assert response.status_code == 400
    district_cadre.refresh_from_db()
    assert district_cadre.check_password(PASSWORD)


def test_totp_enrolment_by_the_typed_key(client, district_cadre):
    """A phone that cannot scan its own screen: the page shows the key in base32 groups and
    the otpauth:// link; a code computed from the typed key confirms the authenticator."""
    login(client, district_cadre)
    page = client.get("/accounts/totp/").content.decode()
    device = TOTPDevice.objects.get(user=district_cadre)
    typed = page.split('id="totp-key">', 1)[1].split("</code>", 1)[0]
    groups = typed.split(" ")
    assert all(len(g) == 4 for g in groups[:-1])
    assert 1 <= len(groups[-1]) <= 4
    secret = "".join(groups)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert 'href="otpauth://totp/' in page
    assert "在本机验证器中打开" in page
    token = f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"
    response = client.post("/accounts/totp/", {"token": token})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    page = client.get("/accounts/totp/").content.decode()
    assert 'id="totp-key"' not in page
    assert "已启用" in page
