"""Risk watch: weights with decay, levels, alerts to the street and district cadres (in-app and
to-do), handling until closed, recompute after a weight change, and the .xlsx import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from conftest import make_user
from gonghui.core import clock, todo
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.notifications.models import Notification
from gonghui.rights.models import AlertStatus, EmployerRisk, RiskAlert, RiskSignal
from gonghui.rights.services import risk as svc
from gonghui.rights.tests.conftest import make_employer

pytestmark = pytest.mark.django_db


def test_decay_halves_at_half_life():
    table = {"complaint": (2.0, 60.0)}
    today = dt.date(2026, 6, 1)
    assert svc.contribution("complaint", 3, today, today, table) == 6.0
    assert svc.contribution("complaint", 3, today - dt.timedelta(days=60), today, table) == 3.0
    assert svc.contribution("complaint", 3, today - dt.timedelta(days=301), today, table) == 0.0


def test_level_thresholds():
    assert [svc.level_for(Decimal(x)) for x in ("4.99", "5", "12", "25")] == [
        "green", "yellow", "orange", "red"]


def test_rise_alerts_street_and_district_cadres_once(tree, district_cadre, cadre_a, today,
                                                     other_district_cadre):
    grassroots = make_user("gr", org=tree["SH-A-1-1"], role="cadre")
    employer = make_employer(tree["SH-A-1"])
    svc.signal_add(employer=employer, kind="wage_arrears", on=today, severity=2,
                   actor=district_cadre)           # 3 × 2 = 6: yellow
    risk = EmployerRisk.objects.get(employer=employer)
    assert (risk.score, risk.level) == (Decimal("6.00"), "yellow")
    alert = RiskAlert.objects.get(employer=employer)
    assert (alert.level, alert.previous_level, alert.status) == ("yellow", "green", "open")
    recipients = set(Notification.objects.filter(kind="rights.risk_alert")
                     .values_list("recipient__username", flat=True))
    assert recipients == {"district_a", "cadre_a1"}     # not the grassroots, not district B
    assert grassroots.username not in recipients
    svc.signal_add(employer=employer, kind="collective", on=today, severity=3,
                   actor=district_cadre)           # + 8 × 3 = 30: red, the same alert rises
    alert.refresh_from_db()
    assert (RiskAlert.objects.count(), alert.level) == (1, "red")
    items = [i for i in todo.collect(cadre_a) if i.kind == "rights.risk_alerts"]
    assert [i.url for i in items] == [f"/rights/alerts/{alert.pk}/"]
    assert [i for i in todo.collect(other_district_cadre) if i.app == "rights"] == []


def test_alert_handled_until_closed(tree, district_cadre, other_district_cadre, today):
    employer = make_employer(tree["SH-A-1"])
    svc.signal_add(employer=employer, kind="layoff", on=today, severity=5, actor=district_cadre)
    alert = RiskAlert.objects.get(employer=employer)
    with pytest.raises(Exception) as exc:
        svc.alert_act(alert=alert, action="约谈", note="x", actor=other_district_cadre)
    assert type(exc.value).__name__ == "NotFound"
    svc.alert_act(alert=alert, action="约谈", note="约谈企业负责人", actor=district_cadre)
    svc.alert_act(alert=alert, action="回访", note="已发放工资", close=True, actor=district_cadre)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert [h.to_status for h in alert.history.all()] == ["open", "handling", "closed"]
    with pytest.raises(Conflict):
        svc.alert_act(alert=alert, action="", note="again", actor=district_cadre)


def test_weight_change_recomputes_and_only_city_may_change(tree, city_admin, district_cadre,
                                                          today):
    employer = make_employer(tree["SH-A-1"])
    svc.signal_add(employer=employer, kind="complaint", on=today, severity=4,
                   actor=district_cadre)           # 1 × 4 = 4: green
    assert EmployerRisk.objects.get(employer=employer).level == "green"
    with pytest.raises(Forbidden):
        svc.weight_set(kind="complaint", weight=Decimal("5"), half_life_days=60,
                       actor=district_cadre)
    svc.weight_set(kind="complaint", weight=Decimal("5"), half_life_days=60, actor=city_admin)
    assert svc.recompute(actor=city_admin) == {"employers": 1, "rises": 1}
    risk = EmployerRisk.objects.get(employer=employer)
    assert (risk.score, risk.level) == (Decimal("20.00"), "orange")


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_all_or_nothing(tree, district_cadre, today):
    make_employer(tree["SH-A-1"], "甲制造", uscc="91310000123456789X")
    header = ["统一社会信用代码", "单位名称", "信号类型", "发生日期", "严重程度", "涉及人数", "说明"]
    bad = _xlsx([header, ["91310000123456789X", "", "欠薪举报", "2026-05-20", 3, 10, ""],
                 ["", "不存在的公司", "职工投诉", "2026.5.21", 1, 1, ""]])
    with pytest.raises(ApplicationError) as exc:
        svc.signal_import(org=tree["SH-A"], name="s.xlsx", data=bad, actor=district_cadre)
    assert exc.value.message == "第3行：本辖区没有该用人单位。"
    assert RiskSignal.objects.count() == 0
    good = _xlsx([header, ["91310000123456789X", "", "欠薪举报", "2026-05-20", 3, 10, ""],
                  ["", "甲制造", "职工投诉", "2026年5月21日", 1, 1, "电话投诉"]])
    assert svc.signal_import(org=tree["SH-A"], name="s.xlsx", data=good,
                             actor=district_cadre) == 2
    assert RiskSignal.objects.count() == 2
    with clock.frozen(dt.datetime(2026, 6, 1, 9)):
        assert EmployerRisk.objects.get().signals == 2


def _signal(employer, kind, on, severity):
    return RiskSignal(employer=employer, area_path=employer.area.path, kind=kind, on=on,
                      severity=severity, entered_by="导入", at=clock.now())


def test_bulk_recompute_raises_alerts_in_bulk_with_one_digest_per_street(
        tree, district_cadre, cadre_a, today, django_assert_max_num_queries):
    raised = make_employer(tree["SH-A-1"], "已预警公司")
    svc.signal_add(employer=raised, kind="wage_arrears", on=today, severity=2,
                   actor=district_cadre)                     # 6: yellow, alert open
    Notification.objects.all().delete()
    fresh = [make_employer(tree["SH-A-1"], f"新{c}公司") for c in "甲乙丙丁"]
    RiskSignal.objects.bulk_create([_signal(e, "wage_arrears", today, 2) for e in fresh]
                                   + [_signal(raised, "collective", today, 3)])
    with django_assert_max_num_queries(30):          # not a handful of queries per rise
        assert svc.recompute(actor=district_cadre) == {"employers": 5, "rises": 5}
    alerts = {a.employer.name: a for a in RiskAlert.objects.select_related("employer")}
    assert {n: (a.level, a.previous_level, a.status) for n, a in alerts.items()} == {
        "已预警公司": ("red", "green", "open"), "新甲公司": ("yellow", "green", "open"),
        "新乙公司": ("yellow", "green", "open"), "新丙公司": ("yellow", "green", "open"),
        "新丁公司": ("yellow", "green", "open")}
    assert [h.reason for h in alerts["已预警公司"].history.all()] == [
        "风险等级由绿色升为黄色", "风险等级升为红色"]
    assert [h.reason for h in alerts["新甲公司"].history.all()] == ["风险等级由绿色升为黄色"]
    digest = Notification.objects.filter(kind="rights.risk_alert")
    assert sorted((n.recipient.username, n.title, n.url) for n in digest) == [
        ("cadre_a1", "劳动关系风险预警：5 家单位风险等级上升", "/rights/alerts/?status=open"),
        ("district_a", "劳动关系风险预警：5 家单位风险等级上升", "/rights/alerts/?status=open")]
    assert digest.first().body == ("已预警公司、新甲公司、新乙公司、新丙公司、新丁公司 等 5 家单位"
                                   "风险等级上升，请在风险预警中逐一核实处置。")
