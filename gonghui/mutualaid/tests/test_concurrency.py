"""Exactly once under real concurrency, on PostgreSQL: several worker processes over one queue
while the same file and an overlapping one are imported again; a worker killed with SIGKILL in
the middle of a batch and restarted; the bank's result file applied twice at the same moment.
Totals are checked to the fen against an order-free expectation (per member and plan:
min(year cap, Σ per-claim-capped benefits)) and every ledger must balance."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Sum

from gonghui.core.citus import on_citus
from gonghui.core.crypto import blind_index
from gonghui.funds.models import LedgerLine, LedgerTransaction
from gonghui.mutualaid import services
from gonghui.mutualaid.models import (
    LANES,
    BatchItem,
    Enrolment,
    Payout,
    PayoutStatus,
    RecordStatus,
    SettlementRecord,
)
from gonghui.mutualaid.rules import Claim, Cover, compute, uncapped
from gonghui.mutualaid.services.processing import BatchResult, process_queue

from .conftest import add_member, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
GONGHUI = str(Path(sys.executable).parent / "gonghui")
YEAR = dt.date.today().year - 1  # a finished plan year: every stay is in the past


@pytest.fixture(autouse=True)
def _today():
    """Real time here: the worker subprocesses cannot share a frozen clock."""
    return


def _env(app_name: str = "gonghui-test") -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
                           f"?application_name={app_name}")
    env["GONGHUI_CONN_MAX_AGE"] = "0"
    env["GONGHUI_FIELD_KEY_FILE"] = str(settings.FIELD_KEY_FILE)
    if settings.FIELD_KEY:
        env["GONGHUI_FIELD_KEY"] = settings.FIELD_KEY
    return env


def _spawn(*args: str, app_name: str = "gonghui-test") -> subprocess.Popen:
    return subprocess.Popen([GONGHUI, *args], env=_env(app_name), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _setup(tree, city_admin, n_members: int):
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    common = {"plan_year": YEAR, "year_starts_on": start, "year_ends_on": end,
              "org": tree["SH"], "actor": city_admin}
    allowance = services.plan_create(
        code="ZYJT", name="住院津贴", kind="hospital_allowance", contribution=D("30.00"),
        waiting_days=30, per_day=D("50.00"), per_claim_cap=D("600.00"),
        per_year_cap=D("1500.00"), **common)
    ratio = services.plan_create(
        code="ZFBZ", name="自付补助", kind="self_paid_ratio", contribution=D("40.00"),
        waiting_days=30, deductible=D("200.00"), ratio=D("0.55"),
        per_claim_cap=D("3000.00"), per_year_cap=D("5000.00"), **common)
    unions = [tree["SH-A-1-1"], tree["SH-A-1-2"], tree["SH-B-1-1"]]
    people = []
    for i in range(n_members):
        union = unions[i % 3]
        people.append((add_member(union, f"会员{i}", id_number(2000 + i)), id_number(2000 + i)))
    for union in unions:
        for plan in (allowance, ratio):
            services.enrol_members(plan=plan, plan_year=YEAR, union=union, actor=city_admin,
                                   enrolled_on=dt.date(YEAR, 1, 10))
    return (allowance, ratio), people


def _records(people, n: int, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for k in range(n):
        if k % 20 == 19:  # not a member anywhere
            number = id_number(9000 + k, region="320102")
        else:
            number = people[rnd.randrange(len(people))][1]
        admitted = dt.date(YEAR, 1, 1) + dt.timedelta(days=rnd.randrange(0, 330))
        rows.append({"no": f"YB{YEAR}{k:06d}", "id": number, "admitted": admitted,
                     "days": rnd.randrange(0, 25),
                     "self_paid": f"{rnd.randrange(0, 800000) / 100:.2f}",
                     "insurance_paid": f"{rnd.randrange(0, 2000000) / 100:.2f}",
                     "category": rnd.choice(["疾病", "疾病", "意外"])})
    return rows


def _expected(plans, rows) -> dict[tuple[str, int], Decimal]:
    """Per (id hash, plan): min(year cap, Σ per-claim-capped benefits), order-free."""
    enrolled = set(Enrolment.objects.values_list("id_hash", flat=True))
    sums: dict[tuple[str, int], Decimal] = defaultdict(lambda: D("0.00"))
    cover = Cover(enrolled_on=dt.date(YEAR, 1, 10), year_starts_on=dt.date(YEAR, 1, 1))
    for row in rows:
        if blind_index(row["id"]) not in enrolled:
            continue
        own, ins = D(row["self_paid"]), D(row["insurance_paid"])
        category = {"疾病": "illness", "意外": "accident"}[row["category"]]
        claim = Claim(row["admitted"], row["admitted"] + dt.timedelta(days=row["days"]),
                      own + ins, ins, own, category)
        for plan in plans:
            rules = plan.versions.get().rules()
            outcome = compute(rules, claim, cover)
            if outcome is None or outcome.decline == "waiting_period":
                continue
            sums[(blind_index(row["id"]), plan.pk)] += uncapped(rules, claim)
    caps = {plan.pk: plan.versions.get().per_year_cap for plan in plans}
    return {key: min(total, caps[key[1]]) for key, total in sums.items()}


def _check_exactly_once(plans, rows):
    expected = _expected(plans, rows)
    assert SettlementRecord.objects.count() == len({r["no"] for r in rows})
    assert SettlementRecord.objects.filter(status=RecordStatus.QUEUED).count() == 0
    got = defaultdict(lambda: D("0.00"))
    for id_hash, plan_id, amount in Payout.objects.values_list(
            "enrolment__id_hash", "plan_id", "amount"):
        got[(id_hash, plan_id)] += amount
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
    # the accumulators equal what the payouts took
    for enrolment in Enrolment.objects.all():
        taken = enrolment.payouts.aggregate(s=Sum("amount"))["s"] or D("0.00")
        assert enrolment.used_amount == taken
    return sum(expected.values(), D("0.00"))


def _ledger_balances():
    for union_id in set(LedgerLine.objects.values_list("union_id", flat=True)):
        total = LedgerLine.objects.filter(union_id=union_id).aggregate(s=Sum("amount"))["s"]
        assert total == 0, union_id


def test_workers_and_overlapping_imports_pay_each_benefit_once(tree, city_admin, tmp_path):
    plans, people = _setup(tree, city_admin, 45)
    rows = _records(people, 420, seed=7)
    first, second = rows[:300], rows[180:]
    (tmp_path / "first.csv").write_bytes(settlement_csv(first))
    (tmp_path / "second.csv").write_bytes(settlement_csv(second))
    source = import_bytes(settlement_csv(first), tree["SH"], name="first.csv")
    assert source.inserted == 300

    procs = [_spawn("process-settlements", "--batch-size", "7", "--json") for _ in range(3)]
    procs.append(_spawn("import-settlements", str(tmp_path / "second.csv"), "--org", "SH",
                        "--no-process", "--json"))
    procs.append(_spawn("import-settlements", str(tmp_path / "first.csv"), "--org", "SH",
                        "--no-process", "--json"))
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    worked = [json.loads(out)["records"] for out, _err in outputs[:3]]
    second_report, again_report = json.loads(outputs[3][0]), json.loads(outputs[4][0])
    assert (second_report["inserted"], second_report["already_imported"]) == (120, 120)
    assert (again_report["inserted"], again_report["already_imported"]) == (0, 300)
    drained = process_queue(batch_size=50).claimed
    # every record was processed by exactly one worker
    assert sum(worked) + drained == 420
    total = _check_exactly_once(plans, rows)

    # pay everything: accounts, one batch, the bank's file applied twice at the same moment
    for person, _number in people:
        services.payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                                   bank_name="工商银行", account_number=f"62220202{person.pk:011d}")
    batch = services.batch_create(org=tree["SH"], actor=city_admin)
    assert batch.total == total
    services.batch_export(batch=batch, actor=city_admin)
    result = "付款参考号,处理结果\n" + "".join(
        f"B{batch.pk}-{pk},成功\n" for pk in BatchItem.objects.filter(batch=batch)
        .values_list("pk", flat=True))
    errors: list[BaseException] = []

    def apply():
        try:
            services.batch_apply_results(batch=batch, binary=io.BytesIO(result.encode()),
                                         actor=city_admin)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    paid = Payout.objects.filter(status=PayoutStatus.PAID)
    assert paid.aggregate(s=Sum("amount"))["s"] == total
    ledger = LedgerLine.objects.filter(union=tree["SH"], account__code="530106")
    assert ledger.aggregate(s=Sum("amount"))["s"] == total
    assert LedgerTransaction.objects.filter(source="mutualaid.payout").count() == paid.count()
    _ledger_balances()


def _locked_queue_ids() -> set[int]:
    """Queued records some transaction holds a lock on (a worker mid-batch)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM mutualaid_settlementrecord WHERE status='queued'")
        queued = {i for (i,) in cursor.fetchall()}
        free: set[int] = set()
        for lane in range(LANES):  # lane by lane: on Citus a row lock stays in one shard
            cursor.execute("SELECT id FROM mutualaid_settlementrecord WHERE status='queued' "
                           "AND lane = %s FOR UPDATE SKIP LOCKED", [lane])
            free.update(i for (i,) in cursor.fetchall())
    return queued - free


