from __future__ import annotations

from typing import Any

from gonghui.core.actor import actor_user
from gonghui.core.errors import NotFound
from gonghui.notifications.models import Notification


def access_notification(user: Any, notification_id: int) -> Notification:
    """A notification is visible to its recipient only; anyone else gets 404."""
    viewer = actor_user(user)
    found = Notification.objects.filter(pk=notification_id, recipient=viewer).first() \
        if viewer is not None else None
    if found is None:
        raise NotFound()
    return found
