"""The navbar bell: the signed-in user's unread count (one indexed COUNT per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gonghui.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
