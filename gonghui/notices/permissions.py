"""The ways to reach a notice: as the public (any signed-in user; withdrawn notices are not
public) or as a manager (the read partner of the notice's capability over its org → else 404;
the capability itself for changes → else 403)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.errors import NotFound
from gonghui.notices.models import Notice, Objection


def can_manage(user: Any, notice: Notice) -> bool:
    return has_capability(user, Capability(notice.capability), notice.org)


def access_notice(user: Any, notice_id: int) -> Notice:
    notice = Notice.objects.select_related("org").filter(pk=notice_id).first()
    if notice is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    if notice.status == Notice.Status.WITHDRAWN:
        require_capability(user, Capability(notice.capability).read_of, notice.org)
    return notice


def access_notice_manage(user: Any, notice_id: int, *, write: bool = False) -> Notice:
    notice = Notice.objects.select_related("org").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound()
    cap = Capability(notice.capability)
    require_capability(user, cap if write else cap.read_of, notice.org,
                       read=cap.read_of)
    return notice


def access_objection(user: Any, notice: Notice, objection_id: int) -> Objection:
    objection = Objection.objects.select_related("notice__org", "item").filter(
        pk=objection_id, notice=notice).first()
    if objection is None:
        raise NotFound()
    return objection
