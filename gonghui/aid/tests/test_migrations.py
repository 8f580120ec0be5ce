"""0004_history_base keeps the data: the timeline keeps its rows (the columns keep their names),
and each programme gets the status history its audit rows held. 0006_beneficiary_claim: every
list row (any status) gets its (programme, applicant) claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gonghui.aid.services import programmes
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.core import clock
from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus


@pytest.mark.django_db(transaction=True)
def test_history_base_migration_keeps_timeline_and_fills_programme_history():
    before, after = "0003_file_fillfactor", "0004_history_base"
    old = migrate_to("aid", before)
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
        new = migrate_to("aid", after)
        history = new.get_model("aid", "ProgrammeHistory")
        assert list(history.objects.values_list(
            "programme_id", "from_status", "to_status", "actor_name", "at", "reason")) == [
            (programme.pk, "draft", "approved", "city_admin", at, "同意")]
    finally:
        migrate_to_latest()


@not_on_citus
@pytest.mark.django_db(transaction=True)
def test_beneficiary_claim_migration_backfills_the_claims(tree, standard, aid_cadre,
                                                          street_cadre, city_admin):
    files = [active_file(make_person(tree["SH-A-1-1"], name), aid_cadre, street_cadre,
                         incomes=("1000",)) for name in ("甲一", "甲二")]
    programme = programmes.programme_create(
        org=tree["SH"], actor=city_admin, name="2026 年送温暖", kind="winter",
        year=clock.today().year, budget=Decimal("2000"), amount_per_household=Decimal("500"),
        assistance_kind="cash", rule="categories", categories=["deep"])
    assert programmes.beneficiaries_generate(programme=programme, actor=city_admin) == 2
    removed = programme.beneficiaries.get(file=files[1])
    programmes.beneficiary_remove(beneficiary=removed, actor=city_admin, reason="已迁出")
    before, after = "0005_citus_keys", "0006_beneficiary_claim"
    migrate_to("aid", before)  # the claim table goes
    try:
        new = migrate_to("aid", after)
        Claim = new.get_model("aid", "BeneficiaryClaim")
        assert sorted(Claim.objects.values_list("programme_id", "applicant_hash")) == sorted(
            (programme.pk, f.applicant_hash) for f in files)
        with pytest.raises(IntegrityError), transaction.atomic():
            Claim.objects.create(programme_id=programme.pk, applicant_hash=files[1].applicant_hash)
    finally:
        migrate_to_latest()
