"""Issue 13 findings 8–10: API tokens die with the password or the account; Secure cookies and
HSTS behind TLS; a password policy that refuses a common word plus a year; sign-in lockout by
username + address with a per-address limit, the same on the page and the token endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.utils import translation

from conftest import PASSWORD, login
from gonghui.accounts.models import APIToken, User
from gonghui.accounts.services import password_check
from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kx7-river-boat"
CITY, ATTACKER = "10.0.0.1", "10.6.6.6"


def _token(username: str, password: str = PASSWORD, ip: str = CITY):
    return Client(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token", data=json.dumps({"username": username, "password": password}),
        content_type="application/json")


def _api(token: str):
    return Client().get("/api/v1/orgs/SH-A-1", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- 8: tokens ------------------------------------------------------------------------------

def test_password_change_on_the_page_revokes_tokens(client, tree, district_cadre):
    token = _token("district_a").json()["token"]
    assert _api(token).status_code == 200
    login(client, district_cadre)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert _api(token).status_code == 401
    assert APIToken.objects.filter(user=district_cadre).count() == 0
    fresh = _token("district_a", NEW_PASSWORD).json()["token"]
    assert _api(fresh).status_code == 200


def test_password_set_anywhere_revokes_tokens(tree, district_cadre):
    token = _token("district_a").json()["token"]
    user = User.objects.get(pk=district_cadre.pk)
    user.set_password(NEW_PASSWORD)  # the admin, `changepassword`, a shell
    user.save()
    assert _api(token).status_code == 401
    assert APIToken.objects.count() == 0


def test_password_changed_by_a_bulk_update_revokes_on_use(tree, district_cadre):
    from django.contrib.auth.hashers import make_password

    token = _token("district_a").json()["token"]
    User.objects.filter(pk=district_cadre.pk).update(password=make_password(NEW_PASSWORD))
    assert _api(token).status_code == 401
    assert APIToken.objects.count() == 0
    event = AuditEvent.objects.get(action="token.revoke")
    assert event.after == {"count": 1, "reason": "password"}


def test_disabled_account_loses_its_tokens_for_good(tree, district_cadre):
    token = _token("district_a").json()["token"]
    user = User.objects.get(pk=district_cadre.pk)
    user.is_active = False
    user.save()
    assert APIToken.objects.count() == 0
    user.is_active = True  # enabled again: the old token stays dead
    user.save()
    assert _api(token).status_code == 401


def test_unrelated_save_keeps_tokens(tree, district_cadre):
    token = _token("district_a").json()["token"]
    user = User.objects.get(pk=district_cadre.pk)
    user.display_name = "新名字"
    user.save()
    assert _api(token).status_code == 200
    assert APIToken.objects.count() == 1


# --- 9: TLS settings ------------------------------------------------------------------------

def _settings_under(env: dict[str, str]) -> dict:
    code = ("import json, gonghui.settings as s; print(json.dumps({k: getattr(s, k, None) for k "
            "in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', "
            "'SECURE_HSTS_SECONDS']}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, check=True,
                         capture_output=True, text=True, cwd=os.environ.get("PWD", "."))
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_secure_cookies_and_hsts_only_when_turned_on(tmp_path):
    base = {"GONGHUI_DATA_DIR": str(tmp_path)}
    assert _settings_under(base) == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
                                     "SECURE_PROXY_SSL_HEADER": None, "SECURE_HSTS_SECONDS": 0}
    assert _settings_under({**base, "GONGHUI_SECURE_COOKIES": "1"}) == {
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000}


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                   SECURE_HSTS_SECONDS=31536000)
def test_behind_tls_the_session_cookie_is_secure_and_hsts_is_sent(tree, district_cadre):
    client = Client()
    response = client.post("/accounts/login/", {"username": "district_a", "password": PASSWORD},
                           HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    plain = Client().get("/accounts/login/")  # not through the TLS proxy: no HSTS over http
    assert "Strict-Transport-Security" not in plain


# --- 10: password policy and lockout ----------------------------------------------------------

@pytest.mark.parametrize("password", ["gonghui2026", "shanghai2026", "Gonghui2026",
                                      "Gonghui2026!", "2026@Shanghai", "Password123",
                                      "工会2026"])
def test_common_word_plus_year_is_refused(password):
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as exc:
        password_check(password, User(username="someone"))
    assert "常见词加年份或数字" in exc.value.message


@pytest.mark.parametrize("password", ["Kx7-river-boat", "Test-pass-2026", "mq4Tz9vLpa2"])
def test_strong_passwords_pass(password):
    password_check(password, User(username="someone"))


def _page_login(username: str, password: str, ip: str):
    return Client(REMOTE_ADDR=ip).post("/accounts/login/",
                                       {"username": username, "password": password})


def test_five_guesses_do_not_lock_the_owner_out_from_elsewhere(tree, city_admin):
    for _ in range(5):
        _page_login("city_admin", "wrong-guess-1", ATTACKER)
    assert _page_login("city_admin", PASSWORD, ATTACKER).status_code == 429
    assert _token("city_admin", ip=ATTACKER).status_code == 429
    assert _page_login("city_admin", PASSWORD, CITY).status_code == 302
    assert _token("city_admin", ip=CITY).status_code == 200


def test_token_failures_lock_the_page_too(tree, city_admin):
    for _ in range(5):
        _token("city_admin", "wrong-guess-1", ip=ATTACKER)
    assert _page_login("city_admin", PASSWORD, ATTACKER).status_code == 429


def test_one_address_guessing_many_accounts_is_locked(tree, city_admin, district_cadre):
    names = [f"nobody{i}" for i in range(19)]
    for name in names:
        assert _page_login(name, "wrong-guess-1", ATTACKER).status_code == 400
    # the 20th failure from that address locks it, whatever the account
    assert _token("district_a", "wrong-guess-1", ip=ATTACKER).status_code == 429
    assert _page_login("city_admin", PASSWORD, ATTACKER).status_code == 429
    assert _token("district_a", ip=ATTACKER).status_code == 429
    assert _page_login("city_admin", PASSWORD, CITY).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address(tree, district_cadre):
    for i in range(19):
        _page_login(f"nobody{i}", "wrong-guess-1", ATTACKER)
    assert _page_login("district_a", PASSWORD, ATTACKER).status_code == 302
    assert _page_login("nobody99", "wrong-guess-1", ATTACKER).status_code == 429
    assert _page_login("district_a", PASSWORD, ATTACKER).status_code == 429


def test_the_owners_own_failures_are_cleared_by_their_sign_in(tree, district_cadre):
    for _ in range(4):
        _page_login("district_a", "wrong-guess-1", CITY)
    assert _page_login("district_a", PASSWORD, CITY).status_code == 302
    for _ in range(4):  # four more after the reset: still not locked
        _page_login("district_a", "wrong-guess-1", CITY)
    assert _page_login("district_a", PASSWORD, CITY).status_code == 302
