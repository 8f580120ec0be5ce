"""Notification writes: `notify()` (one call for every app), marking read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import NotFound
from gonghui.notifications import channels
from gonghui.notifications.models import Notification


def _recipients(recipients: Iterable[Any]) -> list[Any]:
    """Active users, each once, in the given order; ids are accepted as well as users."""
    ids: list[int] = []
    for entry in recipients:
        pk = entry if isinstance(entry, int) else getattr(entry, "pk", None)
        if pk is not None and pk not in ids:
            ids.append(pk)
    users = get_user_model().objects.in_bulk(ids)
    return [users[pk] for pk in ids if pk in users and users[pk].is_active]


def notify(*, recipients: Iterable[Any], kind: str, title: str, body: str = "", url: str = "",
           org_path: str = "", actor: Actor) -> list[Notification]:
    """Put one message into each recipient's inbox, and — after commit — send it through the
    channels configured for `kind` (e-mail to users with an address, SMS to users with a phone).

        notify(recipients=[file.owner], kind="aid.review_due", title=_("困难档案待复核"),
               url=reverse("aid:file", args=[file.pk]), org_path=file.org_path, actor=actor)
    """
    kind, title = kind.strip(), title.strip()
    if not kind or not title:
        raise ValueError("notify() needs a kind and a title")  # a caller's bug, not a user's
    users = _recipients(recipients)
    if not users:
        return []
    now = clock.now()
    sender = actor_name(actor)
    with transaction.atomic():
        rows = Notification.objects.bulk_create([
            Notification(recipient=user, kind=kind[:64], title=title[:200], body=body,
                         url=url[:500], org_path=org_path, sender_name=sender, created_at=now)
            for user in users
        ])
        audit_record(actor=actor, action="notifications.send", object_type="notifications.kind",
                     object_id=kind[:64], object_repr=title[:255], org_path=org_path,
                     after={"recipients": [u.pk for u in users], "kind": kind})
        deliver_channels(kind=kind, users=users, title=title, body=body, url=url)
    return rows


def deliver_channels(*, kind: str, users: Iterable[Any], title: str, body: str = "",
                     url: str = "") -> None:
    """Send a message through the extra channels configured for `kind` (e-mail to users with
    an address, SMS to users with a phone), after the caller's transaction commits. For
    senders that keep their own inbox rows (outreach's announcements: one receipt per
    recipient, written in bulk) and only need the channels; `notify()` calls it too."""
    users = list(users)
    extra = channels.channels_for(kind)
    text = f"{title}\n\n{body}".strip() if body else title
    if channels.EMAIL in extra:
        addresses = [u.email for u in users if getattr(u, "email", "")]
        if addresses:
            transaction.on_commit(lambda: channels.deliver_email(
                addresses=addresses, subject=title, text=text + (f"\n\n{url}" if url else "")))
    if channels.SMS in extra:
        phones = [p for p in (getattr(u, "phone", "") for u in users) if p]
        if phones:
            transaction.on_commit(lambda: channels.deliver_sms(phones=phones, text=text))


def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    """Mark one message read. Only its recipient may (others never reach it: 404)."""
    if notification.recipient_id != getattr(actor_user(actor), "pk", None):
        raise NotFound()
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=clock.now())
        notification.refresh_from_db(fields=["read_at"])
        if updated:
            audit_record(actor=actor, action="notifications.read", obj=notification)
    return notification


def notification_mark_all_read(*, actor: Actor, kind: str = "") -> int:
    """Mark every unread message of the acting user (of one kind, when given) read."""
    user = actor_user(actor)
    if user is None:
        return 0
    with transaction.atomic():
        queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if kind:
            queryset = queryset.filter(kind=kind)
        count = queryset.update(read_at=clock.now())
        if count:
            audit_record(actor=actor, action="notifications.read_all",
                         object_type="notifications.notification", object_id=str(user.pk),
                         object_repr=str(user), after={"count": count, "kind": kind})
    return count
