"""Announcements: audience rules (subtree, cadres only, groups), the inbox with unread counts,
read rates per union, withdrawal, and e-mail delivered to a real local SMTP server."""

from __future__ import annotations

import asyncore
import smtpd
import socket
import threading
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest

from conftest import make_user
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.members.models import Person
from gonghui.outreach import selectors
from gonghui.outreach.models import Receipt
from gonghui.outreach.permissions import own_receipt
from gonghui.outreach.services.announcements import (
    announcement_publish,
    announcement_withdraw,
    receipt_read,
)
from gonghui.outreach.tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    a11, _ = make_member(tree["SH-A-1-1"], "a11", new_employment_group="courier")
    a12, _ = make_member(tree["SH-A-1-2"], "a12")
    b11, _ = make_member(tree["SH-B-1-1"], "b11")
    street = make_user("street_a1", org=tree["SH-A-1"], role="cadre")
    return {"a11": a11, "a12": a12, "b11": b11, "street": street}


def recipients(a):
    return sorted(Receipt.objects.filter(announcement=a).values_list("user__username", flat=True))


def test_everyone_in_the_subtree_members_and_cadres(tree, people, district_cadre):
    a = announcement_publish(org=tree["SH-A-1"], title="街道通知", body="内容",
                             audience="everyone", actor=district_cadre)
    assert recipients(a) == ["a11", "a12", "street_a1"]
    assert a.recipients == 3


def test_cadres_only_and_groups(tree, people, district_cadre):
    cadres = announcement_publish(org=tree["SH-A"], title="干部通知", body="内容",
                                  audience="cadres", actor=district_cadre)
    assert recipients(cadres) == ["district_a", "street_a1"]
    group = announcement_publish(org=tree["SH-A"], title="快递小哥", body="内容",
                                 audience="groups", group="new_employment",
                                 actor=district_cadre)
    assert recipients(group) == ["a11"]


def test_inbox_unread_read_rate_and_withdrawal(tree, people, district_cadre):
    a = announcement_publish(org=tree["SH-A-1"], title="通知一", body="内容",
                             audience="everyone", actor=district_cadre)
    assert selectors.unread_count(people["a11"]) == 1
    assert selectors.unread_count(people["b11"]) == 0
    with pytest.raises(NotFound):
        own_receipt(people["b11"], a.pk)
    receipt_read(receipt=own_receipt(people["a11"], a.pk), actor=people["a11"])
    assert selectors.unread_count(people["a11"]) == 0
    rates = {r["path"]: (r["total"], r["read"], str(r["rate"])) for r in selectors.read_rates(a)}
    assert rates == {tree["SH-A-1-1"].path: (1, 1, "100.0"),
                     tree["SH-A-1-2"].path: (1, 0, "0.0"),
                     tree["SH-A-1"].path: (1, 0, "0.0")}
    announcement_withdraw(announcement=a, reason="发错了", actor=district_cadre)
    assert selectors.unread_count(people["a12"]) == 0
    with pytest.raises(NotFound):
        own_receipt(people["a12"], a.pk)


def test_publishing_outside_the_subtree_or_read_only_changes_nothing(tree, people,
                                                                    district_cadre):
    viewer = make_user("viewer_b", org=tree["SH-B"], role="viewer")
    with pytest.raises(NotFound):
        announcement_publish(org=tree["SH-B"], title="x", body="y", audience="everyone",
                             actor=district_cadre)
    with pytest.raises(Forbidden):
        announcement_publish(org=tree["SH-B"], title="x", body="y", audience="everyone",
                             actor=viewer)
    with pytest.raises(ApplicationError) as caught:
        announcement_publish(org=tree["SH-A"], title="x", body="y", audience="groups",
                             actor=district_cadre)
    assert caught.value.message == "请选择要发送的群体。"
    assert Receipt.objects.count() == 0


class _Sink(smtpd.SMTPServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received: list[tuple[list[str], bytes]] = []

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.received.append((rcpttos, data))


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (Python 3.11's smtpd), in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _Sink(("127.0.0.1", port), None, decode_data=False)
    thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    yield server, port
    server.close()
    thread.join(timeout=2)


def test_email_is_delivered_to_the_local_smtp_server(tree, people, district_cadre, settings,
                                                    smtp_server,
                                                    django_capture_on_commit_callbacks):
    server, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.GONGHUI_NOTIFY_CHANNELS = {"outreach.announcement": ["email"]}
    Person.objects.filter(user=people["a11"]).update()
    people["a11"].email = "a11@example.cn"
    people["a11"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        announcement_publish(org=tree["SH-A-1-1"], title="高温慰问", body="请到站点领取清凉包",
                             audience="everyone", actor=district_cadre)
    for _ in range(100):
        if server.received:
            break
        threading.Event().wait(0.05)
    assert [r for r, _d in server.received] == [["a11@example.cn"]]
    message = message_from_bytes(server.received[0][1])
    assert str(make_header(decode_header(message["Subject"]))) == "高温慰问"
    assert "请到站点领取清凉包" in message.get_payload(decode=True).decode("utf-8")
