"""The audit chain in a batch (`audit_batch`, used by bulk jobs): the rows are written at the
batch's end, the day's head is locked and written once, the chain verifies like one written row
by row, and a part of the batch rolled back to its savepoint leaves no row and no trace in the
head."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gonghui.audit import chain
from gonghui.audit.models import AuditEvent, ChainHead
from gonghui.audit.services import audit_batch, audit_batch_row, audit_record


class _Injected(Exception):
    pass


def _failing_row(actor) -> None:
    """A part of the batch that writes its audit row and then fails (rolled back)."""
    with audit_batch_row(), transaction.atomic():
        audit_record(actor=actor, action="test.lost")
        raise _Injected


def _statement(sql: str) -> str:
    if sql.startswith("SELECT nextval("):
        return "SELECT nextval"
    words = sql.replace('"', "").split()
    verb = words[0]
    table = words[words.index("FROM") + 1] if verb == "SELECT" else \
        words[2] if verb in ("INSERT", "UPDATE") and words[1] in ("INTO",) else words[1]
    return f"{verb} {table}"


@pytest.mark.django_db
def test_a_batch_locks_and_writes_the_head_once_and_verifies(city_admin):
    audit_record(actor=city_admin, action="test.before")  # the day's chain exists already
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), audit_batch():
        for i in range(3):
            audit_record(actor=city_admin, action="test.batched", note=str(i))
    statements = [_statement(q["sql"]) for q in ctx.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # at the batch's end: the head locked, the ids taken (PostgreSQL), one INSERT, the head
    ids = ["SELECT nextval"] if connection.vendor == "postgresql" else []
    assert statements == ["SELECT audit_chainhead", *ids, "INSERT audit_auditevent",
                          "UPDATE audit_chainhead"]
    audit_record(actor=city_admin, action="test.after")  # a plain append follows the batch
    head = ChainHead.objects.get(kind=chain.AUDIT)
    rows = list(AuditEvent.objects.filter(action__startswith="test.").order_by("id"))
    assert [r.action for r in rows] == ["test.before", "test.batched", "test.batched",
                                        "test.batched", "test.after"]
    assert (head.rows, head.last_id, head.last_hash) == (
        AuditEvent.objects.count(), rows[-1].pk, rows[-1].row_hash)
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert chain.verify()[2] == []


@pytest.mark.django_db
def test_a_rolled_back_row_of_a_batch_leaves_the_chain_whole(city_admin):
    with transaction.atomic(), audit_batch():
        audit_record(actor=city_admin, action="test.kept", note="1")
        with pytest.raises(_Injected):
            _failing_row(city_admin)
        audit_record(actor=city_admin, action="test.kept", note="2")
    assert list(AuditEvent.objects.filter(action__startswith="test.").order_by("id")
                .values_list("action", "note")) == [("test.kept", "1"), ("test.kept", "2")]
    assert ChainHead.objects.get(kind=chain.AUDIT).rows == AuditEvent.objects.count()
    assert chain.verify()[2] == []


@pytest.mark.django_db
def test_a_head_first_locked_in_a_rolled_back_row_is_taken_afresh(city_admin):
    # (a fresh day: no audit row and no head before the batch)
    # the day's head is created inside the row that fails: the savepoint takes it away
    AuditEvent.objects.all().delete()
    ChainHead.objects.all().delete()
    with transaction.atomic(), audit_batch():
        with pytest.raises(_Injected):
            _failing_row(city_admin)
        audit_record(actor=city_admin, action="test.kept")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.kept"]
    assert ChainHead.objects.get(kind=chain.AUDIT).rows == 1
    assert chain.verify()[2] == []

