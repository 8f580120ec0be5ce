from __future__ import annotations

from conftest import login


def test_chinese_by_default_whatever_the_browser_says(client, district_cadre):
    response = login(client, district_cadre).get("/orgs/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_to_english_sticks(client, district_cadre):
    login(client, district_cadre)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/orgs/"})
    assert response.status_code == 302
    response = client.get("/orgs/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_a_request_in_english_leaves_the_default_language_active(client, district_cadre):
    from django.utils import translation

    login(client, district_cadre)
    client.cookies["django_language"] = "en"
    assert client.get("/orgs/")["Content-Language"] == "en"
    assert translation.get_language() == "zh-hans"
