"""Bank batches: approved payouts out to the bank, its results back in, paid amounts into the
ledger. A payout is in at most one live item (database constraint), a result line names one item
of one batch, and the ledger posting of a paid payout is idempotent by the payout's key: a
result file applied twice, or a retried task, pays and posts once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record, reveal
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.citus import lock_per_shard, lock_row, one_connection_per_node
from gonghui.core.errors import ApplicationError
from gonghui.core.money import ZERO
from gonghui.core.retry import retrying
from gonghui.core.workflow import append_history, transition, transition_many
from gonghui.mutualaid import ledger
from gonghui.mutualaid.bankfiles import (
    ResultError,
    TransferLine,
    read_result_file,
    write_transfer_file,
)
from gonghui.mutualaid.models import (
    BATCH_TRANSITIONS,
    ITEM_TRANSITIONS,
    BatchItem,
    BatchStatus,
    ItemResult,
    PayeeAccount,
    Payout,
    PayoutBatch,
    PayoutStatus,
    Plan,
)
from gonghui.mutualaid.services.payouts import bulk_transition
from gonghui.orgs.models import Org

MAX_ITEMS = 50_000


def batch_create(*, org: Org, actor: Actor, plan: Plan | None = None,
                 limit: int = MAX_ITEMS, note: str = "") -> PayoutBatch:
    """A batch of the approved payouts of the plans `org` runs (it pays them). Payouts of
    members with no bank account on file stay approved for a later batch. Two cadres making
    batches at the same moment take disjoint payouts (SKIP LOCKED)."""
    require_capability(actor, Capability.MUTUALAID_WRITE, org)
    plans = Plan.objects.filter(org=org)
    if plan is not None:
        if plan.org_id != org.pk:
            raise ApplicationError(_("只能把本单位主办计划的给付编入批次。"), code="not_payer",
                                   extra={"field": "plan"})
        plans = plans.filter(pk=plan.pk)
    with transaction.atomic():
        # payouts of many unions are read, then the batch (a reference table the items point
        # at) is written: on Citus one connection per node
        one_connection_per_node()
        # on Citus shard by shard (core.citus.lock_per_shard: one statement per shard, each
        # single-shard; a city's approved payouts meet thousands of unions)
        candidates = lock_per_shard(
            Payout.objects.filter(status=PayoutStatus.APPROVED, plan__in=plans).order_by("id")
            .only("id", "person_id", "amount", "union_id"),
            limit=max(1, min(limit, MAX_ITEMS)), skip_locked=True)
        accounts = {a.person_id: a for a in PayeeAccount.objects.filter(
            person_id__in={p.person_id for p in candidates}, is_current=True)
            .select_related("person")}
        chosen = [p for p in candidates if p.person_id in accounts]
        if not chosen:
            raise ApplicationError(
                _("没有可编入批次的给付（待支付且已登记收款账户的给付为 0 笔）。"), code="empty_batch")
        batch = PayoutBatch.objects.create(org=org, org_path=org.path, note=note[:255],
                                           created_by=actor_user(actor))
        items = []
        for payout in chosen:
            account = accounts[payout.person_id]
            items.append(BatchItem(
                batch=batch, payout_id=payout.id, union_id=payout.union_id, amount=payout.amount,
                payee_name=account.holder_name, bank_name=account.bank_name,
                account_number=account.account_number, account_masked=account.account_masked))
        BatchItem.objects.bulk_create(items, batch_size=2000)
        bulk_transition([p.id for p in chosen], PayoutStatus.APPROVED, PayoutStatus.BATCHED,
                        actor=actor, note=_("编入批次 {code}").format(code=f"PB{batch.pk:06d}"),
                        batch=batch)
        batch.items_count = len(items)
        batch.total = sum((p.amount for p in chosen), ZERO)
        batch.save(update_fields=["items_count", "total", "updated_at"])
        append_history(batch, "", BatchStatus.OPEN, actor=actor, reason=note)
        audit_record(actor=actor, action="mutualaid.batch.create", obj=batch, org_path=org.path,
                     after={"items": batch.items_count, "total": batch.total,
                            "without_account": len(candidates) - len(chosen)})
    batch.without_account = len(candidates) - len(chosen)
    return batch


def batch_export(*, batch: PayoutBatch, actor: Actor) -> bytes:
    """The transfer file for the bank. It carries full account numbers, so every export is a
    revealed read (mutualaid.reveal, logged). The first export marks the batch as sent to the
    bank."""
    require_capability(actor, Capability.MUTUALAID_WRITE, batch.org)
    batch = PayoutBatch.objects.get(pk=batch.pk)
    if batch.status not in (BatchStatus.OPEN, BatchStatus.EXPORTED):
        raise ApplicationError(_("只有待导出或已报送银行的批次可以导出代发文件。"),
                               code="not_exportable")
    with transaction.atomic():
        one_connection_per_node()  # the items of many unions read, then the batch written
        items = list(BatchItem.objects.filter(batch=batch).exclude(result=ItemResult.WITHDRAWN)
                     .select_related("payout__plan").order_by("id"))
        if not items:
            raise ApplicationError(_("该批次没有待转账的给付，无需导出代发文件。"),
                                   code="batch_empty")
        content = reveal(
            actor=actor, cap=Capability.MUTUALAID_REVEAL, org=batch.org, subject=batch,
            field="account_number", purpose=_("导出银行代发文件（{n} 笔）").format(n=len(items)),
            org_path=batch.org_path, count=len(items),
            value=lambda: write_transfer_file(
                TransferLine(reference=item.reference, payee_name=item.payee_name,
                             account_number=item.account_number, bank_name=item.bank_name,
                             amount=item.amount,
                             purpose=_("互助保障给付 {ref}").format(ref=item.payout.reference))
                for item in items).decode("utf-8"))
        if batch.status == BatchStatus.OPEN:
            transition(batch, BatchStatus.EXPORTED, transitions=BATCH_TRANSITIONS, actor=actor,
                       reason=_("导出代发文件"))
            audit_record(actor=actor, action="mutualaid.batch.export", obj=batch,
                         org_path=batch.org_path, before={"status": BatchStatus.OPEN},
                         after={"status": BatchStatus.EXPORTED})
    return content.encode("utf-8")


def batch_cancel(*, batch: PayoutBatch, actor: Actor, reason: str) -> PayoutBatch:
    """Withdraw a batch the bank has not paid anything of: its payouts go back to 待支付."""
    require_capability(actor, Capability.MUTUALAID_WRITE, batch.org)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写撤销原因。"), code="reason_required",
                               extra={"field": "reason"})
    with transaction.atomic():
        one_connection_per_node()  # the items of many unions read, then the batch written
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.items.exclude(result__in=[ItemResult.PENDING, ItemResult.WITHDRAWN]).exists():
            raise ApplicationError(_("银行已回盘部分明细，批次不能撤销。"), code="has_results")
        moved = transition(locked, BatchStatus.CANCELLED, transitions=BATCH_TRANSITIONS,
                           actor=actor, reason=reason)
        ids = list(locked.items.filter(result=ItemResult.PENDING)
                   .values_list("payout_id", flat=True))
        transition_many(locked.items.all(), ItemResult.WITHDRAWN, transitions=ITEM_TRANSITIONS,
                        status_field="result", extra_fields={"resolved_at": clock.now()})
        # shard by shard on Citus (row locks are single-shard there)
        lock_per_shard(Payout.objects.filter(id__in=ids).order_by("id"))
        bulk_transition(ids, PayoutStatus.BATCHED, PayoutStatus.APPROVED, actor=actor,
                        note=_("批次 {code} 撤销：{reason}").format(code=locked.code,
                                                                 reason=reason),
                        batch=None)
        audit_record(actor=actor, action="mutualaid.batch.cancel", obj=moved,
                     org_path=moved.org_path, after={"status": BatchStatus.CANCELLED,
                                                     "reason": reason})
    return moved


@dataclass
class ResultSummary:
    paid: int = 0
    failed: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"paid": self.paid, "failed": self.failed, "already_applied": self.already,
                "errors": [{"row": r, "message": m} for r, m in self.errors]}


def batch_apply_results(*, batch: PayoutBatch, binary: IO[bytes], actor: Actor,
                        progress: Callable[[int], None] | None = None) -> ResultSummary:
    """Apply the bank's result file. Each line commits on its own (a long file can be resumed
    by applying it again: lines already applied are recognised and skipped). A paid line posts
    the amount to the paying federation's ledger in the same transaction."""
    require_capability(actor, Capability.MUTUALAID_WRITE, batch.org)
    batch = PayoutBatch.objects.get(pk=batch.pk)
    if batch.status not in (BatchStatus.EXPORTED, BatchStatus.SETTLED):
        raise ApplicationError(_("批次尚未报送银行，不能导入回盘文件。"), code="not_exported")
    summary = ResultSummary()
    for line in read_result_file(binary):
        if progress is not None:
            progress(1)
        if isinstance(line, ResultError):
            summary.errors.append((line.row_no, line.message))
            continue
        if line.batch_id != batch.pk:
            summary.errors.append((line.row_no, _("付款参考号 {ref} 不属于本批次。").format(
                ref=line.reference)))
            continue
        message = _apply_line(batch, line, actor, summary)
        if message:
            summary.errors.append((line.row_no, message))
    with transaction.atomic():
        one_connection_per_node()  # the items of many unions counted, then the batch written
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        counts = locked.items.aggregate(
            paid=Count("id", filter=Q(result=ItemResult.PAID)),
            failed=Count("id", filter=Q(result=ItemResult.FAILED)),
            pending=Count("id", filter=Q(result=ItemResult.PENDING)))
        locked.paid_count, locked.failed_count = counts["paid"], counts["failed"]
        locked.save(update_fields=["paid_count", "failed_count", "updated_at"])
        if counts["pending"] == 0 and locked.status == BatchStatus.EXPORTED:
            transition(locked, BatchStatus.SETTLED, transitions=BATCH_TRANSITIONS, actor=actor,
                       reason=_("银行回盘完成"))
        audit_record(actor=actor, action="mutualaid.batch.results", obj=locked,
                     org_path=locked.org_path, after=summary.as_json())
    return summary


