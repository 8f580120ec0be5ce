"""The retention rule for closed cases (issue 13; docs/security.md "Retention"): rights cases
ended more than N years ago lose what identifies the worker; a dry run changes nothing; every
run leaves one audit row; open and recent cases are untouched; the audit chain still verifies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.audit import chain, retention
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.rights.models import Case, CaseDocument, CaseHistory
from gonghui.rights.services import cases as case_svc
from gonghui.rights.tests.conftest import open_case

pytestmark = pytest.mark.django_db
NUMBER = "110101199003077774"


def _closed(tree, actor, *, on: dt.date, name: str) -> Case:
    with clock.frozen(on):
        case = open_case(tree["SH-A-1-1"], actor, worker_name=name, id_number=NUMBER,
                         phone="13900000001", applied_on=on)
        case_svc.document_add(case=case, name="工资条.png", content_type="image/png",
                              data=b"\x89PNG...", actor=actor)
        return case_svc.case_close(case=case, outcome="settled", closed_on=on, note="已和解",
                                   amount_recovered=Decimal("12000.00"), actor=actor)


def test_old_closed_cases_are_pseudonymised_and_the_rest_kept(tree, city_admin):
    today = clock.today()
    old = _closed(tree, city_admin, on=today - dt.timedelta(days=11 * 366), name="王旧案")
    recent = _closed(tree, city_admin, on=today - dt.timedelta(days=400), name="李近案")
    still_open = open_case(tree["SH-A-1-1"], city_admin, worker_name="赵在办", id_number=NUMBER,
                           applied_on=today - dt.timedelta(days=12 * 366))

    dry = retention.run(actor=system_actor("test"), years=10, dry_run=True)
    assert {r.rule: r.ids for r in dry} == {"rights.closed_cases": [old.pk],
                                            "aid.closed_files": [],
                                            "mutualaid.ended_payouts": []}
    old.refresh_from_db()
    assert (old.worker_name, old.worker_id_number) == ("王旧案", NUMBER)

    done = retention.run(actor=system_actor("test"), years=10)
    assert [(r.rule, r.ids) for r in done if r.ids] == [("rights.closed_cases", [old.pk])]
    old.refresh_from_db()
    assert (old.worker_name, old.worker_id_number, old.worker_id_hash, old.worker_phone,
            old.description) == ("（已匿名）", None, "", "", "（已按保存期限删除）")
    # what statistics need stays
    assert (old.status, old.outcome, old.amount_recovered, old.dispute_type) == (
        "closed", "settled", Decimal("12000.00"), "wages")
    assert not CaseDocument.objects.filter(case=old).exists()
    assert set(CaseHistory.objects.filter(case=old).values_list("reason", flat=True)) == {""}
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.worker_id_number == NUMBER
    assert CaseDocument.objects.filter(case=recent).count() == 1
    # idempotent: nothing left to do
    assert [r.ids for r in retention.run(actor=system_actor("test"), years=10)] == [[], [], []]
    rows = AuditEvent.objects.filter(action="retention.run").order_by("id")
    assert [(r.after["dry_run"], r.after["rules"]["rights.closed_cases"]["ids"])
            for r in rows] == [(True, [old.pk]), (False, [old.pk]), (False, [])]
    assert NUMBER not in str([r.after for r in rows])
    assert chain.verify()[2] == []


def test_the_command_dry_run_and_bounds(tree, city_admin):
    old = _closed(tree, city_admin, on=clock.today() - dt.timedelta(days=6 * 366), name="王旧案")
    out = StringIO()
    call_command("retention", "--years", "5", "--dry-run", stdout=out)
    assert sorted(out.getvalue().splitlines()) == [
        "aid.closed_files: would pseudonymise 0 case(s)",
        "mutualaid.ended_payouts: would pseudonymise 0 case(s)",
        "rights.closed_cases: would pseudonymise 1 case(s)"]
    assert Case.objects.get(pk=old.pk).worker_name == "王旧案"
    call_command("retention", "--years", "5", stdout=out)
    assert "rights.closed_cases: pseudonymised 1 case(s)" in out.getvalue()
    assert Case.objects.get(pk=old.pk).worker_name == "（已匿名）"
    with pytest.raises(CommandError, match="at least one year"):
        call_command("retention", "--years", "0")
