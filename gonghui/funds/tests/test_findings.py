"""The findings workflow (经审意见) on the kernel: transition() with FINDING_TRANSITIONS, a
FindingEvent (HistoryBase) row per move with the whole text, the one status policy, and the
FindingEvent migration keeping the old history."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core.actor import SYSTEM, system_actor
from gonghui.core.errors import Forbidden, InvalidTransition, NotFound
from gonghui.core.workflow import transition
from gonghui.funds.models import Finding, FindingEvent, FindingStatus
from gonghui.funds.services import finding_add, finding_answer, finding_close, finding_reopen
from gonghui.orgs.models import ORG_TRANSITIONS, OrgStatus


def history(finding: Finding) -> list[tuple[str, str, str, str]]:
    return list(FindingEvent.objects.filter(finding=finding).order_by("at", "id")
                .values_list("from_status", "to_status", "actor_name", "reason"))


def state(finding: Finding) -> tuple:
    finding.refresh_from_db()
    return (finding.status, finding.response, FindingEvent.objects.count(),
            AuditEvent.objects.filter(action__startswith="funds.finding").count())


@pytest.fixture
def finding(tree, funds_auditor):
    return finding_add(union=tree["SH-A-1-1"], text="慰问品发放无签收记录", severity="issue",
                       actor=funds_auditor)


def test_answer_reopen_answer_close_writes_one_history_row_per_move(finding, funds_auditor,
                                                                    treasurer):
    long_answer = "已补签收表。" + "说" * 1200  # longer than HistoryBase's 500-character reason
    finding_answer(finding=finding, response="已补", actor=treasurer)
    finding_reopen(finding=finding, actor=funds_auditor, note="签收表缺 3 人")
    finding_answer(finding=finding, response=long_answer, actor=treasurer)
    closed = finding_close(finding=finding, actor=funds_auditor, note="")
    assert (closed.status, closed.response) == (FindingStatus.CLOSED, long_answer)
    assert history(finding) == [
        ("", "open", "auditor_a", "慰问品发放无签收记录"),
        ("open", "answered", "treasurer_a11", "已补"),
        ("answered", "open", "auditor_a", "签收表缺 3 人"),
        ("open", "answered", "treasurer_a11", long_answer),
        ("answered", "closed", "auditor_a", ""),
    ]
    assert list(FindingEvent.objects.filter(finding=finding).values_list(
        "actor__username", flat=True)) == ["auditor_a", "treasurer_a11", "auditor_a",
                                           "treasurer_a11", "auditor_a"]
    moves = AuditEvent.objects.filter(action__startswith="funds.finding_").exclude(
        action="funds.finding_add").order_by("id")
    assert [(e.action, e.before, e.after) for e in moves] == [
        ("funds.finding_answered", {"status": "open"}, {"status": "answered"}),
        ("funds.finding_open", {"status": "answered"}, {"status": "open"}),
        ("funds.finding_answered", {"status": "open"}, {"status": "answered"}),
        ("funds.finding_closed", {"status": "answered"}, {"status": "closed"}),
    ]


def test_a_move_outside_the_table_is_refused_and_changes_nothing(finding, funds_auditor,
                                                                 treasurer):
    finding_close(finding=finding, actor=funds_auditor)
    before = state(finding)
    with pytest.raises(InvalidTransition) as exc:
        finding_answer(finding=finding, response="迟到的答复", actor=treasurer)
    assert exc.value.message == "当前状态“已关闭”不能变为“已答复”。"
    with pytest.raises(InvalidTransition):
        finding_reopen(finding=finding, actor=funds_auditor, note="再看看")
    assert state(finding) == before


def test_who_may_move_a_finding(finding, tree, funds_auditor, treasurer, other_district_cadre):
    before = state(finding)
    with pytest.raises(Forbidden) as exc:
        finding_close(finding=finding, actor=treasurer)
    assert exc.value.message == "只有经审委员可以关闭审计意见。"
    with pytest.raises(Forbidden):
        finding_answer(finding=finding, response="x", actor=funds_auditor)
    with pytest.raises(NotFound):
        finding_answer(finding=finding, response="x", actor=other_district_cadre)
    with pytest.raises(NotFound):
        finding_add(union=tree["SH-A-1-1"], text="x", severity="note",
                    actor=other_district_cadre)
    with pytest.raises(Forbidden) as exc:
        finding_add(union=tree["SH-A-1-1"], text="x", severity="note", actor=treasurer)
    assert exc.value.message == "只有经审委员可以提出审计意见。"
    assert state(finding) == before


def test_a_system_actor_cannot_sign_a_finding(tree, finding):
    before = state(finding)
    with pytest.raises(Forbidden) as exc:
        finding_add(union=tree["SH-A-1-1"], text="x", severity="note", actor=system_actor("cli"))
    assert exc.value.code == "finding_needs_user"
    assert state(finding) == before


def test_findings_on_a_dissolved_union_stay_possible(tree, funds_auditor):
    with transaction.atomic():
        union = transition(tree["SH-A-1-2"], OrgStatus.DISSOLVED, transitions=ORG_TRANSITIONS,
                           actor=SYSTEM)
    finding = finding_add(union=union, text="撤销前账目未移交", severity="serious",
                          actor=funds_auditor)
    assert history(finding) == [("", "open", "auditor_a", "撤销前账目未移交")]


def test_pages_move_findings_and_show_their_history(client, finding, treasurer, funds_auditor):
    login(client, treasurer)
    url = reverse("funds:finding_move", args=[finding.pk, "answer"])
    response = client.post(url, {"response": ""})
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()
    assert state(finding)[0] == "open"
    response = client.post(url, {"response": "已补签收表"})
    assert response.status_code == 302
    login(client, funds_auditor)
    assert client.post(reverse("funds:finding_move", args=[finding.pk, "archive"]),
                       {"note": "x"}).status_code == 404
    response = client.post(reverse("funds:finding_move", args=[finding.pk, "reopen"]),
                           {"note": ""})
    assert response.status_code == 400
    assert "请填写退回理由。" in response.content.decode()
    page = client.get(reverse("funds:findings", args=[finding.union_id])).content.decode()
    assert "auditor_a：待答复" in page
    assert "treasurer_a11：待答复 → 已答复 — 已补签收表" in page
    finding.refresh_from_db()
    assert finding.status == "answered"


def test_a_finding_form_that_does_not_validate_comes_back_with_400(client, tree, funds_auditor):
    login(client, funds_auditor)
    response = client.post(reverse("funds:finding_add", args=[tree["SH-A-1-1"].pk]),
                           {"severity": "note", "text": ""})
    assert response.status_code == 400
    assert 'name="text"' in response.content.decode()
    assert Finding.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_migration_0005_keeps_the_old_history(tree, funds_auditor):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    old, new = [("funds", "0004_dues")], [("funds", "0005_findingevent_historybase")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    OldFinding = apps.get_model("funds", "Finding")
    OldEvent = apps.get_model("funds", "FindingEvent")
    at = "2026-05-01T08:00:00+00:00"
    f = OldFinding.objects.create(union_id=tree["SH-A-1-1"].pk, severity="note", text="旧意见",
                                  created_by_id=funds_auditor.pk, created_at=at)
    OldEvent.objects.create(finding=f, from_status="", to_status="open",
                            actor_id=funds_auditor.pk, at=at, note="旧意见" * 400)
    executor = MigrationExecutor(connection)
    executor.migrate(new)
    try:
        assert list(FindingEvent.objects.values_list("from_status", "to_status", "actor_name",
                                                     "reason")) == [
            ("", "open", "auditor_a", "旧意见" * 400)]
    finally:
        # Back to the latest schema: the tests after this one in the same process need the
        # migrations that come after 0005 (e.g. 0006's source link of a transaction).
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
