"""0008_settlement_claims keeps the data: every existing record gets its queue lane and its
settlement-number and stay claim rows, after which the claims refuse a second taker."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from gonghui.core.crypto import blind_index
from gonghui.mutualaid.models import lane_of

pytestmark = pytest.mark.skipif(bool(os.environ.get("GONGHUI_TEST_CITUS_URL")),
                                reason="migrating backwards would undo `citus distribute`")


def _targets(migration: str) -> list[tuple[str, str]]:
    """Every app at its latest migration, mutualaid at `migration`."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [node for node in leaves if node[0] != "mutualaid"] + [("mutualaid", migration)]


@pytest.mark.django_db(transaction=True)
def test_settlement_claims_migration_backfills_lanes_and_claims():
    before, after = _targets("0007_citus_keys"), _targets("0008_settlement_claims")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Org = old.get_model("orgs", "Org")
    Import = old.get_model("mutualaid", "SettlementImport")
    Record = old.get_model("mutualaid", "SettlementRecord")
    org = Org.objects.create(path="0001", depth=1, numchild=0, code="MIG", name="迁移测试工会",
                             level="city", org_type="federation")
    source = Import.objects.create(org=org, org_path=org.path, file_name="a.csv",
                                   file_sha256="0" * 64)
    hashes = [blind_index(f"11010119900101{n:04d}") for n in range(3)]
    for n, id_hash in enumerate(hashes):
        Record.objects.create(
            settlement_no=f"M{n}", fingerprint=f"{n:032d}", source=source, id_number="x",
            id_hash=id_hash, id_masked="x", hospital="瑞金医院",
            admitted_on=dt.date(2026, 5, 1), discharged_on=dt.date(2026, 5, 3),
            total=Decimal("10.00"), insurance_paid=Decimal("5.00"), self_paid=Decimal("5.00"))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Record = new.get_model("mutualaid", "SettlementRecord")
        Number = new.get_model("mutualaid", "SettlementNumber")
        Stay = new.get_model("mutualaid", "SettlementStay")
        assert sorted(Record.objects.values_list("settlement_no", "lane")) == [
            (f"M{n}", lane_of(h)) for n, h in enumerate(hashes)]
        assert sorted(Number.objects.values_list("settlement_no", "fingerprint")) == [
            (f"M{n}", f"{n:032d}") for n in range(3)]
        assert sorted(Stay.objects.values_list("fingerprint", "settlement_no")) == [
            (f"{n:032d}", f"M{n}") for n in range(3)]
        with pytest.raises(IntegrityError), transaction.atomic():
            Number.objects.create(settlement_no="M1", fingerprint="9" * 32)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
