"""The IDOR sweep (issue 13, the battery): every API operation with an object in its path, asked
by cadres of district A for district B's object, answers 403 or 404, says nothing of B's object
and changes nothing.

The operations come from the OpenAPI document as served, so an operation added tomorrow is swept
the day it is written; the object each path names comes from the route table
(`tests/matrix/routes.py`) and the two districts' world (`tests/matrix/world.py`). An operation
whose object is public by design (a 公示 any signed-in user reads) is counted, not swept.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.roles import Role
from gonghui.core import clock
from tests.matrix.digest import changed, digest
from tests.matrix.personas import DISTRICT_A_ON_B, Persona
from tests.matrix.policy import expected
from tests.matrix.routes import API, api_entry
from tests.matrix.world import WORLD_DAY, World
from tests.security.battery import record
from tests.security.conftest import API_PREFIX

# district A's administrator, and the cadre of a district A grassroots union
SWEEPERS = (DISTRICT_A_ON_B,
            Persona("cadre_a11_on_b", "cadre_a11", (("SH-A-1-1", Role.CADRE),), side="B"))

# what district B's objects are made of (its org codes and names, the world's "…B" names)
B_MARKERS = re.compile(r"SH-B|乙区|乙一|乙二|会员B|申请人B|困难职工B|在档职工B|互助会员B|调动B")


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every operation with a parameter in its path."""
    return sorted((method.upper(), path) for path, methods in openapi["paths"].items()
                  if "{" in path for method in methods)


def _url(path: str, params: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(params[m.group(1)]), path)


def _params(route: Any, obj: Any, path: str) -> dict[str, Any]:
    names = re.findall(r"{(\w+)}", path)
    values = dict(route.params)
    if route.kw is not None:
        values.update(route.kw(obj))
    elif names:
        values.setdefault(names[0], obj.pk)
    return values


def test_no_district_reads_or_changes_anothers_objects(two_districts: World,
                                                       openapi: dict[str, Any],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    client = Client(raise_request_exception=False)
    operations = _operations(openapi)
    problems: list[str] = []
    tried = public = leaks = errors = 0
    for method, path in operations:
        key = f"{method} {path.removeprefix(API_PREFIX)}"
        if key not in API:
            problems.append(f"{key}: no entry in tests/matrix/routes.py (which object is it?)")
            continue
        route = api_entry(key)
        if route.obj is None:   # the path holds a value, not an object (a year, a report kind)
            continue
        obj = two_districts.obj(route.obj, "B")
        url = API_PREFIX + _url(path, _params(route, obj, path))
        for persona in SWEEPERS:
            if expected(route, persona, two_districts, obj, api=True) not in (403, 404):
                public += 1   # readable by design (公示, the caller's own objects)
                continue
            client.cookies = SimpleCookie()
            client.force_login(two_districts.user(persona),
                               backend="django.contrib.auth.backends.ModelBackend")
            query = route.query(obj) if route.query else None
            with clock.frozen(WORLD_DAY):
                if method == "GET":
                    response = client.get(url, query or {})
                else:
                    response = client.generic(method, url, data="{}",
                                              content_type="application/json",
                                              query_params=query)
            tried += 1
            errors += response.status_code >= 500
            text = response.content.decode("utf-8", "replace")
            leaked = False
            if response.status_code not in (403, 404):
                leaked = True
                problems.append(f"{method} {url} as {persona.name}: {response.status_code} "
                                f"{text[:200]!r}")
            elif B_MARKERS.search(text):
                leaked = True
                problems.append(f"{method} {url} as {persona.name}: the refusal names B's "
                                f"object: {text[:200]!r}")
            tables = changed(two_districts.baseline, digest())
            if tables:
                leaked = True
                problems.append(f"{method} {url} as {persona.name}: changed {tables}")
            leaks += leaked
    record("IDOR sweep", requests=tried, leaks=leaks, errors=errors)
    with capsys.disabled():
        print(f"\nIDOR sweep: {len(operations)} operations with a path object, {tried} requests "
              f"across districts, {public} public by design, {leaks} leaks, {errors} 5xx")
    assert problems == []
