"""The API's contract (issue 13, finding 12): every schema name in the OpenAPI document names one
schema, so no operation is documented with another one's body or answer."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema

from gonghui.api import api


def _definitions_by_name(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Every definition django-ninja files under each component name while it builds the
    document (it keeps the last one silently: `schemas.update(...)`)."""
    seen: dict[str, set[str]] = defaultdict(set)
    original = OpenAPISchema.add_schema_definitions

    def record(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            seen[name].add(json.dumps(definition, sort_keys=True))
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", record)
    api.get_openapi_schema()
    return seen


def test_every_schema_name_is_defined_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _definitions_by_name(monkeypatch)
    clashes = sorted(name for name, definitions in seen.items() if len(definitions) > 1)
    assert clashes == []
    assert len(seen) == len(api.get_openapi_schema()["components"]["schemas"])


def test_post_members_documents_the_member_body(openapi: dict[str, Any]) -> None:
    body = openapi["paths"]["/api/v1/members"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert body["title"] == "MemberIn"
    assert {"name", "id_number", "union", "joined_on"} <= set(body["properties"])
    assert "relation" not in body["properties"]   # the hardship household member's field
    household = openapi["paths"]["/api/v1/aid/files/{file_id}/members"]["post"][
        "requestBody"]["content"]["application/json"]["schema"]
    assert household["title"] == "HouseholdMemberIn"
    assert {"name", "relation"} <= set(household["properties"])
