"""Shared fixtures of the attack battery (issue 13).

`two_districts` is the route matrix's world (`tests/matrix/world.py`): the shared tree, the
personas, and at least one object of every kind in district A and in district B, built once for
the module; each test rolls back to it. `openapi` is the API's OpenAPI document, as served.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.matrix.module_world import world_for_module
from tests.matrix.world import World

API_PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def two_districts(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with world_for_module(django_db_blocker, baseline=True) as built:
        yield built


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from gonghui.api import api

    return dict(api.get_openapi_schema())   # what /api/v1/openapi.json serves
