"""Issue 13 finding 11: security headers on every response — a Content-Security-Policy without
inline script (page behaviour moved to static files), no framing, nosniff, a referrer policy —
and `Cache-Control: no-store` on everything a signed-in user or an API client receives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

import gonghui
from conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

ROOT = Path(gonghui.__file__).parent


def _csp(response) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))}


def _common_headers(response) -> None:
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_anonymous_pages_and_errors(tree):
    client = Client()
    for url, status in [("/accounts/login/", 200), ("/no-such-page/", 404),
                        ("/api/v1/orgs", 401)]:
        response = client.get(url)
        assert response.status_code == status
        _common_headers(response)


def test_signed_in_pages_are_not_stored(client, tree, district_cadre):
    login(client, district_cadre)
    for url in ("/", "/members/roster/", "/orgs/"):
        response = client.get(url, follow=False)
        assert response.status_code in (200, 302)
        _common_headers(response)
        assert response["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(tree, district_cadre):
    token = Client().post("/api/v1/auth/token", data=json.dumps(
        {"username": "district_a", "password": PASSWORD}), content_type="application/json")
    assert token["Cache-Control"] == "no-store"  # the token itself
    response = Client().get("/api/v1/orgs/SH-A-1",
                            HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    _common_headers(response)


def test_api_docs_work_under_the_policy(client, tree, district_cadre):
    login(client, district_cadre)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr.net" not in html
    assert _executable_inline_scripts(html) == []


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def _executable_inline_scripts(html: str) -> list[str]:
    found = []
    for attrs, body in _SCRIPT.findall(html):
        if "src=" in attrs or "application/json" in attrs:
            continue
        found.append(body.strip()[:80])
    return found


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)


def test_no_template_carries_inline_script():
    offenders = []
    for path in _templates():
        text = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        offenders += [f"{name}: <script>{s}" for s in _executable_inline_scripts(text)]
        offenders += [f"{name}: {m.group(0).strip()}" for m in _HANDLER.finditer(text)]
        if "javascript:" in text:
            offenders.append(f"{name}: javascript: URL")
    assert offenders == []


def test_every_page_script_file_exists():
    """A template's <script src> names a file that is really there (moved scripts)."""
    roots = [p for p in ROOT.rglob("static") if p.is_dir()]
    missing = []
    for path in _templates():
        for name in re.findall(r"<script src=\"\{% static '([^']+)' %\}\"", path.read_text()):
            if not any((static / name).exists() for static in roots):
                missing.append(name)
    assert missing == []
