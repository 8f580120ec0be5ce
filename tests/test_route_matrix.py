"""The route matrix (issue 11): every page and every API operation, for every persona, answers
exactly what the one status policy says, and a denied request changes nothing.

Run one app's part with `-k`, e.g. `-k "members:"` (pages), `-k "api and /members"` (API), or
one cell: `-k "members:detail[district_a_on_b]"`. The expected statuses come from the route table
(`tests/matrix/routes.py`) and the personas' grants (`tests/matrix/policy.py`), never from the code
under test: where they differ, the code is what must change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gonghui.core import clock
from gonghui.core.models import WorkdayOverride
from tests.matrix.digest import changed, digest
from tests.matrix.module_world import world_for_module
from tests.matrix.personas import PERSONAS, Persona
from tests.matrix.policy import expected
from tests.matrix.routes import API, PAGES, R, api_entry
from tests.matrix.world import WORLD_DAY, MissingObject, Obj, World
from tests.security.battery import record

API_PREFIX = "/api/v1"


# --- the world: built once for the module, each test rolls back to it -----------------------

@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with world_for_module(django_db_blocker, baseline=True) as built:
        yield built


@pytest.fixture(scope="module")
def matrix_client() -> Client:
    """One client for the module: its handler loads the middleware once (WhiteNoise scans the
    static files then), not once per cell. Each cell starts with no cookies."""
    return Client(raise_request_exception=False)


# --- the cases ------------------------------------------------------------------------------

def _page_cases() -> Iterator[Any]:
    for key, entry in PAGES.items():
        for route in entry:
            label = key if len(entry) == 1 else f"{key}:{route.method}"
            for persona in PERSONAS:
                yield pytest.param(key, route, persona, False, id=f"{label}[{persona.name}]")


def _api_cases() -> Iterator[Any]:
    for key in API:
        route = api_entry(key)
        for persona in PERSONAS:
            yield pytest.param(key, route, persona, True, id=f"api:{key}[{persona.name}]")


def _object(world: World, route: R, persona: Persona) -> Obj | None:
    if route.obj is None:
        return None
    kind_objects = world.objects.get(route.obj, {})
    if route.access == "own" and persona.username in kind_objects and persona.side == "A":
        return kind_objects[persona.username]
    return world.obj(route.obj, persona.side)


def _page_url(key: str, route: R, obj: Obj | None) -> str:
    if obj is None:
        return reverse(key, kwargs=dict(route.params))
    kwargs = route.kw(obj) if route.kw else {"pk": obj.pk}
    return reverse(key, kwargs=kwargs)


def _api_url(key: str, route: R, obj: Obj | None) -> str:
    path = key.split(" ", 1)[1].format(**dict(route.params)) if route.params else \
        key.split(" ", 1)[1]
    params = re.findall(r"{(\w+)}", path)
    if obj is not None and params:   # (an object may come in the query instead)
        values = route.kw(obj) if route.kw else {params[0]: obj.pk}
        path = path.format(**values)
    return API_PREFIX + path


def _send(client: Client, method: str, url: str, *, api: bool,
          query: dict[str, Any] | None = None) -> Any:
    if method == "GET":
        return client.get(url, query or {})
    if api:   # an empty JSON object: every required field missing
        return client.generic(method, url, data="{}", content_type="application/json")
    return client.post(url, {})


def _explain(response: Any) -> str:
    location = response.headers.get("Location", "")
    if location:
        return f"Location={location!r}"
    text = response.content.decode("utf-8", "replace")
    if "<html" in text[:500].lower():   # the page's messages and form errors, not its chrome
        found = re.findall(r'class="[^"]*(?:alert|errorlist|invalid-feedback|text-danger)[^"]*"'
                           r"[^>]*>(.*?)</", text, flags=re.S)
        title = re.search(r"<title>(.*?)</title>", text, flags=re.S)
        text = " | ".join([title.group(1).strip() if title else "",
                           *(re.sub(r"\s+", " ", f).strip() for f in found)])
    return f"body={text[:300]!r}"


@pytest.mark.parametrize(("key", "route", "persona", "api"), [*_page_cases(), *_api_cases()])
def test_route(world: World, matrix_client: Client, key: str, route: R, persona: Persona,
               api: bool) -> None:
    try:
        obj = _object(world, route, persona)
    except MissingObject as exc:
        pytest.fail(str(exc))
    url = _api_url(key, route, obj) if api else _page_url(key, route, obj)
    want = expected(route, persona, world, obj, api=api)

    client = matrix_client
    client.cookies = SimpleCookie()
    user = world.user(persona)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    before = world.baseline
    query = route.query(obj) if route.query else None
    with clock.frozen(WORLD_DAY):
        response = _send(client, route.method, url, api=api, query=query)
    got = response.status_code

    to_login = persona.anonymous and not api and route.access != "public"
    denied = to_login or want in (401, 403, 404) or got in (401, 403, 404)
    tables = changed(before, digest()) if denied else []
    # a leak: the policy refuses and the answer is a success, or a refusal changed something
    leak = bool(tables) or ((to_login or want in (401, 403, 404)) and 200 <= got < 300)
    record("route matrix", requests=1, leaks=int(leak), errors=int(got >= 500))
    if denied:
        assert tables == [], (
            f"{route.method} {url} as {persona.name}: answered {got} and changed {tables}")
    assert got == want, (
        f"{route.method} {url} as {persona.name}: expected {want}, got {got} — "
        f"{_explain(response)}")
    if to_login:
        assert response.headers["Location"].startswith(reverse("accounts:login")), (
            f"{route.method} {url}: the anonymous visitor is sent to "
            f"{response.headers['Location']!r}, not the login page")


# --- every route is in the table ------------------------------------------------------------

def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name


def _api_operations(client: Client) -> set[str]:
    response = client.get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200, "the OpenAPI document must be readable"
    operations = set()
    for path, methods in response.json()["paths"].items():
        for method in methods:
            operations.add(f"{method.upper()} {path.removeprefix(API_PREFIX)}")
    return operations


def _as_openapi(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).removeprefix(
        API_PREFIX.strip("/")).strip("/")


def test_every_route_is_in_the_table(db: Any) -> None:
    operations = _api_operations(Client())
    api_paths = {op.split(" ", 1)[1].rstrip("/") for op in operations}
    pages: dict[str, str] = {}
    unnamed = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(API_PREFIX.strip("/")) and _as_openapi(route).rstrip("/") in api_paths:
            continue    # an API operation: checked against the OpenAPI document below
        if not name:
            unnamed.append(route)
        pages.setdefault(name, route)

    missing_pages = sorted(f"{name} (/{route})" for name, route in pages.items()
                           if name not in PAGES)
    missing_api = sorted(operations - API.keys())
    stale = sorted((PAGES.keys() - pages.keys()) | (API.keys() - operations))
    problems = []
    if unnamed:
        problems.append(f"URL patterns without a name (name them): {unnamed}")
    if missing_pages:
        problems.append("pages missing from tests/matrix/routes.py PAGES:\n  "
                        + "\n  ".join(missing_pages))
    if missing_api:
        problems.append("API operations missing from tests/matrix/routes.py API:\n  "
                        + "\n  ".join(missing_api))
    if stale:
        problems.append("entries for routes that no longer exist:\n  " + "\n  ".join(stale))
    assert not problems, "\n".join(problems)


def test_the_world_has_every_kind(world: World) -> None:
    kinds = {r.obj for entry in PAGES.values() for r in entry if r.obj}
    kinds |= {r.obj for r in API.values() if r.obj}
    broken = {kind: world.errors.get(kind, "not built") for kind in sorted(kinds)
              if kind not in world.objects}
    assert not broken, "world builders failed:\n" + "\n".join(
        f"{kind}: {error}" for kind, error in broken.items())


def test_the_policy_derivation(world: World) -> None:
    """The derivation itself, on three routes, for the six personas in PERSONAS order."""
    def row(route: R, *, api: bool = False) -> list[int]:
        out = []
        for persona in PERSONAS:
            obj = _object(world, route, persona)
            out.append(expected(route, persona, world, obj, api=api))
        return out

    #                      anon member grassroots a_on_b auditor admin
    # (the auditor reads funds, not the member registry: issue 12 item 14)
    assert row(PAGES["members:detail"][0]) == [302, 404, 200, 404, 404, 200]
    assert row(PAGES["members:edit"][1]) == [302, 404, 400, 404, 404, 400]
    assert row(PAGES["funds:finding_add"][0]) == [302, 404, 403, 404, 400, 403]
    assert row(PAGES["audit:list"][0]) == [302, 403, 403, 200, 200, 200]
    assert row(PAGES["mutualaid:plan"][0]) == [302, 404, 200, 404, 200, 200]
    assert row(PAGES["notifications:open"][0]) == [302, 302, 302, 404, 302, 302]
    assert row(api_entry("GET /members/{member_id}"), api=True) == [401, 404, 200, 404, 404, 200]
    assert row(api_entry("DELETE /workdays/overrides/{day}"), api=True) == [
        401, 403, 403, 403, 403, 204]


def test_the_digest_sees_a_change(world: World) -> None:
    assert changed(world.baseline, digest()) == []
    WorkdayOverride.objects.filter(date=WORLD_DAY.date().replace(month=12, day=26)).update(
        note="改过")
    assert changed(world.baseline, digest()) == [WorkdayOverride._meta.db_table]
