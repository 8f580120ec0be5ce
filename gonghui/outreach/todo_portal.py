"""A member's own to-do from outreach, for the portal inbox: the activities they signed up for
(confirmed) that start within the next two days — "an activity tomorrow"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.core import clock
from gonghui.core.todo import QueryTodo, TodoItem, register
from gonghui.outreach.models import Signup, SignupStatus

SOON = dt.timedelta(days=2)


class UpcomingActivityTodo(QueryTodo):
    name = "outreach.upcoming"
    label = _l("即将参加的活动")

    def rows(self, user: Any) -> Any:
        if not getattr(user, "pk", None):
            return None
        now = clock.now()
        # the user's own signups only: no scoping needed (like the portal's "my activities")
        return (Signup.objects.select_related("activity")
                .filter(user=user, status=SignupStatus.CONFIRMED,
                        activity__starts_at__gte=now, activity__starts_at__lt=now + SOON)
                .order_by("activity__starts_at", "id"))

    def item(self, s: Any) -> TodoItem:
        a = s.activity
        starts = timezone.localtime(a.starts_at)
        return TodoItem(app="outreach", kind=self.name,
                        title=_("{when} 参加活动：{title}（{place}）").format(
                            when=f"{starts:%m-%d %H:%M}", title=a.title, place=a.place),
                        url=reverse("outreach:my_activity", args=[a.pk]), org_path=a.org_path,
                        due=starts.date(), created_at=s.created_at)


register(UpcomingActivityTodo())
