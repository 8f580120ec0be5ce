"""Notifications: one call, the inbox always, e-mail/SMS after commit by configuration, only the
recipient sees a message (404 for anyone else, nothing changed)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core import mail
from django.urls import reverse

from conftest import login, make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.notifications import channels, selectors
from gonghui.notifications.models import Notification
from gonghui.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
)

SENT: list[tuple[str, str]] = []
READ_AT = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


class RecordingSms:
    def send(self, *, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenSms:
    def send(self, *, phone: str, text: str) -> None:
        raise RuntimeError("gateway down")


@pytest.fixture
def people(db):
    alice = make_user("alice", email="alice@example.org", phone="13800000001")
    bob = make_user("bob", email="", phone="")
    return alice, bob


def test_notify_writes_the_inbox_and_an_audit_row(people):
    alice, bob = people
    rows = notify(recipients=[alice, bob, alice, bob.pk], kind="aid.review_due",
                  title="困难档案待复核", body="张三", url="/aid/files/1/", org_path="0001",
                  actor=system_actor("task:review"))
    assert [r.recipient_id for r in rows] == [alice.pk, bob.pk]
    assert Notification.objects.count() == 2
    first = Notification.objects.get(recipient=alice)
    assert (first.kind, first.title, first.body, first.url, first.sender_name) == (
        "aid.review_due", "困难档案待复核", "张三", "/aid/files/1/", "task:review")
    event = AuditEvent.objects.get(action="notifications.send")
    assert event.after == {"recipients": [alice.pk, bob.pk], "kind": "aid.review_due"}
    assert selectors.unread_count(alice) == 1


def test_kind_and_title_are_required(people):
    with pytest.raises(ValueError, match="needs a kind and a title"):
        notify(recipients=people, kind=" ", title="t", actor=system_actor("cli"))
    assert Notification.objects.count() == 0


def test_inactive_users_and_no_recipients(people):
    alice, _bob = people
    alice.is_active = False
    alice.save()
    assert notify(recipients=[alice], kind="k", title="t", actor=system_actor("cli")) == []
    assert Notification.objects.count() == 0
    assert AuditEvent.objects.filter(action="notifications.send").count() == 0


def test_email_and_sms_only_after_commit_and_by_configuration(people, settings,
                                                              django_capture_on_commit_callbacks):
    alice, bob = people
    SENT.clear()
    settings.GONGHUI_NOTIFY_CHANNELS = {"default": [], "notices.objection": ["email", "sms"]}
    settings.GONGHUI_SMS_BACKEND = "gonghui.notifications.tests.test_notifications.RecordingSms"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[alice, bob], kind="notices.objection", title="新的异议", body="内容",
               url="/notices/1/", actor=system_actor("cli"))
    assert mail.outbox == []
    assert SENT == []
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]  # bob has no address
    assert mail.outbox[0].subject == "新的异议"
    assert mail.outbox[0].body == "新的异议\n\n内容\n\n/notices/1/"
    assert SENT == [("13800000001", "新的异议\n\n内容")]
    # a kind without an entry uses "default": the inbox only
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[alice], kind="other", title="x", actor=system_actor("cli"))
    assert callbacks == []


def test_channel_failures_are_logged_never_raised(people, settings, caplog,
                                                  django_capture_on_commit_callbacks):
    alice, _bob = people
    settings.GONGHUI_NOTIFY_CHANNELS = {"default": ["email", "sms"]}
    settings.GONGHUI_SMS_BACKEND = "gonghui.notifications.tests.test_notifications.BrokenSms"
    settings.EMAIL_BACKEND = "gonghui.notifications.tests.test_notifications.BrokenEmail"
    with caplog.at_level(logging.ERROR, logger="gonghui.notifications"), \
            django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[alice], kind="x", title="t", actor=system_actor("cli"))
    assert len(rows) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["e-mail to alice@example.org failed", "SMS to 0001 failed"]


class BrokenEmail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("smtp down")


def test_logging_sms_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="gonghui.notifications"):
        channels.LoggingSmsBackend().send(phone="13812345678", text="你好")
    assert [r.getMessage() for r in caplog.records] == ["SMS to 138****5678: 你好"]


def test_mark_read_and_all(people):
    alice, _bob = people
    notify(recipients=[alice], kind="a", title="1", actor=system_actor("cli"))
    notify(recipients=[alice], kind="b", title="2", actor=system_actor("cli"))
    notify(recipients=[alice], kind="b", title="3", actor=system_actor("cli"))
    first = Notification.objects.get(title="1")
    with clock.frozen(READ_AT):
        notification_mark_read(notification=first, actor=alice)
    assert Notification.objects.get(title="1").read_at == READ_AT
    assert selectors.unread_count(alice) == 2
    assert notification_mark_all_read(actor=alice, kind="b") == 2
    assert selectors.unread_count(alice) == 0
    assert AuditEvent.objects.filter(action__startswith="notifications.read").count() == 2


def test_only_the_recipient_may_mark_read(people):
    from gonghui.core.errors import NotFound

    alice, bob = people
    notify(recipients=[alice], kind="a", title="1", actor=system_actor("cli"))
    row = Notification.objects.get()
    with pytest.raises(NotFound):
        notification_mark_read(notification=row, actor=bob)
    assert Notification.objects.get().read_at is None


# --- pages ---------------------------------------------------------------------------------

def test_inbox_page_filters_pages_and_bell(client, people):
    alice, bob = people
    for n in range(30):
        notify(recipients=[alice], kind="aid.review_due" if n % 2 else "workplan.due",
               title=f"消息{n:02d}", actor=system_actor("cli"))
    notify(recipients=[bob], kind="x", title="给鲍勃的", actor=system_actor("cli"))
    login(client, alice)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="gh-unread">30</span>' in body          # the bell in the navbar
    assert "给鲍勃的" not in body
    assert body.count('id="notification-') == 25       # one page
    channels.register_kind("workplan.due", "工作要点到期")
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert '<option value="workplan.due" >工作要点到期</option>' in body
    response = client.get(reverse("notifications:inbox"), {"kind": "workplan.due"})
    assert response.content.decode().count('id="notification-') == 15
    response = client.get(reverse("notifications:inbox"), {"q": "消息07"})
    assert response.content.decode().count('id="notification-') == 1
    response = client.get(reverse("notifications:inbox"), {"page": 2})
    assert response.content.decode().count('id="notification-') == 5


def test_open_marks_read_and_follows_local_links(client, people):
    alice, _bob = people
    notify(recipients=[alice], kind="a", title="t", url="/aid/", actor=system_actor("cli"))
    notify(recipients=[alice], kind="a", title="evil", url="https://evil.example/",
           actor=system_actor("cli"))
    login(client, alice)
    local = Notification.objects.get(title="t")
    response = client.post(reverse("notifications:open", args=[local.pk]))
    assert (response.status_code, response["Location"]) == (302, "/aid/")
    evil = Notification.objects.get(title="evil")
    response = client.post(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == reverse("notifications:inbox")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_read_all_page(client, people):
    alice, bob = people
    notify(recipients=[alice, bob], kind="a", title="t", actor=system_actor("cli"))
    login(client, alice)
    with clock.frozen(READ_AT):
        response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.get(recipient=alice).read_at == READ_AT
    assert Notification.objects.get(recipient=bob).read_at is None


@pytest.mark.parametrize("name", ["notifications:open", "notifications:read"])
def test_someone_elses_notification_is_404_and_unchanged(client, people, name):
    alice, bob = people
    notify(recipients=[alice], kind="a", title="t", actor=system_actor("cli"))
    row = Notification.objects.get()
    login(client, bob)
    assert client.post(reverse(name, args=[row.pk])).status_code == 404
    assert Notification.objects.get().read_at is None


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- API -----------------------------------------------------------------------------------

def test_api_list_count_and_read(client, people):
    alice, bob = people
    for n in range(3):
        notify(recipients=[alice], kind="k", title=f"t{n}", actor=system_actor("cli"))
    notify(recipients=[bob], kind="k", title="bob", actor=system_actor("cli"))
    login(client, alice)
    data = client.get("/api/v1/notifications", {"page_size": 2}).json()
    assert [i["title"] for i in data["items"]] == ["t2", "t1"]
    assert (data["count"], data["page"], data["page_size"]) == (3, 1, 2)
    assert data["next"] == "/api/v1/notifications?offset=2&limit=2"
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    first = Notification.objects.get(title="t0")
    with clock.frozen(READ_AT):
        response = client.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200
    assert dt.datetime.fromisoformat(response.json()["read_at"]) == READ_AT
    data = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert [i["title"] for i in data["items"]] == ["t2", "t1"]
    response = client.post("/api/v1/notifications/read-all", json.dumps({}),
                           content_type="application/json")
    assert response.json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}
    assert Notification.objects.get(recipient=bob).read_at is None


def test_api_others_404_anonymous_401(client, people):
    alice, bob = people
    notify(recipients=[alice], kind="k", title="t", actor=system_actor("cli"))
    row = Notification.objects.get()
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post(f"/api/v1/notifications/{row.pk}/read").status_code == 401
    login(client, bob)
    assert client.post(f"/api/v1/notifications/{row.pk}/read").status_code == 404
    assert client.get("/api/v1/notifications").json()["count"] == 0
    assert Notification.objects.get().read_at is None