def _locked_queue_rows() -> int:
    return len(_locked_queue_ids())


def _backends(app_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                       [app_name])
        return cursor.fetchone()[0]


def test_worker_killed_mid_batch_loses_and_doubles_nothing(tree, city_admin):
    plans, people = _setup(tree, city_admin, 30)
    rows = _records(people, 300, seed=11)
    import_bytes(settlement_csv(rows), tree["SH"])

    worker = _spawn("process-settlements", "--batch-size", "20", "--hold", "0.4",
                    app_name="ma-kill")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = SettlementRecord.objects.exclude(status=RecordStatus.QUEUED).count()
        held = _locked_queue_ids() if done >= 40 else set()
        if len(held) == 20:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the worker never held a batch")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    while _backends("ma-kill"):  # the server notices the dead client and rolls back
        time.sleep(0.05)
    done = SettlementRecord.objects.exclude(status=RecordStatus.QUEUED).count()
    # the killed batch left nothing behind: its records are all queued again
    assert SettlementRecord.objects.filter(id__in=held, status=RecordStatus.QUEUED).count() == 20
    if not on_citus():  # on Citus a batch is one lane's records: fewer than 20 at a lane's end
        assert done % 20 == 0  # whole batches only
    assert 40 <= done < 300
    assert Payout.objects.filter(settlement__status=RecordStatus.QUEUED).count() == 0
    assert _locked_queue_rows() == 0

    restarted = _spawn("process-settlements", "--batch-size", "20", "--json")
    out, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err
    assert json.loads(out)["records"] == 300 - done
    _check_exactly_once(plans, rows)


