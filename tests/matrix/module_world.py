"""The two-district world built once for a test module (route matrix, crawler, security battery):
inside one transaction rolled back when the module ends, with media in a temporary folder and a
fast password hasher. Signing a client in writes nothing (last_login), so a digest taken once
(`baseline=True`) is the state before every request."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.test import override_settings

from tests.matrix.digest import digest
from tests.matrix.world import World, build

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def world_for_module(django_db_blocker: Any, *, baseline: bool = False) -> Iterator[World]:
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER,
        ), django_db_blocker.unblock(), transaction.atomic():
            built = build()
            if baseline:
                built.baseline = digest()
            yield built
            transaction.set_rollback(True)
    finally:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
