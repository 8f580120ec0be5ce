"""Inbox reads. A user sees only their own notifications: `recipient=viewer` is the scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.actor import actor_user
from gonghui.notifications.models import Notification


def inbox(*, viewer: Any, unread: bool | None = None, kind: str = "",
          q: str = "") -> QuerySet[Notification]:
    """The viewer's messages, newest first; `unread` True/False filters, None keeps both."""
    user = actor_user(viewer)
    if user is None:
        return Notification.objects.none()
    queryset = Notification.objects.filter(recipient=user)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return queryset


def unread_count(viewer: Any) -> int:
    user = actor_user(viewer)
    if user is None:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_kinds(viewer: Any) -> list[str]:
    """The kinds present in the viewer's inbox (the filter's choices)."""
    user = actor_user(viewer)
    if user is None:
        return []
    return sorted(set(Notification.objects.filter(recipient=user)
                      .values_list("kind", flat=True).distinct()))