def test_a_batch_lost_to_a_deadlock_is_run_again_whole(tree, city_admin):
    """A real deadlock on one node: another transaction holds a member's accumulators, then asks
    for a record the worker has claimed while the worker waits for those accumulators. The
    server cancels the worker's batch (40P01), which was rolled back whole and is run again
    (core.retry), and every benefit is still paid exactly once (on the cluster the N-worker
    test above meets the reference tables' deadlock itself)."""
    if settings.CITUS:
        pytest.skip("one node only: the worker's wait is read from pg_stat_activity")
    plans, people = _setup(tree, city_admin, 3)
    rows = _records(people, 12, seed=5)
    import_bytes(settlement_csv(rows), tree["SH"])
    first = SettlementRecord.objects.order_by("id").values_list("id", "id_hash")[0]
    seen: dict[str, object] = {}

    def work():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                seen["pid"] = cursor.fetchone()[0]
            seen["result"] = process_queue(batch_size=50)
        except BaseException as exc:
            seen["error"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:  # this side waits longer, so the worker is the victim
            cursor.execute("SET LOCAL deadlock_timeout = '30s'")
        assert len(Enrolment.objects.select_for_update().filter(id_hash=first[1])) == 2
        worker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the worker holds the batch, waits for the rows
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once a transaction
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                           [seen.get("pid", 0)])
            state = cursor.fetchone()
            if state is not None and state[0] == "Lock":
                break
            time.sleep(0.02)
        else:
            pytest.fail("the worker never waited for the locked accumulators")
        # blocks on the worker's claim until the server cancels the worker's batch
        assert list(SettlementRecord.objects.select_for_update().filter(pk=first[0])
                    .values_list("status", flat=True)) == [RecordStatus.QUEUED]
    worker.join(timeout=120)
    assert "error" not in seen, seen.get("error")
    result = seen["result"]
    assert isinstance(result, BatchResult)
    assert result.retries == 1
    drained = process_queue(batch_size=50)
    assert drained.retries == 0
    assert result.claimed + drained.claimed == 12
    _check_exactly_once(plans, rows)
