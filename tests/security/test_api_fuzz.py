"""A bounded schemathesis run over the OpenAPI document (issue 13, the battery): no operation
answers 5xx, whatever the input, and every status it answers is documented on the operation.

Every operation gets a few generated requests with random path parameters and, where the route
table (`tests/matrix/routes.py`) names an object kind, a few more aimed at a real object of
district A, so the input reaches past the lookup into the validation and the services. The
caller is the city administrator (the widest reach). Each request runs in a savepoint that is
rolled back: the world stays as built, and a database error cannot poison the next request.

The seed is fixed, so a failure reproduces; the run prints how many requests it tried.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.core import NOT_SET
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from gonghui.core import clock
from tests.matrix.routes import API, R, api_entry
from tests.matrix.world import WORLD_DAY, MissingObject, World
from tests.security.battery import record
from tests.security.conftest import API_PREFIX

SEED = 20261013
EXAMPLES = 4            # per operation and mode: random path parameters
EXAMPLES_ON_OBJECT = 4  # per operation, aimed at a real object of district A
NEGATIVE_EXAMPLES = 2   # per operation: input that breaks the schema on purpose (must be 4xx)


@dataclass
class Run:
    client: Client
    openapi: dict[str, Any]
    tried: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    undocumented: set[str] = field(default_factory=set)


def _query_string(query: dict[str, Any] | None) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in (query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            text = json.dumps(item) if isinstance(item, bool | dict) else str(item)
            pairs.append((key, text))
    return urlencode(pairs)


def _payload(case: Any) -> tuple[bytes, str]:
    body = case.body
    if body is NOT_SET or (body is None and case.media_type is None):
        return b"", "application/octet-stream"
    if case.media_type == "multipart/form-data" and isinstance(body, dict):
        data = {k: SimpleUploadedFile(k, v) if isinstance(v, bytes) else
                ("" if v is None else v if isinstance(v, str) else json.dumps(v))
                for k, v in body.items()}
        return encode_multipart(BOUNDARY, data), MULTIPART_CONTENT
    if isinstance(body, bytes):
        return body, case.media_type or "application/octet-stream"
    return json.dumps(body).encode(), case.media_type or "application/json"


def _headers(case: Any) -> dict[str, str]:
    # the caller stays the signed-in administrator: generated credentials are dropped
    return {k: str(v) for k, v in (case.headers or {}).items()
            if k.lower() not in {"authorization", "cookie", "content-type", "content-length"}}


def send(run: Run, case: Any) -> None:
    data, content_type = _payload(case)
    label = f"{case.method.upper()} {case.path}"
    with transaction.atomic(), clock.frozen(WORLD_DAY):
        try:
            response = run.client.generic(
                case.method.upper(), case.formatted_path, data=data, content_type=content_type,
                QUERY_STRING=_query_string(case.query), headers=_headers(case))
        finally:
            transaction.set_rollback(True)   # the world stays as built
    run.tried += 1
    status = response.status_code
    run.statuses[status] = run.statuses.get(status, 0) + 1
    documented = run.openapi["paths"][case.path][case.method.lower()]["responses"]
    if str(status) not in documented:
        run.undocumented.add(f"{label} → {status}")
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        reason = f"{exc[0].__name__}: {exc[1]}" if exc else repr(response.content[:200])
        run.failures.append(f"{label} → {status}: {case.method.upper()} {case.formatted_path}"
                            f"?{_query_string(case.query)} body={data[:200]!r} — {reason}")


def _object_parameters(world: World, path: str, method: str) -> dict[str, Any] | None:
    """The path parameters of a real object of district A for this operation, or None."""
    key = f"{method.upper()} {path.removeprefix(API_PREFIX)}"
    if key not in API:
        return None
    route: R = api_entry(key)
    if route.obj is None:
        return dict(route.params) or None
    try:
        obj = world.obj(route.obj, "A")
    except MissingObject:
        return None
    if route.kw is not None:
        return {k: v for k, v in route.kw(obj).items() if v is not None}
    names = [p.split("}")[0] for p in path.split("{")[1:]]
    return {names[0]: obj.pk} if names else None


def _drive(run: Run, strategy: Any, examples: int) -> None:
    @seed(SEED)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def one(case: Any) -> None:
        send(run, case)

    one()


def _operations(openapi: dict[str, Any]) -> Iterator[Any]:
    schema = schemathesis.openapi.from_dict(openapi)
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result}"
        yield result.ok()


@pytest.mark.django_db
def test_no_operation_answers_5xx(two_districts: World, openapi: dict[str, Any],
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(two_districts.users["city_admin"],
                       backend="django.contrib.auth.backends.ModelBackend")
    run = Run(client, openapi)
    started = time.monotonic()
    operations = list(_operations(openapi))
    # thousands of 4xx would each log a warning; a 5xx still logs its error
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
    for operation in operations:
        _drive(run, operation.as_strategy(), EXAMPLES)
        _drive(run, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
               NEGATIVE_EXAMPLES)
        params = _object_parameters(two_districts, operation.path, operation.method)
        if params:
            _drive(run, operation.as_strategy(path_parameters=params), EXAMPLES_ON_OBJECT)
    elapsed = time.monotonic() - started
    record("schemathesis", requests=run.tried, errors=len(run.failures))
    with capsys.disabled():
        print(f"\nschemathesis: {run.tried} requests over {len(operations)} operations in "
              f"{elapsed:.0f} s (seed {SEED}); statuses {dict(sorted(run.statuses.items()))}; "
              f"5xx: {len(run.failures)}; undocumented statuses: {len(run.undocumented)}")
    assert run.failures == [], "operations answered 5xx:\n" + "\n".join(run.failures)
    assert sorted(run.undocumented) == [], "statuses missing from the OpenAPI document"
