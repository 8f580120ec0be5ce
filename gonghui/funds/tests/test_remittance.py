"""The employer remittance register (拨缴经费台账): declarations, 2 % due, payments, arrears,
the dunning list and letters; pages and API; scoping and read-only auditors."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest

from conftest import login
from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.funds.models import EmployerPayment, LedgerTransaction, PayrollDeclaration
from gonghui.funds.selectors_remittance import dunning_list, register, totals
from gonghui.funds.services import allocation_record
from gonghui.funds.services.remittance import (
    allocation_due,
    declaration_set,
    declarations_import,
    payment_record,
)
from gonghui.orgs.models import Employer

D = Decimal
API = "/api/v1/funds"
PAID_ON = dt.date(2026, 4, 10)


@pytest.fixture
def employers(tree):
    a11 = Employer.objects.create(name="甲一机械有限公司", uscc="91310000MA1A000011",
                                  area=tree["SH-A-1"], union=tree["SH-A-1-1"])
    street = Employer.objects.create(name="甲街小微商贸", uscc="91310000MA1A000022",
                                     area=tree["SH-A-1"])  # no union: the street collects
    b11 = Employer.objects.create(name="乙一电子有限公司", uscc="91310000MA1B000011",
                                  area=tree["SH-B-1"], union=tree["SH-B-1-1"])
    return {"a11": a11, "street": street, "b11": b11}


def lines(tx):
    return sorted((ln.account.code, ln.amount) for ln in tx.lines_with_accounts())


def xlsx(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "申报.xlsx"
    return buffer


@pytest.mark.parametrize(("payroll", "due"), [
    ("12345.67", "246.91"),   # 246.9134
    ("12345.25", "246.91"),   # 246.905: half up
    ("0.25", "0.01"),         # 0.005: half up
    ("0.24", "0.00"),
    ("1000000.00", "20000.00"),
])
def test_due_is_two_percent_rounded_half_up_to_the_fen(payroll, due):
    assert allocation_due(D(payroll)) == D(due)


def test_partial_payments_post_the_split_and_leave_exact_arrears(tree, employers, city_admin):
    a11 = employers["a11"]
    declaration = declaration_set(union=tree["SH-A"], employer=a11, period="2026-03",
                                  payroll=D("12345.67"), actor=city_admin)
    assert (declaration.union, declaration.period, declaration.due, declaration.paid) == (
        tree["SH-A-1-1"], 202603, D("246.91"), D("0.00"))
    first = payment_record(union=tree["SH-A"], employer=a11, period="2026-03", paid_on=PAID_ON,
                           amount=D("100.01"), idempotency_key="p1", actor=city_admin)
    # kept 60 % of 100.01 = 60.006 → 60.01; the rest owed upwards
    assert lines(first.transaction) == [("1002", D("100.01")), ("2201", D("-40.00")),
                                        ("4201", D("-60.01"))]
    assert first.transaction.union == tree["SH-A-1-1"]
    assert first.transaction.memo == "甲一机械有限公司 拨缴经费 2026-03 到账 ¥100.01"
    declaration.refresh_from_db()
    assert (declaration.paid, declaration.arrears) == (D("100.01"), D("146.90"))
    # the same submit again records once
    again = payment_record(union=tree["SH-A"], employer=a11, period="2026-03", paid_on=PAID_ON,
                           amount=D("100.01"), idempotency_key="p1", actor=city_admin)
    assert again.pk == first.pk
    payment_record(union=tree["SH-A"], employer=a11, period="2026-03", paid_on=PAID_ON,
                   amount=D("146.90"), idempotency_key="p2", actor=city_admin)
    declaration.refresh_from_db()
    assert (declaration.paid, declaration.arrears) == (D("246.91"), D("0.00"))
    assert EmployerPayment.objects.count() == 2
    assert AuditEvent.objects.filter(action="funds.employer_payment").count() == 2
    assert AuditEvent.objects.filter(action="funds.payroll_declare").count() == 1


def test_overpayment_shows_as_negative_arrears_and_is_not_dunned(tree, employers, city_admin):
    a11 = employers["a11"]
    declaration_set(union=tree["SH-A-1-1"], employer=a11, period="2026-03",
                    payroll=D("10000"), actor=city_admin)
    payment_record(union=tree["SH-A-1-1"], employer=a11, period="2026-03", paid_on=PAID_ON,
                   amount=D("250.00"), idempotency_key="p", actor=city_admin)
    row = PayrollDeclaration.objects.get()
    assert (row.due, row.paid, row.arrears) == (D("200.00"), D("250.00"), D("-50.00"))
    assert dunning_list(viewer=city_admin, union=tree["SH"]) == []
    assert register(viewer=city_admin, union=tree["SH"], arrears_only=True).count() == 0


def test_a_correction_keeps_payments_and_is_audited(tree, employers, city_admin):
    a11 = employers["a11"]
    declaration_set(union=tree["SH-A-1-1"], employer=a11, period="2026-03",
                    payroll=D("10000"), actor=city_admin)
    payment_record(union=tree["SH-A-1-1"], employer=a11, period="2026-03", paid_on=PAID_ON,
                   amount=D("150.00"), idempotency_key="p", actor=city_admin)
    row = declaration_set(union=tree["SH-A-1-1"], employer=a11, period="2026/3",
                          payroll=D("12000"), actor=city_admin)
    assert (row.due, row.paid, row.arrears) == (D("240.00"), D("150.00"), D("90.00"))
    event = AuditEvent.objects.filter(action="funds.payroll_declare").order_by("-id").first()
    assert (event.before, event.after) == ({"payroll": "10000.00", "due": "200.00"},
                                           {"payroll": "12000.00", "due": "240.00"})


def test_payment_needs_a_declaration_and_changes_nothing(tree, employers, city_admin):
    with pytest.raises(ApplicationError) as exc:
        payment_record(union=tree["SH-A"], employer=employers["a11"], period="2026-05",
                       paid_on=PAID_ON, amount=D("10"), idempotency_key="p", actor=city_admin)
    assert exc.value.message == "甲一机械有限公司 2026-05 尚未申报工资总额，请先录入申报。"
    assert (LedgerTransaction.objects.count(), EmployerPayment.objects.count()) == (0, 0)


def test_linking_an_existing_allocation_posting(tree, employers, city_admin):
    a11 = employers["a11"]
    declaration_set(union=tree["SH-A-1-1"], employer=a11, period="2026-03",
                    payroll=D("10000.00"), actor=city_admin)
    allocation = allocation_record(union=tree["SH-A-1-1"], date=PAID_ON,
                                   employer_name=a11.name, payroll=D("10000.00"),
                                   idempotency_key="alloc", actor=city_admin)
    payment = payment_record(union=tree["SH-A-1-1"], employer=a11, period="2026-03",
                             paid_on=PAID_ON, link=allocation.transaction, actor=city_admin)
    assert (payment.amount, payment.transaction_id) == (D("200.00"), allocation.transaction_id)
    assert PayrollDeclaration.objects.get().arrears == D("0.00")
    assert LedgerTransaction.objects.count() == 1
    with pytest.raises(ApplicationError) as exc:
        payment_record(union=tree["SH-A-1-1"], employer=a11, period="2026-03",
                       paid_on=PAID_ON, link=allocation.transaction, actor=city_admin)
    assert exc.value.code == "already_linked"
    assert PayrollDeclaration.objects.get().paid == D("200.00")


def test_dunning_list_oldest_first_with_totals_and_letters(tree, employers, city_admin):
    for employer, period, payroll in [(employers["a11"], "2026-02", "10000"),
                                      (employers["a11"], "2026-03", "10000.33"),
                                      (employers["street"], "2025-12", "5000"),
                                      (employers["b11"], "2026-01", "8000")]:
        declaration_set(union=tree["SH"], employer=employer, period=period,
                        payroll=D(payroll), actor=city_admin)
    payment_record(union=tree["SH"], employer=employers["a11"], period="2026-02",
                   paid_on=PAID_ON, amount=D("50"), idempotency_key="p", actor=city_admin)
    items = dunning_list(viewer=city_admin, union=tree["SH"])
    assert [(i.employer.name, i.oldest, i.total) for i in items] == [
        ("甲街小微商贸", 202512, D("100.00")), ("乙一电子有限公司", 202601, D("160.00")),
        ("甲一机械有限公司", 202602, D("350.01"))]  # 150.00 + 200.01
    assert items[1].union == tree["SH-B-1-1"]
    assert items[0].union == tree["SH-A-1"]  # no union of its own: the street collects
    district_a = dunning_list(viewer=city_admin, union=tree["SH-A"])
    assert [i.employer.name for i in district_a] == ["甲街小微商贸", "甲一机械有限公司"]
    assert totals(register(viewer=city_admin, union=tree["SH-A"])).arrears == D("450.01")

    from gonghui.funds.remittance_letters import dunning_letters_pdf

    pdf = dunning_letters_pdf(items, on=dt.date(2026, 12, 5))
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert text.count("工会经费催缴函") == 3
    assert "中华人民共和国工会法" in text
    for expected in ("甲一机械有限公司", "350.01", "200.01"):
        assert expected in text
    assert "甲一公司工会（盖章）" in text


def test_import_refuses_every_bad_row_and_writes_nothing(tree, employers, city_admin):
    bad = xlsx([["统一社会信用代码", "单位名称", "月份", "工资总额"],
                ["91310000MA1A000011", "", "2026-03", "12000"],
                ["91310000MA1B000011", "", "2026-03", "8000"],       # district B's
                ["", "甲街小微商贸", "2026-13", "100"],
                ["", "甲街小微商贸", "2026-04", "1.005"],
                ["91310000MA1A000011", "", "202603", "1"]])
    with pytest.raises(ApplicationError) as exc:
        declarations_import(union=tree["SH-A"], upload=bad, actor=city_admin)
    assert exc.value.message == (
        "第 3 行：统一社会信用代码 91310000MA1B000011 不是本工会范围内的用人单位。；"
        "第 4 行：月份“2026-13”无法识别，请填写如 2026-03。；"
        "第 5 行：金额最多两位小数（精确到分）。；"
        "第 6 行：与第 2 行重复（同一单位同一月份）。")
    assert PayrollDeclaration.objects.count() == 0
    good = xlsx([["统一社会信用代码", "单位名称", "月份", "工资总额"],
                 ["91310000MA1A000011", "", "2026-03", "12000"],
                 ["", "甲街小微商贸", "2026年4月", 5000.5]])
    assert declarations_import(union=tree["SH-A"], upload=good, actor=city_admin) == 2
    assert sorted(PayrollDeclaration.objects.values_list("period", "due")) == [
        (202603, D("240.00")), (202604, D("100.01"))]


def test_scoping_and_read_only_auditors_change_nothing(tree, employers, other_district_cadre,
                                                      funds_auditor, treasurer, city_admin):
    declaration_set(union=tree["SH-A-1-1"], employer=employers["a11"], period="2026-03",
                    payroll=D("10000"), actor=city_admin)
    before = (PayrollDeclaration.objects.get().payroll, EmployerPayment.objects.count(),
              LedgerTransaction.objects.count())
    # district B cannot reach district A's employer, even through its own union
    with pytest.raises(NotFound):
        declaration_set(union=tree["SH-B"], employer=employers["a11"], period="2026-03",
                        payroll=D("1"), actor=other_district_cadre)
    with pytest.raises(Forbidden):  # the auditor sees it but may not write
        declaration_set(union=tree["SH-A"], employer=employers["a11"], period="2026-03",
                        payroll=D("1"), actor=funds_auditor)
    with pytest.raises(Forbidden):
        payment_record(union=tree["SH-A"], employer=employers["a11"], period="2026-03",
                       paid_on=PAID_ON, amount=D("1"), idempotency_key="x",
                       actor=funds_auditor)
    # the treasurer of SH-A-1-1 does not collect for the street's employer
    with pytest.raises(NotFound):
        declaration_set(union=tree["SH-A-1-1"], employer=employers["street"],
                        period="2026-03", payroll=D("1"), actor=treasurer)
    assert (PayrollDeclaration.objects.get().payroll, EmployerPayment.objects.count(),
            LedgerTransaction.objects.count()) == before
    assert register(viewer=other_district_cadre, union=tree["SH-B"]).count() == 0
    assert register(viewer=funds_auditor, union=tree["SH-A"]).count() == 1


# --- pages ---------------------------------------------------------------------------------


def test_register_page_filters_and_pages(client, tree, employers, city_admin):
    for employer in employers.values():
        for month in range(1, 13):
            declaration_set(union=tree["SH"], employer=employer, period=f"2025-{month:02d}",
                            payroll=D("1000"), actor=city_admin)
    declaration_set(union=tree["SH"], employer=employers["b11"], period="2026-01",
                    payroll=D("1000"), actor=city_admin)
    payment_record(union=tree["SH"], employer=employers["a11"], period="2025-12",
                   paid_on=PAID_ON, amount=D("20"), idempotency_key="p", actor=city_admin)
    login(client, city_admin)
    url = f"/funds/{tree['SH'].pk}/remittance/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("data-declaration") == 25  # a page of 25 of 37
    assert client.get(url, {"page": "2"}).content.decode().count("data-declaration") == 12
    page = client.get(url, {"q": "甲一", "start": "2025-06", "end": "2025-12", "arrears": "1"})
    body = page.content.decode()
    assert body.count("data-declaration") == 6  # 2025-06 … 2025-11; December is paid
    assert '<strong class="text-danger" data-total-arrears>120.00</strong>' in body
    by_code = client.get(url, {"q": "MA1B"}).content.decode()
    assert by_code.count("data-declaration") == 13
    dunning = client.get(f"/funds/{tree['SH'].pk}/remittance/dunning/").content.decode()
    assert dunning.count("data-dunning") == 3
    assert "3 家单位欠缴，合计 720.00 元" in dunning  # 220.00 + 240.00 + 260.00


def test_page_forms_declare_pay_import_and_letters(client, tree, employers, treasurer):
    login(client, treasurer)
    union = tree["SH-A-1-1"]
    base = f"/funds/{union.pk}/remittance/"
    response = client.post(base + "declare/", {"employer": employers["a11"].pk,
                                               "period": "2026-03", "payroll": "12345.67"})
    assert response.status_code == 302
    response = client.post(base + "pay/", {"employer": employers["a11"].pk, "period": "2026-03",
                                           "amount": "100.00", "date": "2026-04-10",
                                           "idempotency_key": "form:1", "note": ""})
    assert response.status_code == 302
    assert PayrollDeclaration.objects.get().arrears == D("146.91")
    refused = client.post(base + "pay/", {"employer": employers["a11"].pk, "period": "2026-04",
                                          "amount": "1.00", "date": "2026-04-10",
                                          "idempotency_key": "form:2", "note": ""})
    assert refused.status_code == 400
    assert "甲一机械有限公司 2026-04 尚未申报工资总额，请先录入申报。" in refused.content.decode()
    upload = xlsx([["单位名称", "月份", "工资总额"], ["甲一机械有限公司", "2026-04", "1000"]])
    response = client.post(base + "import/", {"upload": upload})
    assert response.status_code == 302
    assert PayrollDeclaration.objects.count() == 2
    pdf = client.get(base + "dunning/letters.pdf", {"employer": employers["a11"].pk})
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert AuditEvent.objects.filter(action="funds.dunning_letters").count() == 1


@pytest.mark.parametrize("who", ["funds_auditor", "other_district_cadre", "member_user"])
def test_pages_refuse_writes_and_change_nothing(client, tree, employers, city_admin, who,
                                                request):
    declaration_set(union=tree["SH-A-1-1"], employer=employers["a11"], period="2026-03",
                    payroll=D("10000"), actor=city_admin)
    login(client, request.getfixturevalue(who))
    base = f"/funds/{tree['SH-A-1-1'].pk}/remittance/"
    expected_read = {"funds_auditor": 200, "other_district_cadre": 404, "member_user": 404}[who]
    expected_write = {"funds_auditor": 403, "other_district_cadre": 404, "member_user": 404}[who]
    assert client.get(base).status_code == expected_read
    assert client.get(base + "dunning/").status_code == expected_read
    assert client.get(base + "dunning/letters.pdf").status_code == expected_read
    for action, data in [("declare/", {"employer": employers["a11"].pk, "period": "2026-03",
                                       "payroll": "1"}),
                         ("pay/", {"employer": employers["a11"].pk, "period": "2026-03",
                                   "amount": "1", "date": "2026-04-10",
                                   "idempotency_key": "k"}),
                         ("import/", {"upload": xlsx([["单位名称", "月份", "工资总额"]])})]:
        assert client.post(base + action, data).status_code == expected_write
    row = PayrollDeclaration.objects.get()
    assert (row.payroll, row.paid, EmployerPayment.objects.count(),
            LedgerTransaction.objects.count()) == (D("10000.00"), D("0.00"), 0, 0)


# --- API -----------------------------------------------------------------------------------


def test_api_register_declare_pay_dunning(client, tree, employers, treasurer):
    login(client, treasurer)
    url = f"{API}/unions/SH-A-1-1/remittance"
    response = client.post(url + "/declarations", {"employer": employers["a11"].pk,
                                                   "period": "2026-03", "payroll": "12345.25"},
                           content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["due"], response.json()["arrears"]) == ("246.91", "246.91")
    response = client.post(url + "/payments", {
        "employer": employers["a11"].pk, "period": "2026-03", "date": "2026-04-10",
        "amount": "300.00", "idempotency_key": "api-1"}, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert (data["declaration"]["arrears"], data["voucher"]) == ("-53.09", "2026-04 记-0001")
    page = client.get(url, {"arrears": "true"}).json()
    assert page["count"] == 0
    assert client.get(url).json()["items"][0]["paid"] == "300.00"
    assert client.get(url + "/dunning").json() == []
    bad = client.get(url, {"start": "2026-13"})
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_period")


@pytest.mark.parametrize(("who", "status"), [("funds_auditor", 403),
                                             ("other_district_cadre", 404),
                                             ("member_user", 404)])
def test_api_refuses_writes_and_changes_nothing(client, tree, employers, city_admin, who,
                                                status, request):
    declaration_set(union=tree["SH-A-1-1"], employer=employers["a11"], period="2026-03",
                    payroll=D("10000"), actor=city_admin)
    login(client, request.getfixturevalue(who))
    url = f"{API}/unions/SH-A-1-1/remittance"
    assert client.get(url).status_code == (200 if status == 403 else 404)
    assert client.post(url + "/declarations", {"employer": employers["a11"].pk,
                                               "period": "2026-03", "payroll": "1"},
                       content_type="application/json").status_code == status
    assert client.post(url + "/payments", {"employer": employers["a11"].pk,
                                           "period": "2026-03", "date": "2026-04-10",
                                           "amount": "1", "idempotency_key": "k"},
                       content_type="application/json").status_code == status
    row = PayrollDeclaration.objects.get()
    assert (row.payroll, row.paid, EmployerPayment.objects.count()) == (D("10000.00"),
                                                                         D("0.00"), 0)


def test_cli_imports_payroll_and_writes_the_letters(tree, employers, tmp_path):
    from django.core.management import call_command

    source = tmp_path / "申报.xlsx"
    source.write_bytes(xlsx([["统一社会信用代码", "月份", "工资总额"],
                             ["91310000MA1A000011", "2026-01", "10000"],
                             ["91310000MA1A000022", "2026-02", "20000"]]).getvalue())
    out = io.StringIO()
    call_command("funds", "import-payroll", str(source), "--union", "SH-A", stdout=out)
    assert "declarations entered or corrected: 2" in out.getvalue()
    target = tmp_path / "letters.pdf"
    call_command("funds", "dunning-letters", "--union", "SH-A", "--out", str(target),
                 "--end", "2026-01", stdout=out)
    assert "1 letter(s), arrears 200.00" in out.getvalue()
    assert target.read_bytes().startswith(b"%PDF")


def test_register_and_dunning_pages_do_not_query_per_row(client, tree, employers, city_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, city_admin)
    counts = []
    for months in (range(1, 3), range(3, 13)):
        for month in months:
            for employer in employers.values():
                declaration_set(union=tree["SH"], employer=employer,
                                period=f"2025-{month:02d}", payroll=D("1000"), actor=city_admin)
        with CaptureQueriesContext(connection) as register_page:
            client.get(f"/funds/{tree['SH'].pk}/remittance/", {"per_page": "50"})
        with CaptureQueriesContext(connection) as dunning_page:
            client.get(f"/funds/{tree['SH'].pk}/remittance/dunning/")
        counts.append((len(register_page), len(dunning_page)))
    assert counts[0] == counts[1]
