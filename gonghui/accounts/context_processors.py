from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import capabilities_anywhere

C = Capability

# (url name, label, icon, capability needed anywhere). The navigation groups the modules into a
# few menus so both languages fit on one line at 1280 px: a group with one visible entry shows
# as a plain link, a group with several as a dropdown; on phones the bar collapses.
Module = tuple[str, Any, str, Capability | None]
HOME: Module = ("home", _("工作台"), "speedometer2", None)
NAV_GROUPS: list[tuple[str, Any, str, list[Module]]] = [
    ("people", _("组织会员"), "people", [
        ("orgs:tree", _("组织"), "diagram-3", C.ORG_READ),
        ("members:list", _("会员"), "people", C.MEMBER_READ),
        ("members:applications", _("入会审批"), "person-check", C.MEMBER_WRITE),
        ("roster:home", _("名册导入导出"), "file-earmark-spreadsheet", C.MEMBER_WRITE),
    ]),
    ("services", _("帮扶服务"), "heart", [
        ("aid:home", _("困难帮扶"), "heart", C.AID_READ),
        ("mutualaid:home", _("互助保障"), "shield-plus", C.MUTUALAID_READ),
        ("rights:home", _("维权"), "shield-check", C.RIGHTS_READ),
        ("outreach:home", _("服务阵地"), "geo-alt", C.OUTREACH_READ),
    ]),
    ("funds", _("经费"), "cash-coin", [
        ("funds:home", _("经费"), "cash-coin", C.FUNDS_READ),
    ]),
    ("work", _("工会工作"), "list-check", [
        ("workplan:home", _("工作要点"), "list-check", C.WORKPLAN_READ),
        ("awards:home", _("建功立业"), "trophy", C.AWARDS_READ),
        ("democracy:home", _("民主管理"), "people-fill", C.DEMOCRACY_READ),
        ("evaluation:home", _("建家评家"), "house-heart", C.EVALUATION_READ),
    ]),
    ("stats", _("统计"), "bar-chart", [
        ("stats:home", _("统计"), "bar-chart", C.STATS_READ),
    ]),
    ("notices", _("公示"), "megaphone", [
        ("notices:list", _("公示"), "megaphone", None),
    ]),
]
# every module, flat (the crawler and tests walk them)
MODULES: list[Module] = [HOME] + [entry for _key, _label, _icon, entries in NAV_GROUPS for entry in entries]
ADMIN_MODULES: list[Module] = [
    ("audit:list", _("审计日志"), "journal-text", C.AUDIT_READ),
    ("accounts:roles", _("角色授权"), "person-gear", C.ROLE_ASSIGN),
    ("workdays:calendar", _("工作日日历"), "calendar3", C.POLICY_WRITE),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": [], "nav_groups": [], "nav_admin": []}
    caps = capabilities_anywhere(user)
    groups = []
    for key, label, icon, modules in NAV_GROUPS:
        entries = _entries(request, modules, caps)
        if entries:
            groups.append({"key": key, "label": label, "icon": icon, "entries": entries,
                           "active": any(e["active"] for e in entries)})
    return {"nav_home": _entries(request, [HOME], caps),
            "nav_groups": groups,
            "nav_modules": _entries(request, MODULES, caps),
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
