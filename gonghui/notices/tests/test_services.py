"""公示 service: publish for N working days, objections, decisions, closing with the owning
app's handler; permissions answer 404 outside the subtree, 403 when visible but read-only."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.accounts.capabilities import Capability
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, InvalidTransition, NotFound
from gonghui.core.models import WorkdayOverride
from gonghui.notices import services
from gonghui.notices.models import Notice, NoticeHistory, NoticeItem, Objection, ObjectionHistory
from gonghui.notices.services import NoticeItemIn

D = dt.date
MONDAY = D(2026, 3, 2)


@pytest.fixture
def monday():
    with clock.frozen(MONDAY):
        yield MONDAY


def _items(n=3):
    return [NoticeItemIn(text=f"张{i} 甲一公司 技术革新", source_type="awards.nomination",
                         source_id=str(100 + i)) for i in range(1, n + 1)]


@pytest.fixture
def notice(tree, district_cadre, monday):
    return services.notice_publish(kind="test.honour", title="2026年度先进工作者公示",
                                   org=tree["SH-A"], items=_items(), working_days=5,
                                   actor=district_cadre)


def test_publish_computes_the_end_with_the_calendar(notice):
    assert (notice.start_date, notice.end_date, notice.working_days) == (MONDAY, D(2026, 3, 6), 5)
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.org_path == notice.org.path
    assert notice.capability == "org.write"
    assert list(notice.items.values_list("position", "text", "source_id")) == [
        (1, "张1 甲一公司 技术革新", "101"), (2, "张2 甲一公司 技术革新", "102"),
        (3, "张3 甲一公司 技术革新", "103")]
    event = AuditEvent.objects.get(action="notices.publish")
    assert event.after == {"kind": "test.honour", "items": 3, "start_date": "2026-03-02",
                           "end_date": "2026-03-06", "working_days": 5}


def test_publish_across_national_day(tree, city_admin):
    with clock.frozen(D(2026, 9, 25)):
        notice = services.notice_publish(kind="k", title="t", org=tree["SH"], items=_items(1),
                                         working_days=5, start_date=D(2026, 9, 28),
                                         actor=city_admin)
    # 9-28, 9-29, 9-30, (国庆 10-1..10-7), 10-8, 10-9
    assert notice.end_date == D(2026, 10, 9)


def test_publish_into_an_unknown_year_is_refused(tree, city_admin):
    with clock.frozen(D(2026, 12, 24)), pytest.raises(ApplicationError) as caught:
        services.notice_publish(kind="k", title="t", org=tree["SH"], items=_items(1),
                                working_days=7, actor=city_admin)
    assert caught.value.code == "calendar_year_unknown"
    assert Notice.objects.count() == 0
    WorkdayOverride.objects.create(date=D(2027, 1, 1), kind="holiday")
    with clock.frozen(D(2026, 12, 24)):
        notice = services.notice_publish(kind="k", title="t", org=tree["SH"], items=_items(1),
                                         working_days=7, actor=city_admin)
    # 12-24 Thu, 25, 28, 29, 30, 31, (1-1 off), 1-4
    assert notice.end_date == D(2027, 1, 4)


@pytest.mark.parametrize(("change", "code"), [
    ({"items": []}, "items_required"),
    ({"items": [NoticeItemIn(text="张三 110101199003071234 甲一公司")]}, "item_id_number"),
    ({"items": [NoticeItemIn(text="  ")]}, "item_text"),
    ({"working_days": 0}, "working_days_range"),
    ({"working_days": 61}, "working_days_range"),
    ({"title": " "}, "title_required"),
    ({"start_date": D(2026, 3, 1)}, "start_in_past"),
])
def test_publish_refusals(tree, district_cadre, monday, change, code):
    args = {"kind": "k", "title": "t", "org": tree["SH-A"], "items": _items(1),
            "working_days": 5, "actor": district_cadre, **change}
    with pytest.raises(ApplicationError) as caught:
        services.notice_publish(**args)
    assert caught.value.code == code
    assert Notice.objects.count() == 0


def test_publish_permissions(tree, other_district_cadre, grassroots_cadre, monday):
    with pytest.raises(NotFound):
        services.notice_publish(kind="k", title="t", org=tree["SH-A"], items=_items(1),
                                working_days=5, actor=other_district_cadre)
    with pytest.raises(Forbidden):
        services.notice_publish(kind="k", title="t", org=tree["SH-A-1-1"], items=_items(1),
                                working_days=5, actor=grassroots_cadre)
    # the capability is a parameter: a registrar may publish with member.write
    notice = services.notice_publish(kind="k", title="t", org=tree["SH-A-1-1"],
                                     items=_items(1), working_days=5, actor=grassroots_cadre,
                                     capability=Capability.MEMBER_WRITE)
    assert notice.capability == "member.write"
    assert Notice.objects.count() == 1


def test_objections_during_the_period_only(notice, member_user):
    item = notice.items.get(position=2)
    objection = services.objection_submit(notice=notice, item=item, text=" 不属实 ",
                                          contact="138", actor=member_user)
    assert (objection.status, objection.text, objection.author_name) == (
        "pending", "不属实", "worker")
    whole = services.objection_submit(notice=notice, text="评选程序不公开", actor=member_user)
    assert whole.item is None
    with clock.frozen(D(2026, 3, 9)), pytest.raises(ApplicationError) as caught:
        services.objection_submit(notice=notice, text="晚了", actor=member_user)
    assert caught.value.code == "notice_not_open"
    with pytest.raises(Forbidden):
        services.objection_submit(notice=notice, text="x", actor=system_actor("cli"))
    with pytest.raises(ApplicationError) as caught:
        services.objection_submit(notice=notice, text="  ", actor=member_user)
    assert caught.value.code == "text_required"
    assert Objection.objects.count() == 2
    assert AuditEvent.objects.filter(action="notices.objection.submit").count() == 2


def test_decide_marks_the_item_and_writes_history(notice, member_user, district_cadre):
    item = notice.items.get(position=2)
    objection = services.objection_submit(notice=notice, item=item, text="不属实",
                                          actor=member_user)
    decided = services.objection_decide(objection=objection, upheld=True, reason="经核实属实",
                                        actor=district_cadre)
    assert (decided.status, decided.decision_reason, decided.decided_by_name) == (
        "upheld", "经核实属实", "district_a")
    assert list(NoticeItem.objects.filter(objection_upheld=True).values_list("position",
                                                                             flat=True)) == [2]
    history = ObjectionHistory.objects.get()
    assert (history.from_status, history.to_status, history.actor_name, history.reason) == (
        "pending", "upheld", "district_a", "经核实属实")
    with pytest.raises(InvalidTransition):
        services.objection_decide(objection=objection, upheld=False, reason="再改",
                                  actor=district_cadre)


def test_an_upheld_objection_to_the_whole_notice_marks_every_item(notice, member_user,
                                                                  district_cadre):
    objection = services.objection_submit(notice=notice, text="程序违规", actor=member_user)
    services.objection_decide(objection=objection, upheld=True, reason="属实",
                              actor=district_cadre)
    assert NoticeItem.objects.filter(objection_upheld=True).count() == 3


def test_decide_permissions_change_nothing(notice, member_user, other_district_cadre,
                                           grassroots_cadre):
    objection = services.objection_submit(notice=notice, text="x", actor=member_user)
    with pytest.raises(NotFound):
        services.objection_decide(objection=objection, upheld=True, reason="r",
                                  actor=other_district_cadre)
    # the registrar of SH-A-1-1 does not see SH-A (its parent): 404 as well
    with pytest.raises(NotFound):
        services.objection_decide(objection=objection, upheld=True, reason="r",
                                  actor=grassroots_cadre)
    assert Objection.objects.get().status == "pending"
    assert NoticeItem.objects.filter(objection_upheld=True).count() == 0


def test_read_only_cadre_gets_403(tree, city_admin, auditor, member_user, monday):
    notice = services.notice_publish(kind="k", title="t", org=tree["SH-A"], items=_items(1),
                                     working_days=5, actor=city_admin)
    objection = services.objection_submit(notice=notice, text="x", actor=member_user)
    with pytest.raises(Forbidden):
        services.objection_decide(objection=objection, upheld=True, reason="r", actor=auditor)
    with pytest.raises(Forbidden):
        services.notice_close(notice=notice, actor=auditor)
    assert Objection.objects.get().status == "pending"


CLOSED: list = []


def _on_close(*, notice, outcomes, actor):
    CLOSED.append((notice.pk, [(o.source_id, o.upheld) for o in outcomes], str(actor)))


def test_close_after_the_end_with_every_objection_decided(notice, member_user, district_cadre):
    CLOSED.clear()
    services.register_handler("test.honour", _on_close)
    objection = services.objection_submit(notice=notice, item=notice.items.get(position=1),
                                          text="x", actor=member_user)
    with clock.frozen(D(2026, 3, 6)), pytest.raises(ApplicationError) as caught:
        services.notice_close(notice=notice, actor=district_cadre)
    assert caught.value.code == "notice_period_running"
    with clock.frozen(D(2026, 3, 7)), pytest.raises(Conflict) as caught:
        services.notice_close(notice=notice, actor=district_cadre)
    assert caught.value.code == "objections_pending"
    assert Notice.objects.get().status == "published"
    services.objection_decide(objection=objection, upheld=True, reason="属实",
                              actor=district_cadre)
    with clock.frozen(D(2026, 3, 7)):
        closed = services.notice_close(notice=notice, actor=district_cadre)
    assert closed.status == "closed"
    expected = [(notice.pk, [("101", True), ("102", False), ("103", False)], "district_a")]
    assert expected == CLOSED
    history = NoticeHistory.objects.get()
    assert (history.from_status, history.to_status) == ("published", "closed")
    with clock.frozen(D(2026, 3, 7)), pytest.raises(InvalidTransition):
        services.notice_close(notice=notice, actor=district_cadre)


def test_a_failing_handler_rolls_the_closing_back(notice, district_cadre):
    def broken(**kwargs):
        raise ApplicationError("评选结果写入失败", code="handler_failed")

    services.register_handler("test.honour", broken)
    with clock.frozen(D(2026, 3, 9)), pytest.raises(ApplicationError):
        services.notice_close(notice=notice, actor=district_cadre)
    assert Notice.objects.get().status == "published"
    assert NoticeHistory.objects.count() == 0
    services.register_handler("test.honour", _on_close)


def test_close_due_skips_pending_objections(tree, city_admin, member_user):
    with clock.frozen(MONDAY):
        quiet = services.notice_publish(kind="k", title="quiet", org=tree["SH"],
                                        items=_items(1), working_days=1, actor=city_admin)
        busy = services.notice_publish(kind="k", title="busy", org=tree["SH"],
                                       items=_items(1), working_days=1, actor=city_admin)
        services.objection_submit(notice=busy, text="x", actor=member_user)
    with clock.frozen(D(2026, 3, 3)):
        closed = services.close_due(actor=system_actor("task:notices-close-due"))
    assert [n.pk for n in closed] == [quiet.pk]
    assert Notice.objects.get(pk=busy.pk).status == "published"
    assert NoticeHistory.objects.get().actor_name == "task:notices-close-due"


def test_withdraw(notice, district_cadre, member_user):
    with pytest.raises(ApplicationError):
        services.notice_withdraw(notice=notice, reason=" ", actor=district_cadre)
    services.notice_withdraw(notice=notice, reason="名单有误", actor=district_cadre)
    assert Notice.objects.get().status == "withdrawn"
    with pytest.raises(ApplicationError) as caught:
        services.objection_submit(notice=notice, text="x", actor=member_user)
    assert caught.value.code == "notice_not_open"
    assert AuditEvent.objects.get(action="notices.withdraw").note == "名单有误"


def test_org_path_follows_a_moved_subtree(notice):
    from gonghui.core import hooks

    old = notice.org_path
    hooks.call("org.path_changed", old_prefix=old, new_prefix="ZZZZ")
    assert Notice.objects.get().org_path == "ZZZZ" + old[len(old):]
