from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import capabilities_anywhere

C = Capability

# (url name, label, icon, capability needed anywhere); ADMIN_MODULES go under "管理"
MODULES = [
    ("home", _("工作台"), "speedometer2", None),
    ("orgs:tree", _("组织"), "diagram-3", C.ORG_READ),
    ("members:list", _("会员"), "people", C.MEMBER_READ),
    ("members:applications", _("入会审批"), "person-check", C.MEMBER_WRITE),
    ("roster:home", _("名册导入导出"), "file-earmark-spreadsheet", C.MEMBER_WRITE),
    ("aid:home", _("困难帮扶"), "heart", C.AID_READ),
    ("mutualaid:home", _("互助保障"), "shield-plus", C.MUTUALAID_READ),
    ("funds:home", _("经费"), "cash-coin", C.FUNDS_READ),
    ("workplan:home", _("工作要点"), "list-check", C.WORKPLAN_READ),
    ("rights:home", _("维权"), "shield-check", C.RIGHTS_READ),
    ("awards:home", _("建功立业"), "trophy", C.AWARDS_READ),
    ("democracy:home", _("民主管理"), "people-fill", C.DEMOCRACY_READ),
    ("evaluation:home", _("建家评家"), "house-heart", C.EVALUATION_READ),
    ("outreach:home", _("服务阵地"), "geo-alt", C.OUTREACH_READ),
    ("stats:home", _("统计"), "bar-chart", C.STATS_READ),
    ("notices:list", _("公示"), "megaphone", None),
]
ADMIN_MODULES = [
    ("audit:list", _("审计日志"), "journal-text", C.AUDIT_READ),
    ("accounts:roles", _("角色授权"), "person-gear", C.ROLE_ASSIGN),
    ("workdays:calendar", _("工作日日历"), "calendar3", C.POLICY_WRITE),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": [], "nav_admin": []}
    caps = capabilities_anywhere(user)
    return {"nav_modules": _entries(request, MODULES, caps),
            "nav_admin": _entries(request, ADMIN_MODULES, caps)}


def _entries(request: HttpRequest, modules: list, caps: frozenset) -> list[dict]:
    items = []
    for name, label, icon, cap in modules:
        if cap and cap not in caps:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": request.path == url
                      or (url != "/" and request.path.startswith(url))})
    return items
