"""Backfill of due dates (issue 20): waiting cases created before deadlines existed get the
date a new case would get — the same working-day rule, holidays and 调休 included, the union's
(or, for an appeal, the higher union's) policy — and nothing else changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.members import services
from gonghui.members.models import Application, Transfer
from gonghui.members.services import deadlines
from gonghui.members.tests.factories import person_fields


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def old_cases(tree, city_admin, member_user, grassroots_cadre):
    """Cases as they were before deadlines: no due date. Submitted Wed 30 Sep 2026 (1–7 Oct
    holidays, Sat 10 Oct a 调休 working day), an appeal of Mon 11 May 2026, a transfer."""
    with clock.frozen(dt.date(2026, 9, 30)):
        waiting = services.application_submit(union=tree["SH-A-1-1"],
                                              fields=person_fields("等待"), actor=city_admin)
        decided = services.application_submit(union=tree["SH-A-1-1"],
                                              fields=person_fields("已批"), actor=city_admin)
        services.application_approve(application=decided, actor=city_admin)
        appealed = services.application_submit(union=tree["SH-A-1-1"],
                                               fields=person_fields("申诉"), actor=member_user)
        services.application_reject(application=appealed, actor=grassroots_cadre, reason="不符")
        appealed = services.application_appeal(application=appealed, actor=member_user,
                                                reason="符合")
        m = services.member_add(union=tree["SH-A-1-2"], fields=person_fields("转会"),
                                actor=city_admin)
        transfer = services.transfer_start(membership=m, to_union=tree["SH-B-1-1"],
                                           actor=city_admin, reason="调动")
    Application.objects.filter(pk=appealed.pk).update(appealed_at=_at(dt.date(2026, 5, 11)))
    # created_at is the real clock's: the day of submission is set as it was
    Application.objects.update(due_on=None, created_at=_at(dt.date(2026, 9, 30)))
    Transfer.objects.update(due_on=None, created_at=_at(dt.date(2026, 9, 30)))
    # the street above SH-A-1-1 promises 5 working days; district B 2
    deadlines.decision_policy_set(org=tree["SH-A-1"], days=5, actor=city_admin)
    deadlines.decision_policy_set(org=tree["SH-B"], days=2, actor=city_admin)
    return waiting, decided, appealed, transfer


def test_backfill_gives_waiting_cases_the_date_a_new_case_gets(tree, old_cases):
    waiting, decided, appealed, transfer = old_cases
    dry = deadlines.due_dates_backfill(actor=system_actor("cli"), dry_run=True)
    assert dry == {"applications": 2, "transfers": 1}
    assert Application.objects.filter(due_on__isnull=False).count() == 0

    counts = deadlines.due_dates_backfill(actor=system_actor("cli"))
    assert counts == {"applications": 2, "transfers": 1}
    # 5 working days after Wed 30 Sep 2026: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13 Oct
    assert Application.objects.get(pk=waiting.pk).due_on == dt.date(2026, 10, 13)
    assert Application.objects.get(pk=waiting.pk).due_on == deadlines.due_on(
        tree["SH-A-1-1"], dt.date(2026, 9, 30))
    # appealed: from the appeal day, the period of the union above (the street: 5)
    assert Application.objects.get(pk=appealed.pk).due_on == deadlines.due_on(
        tree["SH-A-1"], dt.date(2026, 5, 11)) == dt.date(2026, 5, 18)
    # decided cases keep no date
    assert Application.objects.get(pk=decided.pk).due_on is None
    # the transfer: the receiving union's period (district B: 2) from the request day
    assert Transfer.objects.get(pk=transfer.pk).due_on == dt.date(2026, 10, 9)
    audit = AuditEvent.objects.get(action="members.due_dates_backfill")
    assert audit.after == {"applications": 2, "transfers": 1}

    # again: nothing left to do, no second audit row
    assert deadlines.due_dates_backfill(actor=system_actor("cli")) == {
        "applications": 0, "transfers": 0}
    assert AuditEvent.objects.filter(action="members.due_dates_backfill").count() == 1


def test_backfill_command(tree, old_cases, capsys):
    call_command("members", "backfill-due-dates", "--dry-run")
    assert capsys.readouterr().out.strip() == \
        "2 applications and 1 transfers would get their due date"
    call_command("members", "backfill-due-dates")
    assert capsys.readouterr().out.strip() == \
        "2 applications and 1 transfers got their due date"
    assert Application.objects.filter(due_on__isnull=True, status="submitted").count() == 0
