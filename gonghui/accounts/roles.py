"""Roles held at an org, and what each lets its holder do over that org's subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    CADRE = "cadre", _("工会干部")
    REGISTRAR = "registrar", _("会员专管员")
    TREASURER = "treasurer", _("财务人员")
    AUDITOR = "auditor", _("经审委员")
    VIEWER = "viewer", _("查看者")


_READ = {
    "org.read", "member.read", "stats.read", "workplan.read", "funds.read", "aid.read",
    "mutualaid.read",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _READ
        | {"org.write", "role.assign", "audit.read", "member.write", "member.reveal",
           "workplan.write", "funds.write", "policy.write", "aid.write", "aid.reveal",
           "mutualaid.write"}
    ),
    Role.CADRE: frozenset(_READ | {"member.write", "workplan.write", "aid.write", "mutualaid.write"}),
    Role.REGISTRAR: frozenset(_READ | {"member.write", "member.reveal"}),
    Role.TREASURER: frozenset(_READ | {"funds.write"}),
    # 经审: reads funds and their evidence, never writes.
    Role.AUDITOR: frozenset(_READ | {"funds.audit", "audit.read"}),
    Role.VIEWER: frozenset({"org.read", "stats.read", "workplan.read"}),
}  # fmt: skip

ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values())
