"""Helpers for the data-migration tests of every app: take one app back to an older migration
(every other app at its latest), write rows through the historical models, take it forward and
read what the migration made of them, then leave the schema at its latest again."""

from __future__ import annotations

import os

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Migrating backwards on a Citus coordinator would undo `gonghui citus distribute`.
not_on_citus = pytest.mark.skipif(bool(os.environ.get("GONGHUI_TEST_CITUS_URL")),
                                  reason="migrating backwards would undo `citus distribute`")


def targets(app: str, migration: str) -> list[tuple[str, str]]:
    """Every app at its latest migration, `app` at `migration`."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [node for node in leaves if node[0] != app] + [(app, migration)]


def migrate_to(app: str, migration: str) -> Apps:
    """Migrate `app` to `migration` (every other app at its latest); the historical apps."""
    plan = targets(app, migration)
    executor = MigrationExecutor(connection)
    executor.migrate(plan)
    return executor.loader.project_state(plan).apps


def migrate_to_latest() -> None:
    """Every app at its latest migration again (in a `finally`, so a failure leaves no old
    schema behind for the next test)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
