"""Announcements (信息网上推送): publish to a subtree — everyone, cadres only, or a group —
with one receipt per recipient (the inbox row and the read receipt), withdraw, read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import RoleAssignment
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.members.choices import Gender
from gonghui.members.models import Person
from gonghui.notifications import channels
from gonghui.notifications.services import deliver_channels
from gonghui.orgs.models import Org, OrgStatus
from gonghui.outreach.models import (
    ANNOUNCEMENT_TRANSITIONS,
    Announcement,
    AnnouncementStatus,
    Audience,
    Group,
    Receipt,
)

WRITE = Capability.OUTREACH_WRITE
KIND = "outreach.announcement"
BATCH = 5000
MAX_ATTACHMENT = 10 * 1024 * 1024


def _members(org: Org, group: str) -> Any:
    """(user id, union path) of members with a portal account in the subtree (and group)."""
    queryset = Person.objects.filter(user__isnull=False, user__is_active=True,
                                     member_union__path__startswith=org.path)
    if group == Group.NEW_EMPLOYMENT:
        queryset = queryset.exclude(new_employment_group="")
    elif group == Group.WOMEN:
        queryset = queryset.filter(gender=Gender.FEMALE)
    return queryset.values_list("user_id", "member_union__path").order_by("user_id")


def _cadres(org: Org) -> Any:
    return (RoleAssignment.objects.filter(org__path__startswith=org.path, user__is_active=True)
            .values_list("user_id", "org__path").order_by("user_id", "org__path"))


def audience_rows(*, org: Org, audience: str, group: str = "") -> dict[int, str]:
    """user id → the union path their receipt counts under (a member's own union; a cadre's
    highest org in the subtree). Internal: the publishing service's audience rule."""
    out: dict[int, str] = {}
    if audience in (Audience.EVERYONE, Audience.CADRES):
        for user_id, path in _cadres(org).iterator(chunk_size=BATCH):
            out.setdefault(user_id, path)
    if audience in (Audience.EVERYONE, Audience.GROUPS):
        for user_id, path in _members(org, group if audience == Audience.GROUPS else "") \
                .iterator(chunk_size=BATCH):
            out[user_id] = path
    return out


@transaction.atomic
def announcement_publish(*, org: Org, title: str, body: str, audience: str, actor: Actor,
                         group: str = "", pinned: bool = False, expires_on: dt.date | None = None,
                         attachment: UploadedFile | None = None) -> Announcement:
    require_capability(actor, WRITE, org)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("该组织已合并或撤销，不能发布通知。"))
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ApplicationError(_("请填写标题和正文。"), extra={"field": "title"})
    if audience not in Audience.values:
        raise ApplicationError(_("发送对象不正确。"), extra={"field": "audience"})
    if audience == Audience.GROUPS and group not in Group.values:
        raise ApplicationError(_("请选择要发送的群体。"), extra={"field": "group"})
    if audience != Audience.GROUPS:
        group = ""
    if expires_on is not None and expires_on < clock.today():
        raise ApplicationError(_("有效期不能早于今天。"), extra={"field": "expires_on"})
    if attachment is not None and attachment.size and attachment.size > MAX_ATTACHMENT:
        raise ApplicationError(_("附件不能超过 10 MB。"), extra={"field": "attachment"})
    announcement = Announcement(org=org, org_path=org.path, title=title, body=body,
                                audience=audience, group=group, pinned=pinned,
                                expires_on=expires_on, published_at=clock.now())
    if attachment is not None:
        announcement.attachment = attachment
    announcement.save()
    rows = audience_rows(org=org, audience=audience, group=group)
    batch: list[Receipt] = []
    for user_id, path in rows.items():
        batch.append(Receipt(announcement=announcement, org_id=announcement.org_id,
                             user_id=user_id, union_path=path))
        if len(batch) >= BATCH:
            Receipt.objects.bulk_create(batch)
            batch = []
    Receipt.objects.bulk_create(batch)
    Announcement.objects.filter(pk=announcement.pk).update(recipients=len(rows))
    announcement.recipients = len(rows)
    audit_record(actor=actor, action="outreach.announcement.publish", obj=announcement,
                 org_path=org.path, after={"audience": audience, "group": group,
                                           "recipients": len(rows)})
    if channels.channels_for(KIND):
        users = get_user_model().objects.filter(pk__in=list(rows))
        deliver_channels(kind=KIND, users=users, title=title, body=body)
    return announcement


@transaction.atomic
def announcement_withdraw(*, announcement: Announcement, reason: str,
                          actor: Actor) -> Announcement:
    require_capability(actor, WRITE, announcement.org)
    if not reason.strip():
        raise ApplicationError(_("请说明撤回原因。"), extra={"field": "reason"})
    announcement = transition(announcement, AnnouncementStatus.WITHDRAWN,
                              transitions=ANNOUNCEMENT_TRANSITIONS, actor=actor, reason=reason)
    audit_record(actor=actor, action="outreach.announcement.withdraw", obj=announcement,
                 org_path=announcement.org_path, note=reason)
    return announcement


def receipt_read(*, receipt: Receipt, actor: Actor) -> Receipt:
    """The recipient opened it: the read receipt (first time only)."""
    if receipt.read_at is None:
        with transaction.atomic():
            updated = Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True) \
                .update(read_at=clock.now())
            receipt.refresh_from_db(fields=["read_at"])
            if updated:
                audit_record(actor=actor, action="outreach.announcement.read",
                             object_type="outreach.receipt", object_id=str(receipt.pk),
                             object_repr=receipt.announcement.title[:255],
                             org_path=receipt.union_path)
    return receipt


def live(queryset: Any) -> Any:
    """Published and not expired."""
    return queryset.filter(Q(announcement__expires_on__isnull=True)
                           | Q(announcement__expires_on__gte=clock.today()),
                           announcement__status=AnnouncementStatus.PUBLISHED)
