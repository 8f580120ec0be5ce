"""Bulk decisions with deadlines: N calls of the one service, per-row failures, the working-day
deadline (holidays and 调休), overdue lists, and the one appeal to the higher union."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.members import decision_selectors, services
from gonghui.members.models import (
    Application,
    BulkDecisionJob,
    CaseEvent,
    DecisionPolicy,
    Membership,
    MembershipEvent,
    Transfer,
)
from gonghui.members.services import bulk, deadlines
from gonghui.members.tests.factories import person_fields

TODAY = dt.date(2026, 5, 12)
_DIGITS = "零一二三四五六七八九"


def _name(prefix: str, i: int) -> str:
    """A valid name per index (names take no digits): 会员一二三."""
    return prefix + "".join(_DIGITS[int(d)] for d in str(i))


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _apply(union, actor, name="张伟", **fields):
    return services.application_submit(union=union, fields=person_fields(name, **fields),
                                       actor=actor)


def test_bulk_approve_1000_with_3_invalid_does_997_and_reports_3(tree, district_cadre,
                                                                  city_admin):
    a11, a12, b11 = tree["SH-A-1-1"], tree["SH-A-1-2"], tree["SH-B-1-1"]
    apps = [_apply(a11 if i % 2 else a12, city_admin, _name("会员", i)) for i in range(998)]
    # invalid 1: already decided (rejected) before the bulk action
    services.application_reject(application=apps[10], actor=city_admin, reason="材料不全")
    # invalid 2: the same person applied to two unions; the first approval wins
    twin = services.application_submit(
        union=a11, fields=person_fields(apps[20].person.name,
                                        id_number=apps[20].person.id_number),
        actor=city_admin) if apps[20].union_id != a11.pk else services.application_submit(
        union=a12, fields=person_fields(apps[20].person.name,
                                        id_number=apps[20].person.id_number),
        actor=city_admin)
    # invalid 3: another district's application, not visible to district A's cadre
    other = _apply(b11, city_admin, "乙区会员")
    ids = [a.pk for a in apps] + [twin.pk, other.pk]
    assert len(ids) == 1000

    job = bulk.bulk_decision_start(kind="application", action="approve", ids=ids,
                                   actor=district_cadre, reason="批量批准", enqueue=False)
    job = bulk.bulk_job_run(job=job)

    assert (job.status, job.total, job.processed, job.succeeded, job.failed) == (
        "done", 1000, 1000, 997, 3)
    assert {(f["id"], f["code"]) for f in job.failures} == {
        (apps[10].pk, "invalid_transition"), (twin.pk, "already_member"),
        (other.pk, "not_found")}
    # the other district's name never reaches district A's report
    assert next(f for f in job.failures if f["id"] == other.pk)["name"] == ""
    assert Membership.objects.filter(union__in=[a11, a12]).count() == 997
    assert Application.objects.get(pk=other.pk).status == "submitted"
    assert Application.objects.get(pk=twin.pk).status == "submitted"
    # each row went through the one service: its own history and audit row
    assert AuditEvent.objects.filter(action="application.approve").count() == 997
    assert CaseEvent.objects.filter(to_status="approved", actor_name="district_a").count() == 997
    assert AuditEvent.objects.get(action="members.bulk_done").after["failed"] == 3


def test_bulk_decline_requires_reason_and_transfers_accept_in_bulk(tree, district_cadre,
                                                                   city_admin):
    with pytest.raises(ApplicationError) as exc:
        bulk.bulk_decision_start(kind="transfer", action="decline", ids=[1], actor=district_cadre)
    assert exc.value.code == "reason_required"
    b11, a11 = tree["SH-B-1-1"], tree["SH-A-1-1"]
    members = [services.member_add(union=b11, fields=person_fields(_name("转", i)), actor=city_admin)
               for i in range(3)]
    transfers = [services.transfer_start(membership=m, to_union=a11, actor=city_admin)
                 for m in members]
    services.transfer_cancel(transfer=transfers[1], actor=city_admin, reason="撤回")
    job = bulk.bulk_decision_start(kind="transfer", action="approve",
                                   ids=[t.pk for t in transfers], actor=district_cadre,
                                   enqueue=False)
    job = bulk.bulk_job_run(job=job)
    assert (job.succeeded, job.failed) == (2, 1)
    assert job.failures[0]["id"] == transfers[1].pk
    assert sorted(Transfer.objects.values_list("status", flat=True)) == [
        "accepted", "accepted", "cancelled"]


def test_bulk_start_refused_without_write_and_nothing_created(tree, auditor):
    with pytest.raises((Forbidden, NotFound)):
        bulk.bulk_decision_start(kind="application", action="approve", ids=[1], actor=auditor)
    assert BulkDecisionJob.objects.count() == 0


def test_large_selection_is_queued_with_progress(tree, district_cadre, city_admin, settings,
                                                 django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    apps = [_apply(tree["SH-A-1-1"], city_admin, _name("排", i)) for i in range(bulk.INLINE_LIMIT + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.bulk_decision_start(kind="application", action="decline",
                                       ids=[a.pk for a in apps], actor=district_cadre,
                                       reason="名额已满")
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded, job.percent) == (
        "done", bulk.INLINE_LIMIT + 1, bulk.INLINE_LIMIT + 1, 100)
    assert set(Application.objects.values_list("decision_reason", flat=True)) == {"名额已满"}


# --- deadlines ---------------------------------------------------------------------------------

def test_deadline_counts_over_national_day_to_the_adjusted_saturday(tree):
    # Wed 30 Sep 2026: 1–7 Oct are holidays, 8 and 9 Oct working, Sat 10 Oct a 调休 working day
    assert deadlines.due_on(tree["SH-A-1-1"], dt.date(2026, 9, 30)) == dt.date(2026, 10, 10)
    # Fri 13 Feb 2026: Sat 14 Feb is a 调休 working day, then 春节 to 23 Feb
    assert deadlines.due_on(tree["SH-A-1-1"], dt.date(2026, 2, 13)) == dt.date(2026, 2, 25)


def test_deadline_per_federation_policy_and_stored_on_submission(tree, city_admin):
    DecisionPolicy.objects.create(org=tree["SH-A"], org_path=tree["SH-A"].path, decision_days=5)
    assert deadlines.decision_days(tree["SH-A-1-1"]) == 5
    assert deadlines.decision_days(tree["SH-B-1-1"]) == 3
    deadlines.decision_policy_set(org=tree["SH"], days=4, actor=city_admin)
    assert deadlines.decision_days(tree["SH-B-1-1"]) == 4
    assert deadlines.decision_days(tree["SH-A-1-1"]) == 5
    a = _apply(tree["SH-B-1-1"], city_admin)
    # Tue 12 May 2026 + 4 working days = Mon 18 May
    assert a.due_on == dt.date(2026, 5, 18)
    with pytest.raises(ApplicationError):
        deadlines.decision_policy_set(org=tree["SH"], days=0, actor=city_admin)


def test_overdue_listed_for_the_level_above(tree, city_admin, grassroots_cadre):
    street_cadre = make_user("street_a1", org=tree["SH-A-1"], role="admin")
    late = _apply(tree["SH-A-1-1"], city_admin, "迟办")
    with clock.frozen(dt.date(2026, 5, 8)):  # Fri; Sat 9 May is a 调休 working day
        early = _apply(tree["SH-A-1-1"], city_admin, "早办")
    assert early.due_on == dt.date(2026, 5, 12)
    with clock.frozen(dt.date(2026, 5, 13)):
        assert deadlines.is_overdue(early.due_on, clock.today())
        assert not deadlines.is_overdue(late.due_on, clock.today())
        assert [a.pk for a in decision_selectors.overdue_applications(viewer=street_cadre)] == [early.pk]
        # the union's own registrar sees its queue; the overdue list is for the level above
        assert list(decision_selectors.overdue_applications(viewer=grassroots_cadre)) == []


# --- appeal ------------------------------------------------------------------------------------

def test_declined_applicant_appeals_once_to_the_higher_union(tree, member_user,
                                                             grassroots_cadre):
    street_cadre = make_user("street_a1", org=tree["SH-A-1"], role="admin")
    a = _apply(tree["SH-A-1-1"], member_user)
    services.application_reject(application=a, actor=grassroots_cadre, reason="非本单位职工")
    a.refresh_from_db()
    assert (a.status, a.decision_reason) == ("rejected", "非本单位职工")
    a = services.application_appeal(application=a, actor=member_user, reason="已入职三个月")
    assert (a.status, a.appeal_reason, a.due_on) == ("appealed", "已入职三个月",
                                                     dt.date(2026, 5, 15))
    # the union that declined cannot decide its own appeal
    with pytest.raises(Forbidden):
        services.application_approve(application=a, actor=grassroots_cadre)
    assert Application.objects.get(pk=a.pk).status == "appealed"
    services.application_reject(application=a, actor=street_cadre, reason="复核维持")
    a.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.application_appeal(application=a, actor=member_user, reason="再申诉")
    assert exc.value.code == "appeal_once"
    assert a.status == "rejected"
    assert list(a.events.values_list("to_status", flat=True)) == [
        "submitted", "rejected", "appealed", "rejected"]


def test_appeal_only_by_the_applicant(tree, member_user, grassroots_cadre):
    a = _apply(tree["SH-A-1-1"], member_user)
    services.application_reject(application=a, actor=grassroots_cadre, reason="不符")
    with pytest.raises(Forbidden):
        services.application_appeal(application=a, actor=grassroots_cadre, reason="x")
    assert Application.objects.get(pk=a.pk).status == "rejected"


def test_appeal_approved_by_higher_union_opens_membership(tree, member_user, grassroots_cadre):
    street_cadre = make_user("street_a1", org=tree["SH-A-1"], role="admin")
    a = _apply(tree["SH-A-1-1"], member_user)
    services.application_reject(application=a, actor=grassroots_cadre, reason="不符")
    a = services.application_appeal(application=a, actor=member_user, reason="符合")
    m = services.application_approve(application=a, actor=street_cadre, reason="复核通过")
    assert (m.union_id, m.status) == (tree["SH-A-1-1"].pk, "active")
    assert AuditEvent.objects.get(action="application.approve").before == {"status": "appealed"}


def test_a_row_failing_after_its_writes_takes_its_counters_and_audit_row_back(
        tree, district_cadre, city_admin, monkeypatch):
    from gonghui.audit import chain
    from gonghui.members.models import OrgMemberMonth, OrgMemberStats
    from gonghui.members.services import applications

    union = tree["SH-A-1-1"]
    apps = [_apply(union, city_admin, _name("链", i)) for i in range(5)]
    real = applications.audit_record

    def audit_then_fail(**kwargs):
        row = real(**kwargs)
        if kwargs["action"] == "application.approve" and kwargs["obj"].pk == apps[2].pk:
            # the row's membership, counters and audit row are written: now it fails
            raise ApplicationError("注入的失败", code="injected")
        return row

    monkeypatch.setattr(applications, "audit_record", audit_then_fail)
    job = bulk.bulk_decision_start(kind="application", action="approve",
                                   ids=[a.pk for a in apps], actor=district_cadre,
                                   enqueue=False)
    job = bulk.bulk_job_run(job=job)

    assert (job.succeeded, job.failed) == (4, 1)
    assert [(f["id"], f["code"]) for f in job.failures] == [(apps[2].pk, "injected")]
    assert Application.objects.get(pk=apps[2].pk).status == "submitted"
    assert not Membership.objects.filter(person_id=apps[2].person_id).exists()
    assert OrgMemberStats.objects.get(org_id=union.pk).active == 4
    assert OrgMemberMonth.objects.get(org_id=union.pk).joins == 4
    assert list(Membership.objects.filter(union=union).values_list("card_number", flat=True)
                .order_by("pk")) == [f"2026{m:010d}" for m in Membership.objects.filter(
                    union=union).values_list("pk", flat=True).order_by("pk")]
    assert AuditEvent.objects.filter(action="application.approve").count() == 4
    # the history rows the slice writes at its end: none for the failed row
    assert sorted(CaseEvent.objects.filter(to_status="approved")
                  .values_list("application_id", flat=True)) == sorted(
        a.pk for i, a in enumerate(apps) if i != 2)
    assert sorted(MembershipEvent.objects.filter(kind="join")
                  .values_list("membership__person_id", flat=True)) == sorted(
        a.person_id for i, a in enumerate(apps) if i != 2)
    assert chain.verify()[2] == []


def test_an_application_decided_since_it_was_read_is_refused_with_its_current_status(
        tree, city_admin):
    # the approval moves the application from the status in hand in one statement; when the
    # row moved on meanwhile (read as submitted, rejected since), it falls back to reading the
    # locked row and refuses with what the row is now, writing nothing
    union = tree["SH-A-1-1"]
    app = _apply(union, city_admin)
    stale = Application.objects.select_related("person", "union").get(pk=app.pk)
    services.application_reject(application=app, actor=city_admin, reason="材料不全")
    with pytest.raises(ApplicationError) as refused:
        services.application_approve(application=stale, actor=city_admin)
    assert refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "当前状态“未批准”不能变为“已批准”。"
    assert Application.objects.get(pk=app.pk).status == "rejected"
    assert not Membership.objects.filter(person_id=app.person_id).exists()
    assert AuditEvent.objects.filter(action="application.approve").count() == 0


def test_an_approval_returns_the_row_as_stored(tree, city_admin):
    union = tree["SH-A-1-1"]
    app = _apply(union, city_admin)
    membership = services.application_approve(application=app, actor=city_admin,
                                              reason="同意")
    stored = Application.objects.get(pk=app.pk)
    assert (app.status, app.decided_by_id, app.decision_reason, app.updated_at) == (
        "approved", city_admin.pk, "同意", stored.updated_at)
    assert (stored.status, stored.membership_id, stored.decided_by_id) == (
        "approved", membership.pk, city_admin.pk)
