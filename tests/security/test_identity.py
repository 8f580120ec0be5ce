"""Issue 13 items 4 and 14 against the two-district world: ID numbers stay out of URLs and out of
the logs; every list answers a capability held nowhere with 403 and an org filter outside the
viewer's subtrees with 404, pages and API alike (one gate, not one view at a time)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core.middleware import (
    SEALED,
    MaskedAccessLogger,
    MaskIdNumbersFilter,
    mask_id_numbers,
    seal_id,
)
from tests.matrix.personas import DISTRICT_A_ON_B, MEMBER
from tests.matrix.routes import API, PAGES
from tests.matrix.world import World

API_PREFIX = "/api/v1"
NUMBER = "11010519491231002X"


def _client(world: World, persona: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.user(persona), backend="django.contrib.auth.backends.ModelBackend")
    return client


def _list_pages() -> list[str]:
    out = []
    for key, entry in PAGES.items():
        for route in entry:
            if route.method == "GET" and route.obj is None and not route.params:
                try:
                    out.append(reverse(key))
                except Exception:  # noqa: S112 — a pattern with arguments is not a list
                    continue
    return sorted(set(out))


def _list_operations() -> list[str]:
    return sorted(API_PREFIX + key.split(" ", 1)[1] for key in API
                  if key.startswith("GET ") and "{" not in key)


# --- item 14 ----------------------------------------------------------------------------------

def test_an_org_filter_outside_the_subtrees_is_404_on_every_list(two_districts):
    """A district-A administrator naming district B in any list's filter: 404 everywhere."""
    client = _client(two_districts, DISTRICT_A_ON_B)
    urls = _list_pages() + _list_operations()
    answers = {url: client.get(url, {"org": "SH-B-1-1"}).status_code for url in urls}
    assert len(urls) > 150
    assert {url: s for url, s in answers.items() if s != 404} == {}
    # inside the subtree the filter is the list's own business (never the gate's 404)
    assert client.get(reverse("members:list"), {"org": "SH-A-1-1"}).status_code == 200
    assert client.get(API_PREFIX + "/members", {"org": "SH-A-1-1"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/orgs", "/api/v1/members", "/api/v1/aid/files",
                                 "/api/v1/mutualaid/batches"])
def test_a_member_on_a_cadre_list_is_refused_not_given_an_empty_list(two_districts, url):
    response = _client(two_districts, MEMBER).get(url)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_member_on_a_cadre_page_is_refused(two_districts):
    response = _client(two_districts, MEMBER).get(reverse("members:list"))
    assert response.status_code == 403


# --- item 4 -----------------------------------------------------------------------------------

def test_a_search_by_id_number_is_posted_and_sealed(two_districts):
    client = _client(two_districts, DISTRICT_A_ON_B)
    from gonghui.members.models import Membership

    m = Membership.objects.filter(union__code="SH-A-1-1").select_related("person") \
        .order_by("id").first()
    number = m.person.id_number
    posted = client.post(reverse("members:list"), {"q": number, "_id_search": "1",
                                                    "status": "all"})
    assert posted.status_code == 303
    location = posted["Location"]
    assert number not in location
    assert f"q={SEALED}" in location
    page = client.get(location)
    assert page.status_code == 200
    assert [row.pk for row in page.context["page"].object_list] == [m.pk]
    # a bare number in a page's URL: one hop to the sealed form
    bare = client.get(reverse("members:list"), {"q": number})
    assert bare.status_code == 303
    assert number not in bare["Location"]
    # the API takes the sealed value as the page's URL carries it
    token = seal_id(number)
    items = client.get(API_PREFIX + "/members", {"q": token, "status": "all"}).json()["items"]
    assert [i["id"] for i in items] == [m.pk]
    # or the number in a POST body
    found = client.post(API_PREFIX + "/members/search", {"q": number},
                        content_type="application/json")
    assert [i["id"] for i in found.json()["items"]] == [m.pk]


def test_the_api_refuses_a_bare_id_number_in_a_url(two_districts):
    client = _client(two_districts, DISTRICT_A_ON_B)
    from gonghui.members.models import Membership

    number = Membership.objects.filter(union__code="SH-A-1-1").select_related("person") \
        .order_by("id").first().person.id_number
    for path, params in ((API_PREFIX + "/members", {"q": number, "status": "all"}),
                         (API_PREFIX + "/members", {"q": number.lower() + " "}),
                         (API_PREFIX + "/aid/files", {"q": number})):
        response = client.get(path, params)
        assert response.status_code == 400, path
        assert response.json() == {
            "detail": "请勿在网址中传送身份证号码：按身份证号码查询请用 "
                      "POST /api/v1/members/search，号码放在请求正文中。",
            "code": "id_number_in_url"}
        assert number not in response.content.decode()
    # a number that is not 18 characters long is an ordinary search
    assert client.get(API_PREFIX + "/members", {"q": number[:10]}).status_code == 200


def test_the_pages_send_id_searches_as_post(two_districts):
    page = _client(two_districts, DISTRICT_A_ON_B).get(reverse("members:list")).content.decode()
    assert "/static/js/gh-id-search.js" in page


def test_id_numbers_are_masked_in_log_lines():
    assert mask_id_numbers(f"GET /members/?q={NUMBER}&page=2 HTTP/1.1") == \
        "GET /members/?q=110***********002X&page=2 HTTP/1.1"
    assert mask_id_numbers("card 123456789012345678901") == "card 123456789012345678901"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /api/v1/members?q={NUMBER} HTTP/1.1", "200", "1"), None)
    MaskIdNumbersFilter().filter(record)
    assert record.getMessage() == '"GET /api/v1/members?q=110***********002X HTTP/1.1" 200 1'


def test_the_access_log_masks_id_numbers():
    from gunicorn.config import Config

    class Resp:
        status = "200 OK"
        sent = 10
        headers: list[tuple[str, str]] = []

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/members/?q={NUMBER}",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/members/",
               "QUERY_STRING": f"q={NUMBER}", "HTTP_REFERER": f"https://x/members/?q={NUMBER}",
               "REMOTE_ADDR": "10.0.0.1"}
    atoms = MaskedAccessLogger(Config()).atoms(Resp(), [], environ, dt.timedelta(seconds=1))
    assert (atoms["r"], atoms["q"], atoms["f"]) == (
        "GET /members/?q=110***********002X HTTP/1.1", "q=110***********002X",
        "https://x/members/?q=110***********002X")
