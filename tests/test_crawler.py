"""Issue 12: the crawler. As each persona, start at the home page and the navigation and follow
every same-host GET link (bounded), on the route matrix's world (one object of every kind in
two districts: demo-like data). Every page must answer without a server error, read in Chinese
when the language is Chinese (no English words outside a small allowlist of proper names and
formats) and answer within the time budget (1 s; GONGHUI_CRAWL_BUDGET to change it on a
loaded machine).

Downloads (files, PDFs, spreadsheets), the API, static files, language switching and signing
out are not followed; a page is visited once per path and set of query keys (page=2 and
page=3 are one page), at most MAX_PAGES per persona.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest
from django.test import Client

from tests.matrix.module_world import world_for_module
from tests.matrix.personas import ADMIN, AUDITOR, DISTRICT_A_ON_B, GRASSROOTS, MEMBER, Persona
from tests.matrix.world import World

pytestmark = [pytest.mark.django_db]

MAX_PAGES = int(os.environ.get("GONGHUI_CRAWL_MAX", "250"))
BUDGET = float(os.environ.get("GONGHUI_CRAWL_BUDGET", "1.0"))

SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/i18n/", "/accounts/logout", "/admin/")
SKIP_PARTS = ("download", "/export", "format=", ".pdf", ".xlsx", ".csv", "/evidence/",
              "/pdf", "/file/", "/report/download")

# Proper names, formats and units that stay as they are in Chinese text; the usernames of the
# fixture world (shown as account names) and the product name.
ALLOWED = {
    "gonghui", "excel", "csv", "pdf", "xlsx", "api", "json", "htmx", "url", "http", "https",
    "www", "totp", "iso", "utc", "gmt", "cst", "png", "jpg", "jpeg", "webp", "ocr", "uscc",
    "city_admin", "district_a", "district_b", "grassroots_a11", "auditor", "worker",
    "cadre_a11", "cadre_b11", "treasurer", "email", "sms", "wechat", "app", "bank", "icbc",
    "ccb", "abc", "boc", "bocom", "ebank", "gb18030", "utf", "bom", "yyyy", "yyyymmdd",
    "todo", "google", "microsoft", "authenticator", "gbk", "xls", "registry_bot", "cadre_a", "cadre_b", "matrix", "test",
    "txt", "docx", "jiceng_a", "jiceng_b", "settlements", "match",
}
# Every persona's pages are held to "no English in Chinese mode".
ENGLISH_CHECKED = {MEMBER.name, GRASSROOTS.name, DISTRICT_A_ON_B.name, AUDITOR.name, ADMIN.name}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")   # whole identifiers: grassroots_a11


class _Page(HTMLParser):
    """The links of a page and its visible text (no scripts, styles, attribute values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "template", "datalist", "svg"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "template", "datalist", "svg") \
                and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _key(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)})
    return parts.path + ("?" + "&".join(keys) if keys else "")


def _follow(base: str, href: str) -> str | None:
    href, _frag = urldefrag(href.strip())
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc not in ("testserver", ""):
        return None
    path = parts.path if parts.path.startswith("/") else \
        urlsplit(base).path.rsplit("/", 1)[0] + "/" + parts.path
    if not path or path.startswith(SKIP_PREFIXES):
        return None
    url = path + ("?" + urlencode(parse_qsl(parts.query)) if parts.query else "")
    if any(part in url for part in SKIP_PARTS):
        return None
    return url


def english_words(text: str) -> list[str]:
    # a word with digits is an identifier (a case number like KN20260000001, an account name);
    # a word in capitals is a code a person chose (a plan's code ZYJT, a bank's ICBC)
    return sorted({w for w in WORD.findall(text)
                   if w.lower() not in ALLOWED and not any(c.isdigit() for c in w)
                   and not w.isupper()})


def crawl(client: Client, start: list[str]) -> dict[str, Any]:
    seen: set[str] = set()
    queue: deque[str] = deque(start)
    errors: list[str] = []
    english: dict[str, list[str]] = {}
    slow: dict[str, float] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        key = _key(url)
        if key in seen:
            continue
        seen.add(key)
        began = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - began
        visited += 1
        if response.status_code >= 500:
            errors.append(f"{url} → {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            target = _follow(url, response.get("Location", ""))
            if target:
                queue.append(target)
            continue
        if took > BUDGET:  # a pause of the machine is not a slow page: one second look
            began = time.perf_counter()
            client.get(url)
            took = min(took, time.perf_counter() - began)
        if took > BUDGET:
            slow[url] = round(took, 2)
        if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        page = _Page()
        page.feed(response.content.decode("utf-8", "replace"))
        words = english_words(" ".join(page.text))
        if words:
            english[url] = words
        for href in page.links:
            target = _follow(url, href)
            if target and _key(target) not in seen:
                queue.append(target)
    return {"visited": visited, "errors": errors, "english": english, "slow": slow}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with world_for_module(django_db_blocker) as built:
        yield built


def _nav_links(client: Client) -> list[str]:
    page = _Page()
    page.feed(client.get("/").content.decode("utf-8", "replace"))
    return ["/"] + [u for u in (_follow("/", h) for h in page.links) if u]


@pytest.mark.parametrize("persona", [MEMBER, GRASSROOTS, DISTRICT_A_ON_B, AUDITOR, ADMIN],
                         ids=lambda p: p.name)
def test_every_page_reachable_from_the_navigation(world: World, persona: Persona) -> None:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "zh-hans"
    client.force_login(world.user(persona), backend="django.contrib.auth.backends.ModelBackend")
    start = _nav_links(client)
    if persona is MEMBER:
        start.append("/members/portal/")
    result = crawl(client, start)
    assert result["visited"] >= 3, result
    assert result["errors"] == [], result["errors"]
    if persona.name in ENGLISH_CHECKED:
        assert result["english"] == {}, result["english"]
    assert result["slow"] == {}, f"slower than {BUDGET} s: {result['slow']}"


def test_the_crawler_sees_english_and_skips_downloads() -> None:
    """The checks themselves: words outside the allowlist are caught, files are not followed."""
    assert english_words("经费 Funds · 导出 Excel · 用户 city_admin · PDF · 计划 ZYJT") == ["Funds"]
    assert _follow("/funds/1/", "/funds/1/reports/balance/?format=xlsx") is None
    assert _follow("/funds/1/", "https://example.com/") is None
    assert _follow("/funds/1/", "/api/v1/orgs") is None
    assert _follow("/funds/1/", "/funds/1/journal/?page=2#top") == "/funds/1/journal/?page=2"
    assert _key("/a/?page=2&q=x") == _key("/a/?q=y&page=9")
