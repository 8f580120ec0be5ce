"""Audit integrity (issue 13): the audit trail and the sensitive-read log are hash-chained per
day; `gonghui audit verify` finds a row edited, deleted or inserted in the database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.audit.chain import verify
from gonghui.audit.models import AuditEvent, ChainHead, SensitiveRead
from gonghui.audit.services import audit_record, sensitive_read_record
from gonghui.core import clock
from gonghui.core.actor import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(tree, district_cadre):
    rows = [audit_record(actor=district_cadre, action="test.write", obj=tree["SH-A"],
                         org_path=tree["SH-A"].path, before={"name": "旧"},
                         after={"name": f"新{i}", "n": i}) for i in range(3)]
    rows.append(audit_record(actor=system_actor("cli"), action="test.cli", note="命令行"))
    read = sensitive_read_record(actor=district_cadre, subject=tree["SH-A"], field="id_number",
                                 purpose="核对", org_path=tree["SH-A"].path, count=2)
    return rows, read


def _verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_trail_verifies(trail):
    rows, read = trail
    today = clock.today()
    head = ChainHead.objects.get(kind="audit", day=today)
    assert (head.rows, head.last_id, head.last_hash) == (4, rows[-1].pk, rows[-1].row_hash)
    assert rows[1].prev_hash == rows[0].row_hash
    assert ChainHead.objects.get(kind="sensitive", day=today).last_hash == read.row_hash
    assert _verify() == (0, "audit chain intact: 2 day(s), 5 row(s)\n", "")


def test_editing_a_row_in_the_database_is_detected(trail):
    rows, _read = trail
    AuditEvent.objects.filter(pk=rows[1].pk).update(after={"name": "篡改", "n": 1})
    code, _out, err = _verify()
    assert code == 1
    assert f"audit {clock.today()} #{rows[1].pk}: 内容与哈希不符（被改动）" in err
    assert err.count("\n") == 1  # only that row


def test_editing_a_sensitive_read_is_detected(trail):
    _rows, read = trail
    SensitiveRead.objects.filter(pk=read.pk).update(purpose="别的用途")
    assert [(p.kind, p.row_id) for p in verify()[2]] == [("sensitive", read.pk)]


def test_deleting_rows_is_detected(trail):
    rows, _read = trail
    AuditEvent.objects.filter(pk=rows[1].pk).delete()
    problems = verify()[2]
    assert [(p.row_id, p.message) for p in problems] == [
        (rows[2].pk, "链接断开（前一行被删除、插入或改动）"),
        (None, f"链尾不符：应有 4 行、最后一行 #{rows[-1].pk}，实有 3 行")]
    AuditEvent.objects.filter(pk=rows[-1].pk).delete()  # the day's last row: the head sees it
    assert (None, f"链尾不符：应有 4 行、最后一行 #{rows[-1].pk}，实有 2 行") in [
        (p.row_id, p.message) for p in verify()[2]]


def test_a_row_inserted_around_the_chain_is_detected(trail):
    forged = AuditEvent.objects.create(at=clock.now(), actor_name="x", action="test.forged",
                                       object_type="orgs.org")
    problems = [(p.row_id, p.message) for p in verify()[2]]
    assert (forged.pk, "没有哈希（绕过审计链写入）") in problems


def test_rows_of_another_day_chain_separately(trail, tree):
    with clock.frozen(dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)):
        row = audit_record(actor=system_actor("cli"), action="test.later")
    assert ChainHead.objects.get(kind="audit", day=dt.date(2030, 1, 2)).last_id == row.pk
    assert verify() == (3, 6, [])
    assert verify(day=dt.date(2030, 1, 2)) == (1, 1, [])


def test_sharded_chains_verify_and_a_row_moved_out_of_its_chain_is_found(tree, district_cadre,
                                                                         settings, monkeypatch):
    from gonghui.audit import chain

    settings.GONGHUI_AUDIT_CHAIN_SHARDS = 3
    turns = iter([0, 1, 2, 0, 1, 2])
    monkeypatch.setattr(chain, "current_shard", lambda: next(turns))
    rows = [audit_record(actor=district_cadre, action="test.write", obj=tree["SH-A"],
                         after={"n": i}) for i in range(6)]
    assert [r.chain_shard for r in rows] == [0, 1, 2, 0, 1, 2]
    assert rows[3].prev_hash == rows[0].row_hash
    heads = ChainHead.objects.filter(kind="audit").order_by("shard")
    assert [(h.shard, h.rows, h.last_id) for h in heads] == [
        (0, 2, rows[3].pk), (1, 2, rows[4].pk), (2, 2, rows[5].pk)]
    assert verify() == (3, 6, [])
    # a row moved to a shard without a head is in no chain: its own chain breaks, and it counts
    AuditEvent.objects.filter(pk=rows[4].pk).update(chain_shard=7)
    _days, _rows, problems = verify()
    assert [p.message for p in problems] == [
        f"链尾不符：应有 2 行、最后一行 #{rows[4].pk}，实有 1 行", "有 1 行不在任何审计链中（被插入）"]


def test_one_thread_keeps_one_shard(settings):
    from gonghui.audit import chain

    settings.GONGHUI_AUDIT_CHAIN_SHARDS = 8
    assert len({chain.current_shard() for _ in range(20)}) == 1
    settings.GONGHUI_AUDIT_CHAIN_SHARDS = 1
    assert chain.current_shard() == 0
