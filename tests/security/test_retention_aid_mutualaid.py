"""Retention rules of the aid and mutual-aid apps (issue 13; docs/security.md "Retention"):
closed hardship files lose the household and its health, ended mutual-aid payouts lose the
patient and the payee; a dry run changes nothing; every run leaves one audit row; open cases and
recent ones are untouched; nothing is taken twice."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from gonghui.aid.models import FileActivity, FileDocument, HouseholdMember
from gonghui.aid.services import files as aid_svc
from gonghui.aid.tests.conftest import make_person, open_file
from gonghui.audit import chain, retention
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.mutualaid import services as ma_svc
from gonghui.mutualaid.models import BatchItem, Payout, PayoutStatus, SettlementRecord
from gonghui.mutualaid.services.processing import process_queue
from gonghui.mutualaid.tests.conftest import (
    add_member,
    enrol,
    id_number,
    import_bytes,
    settlement_csv,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LATER = dt.date(2040, 1, 1)  # the day the rules run: everything above ended years before


def _ids(results: list[retention.RuleResult]) -> dict[str, list[int]]:
    return {r.rule: r.ids for r in results}


def test_closed_hardship_files_lose_household_and_documents(tree, city_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cadre = make_user("aid_a11", org=tree["SH-A-1-1"], role="cadre")
    closed = open_file(make_person(tree["SH-A-1-1"], "王困难"), cadre, extra_members=2)
    aid_svc.file_update(file=closed, actor=cadre, phone="13900000002")
    aid_svc.document_add(
        file=closed, actor=cadre, kind="medical", upload=SimpleUploadedFile("王困难病历.png", PNG)
    )
    stored = Path(FileDocument.objects.get(file=closed).content.path)
    assert stored.exists()
    closed = aid_svc.file_close(file=closed, actor=cadre, reason="王困难已迁出本市")
    kept = open_file(make_person(tree["SH-A-1-1"], "李在档"), cadre)

    dry = retention.run(actor=system_actor("test"), years=10, dry_run=True, today=LATER)
    assert _ids(dry)["aid.closed_files"] == [closed.pk]
    assert HouseholdMember.objects.filter(file=closed).count() == 3
    assert stored.exists()

    done = retention.run(actor=system_actor("test"), years=10, today=LATER)
    assert _ids(done)["aid.closed_files"] == [closed.pk]
    closed.refresh_from_db()
    assert (
        closed.applicant_name,
        closed.address,
        closed.phone,
        closed.status,
        closed.household_size,
    ) == ("（已匿名）", "", "", "closed", 3)
    assert HouseholdMember.objects.filter(file=closed).count() == 0
    assert FileDocument.objects.filter(file=closed).count() == 0
    assert not stored.exists()
    assert sorted(
        set(FileActivity.objects.filter(file=closed).values_list("reason", flat=True))
    ) == [""]
    assert "王困难病历" not in str(
        list(FileActivity.objects.filter(file=closed).values_list("data", flat=True))
    )
    assert list(closed.incomes.values_list("monthly_amount", "member", "description")) == [
        (Decimal("2000.00"), None, "")
    ]
    # the open file is untouched
    kept.refresh_from_db()
    assert (kept.applicant_name, HouseholdMember.objects.filter(file=kept).count()) == ("李在档", 2)
    # recent: a cutoff before the closure takes nothing; idempotent: nothing left
    assert _ids(retention.run(actor=system_actor("test"), years=10))["aid.closed_files"] == []
    assert (
        _ids(retention.run(actor=system_actor("test"), years=10, today=LATER))["aid.closed_files"]
        == []
    )
    rows = AuditEvent.objects.filter(action="retention.run").order_by("id")
    assert [(r.after["dry_run"], r.after["rules"]["aid.closed_files"]["ids"]) for r in rows] == [
        (True, [closed.pk]),
        (False, [closed.pk]),
        (False, []),
        (False, []),
    ]
    assert "王困难" not in str([r.after for r in rows])
    assert chain.verify()[2] == []


def test_ended_mutualaid_payouts_lose_patient_and_payee(tree, city_admin):
    from gonghui.mutualaid.tests.conftest import YEAR

    with clock.frozen(dt.datetime(2026, 10, 15, 10, 0)):
        union = tree["SH-A-1-1"]
        plan = ma_svc.plan_create(
            code="ZYJT",
            name="住院津贴",
            kind="hospital_allowance",
            contribution=Decimal("30.00"),
            waiting_days=90,
            per_day=Decimal("50.00"),
            deductible_days=0,
            per_claim_cap=Decimal("1000.00"),
            per_year_cap=Decimal("1500.00"),
            plan_year=YEAR,
            year_starts_on=dt.date(YEAR, 1, 1),
            year_ends_on=dt.date(YEAR, 12, 31),
            org=tree["SH"],
            actor=city_admin,
        )
        paid_person = add_member(union, "甲已付", id_number(1))
        add_member(union, "甲未付", id_number(2))
        add_member(union, "甲等待", id_number(3))
        enrol(plan, union, city_admin)
        import_bytes(
            settlement_csv(
                [
                    {
                        "no": "S1",
                        "id": id_number(1),
                        "name": "甲已付",
                        "hospital": "瑞金医院",
                        "admitted": dt.date(2026, 5, 1),
                        "days": 4,
                    },
                    {
                        "no": "S2",
                        "id": id_number(2),
                        "name": "甲未付",
                        "hospital": "华山医院",
                        "admitted": dt.date(2026, 5, 3),
                        "days": 6,
                    },
                    # within the 90 waiting days: declined, which ends it
                    {
                        "no": "S3",
                        "id": id_number(3),
                        "name": "甲等待",
                        "hospital": "中山医院",
                        "admitted": dt.date(2026, 2, 1),
                        "days": 2,
                    },
                ]
            ),
            tree["SH"],
        )
        process_queue()
        ma_svc.payee_account_set(
            person=paid_person,
            actor=city_admin,
            holder_name="甲已付",
            bank_name="工商银行上海分行",
            account_number="6222020200112233445",
        )
        batch = ma_svc.batch_create(org=tree["SH"], actor=city_admin)
        ma_svc.batch_export(batch=batch, actor=city_admin)
        item = BatchItem.objects.get(batch=batch)
        ma_svc.batch_apply_results(
            batch=batch,
            actor=city_admin,
            binary=io.BytesIO(f"付款参考号,处理结果\n{item.reference},成功\n".encode()),
        )
    records = {r.settlement_no: r for r in SettlementRecord.objects.all()}
    assert {p.settlement.settlement_no: p.status for p in Payout.objects.all()} == {
        "S1": PayoutStatus.PAID,
        "S2": PayoutStatus.APPROVED,
        "S3": PayoutStatus.DECLINED,
    }
    ended = sorted([records["S1"].pk, records["S3"].pk])

    dry = retention.run(actor=system_actor("test"), years=10, dry_run=True, today=LATER)
    assert _ids(dry)["mutualaid.ended_payouts"] == ended
    assert SettlementRecord.objects.get(settlement_no="S1").patient_name == "甲已付"

    done = retention.run(actor=system_actor("test"), years=10, today=LATER)
    assert _ids(done)["mutualaid.ended_payouts"] == ended
    s1 = SettlementRecord.objects.get(settlement_no="S1")
    assert (s1.patient_name, s1.id_number, s1.id_hash, s1.id_masked, s1.hospital) == (
        "（已匿名）",
        "",
        "",
        "",
        "（已按保存期限删除）",
    )
    assert (s1.admitted_on, s1.total) == (dt.date(2026, 5, 1), Decimal("10000.00"))
    item.refresh_from_db()
    assert (item.payee_name, item.account_number, item.amount) == (
        "（已匿名）",
        "",
        Decimal("200.00"),
    )
    assert item.account_masked.endswith("3445")  # the masked account stays for reconciliation
    paid = Payout.objects.get(settlement=s1)
    assert (paid.status, paid.amount, paid.person_id) == ("paid", Decimal("200.00"), paid_person.pk)
    open_record = SettlementRecord.objects.get(settlement_no="S2")
    assert (open_record.patient_name, open_record.hospital) == ("甲未付", "华山医院")
    assert SettlementRecord.objects.get(settlement_no="S3").patient_name == "（已匿名）"
    # a cutoff before the payment takes nothing; nothing is taken twice
    assert (
        _ids(retention.run(actor=system_actor("test"), years=10))["mutualaid.ended_payouts"] == []
    )
    assert (
        _ids(retention.run(actor=system_actor("test"), years=10, today=LATER))[
            "mutualaid.ended_payouts"
        ]
        == []
    )
    rows = AuditEvent.objects.filter(action="retention.run").order_by("id")
    assert [r.after["rules"]["mutualaid.ended_payouts"]["count"] for r in rows] == [2, 2, 0, 0]
    assert "瑞金医院" not in str([r.after for r in rows])
    assert chain.verify()[2] == []
