"""Shared fixtures of the attack battery (issue 13).

`two_districts` is the route matrix's world (`tests/matrix/world.py`): the shared tree, the
personas, and at least one object of every kind in district A and in district B, built once for
the module; each test rolls back to it. `openapi` is the API's OpenAPI document, as served.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.test import override_settings

from tests.matrix.digest import digest
from tests.matrix.world import World, build

API_PREFIX = "/api/v1"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def two_districts(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    # Signing a client in must not write to the database (last_login): the world's digest,
    # taken once, is then the state before every request.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER,
        ), django_db_blocker.unblock(), transaction.atomic():
            built = build()
            built.baseline = digest()
            yield built
            transaction.set_rollback(True)
    finally:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from gonghui.api import api

    return dict(api.get_openapi_schema())   # what /api/v1/openapi.json serves
