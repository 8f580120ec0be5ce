"""0004_history_base keeps the data: the timeline keeps its rows (the columns keep their names),
and each programme gets the status history its audit rows held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _targets(aid_migration: str) -> list[tuple[str, str]]:
    """Every app at its latest migration, aid at `aid_migration`."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [node for node in leaves if node[0] != "aid"] + [("aid", aid_migration)]


@pytest.mark.django_db(transaction=True)
def test_history_base_migration_keeps_timeline_and_fills_programme_history():
    before, after = _targets("0003_file_fillfactor"), _targets("0004_history_base")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Org = old.get_model("orgs", "Org")
    Programme = old.get_model("aid", "Programme")
    AuditEvent = old.get_model("audit", "AuditEvent")
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    org = Org.objects.create(path="0001", depth=1, numchild=0, code="MIG", name="迁移测试工会",
                             level="city", org_type="federation")
    programme = Programme.objects.create(
        org=org, org_path=org.path, name="送温暖", kind="winter", year=2026, budget=100,
        amount_per_household=10, rule="categories", categories=["deep"], status="approved")
    AuditEvent.objects.create(at=at, actor_name="city_admin", action="aid.programme.approved",
                              object_type="aid.programme", object_id=str(programme.pk),
                              before={"status": "draft"}, after={"status": "approved"},
                              note="同意")
    AuditEvent.objects.create(at=at, actor_name="city_admin", action="aid.programme.create",
                              object_type="aid.programme", object_id=str(programme.pk))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        history = new.get_model("aid", "ProgrammeHistory")
        assert list(history.objects.values_list(
            "programme_id", "from_status", "to_status", "actor_name", "at", "reason")) == [
            (programme.pk, "draft", "approved", "city_admin", at, "同意")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
