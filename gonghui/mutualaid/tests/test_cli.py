"""`gonghui import-settlements FILE.csv [--json]` and `gonghui process-settlements`; bank batch
edge cases (cancel, contradicting result lines, wrong amounts, another batch's reference)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.mutualaid import services
from gonghui.mutualaid.models import Payout, PayoutStatus

from .conftest import enrol, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_settlements_json_and_rerun(tmp_path, tree, plans, members, cadre_a11):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    path = tmp_path / "结算.csv"
    path.write_bytes(settlement_csv([
        {"no": "C1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 3},
        {"no": "C2", "id": id_number(101), "admitted": dt.date(2026, 5, 1), "days": 3},
        {"no": "C3", "id": "123"},
    ]))
    report = json.loads(_run("import_settlements", str(path), "--json"))
    assert {k: report[k] for k in ("rows", "inserted", "already_imported", "duplicates",
                                   "invalid")} == {"rows": 3, "inserted": 2,
                                                   "already_imported": 0, "duplicates": 0,
                                                   "invalid": 1}
    assert report["issues"] == [{"row": 4, "column": "身份证号码", "code": "id_length",
                                 "message": "身份证号码应为 18 位，这里是 3 位。",
                                 "settlement_no": "C3"}]
    assert report["records"]["matched"] == 1
    assert report["records"]["not_enrolled"] == 1
    assert report["payouts"] == {"approved": {"count": 1, "amount": "150.00"}}
    again = json.loads(_run("import_settlements", str(path), "--json", "--org", "SH"))
    assert (again["inserted"], again["already_imported"]) == (0, 2)
    assert Payout.objects.count() == 1
    with pytest.raises(CommandError) as exc:
        _run("import_settlements", str(path), "--strict")
    assert str(exc.value) == "1 行未导入"
    text = _run("import_settlements", str(path))
    assert "新增 0，已导入过 2，重复 0，无效 1" in text


def test_import_settlements_refuses_unreadable_file(tmp_path, tree):
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(CommandError) as exc:
        _run("import_settlements", str(path))
    assert str(exc.value).startswith("文件前 10 行中没有找到表头。")
    with pytest.raises(CommandError) as exc:
        _run("import_settlements", str(tmp_path / "missing.csv"))
    assert str(exc.value) == f"文件不存在：{tmp_path / 'missing.csv'}"


def test_process_settlements_command(tmp_path, tree, plans, members, cadre_a11):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    path = tmp_path / "s.csv"
    path.write_bytes(settlement_csv([
        {"no": f"Q{n}", "id": id_number(1 + n % 3), "admitted": dt.date(2026, 5, 1 + n),
         "days": 1} for n in range(7)]))
    _run("import_settlements", str(path), "--no-process")
    assert Payout.objects.count() == 0
    summary = json.loads(_run("process_settlements", "--batch-size", "3", "--json"))
    assert (summary["records"], summary["payouts"], summary["amount"]) == (7, 7, "350.00")
    assert json.loads(_run("process_settlements", "--json"))["records"] == 0


@pytest.fixture
def exported(tree, plans, members, cadre_a11, city_admin):
    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([
        {"no": "E1", "id": id_number(1), "admitted": dt.date(2026, 5, 1), "days": 2},
        {"no": "E2", "id": id_number(3), "admitted": dt.date(2026, 5, 1), "days": 3},
    ]), tree["SH"])
    services.process_queue()
    for person in (members["a"][0], members["a"][2]):
        services.payee_account_set(person=person, actor=city_admin, holder_name=person.name,
                                   bank_name="工商银行", account_number=f"62220202{person.pk:011d}")
    batch = services.batch_create(org=tree["SH"], actor=city_admin)
    services.batch_export(batch=batch, actor=city_admin)
    return batch


def test_cancel_returns_payouts_to_approved(exported, city_admin, tree):
    with pytest.raises(Exception) as exc:
        services.batch_cancel(batch=exported, actor=city_admin, reason="")
    assert exc.value.message == "请填写撤销原因。"
    services.batch_cancel(batch=exported, actor=city_admin, reason="银行系统升级，暂停代发")
    assert set(Payout.objects.values_list("status", "batch")) == {(PayoutStatus.APPROVED, None)}
    again = services.batch_create(org=tree["SH"], actor=city_admin)
    assert again.items_count == 2


def test_contradicting_and_foreign_result_lines_change_nothing(exported, city_admin):
    items = list(exported.items.order_by("id"))
    first = items[0]
    services.batch_apply_results(batch=exported, actor=city_admin, binary=io.BytesIO(
        f"付款参考号,处理结果\n{first.reference},成功\n".encode()))
    summary = services.batch_apply_results(batch=exported, actor=city_admin, binary=io.BytesIO((
        "付款参考号,处理结果,金额\n"
        f"{first.reference},失败,{first.amount}\n"
        f"{items[1].reference},成功,999.99\n"
        f"B{exported.pk + 1}-{items[1].pk},成功,\n").encode()))
    assert (summary.paid, summary.failed) == (0, 0)
    assert [m for _row, m in summary.errors] == [
        f"付款参考号 {first.reference} 已回盘为“成功”，与本次“失败”不一致，未处理。",
        f"付款参考号 {items[1].reference} 金额 999.99 与代发金额 {items[1].amount} 不符，未处理。",
        f"付款参考号 B{exported.pk + 1}-{items[1].pk} 不属于本批次。",
    ]
    assert sorted(Payout.objects.values_list("status", flat=True)) == ["batched", "paid"]
    with pytest.raises(Exception) as exc:
        services.batch_cancel(batch=exported, actor=city_admin, reason="x")
    assert exc.value.message == "银行已回盘部分明细，批次不能撤销。"