def _apply_line(batch: PayoutBatch, line: Any, actor: Actor, summary: ResultSummary) -> str:
    """One result line in its own transaction, run again whole after a deadlock (core.retry:
    on Citus two files applied at once meet on the reference tables' shard locks); the line's
    counts reach `summary` once, from the attempt that committed."""
    counted = ResultSummary()

    def attempt() -> str:
        counted.paid = counted.failed = counted.already = 0
        return _apply_line_once(batch, line, actor, counted)

    message = retrying(attempt)
    summary.paid += counted.paid
    summary.failed += counted.failed
    summary.already += counted.already
    return message


def _apply_line_once(batch: PayoutBatch, line: Any, actor: Actor,
                     summary: ResultSummary) -> str:
    with transaction.atomic():
        # the payout's ledger posting, its update and the item's on one connection per node
        # (on Citus a deferred check on a second connection of the same transaction waits on
        # the first one's row at PREPARE, forever)
        one_connection_per_node()
        # by id: lock_row adds the item's union on Citus (a single-shard lock)
        item = lock_row(BatchItem.objects.filter(batch=batch), line.item_id)
        if item is None:
            return _("付款参考号 {ref} 在本批次中不存在。").format(ref=line.reference)
        wanted = ItemResult.PAID if line.paid else ItemResult.FAILED
        if item.result == wanted:
            summary.already += 1
            return ""
        if item.result != ItemResult.PENDING:
            return _("付款参考号 {ref} 已回盘为“{old}”，与本次“{new}”不一致，未处理。").format(
                ref=line.reference, old=item.get_result_display(),
                new=ItemResult(wanted).label)
        if line.amount is not None and line.amount != item.amount:
            return _("付款参考号 {ref} 金额 {got} 与代发金额 {want} 不符，未处理。").format(
                ref=line.reference, got=line.amount, want=item.amount)
        payout = Payout.objects.select_for_update().select_related("plan__org").get(
            pk=item.payout_id, union_id=item.union_id)  # the item carries its payout's union
        if payout.status != PayoutStatus.BATCHED:
            return _("给付 {ref} 当前状态为“{status}”，不能按回盘处理。").format(
                ref=payout.reference, status=payout.get_status_display())
        fields: dict[str, Any] = {"resolved_at": clock.now(), "bank_serial": line.serial}
        if line.paid:
            paid_on = line.date or clock.today()
            tx = ledger.post_payout(payout=payout, paid_on=paid_on, actor=actor)
            bulk_transition([payout.pk], PayoutStatus.BATCHED, PayoutStatus.PAID, actor=actor,
                            note=_("银行代发成功（{ref}）").format(ref=item.reference),
                            paid_on=paid_on, ledger_tx_id=tx.pk)
            summary.paid += 1
        else:
            fields["fail_reason"] = line.reason
            bulk_transition([payout.pk], PayoutStatus.BATCHED, PayoutStatus.FAILED, actor=actor,
                            note=line.reason, fail_reason=line.reason)
            summary.failed += 1
        transition(item, wanted, transitions=ITEM_TRANSITIONS, status_field="result",
                   history=False, extra_fields=fields)
    return ""
