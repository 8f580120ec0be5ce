"""0008_settlement_claims keeps the data: every existing record gets its queue lane and its
settlement-number and stay claim rows, after which the claims refuse a second taker.
0009_enrolment_and_payee_claims: every enrolment and current account gets its claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gonghui.core.crypto import blind_index
from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus
from gonghui.mutualaid import services
from gonghui.mutualaid.models import lane_of
from gonghui.mutualaid.tests.conftest import enrol

pytestmark = not_on_citus



@pytest.mark.django_db(transaction=True)
def test_settlement_claims_migration_backfills_lanes_and_claims():
    before, after = "0007_citus_keys", "0008_settlement_claims"
    old = migrate_to("mutualaid", before)
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
        new = migrate_to("mutualaid", after)
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
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_enrolment_and_payee_claims_migration_backfills_the_claims(tree, plans, members,
                                                                    cadre_a11, city_admin):
    """0009_enrolment_and_payee_claims: every enrolment (any status) gets its (person, plan,
    year) claim, every current account its person's claim; a retired account none."""
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    enrol(plans["ratio"], tree["SH-B-1-1"], city_admin)
    person = members["a"][0]
    for number in ("6222020200112233445", "6217000010001234567"):
        services.payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                                   bank_name="工商银行", account_number=number)
    other = members["b"][0]
    services.payee_account_set(person=other, actor=city_admin, holder_name=other.name,
                               bank_name="工商银行", account_number="6222020200199998888")
    before, after = "0008_settlement_claims", "0009_enrolment_and_payee_claims"
    migrate_to("mutualaid", before)  # the claim tables go
    try:
        new = migrate_to("mutualaid", after)
        Enrolment = new.get_model("mutualaid", "Enrolment")
        EnrolmentClaim = new.get_model("mutualaid", "EnrolmentClaim")
        PayeeAccount = new.get_model("mutualaid", "PayeeAccount")
        CurrentPayeeClaim = new.get_model("mutualaid", "CurrentPayeeClaim")
        enrolled = sorted(Enrolment.objects.values_list("person_id", "plan_id", "plan_year"))
        assert len(enrolled) == 5
        assert sorted(EnrolmentClaim.objects.values_list("person_id", "plan_id", "plan_year")) \
            == enrolled
        current = sorted(PayeeAccount.objects.filter(is_current=True)
                         .values_list("person_id", "pk"))
        assert [p for p, _pk in current] == sorted([person.pk, other.pk])
        assert PayeeAccount.objects.count() == 3
        assert sorted(CurrentPayeeClaim.objects.values_list("person_id", "account_id")) \
            == current
        with pytest.raises(IntegrityError), transaction.atomic():
            EnrolmentClaim.objects.create(person_id=enrolled[0][0], plan_id=enrolled[0][1],
                                          plan_year=enrolled[0][2])
    finally:
        migrate_to_latest()
